//! The thread-per-core echo server: every core accepts on its own `SO_REUSEPORT`
//! listener ([`Session::core_listener`]) and serves the connections the kernel hands
//! it, each as a task on that core; no connection moves to another core. Core 0 also
//! drives the generator, as the one body of other runners does.
//!
//! The cores of one sample meet in a [`Hub`], made when the sample is split into
//! shares (before its clock starts): a shared count of accepted connections tells
//! each connection's step (steps run one after another, so the n-th connection
//! accepted belongs to the step whose range holds n), per-step request counts, the
//! server's CPU clock read at each step's first accept, and the stop that ends every
//! core's accept loop once the plan's last connection is in. Every wait across cores
//! is an `event-listener` wake from another thread, which each runtime delivers with
//! its own waker; nothing polls.
//!
//! Memory per connection is not read here: the cores' connections grow one heap
//! together, and no core holds a step's every connection.

use super::EchoParams;
use super::server::{Served, outcome, serve_async};
use crate::net::{self, Session};
use event_listener::{Event, listener};
use futures::future::{Either, select};
use rtcompare_api::ids;
use rtcompare_api::{AsyncRuntime, Outcome, Share};
use std::net::TcpListener;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What one core of a thread-per-core echo server runs: its share and the hub it
/// meets the other cores in.
#[derive(Clone)]
pub(super) struct CoreServer {
    pub(super) share: Share,
    pub(super) hub: Arc<Hub>,
}

/// The same core of the same sample.
impl PartialEq for CoreServer {
    fn eq(&self, other: &CoreServer) -> bool {
        self.share == other.share && Arc::ptr_eq(&self.hub, &other.hub)
    }
}

impl std::fmt::Debug for CoreServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "core {} of {}", self.share.index, self.share.count)
    }
}

/// Where the cores of one sample meet (see the module docs).
pub(super) struct Hub {
    /// Each core's listener (a duplicate of the cell's socket for that core, bound
    /// at the cell's first sample), taken by its core.
    listeners: Vec<Mutex<Option<TcpListener>>>,
    /// The first connection number of each step, and the plan's total at the end.
    step_starts: Vec<usize>,
    accepted: AtomicUsize,
    /// Connections each core accepted.
    accepted_by_core: Vec<AtomicUsize>,
    requests: Vec<AtomicU64>,
    /// The server's CPU clock at each step's first accept, as `f64` bits.
    cpu_at_start: Vec<AtomicU64>,
    stopping: AtomicBool,
    stopped: Event,
    cores_left: AtomicUsize,
    cores_done: Event,
}

impl Hub {
    /// The hub of one sample of `params` on `cores` cores, their listeners bound.
    pub(super) fn new(params: &EchoParams, cores: usize) -> Result<Hub, String> {
        let net = net::session();
        let listeners = (0..cores)
            .map(|core| net.core_listener(core).map(|l| Mutex::new(Some(l))))
            .collect::<std::io::Result<_>>()
            .map_err(|e| e.to_string())?;
        let mut step_starts = Vec::with_capacity(params.steps.len() + 1);
        let mut total = 0;
        for step in &params.steps {
            step_starts.push(total);
            total += step.connections;
        }
        step_starts.push(total);
        let steps = params.steps.len();
        Ok(Hub {
            listeners,
            step_starts,
            accepted: AtomicUsize::new(0),
            accepted_by_core: (0..cores).map(|_| AtomicUsize::new(0)).collect(),
            requests: (0..steps).map(|_| AtomicU64::new(0)).collect(),
            cpu_at_start: (0..steps).map(|_| AtomicU64::new(0)).collect(),
            stopping: AtomicBool::new(false),
            stopped: Event::new(),
            cores_left: AtomicUsize::new(cores),
            cores_done: Event::new(),
        })
    }

    fn total(&self) -> usize {
        *self.step_starts.last().expect("a plan has steps")
    }

    /// The step connection number `n` belongs to.
    fn step_of(&self, n: usize) -> usize {
        self.step_starts.partition_point(|&start| start <= n) - 1
    }

    fn stop(&self) {
        self.stopping.store(true, Ordering::Release);
        self.stopped.notify(usize::MAX);
    }

    /// Resolves once [`stop`](Hub::stop) was called.
    async fn until_stopped(&self) {
        while !self.stopping.load(Ordering::Acquire) {
            listener!(self.stopped => stopped);
            // Checked again: the stop may have come before the listener was in place.
            if self.stopping.load(Ordering::Acquire) {
                return;
            }
            stopped.await;
        }
    }

