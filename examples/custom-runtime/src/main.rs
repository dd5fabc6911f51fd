//! An outside crate's rtcompare: every built-in runner and workload, plus the runner
//! `mini` (this crate's own executor, [`executor`]) and the workload `yield-chain`.
//! `cargo run --release -p custom-runtime -- compare` runs them beside tokio, smol
//! and OS threads; every other command of rtcompare works too (`list`, `report`,
//! `check`, `ab`).
//!
//! What rtcompare asks of the crate is in this file: a [`Runner`] (its description
//! and how it builds its runtime), a [`Workload`] (its parameters, async body,
//! blocking body and verification), and one line each in `main`.

mod executor;

use rtcompare::api::{
    AsyncRuntime, Class, Family, Outcome, ScriptJob, Share, Strategy, Visitor, WorkloadKind,
};
use rtcompare::runners::{AsyncIoRuntime, Runner, RunnerError, RunnerInfo, Spawn, ThreadsKnob};
use rtcompare::workloads::{FitContext, Fitted, Preset, Workload, kernel};
use std::future::Future;

fn main() -> std::process::ExitCode {
    rtcompare::main_with(
        rtcompare::suite!()
            .runner::<Mini>()
            .workload::<YieldChain>(),
    )
}

// ---------------------------------------------------------------------------------
// The runner: the executor, described and built for rtcompare.

/// The `mini` runner: [`executor::Executor`] on the cell's thread.
pub struct Mini;

/// The executor's half of the runtime contract: its spawn. async-io, async-channel,
/// async-lock and the blocking pool supply the rest ([`AsyncIoRuntime`]); a runtime
/// with its own timer or reactor implements [`AsyncRuntime`] itself instead.
impl Spawn for executor::Spawner {
    type Join<T: Send + 'static> = async_task::Task<T>;

    fn spawn<F>(&self, future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        executor::Spawner::spawn(self, future)
    }
}

impl Runner for Mini {
    const INFO: RunnerInfo = RunnerInfo {
        id: "mini",
        class: Class::Concurrent,
        family: Family::SingleQueue,
        threads: ThreadsKnob::One,
        summary: "custom-runtime's executor: one FIFO queue of async-task tasks on the calling thread",
        timer: "async-io's Timer and reactor, driven by async_io::block_on on the same thread while the queue is empty",
        channel: "async-channel",
        net: "async-io Async<TcpStream>",
        offload: "blocking::unblock",
        caveats: &[rtcompare::runners::BLOCKING_IDLE],
        baseline: None,
    };

    fn execute<V: Visitor>(_threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        // Built here, outside every timed region; one thread whatever `--threads` says.
        let executor = executor::Executor::new();
        let runtime = AsyncIoRuntime(executor.spawner());
        Ok(visitor.visit_async(&runtime, &mut |root| executor.block_on(root)))
    }
}

// ---------------------------------------------------------------------------------
// The workload: CPU work in tasks that give way to each other between rounds.

/// `yield-chain`: tasks that each run rounds of the CPU kernel and yield between
/// them, as a well-behaved CPU task on an async server does. Next to `cpu` (the same
/// kernel without yields), it shows what cooperative yields cost on each runtime.
pub struct YieldChain;

/// Its parameters, recorded in the results as run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Chain {
    /// Tasks, each with a seed of its own.
    pub tasks: usize,
    /// Rounds per task, a yield after each.
    pub rounds: u64,
    /// Kernel steps per round.
    pub steps: u64,
    /// On a thread-per-core runner, the core whose tasks these are.
    #[serde(skip)]
    pub share: Option<Share>,
}

impl Chain {
    /// Task `i`'s share of the checksum, as any correct run computes it.
    fn expected_task(&self, i: usize) -> u64 {
        let end = kernel::jump(kernel::seed(i as u64), self.rounds * self.steps);
        kernel::contribution(i as u64, end)
    }
}

impl Workload for YieldChain {
    const ID: &'static str = "yield-chain";
    const KIND: WorkloadKind = WorkloadKind::Cpu;
    const SUMMARY: &'static str =
        "tasks running rounds of the CPU kernel with a yield after each (custom-runtime's)";
    type Params = Chain;

