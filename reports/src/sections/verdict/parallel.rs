//! What the best multithreaded runner's speed is credited to, and, on open
//! loops, which runners fell behind the send schedule and why.
//!
//! Parallelism is credited only when the runner kept more than
//! [`PARALLEL_CORES`] busy; otherwise its speed came from something else and the
//! verdict says so.

use super::*;
use crate::model::Cell;
use crate::sections::shared::*;

impl<'a> Report<'a> {
    /// What the best multithreaded runner `par` bought, as measured and
    /// attributed; `conc` is the best single-threaded executor.
    pub(super) fn parallelism(
        &self,
        kind: WorkloadKind,
        seq: &'a Cell,
        conc: Option<&Best<'a>>,
        par: &Best<'a>,
    ) -> Parallelism {
        let seq_summary = seq.summary.as_ref().expect("seq finished");
        let vs_seq = Versus::of(par.summary, seq_summary);
        let against = |c: &Best<'_>| Against {
            runner: c.cell.runner.clone(),
            versus: Versus::of(par.summary, c.summary),
        };
        let credit = if !ran_in_parallel(par.summary) {
            Credit::NotParallel {
                vs_concurrency: conc.map(against),
            }
        } else {
            match conc.filter(|_| kind != WorkloadKind::Cpu) {
                None if kind == WorkloadKind::Cpu && vs_seq.change == Change::Faster => {
                    Credit::CpuGain {
                        efficiency: par.summary.efficiency,
                        oversubscribed: par.summary.oversubscribed,
                        logical_cores: self.results.machine.logical_cores,
                    }
                }
                None => Credit::AgainstSeq,
                Some(c) => Credit::BeyondConcurrency {
                    vs_concurrency: against(c),
                },
            }
        };
        Parallelism::Best(Box::new(ParallelLead {
            leader: Leader::of(par),
            vs_seq,
            credit,
        }))
    }

    /// The runners whose open-loop p50 is more than [`BEHIND_SCHEDULE`] times the
    /// median of every runner's, with the numbers, and why when the runner
    /// descriptions say: a runner that blocks on one connection per thread, with
    /// a fixed number of threads, serves only that many connections at a time,
    /// so the requests of the others go out late.
    pub(super) fn behind_schedule(&self, cells: &[&'a Cell]) -> Option<Behind> {
        let measured: Vec<(&Cell, f64)> = cells
            .iter()
            .filter(|c| c.status == Status::Ok && crate::judge::judged(c))
            .filter_map(|&c| Some((c, c.latency_us?.p50)))
            .filter(|(_, p50)| p50.is_finite())
            .collect();
        let p50s: Vec<f64> = measured.iter().map(|&(_, p)| p).collect();
        if p50s.is_empty() {
            return None;
        }
        let limit = BEHIND_SCHEDULE * crate::stats::median(&p50s);
        let (behind, kept): (Vec<_>, Vec<_>) =
            measured.iter().copied().partition(|&(_, p)| p > limit);
        if behind.is_empty() || kept.is_empty() {
            return None;
        }
        let mut runners: Vec<String> = Vec::new();
        for (cell, _) in &behind {
            if !runners.contains(&cell.runner) {
                runners.push(cell.runner.clone());
            }
        }
        // A fixed number of threads, each blocked on one connection at a time.
        let one_at_a_time = behind.iter().all(|(cell, _)| {
            self.runner_meta(cell).is_some_and(|m| {
                net_kind(m) == Some(NetKind::Blocking)
                    && m.threads_knob != crate::overhead::PER_TASK_KNOB
            })
        });
        let connections: Vec<f64> = behind
            .iter()
            .filter_map(|(cell, _)| crate::network::connections(cell))
            .collect();
        let served = match connections.as_slice() {
            [first, rest @ ..]
                if connections.len() == behind.len() && rest.iter().all(|c| c == first) =>
            {
                let counts: Vec<f64> = behind
                    .iter()
                    .map(|(cell, _)| first.min(cell.threads as f64))
                    .collect();
                let low = counts.iter().copied().fold(f64::INFINITY, f64::min);
                let high = counts.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                Some(([low, high], *first))
            }
            _ => None,
        };
        Some(Behind {
            runners,
            behind_p50_us: behind.iter().map(|&(_, p)| p).collect(),
            kept_p50_us: kept.iter().map(|&(_, p)| p).collect(),
            one_connection_per_thread: one_at_a_time.then_some(OneAtATime { served }),
        })
    }
}