    /// Resolves once every core has finished its connections.
    async fn until_cores_done(&self) {
        while self.cores_left.load(Ordering::Acquire) > 0 {
            listener!(self.cores_done => done);
            if self.cores_left.load(Ordering::Acquire) == 0 {
                return;
            }
            done.await;
        }
    }
}

/// Counts its core out when dropped, finished or unwinding, and on a panic stops
/// every accept loop, so no core waits for connections that will not come.
struct CoreOut<'a>(&'a Hub);

impl Drop for CoreOut<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop();
        }
        self.0.cores_left.fetch_sub(1, Ordering::AcqRel);
        self.0.cores_done.notify(usize::MAX);
    }
}

/// One core's server (and, on core 0, the generator's driver and the outcome).
pub(super) async fn run<R: AsyncRuntime>(
    runtime: R,
    params: EchoParams,
    tag: u64,
    core: CoreServer,
) -> Outcome {
    let net = net::session();
    let hub = &*core.hub;
    let listener = hub.listeners[core.share.index]
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
        .expect("each core takes its listener once");
    let listener = runtime.adopt(listener).unwrap_or_else(|e| {
        panic!(
            "tcp-echo: core {} cannot serve on {}: {e}",
            core.share.index,
            net.addr()
        )
    });
    let drive = (core.share.index == 0).then(|| {
        net.start(&params.plan(tag, net.addr()))
            .expect("a thread-per-core cell drives its own generator")
    });
    let out = CoreOut(hub);
    serve_core(&runtime, &listener, &params, net, hub, core.share.index).await;
    drop(out);
    let Some(drive) = drive else {
        return Outcome::new(0);
    };
    hub.until_cores_done().await;
    let end_cpu = net.server_cpu_s();
    let served = (0..params.steps.len())
        .map(|step| {
            let start = f64::from_bits(hub.cpu_at_start[step].load(Ordering::Acquire));
            let end = hub
                .cpu_at_start
                .get(step + 1)
                .map_or(end_cpu, |next| f64::from_bits(next.load(Ordering::Acquire)));
            Served {
                requests: hub.requests[step].load(Ordering::Acquire),
                cpu_s: (end - start).max(0.0),
                rss_per_connection: None,
            }
        })
        .collect();
    let busiest = hub
        .accepted_by_core
        .iter()
        .map(|n| n.load(Ordering::Acquire))
        .max()
        .unwrap_or(0);
    outcome(&params, drive.finish(), served).with_metric(
        ids::metric::BUSIEST_CORE_CONNECTIONS,
        busiest as f64 / hub.total().max(1) as f64,
    )
}

/// Accepts on this core's listener until the plan's last connection is in (on any
/// core), a task per connection on this core, then awaits them.
async fn serve_core<R: AsyncRuntime>(
    runtime: &R,
    listener: &R::Listener,
    params: &EchoParams,
    net: &Session,
    hub: &Hub,
    core: usize,
) {
    let delay = params.server_delay();
    let mut connections = Vec::new();
    loop {
        let accept = pin!(runtime.accept(listener));
        let stream = match select(accept, pin!(hub.until_stopped())).await {
            Either::Left((stream, _)) => stream
                .unwrap_or_else(|e| panic!("tcp-echo: accepting on {} failed: {e}", net.addr())),
            Either::Right(_) => break,
        };
        let n = hub.accepted.fetch_add(1, Ordering::AcqRel);
        hub.accepted_by_core[core].fetch_add(1, Ordering::Relaxed);
        assert!(
            n < hub.total(),
            "tcp-echo: connection {} accepted, but the plan has {}",
            n + 1,
            hub.total()
        );
        let step = hub.step_of(n);
        if n == hub.step_starts[step] {
            hub.cpu_at_start[step].store(net.server_cpu_s().to_bits(), Ordering::Release);
        }
        let requests = &hub.requests[step];
        let serve = serve_async(
            runtime.clone(),
            stream,
            params.bytes,
            delay,
            params.corrupts(step),
        );
        connections.push((runtime.spawn(serve), requests));
        if n + 1 == hub.total() {
            hub.stop();
        }
    }
    for (connection, requests) in connections {
        requests.fetch_add(connection.await, Ordering::AcqRel);
    }
}
