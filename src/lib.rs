//! rtcompare: runs the same I/O-bound and CPU-bound workloads on single-threaded
//! async executors, multithreaded work-stealing executors and OS-thread baselines,
//! and reports what concurrency alone and full parallelism buy, in measured numbers.
//!
//! This crate is the harness and the command line. The `rtcompare` binary is
//! [`main_with`] over the built-in [`Suite`]; an outside crate adds its own runner
//! (a [`Runner`](runners::Runner) over its executor) or workload (a
//! [`Workload`](workloads::Workload)) in its own `main.rs` and gets the whole
//! command line, its additions beside every built-in runner and workload:
//!
//! ```no_run
//! # mod my_executor {
//! #     use rtcompare::api::{Class, Family, Visitor};
//! #     use rtcompare::runners::{AsyncIoRuntime, Runner, RunnerError, RunnerInfo, Spawn, ThreadsKnob};
//! #     #[derive(Clone)]
//! #     pub struct Global;
//! #     impl Spawn for Global {
//! #         type Join<T: Send + 'static> = smol::Task<T>;
//! #         fn spawn<F>(&self, f: F) -> smol::Task<F::Output>
//! #         where F: std::future::Future + Send + 'static, F::Output: Send + 'static {
//! #             smol::spawn(f)
//! #         }
//! #     }
//! #     pub struct Mine;
//! #     impl Runner for Mine {
//! #         const INFO: RunnerInfo = RunnerInfo {
//! #             id: "mine", class: Class::ConcurrentParallel, family: Family::WorkStealing,
//! #             threads: ThreadsKnob::One, summary: "smol's global executor", timer: "async-io",
//! #             channel: "async-channel", net: "async-io", offload: "blocking",
//! #             caveats: &[], baseline: None,
//! #         };
//! #         fn execute<V: Visitor>(_: usize, visitor: V) -> Result<V::Out, RunnerError> {
//! #             Ok(visitor.visit_async(&AsyncIoRuntime(Global), &mut |root| smol::block_on(smol::spawn(root))))
//! #         }
//! #     }
//! # }
//! # mod my_pattern {
//! #     use rtcompare::api::{AsyncRuntime, Outcome, Strategy, WorkloadKind};
//! #     use rtcompare::workloads::{Preset, Workload};
//! #     pub struct Pattern;
//! #     impl Workload for Pattern {
//! #         const ID: &'static str = "pattern";
//! #         const KIND: WorkloadKind = WorkloadKind::Overhead;
//! #         const SUMMARY: &'static str = "n tasks, each returning its index";
//! #         type Params = u64;
//! #         fn params(_: Preset) -> u64 { 1000 }
//! #         fn describe(n: &u64) -> String { format!("{n} tasks") }
//! #         fn expected(n: &u64) -> u64 { n * (n - 1) / 2 }
//! #         async fn run_async<R: AsyncRuntime>(rt: R, n: u64) -> Outcome {
//! #             let tasks: Vec<_> = (0..n).map(|i| rt.spawn(async move { i })).collect();
//! #             let mut sum = 0;
//! #             for t in tasks { sum += t.await; }
//! #             Outcome::new(sum)
//! #         }
//! #         fn run_blocking(s: &dyn Strategy, n: &u64) -> Outcome {
//! #             Outcome::new(s.run(*n as usize, &|i| i as u64))
//! #         }
//! #     }
//! # }
//! fn main() -> std::process::ExitCode {
//!     rtcompare::main_with(
//!         rtcompare::suite!()
//!             .runner::<my_executor::Mine>()
//!             .workload::<my_pattern::Pattern>(),
//!     )
//! }
//! ```
//!
//! `examples/custom-runtime` in the repository is a worked example, and the README's
//! *Bring your own runtime* section a tutorial. The contract crates are re-exported
//! here, so an outside crate needs only this one dependency (and serde, for its
//! workload's parameters):
//!
//! | module | crate | what it holds |
//! |---|---|---|
//! | [`api`] | `rtcompare-api` | the contract: [`AsyncRuntime`](api::AsyncRuntime), [`Strategy`](api::Strategy), [`Visitor`](api::Visitor), [`Outcome`](api::Outcome) |
//! | [`runners`] | `rtcompare-runners` | [`Runner`](runners::Runner), [`RunnerInfo`](runners::RunnerInfo), the built-in runners, [`AsyncIoRuntime`](runners::AsyncIoRuntime) |
//! | [`workloads`] | `rtcompare-workloads` | [`Workload`](workloads::Workload), [`Preset`](workloads::Preset), the built-in workloads, the CPU [`kernel`](workloads::kernel) |
//! | [`reports`] | `rtcompare-reports` | the results file ([`Results`](reports::Results)), its statistics and renderers |
//!
//! Which of these items are stable, and how they may change, is in `docs/stability.md`.
#![warn(missing_docs, rust_2018_idioms)]

mod cell;
mod cli;
mod fingerprint;
mod harness;
mod histograms;
mod interference;
mod measure;
mod network;
mod regress;
mod sampling;
mod suite;

pub use rtcompare_api as api;
pub use rtcompare_reports as reports;
pub use rtcompare_runners as runners;
pub use rtcompare_workloads as workloads;
pub use suite::{Suite, main_with};
