//! `channels`: a ring of T tasks passing one token H hops in total, through the
//! runtime's own bounded channel (capacity 1): what one message hand-off and the wake-up
//! of the task waiting for it cost.
//!
//! Task i holds the receiver of channel i and the sender of channel (i + 1) mod T.
//! Task 0 injects the token, a hop counter, carrying 1 (the first hop, to task 1);
//! whoever receives the counter c holds the token at hop c and forwards c + 1. The task
//! holding it at hop H (task H mod T) stops and drops its sender; its successor's
//! receive then ends (`None`), it stops and drops its own, and so on around the ring,
//! so every task ends and none is left blocked.
//!
//! The checksum folds the final hop count, the index of the task that held the token
//! last, how many tasks claimed it, and the sum of all receive counts (H): a lost,
//! duplicated or misrouted token changes it.
//!
//! Timing: the root times itself from before the first spawn to after the last await
//! (`ns-per-hop` = that / H); spawning the T members and the closing cascade (T more
//! wake-ups) are about T / H of it (1/100 at the quick and full sizes).
//!
//! Blocking runners: a ring of `std::sync::mpsc::sync_channel(1)`, one job per member;
//! it only works if all T members are in progress at once, so a runner that keeps fewer
//! is n/a.

use crate::{FitContext, Fitted, Metric, Preset, Workload};
use rtcompare_api::ids;
use rtcompare_api::{
    AddressSpace, AsyncRuntime, Concurrency, Outcome, Share, Strategy, Waits, WorkloadKind,
};
use serde::Serialize;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::time::{Duration, Instant};

/// A token passed around a ring of tasks.
pub struct Channels;

/// What one `channels` run does.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ChannelsParams {
    /// Tasks in the ring (T).
    pub tasks: usize,
    /// Hops in total (H).
    pub hops: u64,
    /// On a thread-per-core runner, the core this is: the ring runs on core 0.
    #[serde(skip)]
    pub share: Option<Share>,
}

/// What a thread-per-core cell runs: the ring within one core.
const ON_CORE_ZERO: &str = "the ring runs on core 0, where a thread-per-core runtime passes \
     messages between its own tasks; the other cores idle";

/// The longest a blocking ring member waits for the token: the token comes round
/// after at most T hops, microseconds each; a wait this long means the ring stalled.
const STALL_LIMIT: Duration = Duration::from_secs(60);

impl Workload for Channels {
    const ID: &'static str = ids::workload::CHANNELS;
    const KIND: WorkloadKind = WorkloadKind::Overhead;
    const SUMMARY: &'static str = "a ring of T tasks passing one token H hops through the runtime's bounded channel (capacity 1)";
    const METRICS: &'static [Metric] = &[Metric {
        key: ids::metric::NS_PER_HOP,
        header: "ns/hop",
        about: "the root's own clock from before the first spawn to after the last await, per hop",
    }];
    type Params = ChannelsParams;

    fn params(preset: Preset) -> ChannelsParams {
        let (tasks, hops) = match preset {
            Preset::Tiny => (10, 500),
            // 40,000 hops: tens of milliseconds a sample on every runner.
            Preset::Quick => (100, 40_000),
            Preset::Full => (1_000, 100_000),
        };
        ChannelsParams {
            tasks,
            hops,
            share: None,
        }
    }

    fn describe(p: &ChannelsParams) -> String {
        format!("a ring of {} tasks, {} hops", p.tasks, p.hops)
    }

    fn fit(params: ChannelsParams, context: &FitContext) -> Result<Fitted<ChannelsParams>, String> {
        if context.address_space == Some(AddressSpace::Separate) {
            return Err(
                "its jobs pass a token round a ring of channels they share in \
                        memory, and record the end in a shared slot; worker processes share \
                        no memory"
                    .into(),
            );
        }
        if context.waits == Some(Waits::Own) {
            return Err(
                "its blocking ring waits in std::sync::mpsc's recv, which blocks the OS \
                 thread: on coroutines sharing N worker threads, N waiting members hold \
                 every worker and the member holding the token never runs"
                    .into(),
            );
        }
        let mut fitted = fit_ring(params, context.concurrency)?;
        if context.cores.is_some() {
            fitted.notes.push(ON_CORE_ZERO.into());
        }
        Ok(fitted)
    }

    fn shares(params: &ChannelsParams, cores: usize) -> Result<Vec<ChannelsParams>, String> {
        Ok(Share::all(cores)
            .map(|share| ChannelsParams {
                share: Some(share),
                ..*params
            })
            .collect())
    }

    fn expected(params: &ChannelsParams) -> u64 {
        let end = End {
            final_hop: params.hops,
            holder: final_holder(params.hops, params.tasks),
            holders: 1,
        };
        end.checksum(params.hops)
    }

    async fn run_async<R: AsyncRuntime>(runtime: R, params: ChannelsParams) -> Outcome {
        if params.share.is_some_and(|share| share.index != 0) {
            return Outcome::new(0);
        }
        let (t, h) = (params.tasks, params.hops);
        let (mut senders, receivers): (Vec<_>, Vec<_>) =
            (0..t).map(|_| runtime.channel::<u64>(1)).unzip();
        // Member i sends on channel i + 1 (mod T).
        senders.rotate_left(1);
        let mut handles = Vec::with_capacity(t);
        let start = Instant::now();
        for (i, (rx, tx)) in receivers.into_iter().zip(senders).enumerate() {
            handles.push(runtime.spawn(member::<R>(i, rx, tx, h)));
        }
        let mut received = 0u64;
        let mut end = End::default();
        for (i, handle) in handles.into_iter().enumerate() {
            let (count, held_last) = handle.await;
            received += count;
            if let Some(hop) = held_last {
                end.claim(i, hop);
            }
        }
        let elapsed = start.elapsed();
        Outcome::new(end.checksum(received))
            .with_ops(h)
            .with_metric(ids::metric::NS_PER_HOP, per_hop_ns(elapsed, h))
    }

    fn run_blocking(strategy: &dyn Strategy, params: &ChannelsParams) -> Outcome {
        let (t, h) = (params.tasks, params.hops);
        let (mut senders, receivers): (Vec<_>, Vec<_>) = (0..t)
            .map(|_| {
                let (tx, rx) = sync_channel::<u64>(1);
                (Mutex::new(Some(tx)), Mutex::new(Some(rx)))
            })
            .unzip();
        senders.rotate_left(1);
        let end = Mutex::new(End::default());
        let start = Instant::now();
        let received = strategy.run(t, &|i| {
            // Each job takes its two ends once; a mutex per member, not per message.
            let rx = receivers[i]
                .lock()
                .unwrap()
                .take()
                .expect("one job per member");
            let tx = senders[i]
                .lock()
                .unwrap()
                .take()
                .expect("one job per member");
            let (count, held_last) = member_blocking(i, rx, tx, h);
            if let Some(hop) = held_last {
                end.lock().unwrap().claim(i, hop);
            }
            count
        });
        let elapsed = start.elapsed();
        let end = end.into_inner().unwrap();
        Outcome::new(end.checksum(received))
            .with_ops(h)
            .with_metric(ids::metric::NS_PER_HOP, per_hop_ns(elapsed, h))
    }
}