    fn params(preset: Preset) -> Chain {
        // Quick: 1.3e8 steps, about 0.15 s on one core, as `cpu`; a round of
        // 1,000 steps (about a microsecond) keeps the yields' cost in sight.
        let (tasks, rounds) = match preset {
            Preset::Tiny => (8, 10),
            Preset::Quick => (64, 2_000),
            Preset::Full => (128, 20_000),
        };
        Chain {
            tasks,
            rounds,
            steps: 1_000,
            share: None,
        }
    }

    fn describe(p: &Chain) -> String {
        format!(
            "{} tasks × {} rounds of {} kernel steps, a yield after each round",
            p.tasks, p.rounds, p.steps
        )
    }

    /// Computed in O(log steps) per task by jumping the generator ahead: nothing
    /// a runner does enters it.
    fn expected(p: &Chain) -> u64 {
        (0..p.tasks).fold(0, |sum, i| sum.wrapping_add(p.expected_task(i)))
    }

    async fn run_async<R: AsyncRuntime>(runtime: R, p: Chain) -> Outcome {
        let mine = p.share.unwrap_or(Share::WHOLE).units(p.tasks);
        let tasks: Vec<_> = mine
            .map(|i| {
                let rt = runtime.clone();
                runtime.spawn(async move {
                    let mut x = kernel::seed(i as u64);
                    for _ in 0..p.rounds {
                        x = kernel::spin(x, p.steps);
                        rt.yield_now().await;
                    }
                    kernel::contribution(i as u64, x)
                })
            })
            .collect();
        let (mut sum, mut yields) = (0u64, 0);
        for task in tasks {
            sum = sum.wrapping_add(task.await);
            yields += p.rounds;
        }
        Outcome::new(sum).with_ops(yields)
    }

    fn run_blocking(strategy: &dyn Strategy, p: &Chain) -> Outcome {
        // A job holds its thread: between rounds there is nothing to give way to.
        let sum = strategy.run(p.tasks, &|i| {
            let x = kernel::spin(kernel::seed(i as u64), p.rounds * p.steps);
            kernel::contribution(i as u64, x)
        });
        Outcome::new(sum).with_ops(p.tasks as u64 * p.rounds)
    }

    // Optional: without the three items below, the thread-per-core runners and the
    // CPython runners show this workload as n/a, with the reason.

    /// Thread-per-core runners: tasks handed to cores round robin.
    fn shares(p: &Chain, cores: usize) -> Result<Vec<Chain>, String> {
        Ok(Share::all(cores)
            .map(|share| Chain {
                share: Some(share),
                ..p.clone()
            })
            .collect())
    }

    /// Interpreters take about a hundred times longer per step: fewer steps there,
    /// and a note saying so.
    fn fit(mut p: Chain, context: &FitContext) -> Result<Fitted<Chain>, String> {
        if !context.script {
            return Ok(Fitted::all(p));
        }
        p.steps = (p.steps / rtcompare::workloads::chunks::SCRIPT_STEP_DIVISOR).max(1);
        let note = format!(
            "in the interpreter each task runs its {} rounds of {} steps without yields",
            p.rounds, p.steps
        );
        Ok(Fitted {
            params: p,
            extrapolation: None,
            notes: vec![note],
        })
    }

    /// The CPython runners: one job per task, each checked on its return.
    fn script(p: &Chain) -> Result<Vec<ScriptJob>, String> {
        Ok((0..p.tasks)
            .map(|i| ScriptJob::Spin {
                seed: kernel::seed(i as u64),
                steps: p.rounds * p.steps,
            })
            .collect())
    }

    fn script_outcome(p: &Chain, results: &[u64]) -> Result<Outcome, String> {
        if results.len() != p.tasks {
            return Err(format!("{} results for {} tasks", results.len(), p.tasks));
        }
        let mut sum = 0u64;
        for (i, &end) in results.iter().enumerate() {
            let wanted = kernel::jump(kernel::seed(i as u64), p.rounds * p.steps);
            if end != wanted {
                return Err(format!("task {i} ended at {end}, not {wanted}"));
            }
            sum = sum.wrapping_add(kernel::contribution(i as u64, end));
        }
        Ok(Outcome::new(sum).with_ops(p.tasks as u64 * p.rounds))
    }
}
