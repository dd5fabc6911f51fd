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
//! ```ignore
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
