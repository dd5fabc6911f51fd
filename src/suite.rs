//! The suite a binary runs: rtcompare's built-in runners and workloads, plus those an
//! outside crate adds in its own `main.rs` ([`Suite::runner`], [`Suite::workload`]),
//! and [`main_with`], which gives that suite the whole command line. The types of
//! the added runners and workloads are kept in the suite's type ([`Runners`],
//! [`Workloads`]), so a cell dispatches to them exactly as to the built-in ones:
//! monomorphised, with no boxing per task. Everything else reads the suite's
//! [`Catalog`]: what each runner and workload is, and where it came from.

use crate::cell;
use crate::cli::{self, CellCommand, Parsed};
use anyhow::{Result, bail};
use rtcompare_reports::{Origin, Status};
use rtcompare_runners::{Runner, RunnerInfo, Runners};
use rtcompare_workloads::{Workload, WorkloadInfo, Workloads};
use std::marker::PhantomData;
use std::process::ExitCode;

/// The runners and workloads a binary can run: rtcompare's own, and those the crate
/// whose `main.rs` builds the suite adds. Start one with [`suite!`](crate::suite!)
/// (or [`Suite::new`]), add to it, and hand it to [`main_with`]:
///
/// ```no_run
/// # use rtcompare::api::{AsyncRuntime, Outcome, Strategy, WorkloadKind};
/// # use rtcompare::workloads::{Preset, Workload};
/// # struct Mine;
/// # impl Workload for Mine {
/// #     const ID: &'static str = "mine";
/// #     const KIND: WorkloadKind = WorkloadKind::Cpu;
/// #     const SUMMARY: &'static str = "nothing";
/// #     type Params = u64;
/// #     fn params(_: Preset) -> u64 { 1 }
/// #     fn describe(n: &u64) -> String { n.to_string() }
/// #     fn expected(n: &u64) -> u64 { *n }
/// #     async fn run_async<R: AsyncRuntime>(_: R, n: u64) -> Outcome { Outcome::new(n) }
/// #     fn run_blocking(_: &dyn Strategy, n: &u64) -> Outcome { Outcome::new(*n) }
/// # }
/// fn main() -> std::process::ExitCode {
///     rtcompare::main_with(rtcompare::suite!().workload::<Mine>())
/// }
/// ```
pub struct Suite<
    R: Runners = rtcompare_runners::BuiltIn,
    W: Workloads = rtcompare_workloads::BuiltIn,
> {
    origin: Origin,
    sets: PhantomData<fn() -> (R, W)>,
}

impl Suite {
    /// rtcompare's own runners and workloads, extended (if at all) by the crate
    /// named `crate_name` at `version`: the crate whose `main.rs` this is, which the
    /// results and the report name as the origin of everything it adds.
    /// [`suite!`](crate::suite!) fills both in from Cargo.
    pub fn new(crate_name: &str, version: &str) -> Self {
        Suite {
            origin: Origin {
                crate_name: crate_name.to_owned(),
                version: version.to_owned(),
            },
            sets: PhantomData,
        }
    }
}

impl<R: Runners, W: Workloads> Suite<R, W> {
    /// Adds runner `X`, after every runner already in the suite.
    pub fn runner<X: Runner + 'static>(self) -> Suite<rtcompare_runners::With<R, X>, W> {
        Suite {
            origin: self.origin,
            sets: PhantomData,
        }
    }

    /// Adds workload `X`, after every workload already in the suite.
    pub fn workload<X: Workload>(self) -> Suite<R, rtcompare_workloads::With<W, X>> {
        Suite {
            origin: self.origin,
            sets: PhantomData,
        }
    }

    /// The catalog of this suite, or why its ids cannot be used.
    fn catalog(&self) -> Result<Catalog> {
        Catalog::new(R::infos(), W::infos(), self.origin.clone())
    }
}

/// A [`Suite`] of rtcompare's runners and workloads, ready for the calling crate's
/// additions: `Suite::new` with the crate's name and version from Cargo.
#[macro_export]
macro_rules! suite {
    () => {
        $crate::Suite::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
    };
}

/// rtcompare's whole command line (`list`, `compare`, `report`, `check`, `baseline`,
/// `ab`) over `suite`: what `rtcompare`'s own `main` runs with the built-in suite,
/// and what an outside crate's `main` runs with its additions. Returns the exit
/// code: 0 ok, 1 regression found, 2 usage or data error, 130 interrupted.
///
/// The binary re-executes itself for every cell, for the load generator and for the
/// `processes` runner's workers, so `main` must call this first, before anything
/// that reads the command line or starts threads.
pub fn main_with<R: Runners, W: Workloads>(suite: Suite<R, W>) -> ExitCode {
    // The external load generator is this binary re-executed; it never returns.
    rtcompare_loadgen::run_if_child();
    let catalog: &'static Catalog = match suite.catalog() {
        Ok(catalog) => Box::leak(Box::new(catalog)),
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(cli::EXIT_USAGE);
        }
    };
    let name = if catalog.extension.is_some() {
        &*Box::leak(catalog.extension_name().into_boxed_str())
    } else {
        "rtcompare"
    };
    match cli::parse(catalog, name) {
        Parsed::Done(code) => code,
        Parsed::Cell(command) => run_cell::<R, W>(command),
    }
}