/// Who held the token at hop `hops` in a ring of `tasks`: it starts at task 0 (hop 0)
/// and moves one task on per hop.
fn final_holder(hops: u64, tasks: usize) -> u64 {
    hops % tasks.max(1) as u64
}

fn per_hop_ns(elapsed: Duration, hops: u64) -> f64 {
    elapsed.as_nanos() as f64 / hops.max(1) as f64
}

/// Async runners always fit; a blocking runner only if it keeps every member in
/// progress at once (a member that is not running cannot pass the token on).
fn fit_ring(
    params: ChannelsParams,
    concurrency: Option<Concurrency>,
) -> Result<Fitted<ChannelsParams>, String> {
    let Some(concurrency) = concurrency else {
        return Ok(Fitted::all(params));
    };
    let t = params.tasks;
    let in_progress = concurrency.for_jobs(t);
    if in_progress == t {
        Ok(Fitted::all(params))
    } else {
        Err(format!(
            "a ring of {t} blocking tasks needs all {t} in progress at once; this runner keeps {in_progress}"
        ))
    }
}

/// How the ring ended, as the root saw it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct End {
    /// The hop count the last holder received.
    final_hop: u64,
    /// The index of the task that held the token last.
    holder: u64,
    /// How many tasks claimed to hold it last (1 when correct).
    holders: u64,
}

impl End {
    fn claim(&mut self, index: usize, hop: u64) {
        self.final_hop = hop;
        self.holder = index as u64;
        self.holders += 1;
    }

    /// Folds the end state and the total receive count into one checksum.
    fn checksum(&self, received: u64) -> u64 {
        [self.final_hop, self.holder, self.holders, received]
            .into_iter()
            .fold(0, |acc, x| crate::kernel::seed(acc ^ x))
    }
}

/// One ring member: returns how many times it received the token and, if it held
/// it at the last hop, that hop count.
async fn member<R: AsyncRuntime>(
    index: usize,
    mut rx: R::Receiver<u64>,
    mut tx: R::Sender<u64>,
    hops: u64,
) -> (u64, Option<u64>) {
    if index == 0 {
        if hops == 0 {
            return (0, Some(0)); // holds the token at hop 0, which is the last
        }
        assert!(
            R::send(&mut tx, 1).await,
            "ring broken before the first hop"
        );
    }
    let mut received = 0u64;
    while let Some(hop) = R::recv(&mut rx).await {
        received += 1;
        if hop >= hops {
            // Stop: dropping `tx` ends the successor, which ends the next, and so on.
            return (received, Some(hop));
        }
        // Only one token exists, so the slot is free: this never waits for room.
        assert!(R::send(&mut tx, hop + 1).await, "ring broken at hop {hop}");
    }
    (received, None)
}