/// The hidden child command: runs one cell, prints it as one JSON line; exit code 1
/// when the cell failed (the JSON says why).
fn run_cell<R: Runners, W: Workloads>(command: CellCommand) -> ExitCode {
    let spec = &command.spec;
    if command.process_worker {
        cell::worker::<W>(spec);
    }
    let report = cell::run::<R, W>(spec);
    match serde_json::to_string(&report) {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("error: cannot encode the cell: {e}");
            return ExitCode::from(cli::EXIT_USAGE);
        }
    }
    if matches!(report.cell.status, Status::Ok | Status::NotApplicable) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// What a binary can run: every runner and workload of its suite, in order, and
/// which of them an outside crate added.
#[derive(Debug)]
pub(crate) struct Catalog {
    /// Every runner, the built-in ones first.
    pub runners: Vec<RunnerInfo>,
    /// Every workload, the built-in ones first.
    pub workloads: Vec<WorkloadInfo>,
    /// What an outside crate added, if anything.
    pub extension: Option<Extension>,
}

/// The runners and workloads an outside crate added, and the crate.
#[derive(Debug, Clone)]
pub(crate) struct Extension {
    /// The crate, as its `main.rs` named it.
    pub origin: Origin,
    /// Ids of the runners it added.
    pub runners: Vec<&'static str>,
    /// Ids of the workloads it added.
    pub workloads: Vec<&'static str>,
}

impl Catalog {
    /// The catalog of a suite whose sets are `runners` and `workloads`; whatever
    /// is not built in came from `origin`. Refuses ids that are taken twice or
    /// that the command line and the cell keys could not carry.
    fn new(runners: Vec<RunnerInfo>, workloads: Vec<WorkloadInfo>, origin: Origin) -> Result<Self> {
        let added_runners: Vec<&'static str> = runners
            .iter()
            .filter(|r| rtcompare_runners::find(r.id).is_none())
            .map(|r| r.id)
            .collect();
        let added_workloads: Vec<&'static str> = workloads
            .iter()
            .filter(|w| rtcompare_workloads::find(w.id).is_none())
            .map(|w| w.id)
            .collect();
        let from = format!("{} {}", origin.crate_name, origin.version);
        check_ids("runner", runners.iter().map(|r| r.id), &from)?;
        check_ids("workload", workloads.iter().map(|w| w.id), &from)?;
        for runner in &runners {
            if let Some(baseline) = runner.baseline {
                if !runners.iter().any(|r| r.id == baseline) {
                    bail!(
                        "runner '{}' ({from}) takes its speedups against '{baseline}', which is \
                         not a runner of this build",
                        runner.id
                    );
                }
            }
        }
        let extension =
            (!added_runners.is_empty() || !added_workloads.is_empty()).then_some(Extension {
                origin,
                runners: added_runners,
                workloads: added_workloads,
            });
        Ok(Catalog {
            runners,
            workloads,
            extension,
        })
    }

    /// rtcompare's own catalog, with nothing added.
    #[cfg(test)]
    pub fn built_in() -> &'static Catalog {
        static BUILT_IN: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
        BUILT_IN.get_or_init(|| {
            Catalog::new(
                rtcompare_runners::ALL.to_vec(),
                rtcompare_workloads::ALL.to_vec(),
                Origin {
                    crate_name: env!("CARGO_PKG_NAME").into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                },
            )
            .expect("the built-in ids are distinct")
        })
    }

    /// The runner named `id`, or an error listing the valid ones.
    pub fn runner(&'static self, id: &str) -> Result<&'static RunnerInfo> {
        match self.runners.iter().find(|r| r.id == id) {
            Some(runner) => Ok(runner),
            None => bail!(
                "unknown runner '{id}' (valid: {})",
                self.runners
                    .iter()
                    .map(|r| r.id)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// The workload named `id`, or an error listing the valid ones.
    pub fn workload(&'static self, id: &str) -> Result<&'static WorkloadInfo> {
        match self.workloads.iter().find(|w| w.id == id) {
            Some(workload) => Ok(workload),
            None => bail!(
                "unknown workload '{id}' (valid: {})",
                self.workloads
                    .iter()
                    .map(|w| w.id)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// The crate that added the runner or workload named `id`; `None` when it is
    /// built in.
    pub fn origin_of(&self, id: &str) -> Option<&Origin> {
        let extension = self.extension.as_ref()?;
        (extension.runners.contains(&id) || extension.workloads.contains(&id))
            .then_some(&extension.origin)
    }

    /// `" (from CRATE VERSION)"` for what an outside crate added, else nothing.
    pub fn added_by(&self, id: &str) -> String {
        self.origin_of(id)
            .map(|o| format!(" (from {} {})", o.crate_name, o.version))
            .unwrap_or_default()
    }

    /// The name this binary goes by on its command line: the file it was started
    /// from, else the extending crate's name.
    fn extension_name(&self) -> String {
        std::env::current_exe()
            .ok()
            .and_then(|p| Some(p.file_name()?.to_str()?.to_owned()))
            .or_else(|| Some(self.extension.as_ref()?.origin.crate_name.clone()))
            .unwrap_or_else(|| "rtcompare".into())
    }

    /// The start of a command line that runs `compare` on this binary, for the
    /// results' reproducing command: `cargo compare` for rtcompare itself, the
    /// extending crate's own `cargo run` otherwise.
    pub fn compare_command(&self) -> String {
        match &self.extension {
            None => "cargo compare".into(),
            Some(extension) => format!(
                "cargo run --release -p {} -- compare",
                extension.origin.crate_name
            ),
        }
    }
}

/// Refuses an empty id, one the command line or a cell key cannot carry (`,`
/// separates ids, `/` the parts of a key), or one taken twice.
fn check_ids(what: &str, ids: impl Iterator<Item = &'static str>, from: &str) -> Result<()> {
    let mut seen: Vec<&str> = Vec::new();
    for id in ids {
        let valid = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid {
            bail!(
                "{what} id '{id}' ({from}) must be ASCII letters, digits, '-', '_' or '.' \
                 (it is written on command lines and in cell keys such as runner/workload/t2)"
            );
        }
        if seen.contains(&id) {
            bail!(
                "{what} id '{id}' is taken twice: a runner or workload that {from} adds must \
                 have an id of its own, not one built into rtcompare or added already"
            );
        }
        seen.push(id);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin {
            crate_name: "outside".into(),
            version: "1.2.3".into(),
        }
    }

    #[test]
    fn the_built_in_catalog_adds_nothing() {
        let catalog = Catalog::built_in();
        assert!(catalog.extension.is_none());
        assert_eq!(catalog.runners.len(), rtcompare_runners::ALL.len());
        assert_eq!(catalog.compare_command(), "cargo compare");
        assert_eq!(catalog.origin_of("seq"), None);
        let err = catalog.runner("nope").unwrap_err().to_string();
        assert!(err.contains("unknown runner 'nope' (valid: seq, "), "{err}");
    }

    #[test]
    fn what_is_added_is_named_with_its_crate() {
        let mut runners = rtcompare_runners::ALL.to_vec();
        runners.push(RunnerInfo {
            id: "mine",
            ..rtcompare_runners::ALL[1]
        });
        let catalog = Catalog::new(runners, rtcompare_workloads::ALL.to_vec(), origin()).unwrap();
        let extension = catalog.extension.as_ref().unwrap();
        assert_eq!(extension.runners, ["mine"]);
        assert!(extension.workloads.is_empty());
        assert_eq!(catalog.origin_of("mine"), Some(&origin()));
        assert_eq!(catalog.origin_of("seq"), None);
        assert_eq!(catalog.added_by("mine"), " (from outside 1.2.3)");
        assert_eq!(
            catalog.compare_command(),
            "cargo run --release -p outside -- compare"
        );
    }

    #[test]
    fn taken_and_unwritable_ids_are_refused() {
        let with = |id: &'static str| {
            let mut runners = rtcompare_runners::ALL.to_vec();
            runners.push(RunnerInfo {
                id,
                ..rtcompare_runners::ALL[0]
            });
            Catalog::new(runners, rtcompare_workloads::ALL.to_vec(), origin())
                .map(|_| ())
                .unwrap_err()
                .to_string()
        };
        let taken = with("tokio-mt");
        assert!(taken.contains("'tokio-mt' is taken twice"), "{taken}");
        assert!(taken.contains("outside 1.2.3"), "{taken}");
        for bad in ["", "a,b", "a/b", "a b"] {
            let err = with(bad);
            assert!(err.contains("must be ASCII letters"), "{bad:?}: {err}");
        }
        let mut runners = rtcompare_runners::ALL.to_vec();
        runners.push(RunnerInfo {
            id: "mine",
            baseline: Some("nowhere"),
            ..rtcompare_runners::ALL[0]
        });
        let err = Catalog::new(runners, rtcompare_workloads::ALL.to_vec(), origin()).unwrap_err();
        assert!(err.to_string().contains("'nowhere'"), "{err}");
    }
}