/// One ring member on an OS thread (see [`member`]).
fn member_blocking(
    index: usize,
    rx: Receiver<u64>,
    tx: SyncSender<u64>,
    hops: u64,
) -> (u64, Option<u64>) {
    if index == 0 {
        if hops == 0 {
            return (0, Some(0));
        }
        tx.send(1).expect("ring broken before the first hop");
    }
    let mut received = 0u64;
    loop {
        match rtcompare_api::blocking(|| rx.recv_timeout(STALL_LIMIT)) {
            Ok(hop) => {
                received += 1;
                if hop >= hops {
                    return (received, Some(hop));
                }
                tx.send(hop + 1)
                    .unwrap_or_else(|_| panic!("ring broken at hop {hop}"));
            }
            Err(RecvTimeoutError::Disconnected) => return (received, None),
            Err(RecvTimeoutError::Timeout) => {
                panic!("ring member {index} waited {STALL_LIMIT:?} for the token: the ring stalled")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Follows the token hop by hop, as the ring passes it.
    fn simulate(tasks: usize, hops: u64) -> (End, u64) {
        let mut received = vec![0u64; tasks];
        let mut at = 0usize;
        let mut hop = 0u64;
        while hop < hops {
            at = (at + 1) % tasks;
            hop += 1;
            received[at] += 1;
        }
        let end = End {
            final_hop: hop,
            holder: at as u64,
            holders: 1,
        };
        (end, received.iter().sum())
    }

    #[test]
    fn final_holder_matches_the_ring() {
        for (t, h) in [
            (1, 0),
            (1, 5),
            (3, 0),
            (3, 1),
            (3, 3),
            (10, 500),
            (7, 1_000),
        ] {
            let (end, received) = simulate(t, h);
            assert_eq!(end.holder, final_holder(h, t), "T {t} H {h}");
            assert_eq!(received, h);
            let p = ChannelsParams {
                tasks: t,
                hops: h,
                share: None,
            };
            assert_eq!(Channels::expected(&p), end.checksum(received));
        }
        assert_eq!(final_holder(100_000, 1_000), 0);
        assert_eq!(final_holder(500, 10), 0);
        assert_eq!(final_holder(10_001, 100), 1);
    }

    #[test]
    fn checksum_catches_a_wrong_end() {
        let p = Channels::params(Preset::Tiny);
        let good = End {
            final_hop: p.hops,
            holder: final_holder(p.hops, p.tasks),
            holders: 1,
        };
        let expected = Channels::expected(&p);
        assert_eq!(good.checksum(p.hops), expected);
        let wrong = [
            (
                End {
                    final_hop: p.hops - 1,
                    ..good
                },
                p.hops,
            ),
            (End { holder: 1, ..good }, p.hops),
            (End { holders: 2, ..good }, p.hops),
            (End::default(), p.hops),
            (good, p.hops + 1),
        ];
        for (end, received) in wrong {
            assert_ne!(end.checksum(received), expected, "{end:?} {received}");
        }
    }

    #[test]
    fn blocking_ring_needs_every_member_in_progress() {
        let p = Channels::params(Preset::Quick);
        let why = fit_ring(p, Some(Concurrency::Bounded(2))).unwrap_err();
        assert_eq!(
            why,
            "a ring of 100 blocking tasks needs all 100 in progress at once; this runner keeps 2"
        );
        assert!(fit_ring(p, Some(Concurrency::Bounded(1))).is_err());
        assert!(fit_ring(p, Some(Concurrency::Bounded(100))).is_ok());
        assert!(fit_ring(p, Some(Concurrency::PerJob { cap: 10_000 })).is_ok());
        assert!(fit_ring(p, Some(Concurrency::PerJob { cap: 50 })).is_err());
        assert!(fit_ring(p, None).is_ok());
    }

    #[test]
    fn blocking_ring_runs_on_a_thread_per_member() {
        struct PerJob;
        impl Strategy for PerJob {
            fn concurrency(&self) -> Concurrency {
                Concurrency::PerJob { cap: 64 }
            }
            fn run(&self, jobs: usize, job: rtcompare_api::Job<'_>) -> u64 {
                std::thread::scope(|s| {
                    let hs: Vec<_> = (0..jobs).map(|i| s.spawn(move || job(i))).collect();
                    hs.into_iter()
                        .fold(0u64, |sum, h| sum.wrapping_add(h.join().unwrap()))
                })
            }
        }
        for (tasks, hops) in [(10, 500), (3, 7), (1, 4), (4, 0)] {
            let p = ChannelsParams {
                tasks,
                hops,
                share: None,
            };
            let out = Channels::run_blocking(&PerJob, &p);
            assert_eq!(out.checksum, Channels::expected(&p), "T {tasks} H {hops}");
        }
    }
}
