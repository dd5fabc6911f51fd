//! *Disclosures*: the harness facts that hold for every cell, the parts each runner
//! uses (the I/O driver its runtimes ran on among them, where its cells recorded
//! one), and one bullet per runner with its build, threads and caveats. Every
//! runner of the run is disclosed, those of another group than `seq` (the CPython
//! runners) too, with a fact of their own: the interpreters, the smaller size
//! they ran the workloads at, and the baseline they alone are compared with. Derived
//! into a [`DisclosuresFinding`] (the facts as tags, each runner's description as
//! the results file gives it, its thread counts, the threads its cells saw and the
//! I/O drivers they recorded), then rendered (`disclosures/render.rs`);
//! `findings.json` carries the same finding.

pub(super) mod render;

use super::Report;
use crate::model::{Cell, RunnerMeta, Status};
use rtcompare_api::{Class, Family};
use serde::Serialize;
use std::collections::BTreeMap;

/// What the disclosures show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct DisclosuresFinding {
    /// The harness facts that hold for every cell, in the order printed.
    pub(crate) facts: Vec<HarnessFact>,
    /// The parts each runner uses that the parts table shows, as its columns;
    /// empty when no runner names more than its timer and no cell recorded an
    /// I/O driver (then there is no parts table and the configuration table
    /// names the timer).
    pub(crate) parts: Vec<Part>,
    /// The runners with cells: those the file describes, in its order, then any
    /// other as its cells first appear.
    pub(crate) runners: Vec<RunnerDisclosure>,
    /// The runtime environment variables that were set, by name.
    pub(crate) env: BTreeMap<String, String>,
    /// The cargo features the binary was built with (empty: the defaults).
    pub(crate) features: Vec<String>,
}

/// A fact of the harness that holds for every cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum HarnessFact {
    /// Each cell in its own process; what is built before the clock starts.
    Isolation,
    /// How the root task reaches an async runtime, except on the single-threaded
    /// runtimes: the concurrent-class runners present.
    RootTask { single_threaded: Vec<String> },
    /// How the thread-per-core runners present place each sample's work: a
    /// share per core, no stealing.
    ThreadPerCore { runners: Vec<String> },
    /// Worker counts come from `--threads`, never from a runtime's default.
    ThreadCounts,
    /// What CPU time and CPU utilisation include.
    CpuTime,
    /// Every sample's checksum is verified.
    Checksums,
    /// How to read the thread census.
    Census,
    /// The network cells' external load generator, as the cells record it.
    LoadGenerator(GeneratorPlacement),
    /// Network cells measured with their clients inside the cell (schema 4
    /// and older).
    InCellClients { cells: usize },
    /// Runners that run the workloads in an interpreter, compared only with
    /// their own baseline (results schema 7).
    Interpreted(Interpreted),
    /// Runners and workloads an outside crate added to the binary that ran them
    /// (results schema 8), one entry per crate in the order first named.
    Added { crates: Vec<AddedBy> },
}

/// What one outside crate added to the binary that ran the cells.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct AddedBy {
    #[serde(rename = "crate")]
    pub(crate) crate_name: String,
    pub(crate) version: String,
    /// Its runners with cells, in report order.
    pub(crate) runners: Vec<String>,
    /// Its workloads with cells, in the results file's order.
    pub(crate) workloads: Vec<String>,
}

/// The runners of other groups than `seq`, as the disclosures state them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Interpreted {
    /// In report order.
    pub(crate) runners: Vec<String>,
    /// Their baselines, each once.
    pub(crate) baselines: Vec<String>,
    /// The interpreters the run found, by the command that found them.
    pub(crate) found: BTreeMap<String, String>,
    /// The interpreters their cells ran in, each with its runners.
    pub(crate) ran_in: Vec<super::cpython::RanIn>,
    /// Whether the run found an interpreter, or ran a cell in one, whose GIL is
    /// disabled (a free-threaded build): its description says `GIL disabled`.
    pub(crate) free_threaded: bool,
    /// Per CPU-bound workload whose cells record them, the kernel steps per unit
    /// of work these runners' baseline ran against `seq`'s.
    pub(crate) steps: Vec<WorkloadSteps>,
}

/// The kernel steps of one workload on both sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct WorkloadSteps {
    pub(crate) workload: String,
    pub(crate) steps: super::cpython::Steps,
}

/// How an interpreter that runs free-threaded describes itself (`CPython 3.13.1,
/// free-threaded, GIL disabled`): the results schema's wording.
const GIL_DISABLED: &str = "GIL disabled";

/// Where the external load generator ran, over every network cell that
/// records it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct GeneratorPlacement {
    /// The cells it served.
    pub(crate) cells: usize,
    /// Its event-loop thread counts, ascending.
    pub(crate) threads: Vec<usize>,
    /// Whether `--pin` placed it and the server on separate CPUs: the distinct
    /// settings, `false` first.
    pub(crate) pinned: Vec<bool>,
    /// The CPUs it and the server were seen on, ascending.
    pub(crate) generator_cpus: Vec<u32>,
    pub(crate) server_cpus: Vec<u32>,
    /// The parts table has a TCP column: how each runner serves.
    pub(crate) serving_in_parts: bool,
}

/// A part of a runner the results file may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Part {
    /// Its timer and I/O reactor.
    Timer,
    Channel,
    /// Its TCP sockets.
    Net,
    /// Where it offloads blocking work.
    Offload,
    /// The I/O driver its runtimes ran on, as its cells recorded it (not in
    /// its description: read from the runtime in each cell).
    IoDriver,
}

impl Part {
    /// Every part, in the order the parts table lists them.
    const ALL: [Part; 5] = [
        Part::Timer,
        Part::Channel,
        Part::Net,
        Part::Offload,
        Part::IoDriver,
    ];

    /// What `description` says of this part (empty: nothing, and always for
    /// the I/O driver, which the cells record).
    pub(crate) fn described(self, description: &RunnerDescription) -> &str {
        match self {
            Part::Timer => &description.timer,
            Part::Channel => &description.channel,
            Part::Net => &description.net,
            Part::Offload => &description.offload,
            Part::IoDriver => "",
        }
    }

    /// Whether the run names this part of `runner`.
    fn filled(self, runner: &RunnerDisclosure) -> bool {
        match self {
            Part::IoDriver => runner.io_drivers.is_some(),
            part => runner
                .description
                .as_ref()
                .is_some_and(|d| !part.described(d).is_empty()),
        }
    }
}

/// A runner as the disclosures describe it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RunnerDisclosure {
    pub(crate) runner: String,
    pub(crate) class: Class,
    pub(crate) family: Family,
    /// Its description, verbatim from the results file; `None` when the file
    /// has none (the runner is then described by its cells alone).
    pub(crate) description: Option<RunnerDescription>,
    /// The thread counts its cells ran at, ascending.
    pub(crate) threads_run: Vec<usize>,
    /// What `--threads` set and the threads its cells saw.
    pub(crate) threads: Threads,
    /// Its own timer's lateness as `timer` measured it, when it has a judged,
    /// finished `timer` cell: the figure behind any caveat about its timer.
    pub(crate) timer: Option<MeasuredTimer>,
    /// The I/O drivers its runtimes ran on, as its cells recorded them; `None`
    /// when none of its cells recorded one.
    pub(crate) io_drivers: Option<IoDrivers>,
}

/// The I/O drivers a runner's cells recorded (schema 6): what its runtimes
/// actually ran on in this run, which may differ by cell where a runtime
/// chooses at start-up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct IoDrivers {
    /// Each distinct driver with the cells that ran on it, most cells first,
    /// then by name.
    pub(crate) drivers: Vec<DriverCells>,
    /// The runner's cells that recorded none (e.g. its runtime could not start).
    pub(crate) unrecorded: usize,
}

/// One I/O driver and how many of a runner's cells ran on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct DriverCells {
    pub(crate) driver: String,
    pub(crate) cells: usize,
}

impl IoDrivers {
    /// From a runner's cells; `None` when none recorded a driver.
    fn of(cells: &[&Cell]) -> Option<Self> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for driver in cells.iter().filter_map(|c| c.io_driver.as_deref()) {
            *counts.entry(driver).or_default() += 1;
        }
        if counts.is_empty() {
            return None;
        }
        let recorded: usize = counts.values().sum();
        let mut drivers: Vec<DriverCells> = counts
            .into_iter()
            .map(|(driver, cells)| DriverCells {
                driver: driver.to_owned(),
                cells,
            })
            .collect();
        // Stable: equal counts stay in name order.
        drivers.sort_by_key(|d| std::cmp::Reverse(d.cells));
        Some(IoDrivers {
            drivers,
            unrecorded: cells.len() - recorded,
        })
    }
}

/// A runner's `timer` cell (its lowest thread count): the p50 lateness of its
/// sleeps with nothing else running, µs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct MeasuredTimer {
    pub(crate) threads: usize,
    /// Of a 100 µs sleep (`timer`'s own latency).
    pub(crate) sleep_100us_p50_us: f64,
    /// Of a 1 ms sleep, when the cell recorded it.
    pub(crate) sleep_1ms_p50_us: Option<f64>,
}

impl MeasuredTimer {
    /// From the judged, finished `timer` cell of `cells` at the lowest thread
    /// count that measured latency.
    fn of(cells: &[&Cell]) -> Option<Self> {
        cells
            .iter()
            .filter(|c| c.workload == super::timer::TIMER && c.status == Status::Ok)
            .filter(|c| crate::judge::judged(c))
            .filter_map(|c| {
                Some(MeasuredTimer {
                    threads: c.threads,
                    sleep_100us_p50_us: c.latency_us?.p50,
                    sleep_1ms_p50_us: c
                        .more_latency_us
                        .get(super::timer::LONG_SLEEP)
                        .map(|l| l.p50),
                })
            })
            .min_by_key(|m| m.threads)
    }
}

/// A runner's description, verbatim from the results file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RunnerDescription {
    /// How `--threads` applies: `one`, `workers` or `per-task`.
    pub(crate) thread_knob: String,
    /// How it is built.
    pub(crate) summary: String,
    pub(crate) timer: String,
    pub(crate) channel: String,
    pub(crate) net: String,
    pub(crate) offload: String,
    pub(crate) caveats: Vec<String>,
}

/// What `--threads` set on a runner, by its thread knob, and the threads seen.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Threads {
    /// Knob `one`: one thread runs tasks, whatever `--threads` says.
    One { seen: Census },
    /// Knob `per-task`: one OS thread per task, compared at the runner's
    /// [`RunnerDisclosure::threads_run`].
    PerTask { seen: Census },
    /// Any other knob: `--threads` sets the count, in `unit`.
    Counted {
        unit: ThreadUnit,
        /// Per thread count run, ascending, the threads its cells saw.
        by_count: Vec<CountSeen>,
    },
}

/// What a counted thread knob counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum ThreadUnit {
    /// Knob `workers`.
    Workers,
    /// Any other knob (or none recorded).
    Threads,
}

/// The threads seen by a runner's cells at one thread count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CountSeen {
    pub(crate) threads: usize,
    pub(crate) seen: Census,
}

/// The threads a set of cells reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Census {
    /// Per name the OS reports, the most seen alive in any one cell; most
    /// numerous first, then by name.
    pub(crate) names: Vec<ThreadName>,
    /// The most threads any one cell started and joined within a sample.
    pub(crate) transient: usize,
}

/// A thread name and the most threads of it alive in one cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ThreadName {
    pub(crate) name: String,
    pub(crate) most: usize,
}

impl Census {
    fn of(cells: &[&Cell]) -> Self {
        let mut names: BTreeMap<&str, usize> = BTreeMap::new();
        let mut transient = 0;
        for cell in cells {
            for (name, &count) in &cell.thread_names {
                let most = names.entry(name).or_default();
                *most = (*most).max(count);
            }
            if let Some(total) = cell.os_threads {
                let live: usize = cell.thread_names.values().sum();
                transient = transient.max(total.saturating_sub(live));
            }
        }
        let mut names: Vec<ThreadName> = names
            .into_iter()
            .map(|(name, most)| ThreadName {
                name: name.to_owned(),
                most,
            })
            .collect();
        names.sort_by(|a, b| b.most.cmp(&a.most).then(a.name.cmp(&b.name)));
        Self { names, transient }
    }
}

impl<'a> Report<'a> {
    /// The disclosures' finding. Everything runner-specific comes from the
    /// results file.
    pub(super) fn derive_disclosures(&self) -> DisclosuresFinding {
        let runners = self.disclosed_runners();
        let single_threaded = runners
            .iter()
            .filter(|r| r.class == Class::Concurrent)
            .map(|r| r.runner.clone())
            .collect();
        let per_core: Vec<String> = runners
            .iter()
            .filter(|r| r.family == Family::ThreadPerCore)
            .map(|r| r.runner.clone())
            .collect();
        let machine = &self.all.machine;
        let parts = parts_shown(&runners);
        let mut facts = Vec::new();
        let added = self.added();
        if !added.is_empty() {
            facts.push(HarnessFact::Added { crates: added });
        }
        facts.extend([
            HarnessFact::Isolation,
            HarnessFact::RootTask { single_threaded },
        ]);
        if !per_core.is_empty() {
            facts.push(HarnessFact::ThreadPerCore { runners: per_core });
        }
        facts.extend([
            HarnessFact::ThreadCounts,
            HarnessFact::CpuTime,
            HarnessFact::Checksums,
            HarnessFact::Census,
        ]);
        facts.extend(
            self.generator_placement(parts.contains(&Part::Net))
                .map(HarnessFact::LoadGenerator),
        );
        let in_cell = self
            .all
            .cells
            .iter()
            .filter(|c| crate::network::in_cell_clients(c))
            .count();
        if in_cell > 0 {
            facts.push(HarnessFact::InCellClients { cells: in_cell });
        }
        facts.extend(self.interpreted().map(HarnessFact::Interpreted));
        DisclosuresFinding {
            facts,
            parts,
            runners,
            env: machine.env.clone(),
            features: machine.features.clone(),
        }
    }

    /// The runners and workloads with cells that an outside crate added, by
    /// crate: what the file's `origin` fields name.
    fn added(&self) -> Vec<AddedBy> {
        let cells = &self.all.cells;
        fn entry<'c>(
            crates: &'c mut Vec<AddedBy>,
            origin: &crate::model::Origin,
        ) -> &'c mut AddedBy {
            let found = crates
                .iter()
                .position(|a| a.crate_name == origin.crate_name && a.version == origin.version);
            let i = found.unwrap_or_else(|| {
                crates.push(AddedBy {
                    crate_name: origin.crate_name.clone(),
                    version: origin.version.clone(),
                    runners: Vec::new(),
                    workloads: Vec::new(),
                });
                crates.len() - 1
            });
            &mut crates[i]
        }
        let mut crates: Vec<AddedBy> = Vec::new();
        for runner in &self.all.runners {
            if let Some(origin) = &runner.origin {
                if cells.iter().any(|c| c.runner == runner.id) {
                    entry(&mut crates, origin).runners.push(runner.id.clone());
                }
            }
        }
        for workload in &self.all.workloads {
            if let Some(origin) = &workload.origin {
                if cells.iter().any(|c| c.workload == workload.id) {
                    entry(&mut crates, origin)
                        .workloads
                        .push(workload.id.clone());
                }
            }
        }
        crates
    }

    /// The runners of other groups than `seq`, from what *CPython beside the
    /// emulation* derived; `None` when there are none.
    fn interpreted(&self) -> Option<Interpreted> {
        let cpython = self.derived("cpython", || self.derive_cpython());
        let f = cpython.as_ref().as_ref()?;
        let free_threaded = f
            .machine_interpreters
            .values()
            .chain(f.ran_in.iter().map(|r| &r.interpreter))
            .any(|what| what.contains(GIL_DISABLED));
        Some(Interpreted {
            runners: f.runners.clone(),
            baselines: f.baselines.clone(),
            found: f.machine_interpreters.clone(),
            ran_in: f.ran_in.clone(),
            free_threaded,
            steps: f
                .workloads
                .iter()
                .filter_map(|w| {
                    Some(WorkloadSteps {
                        workload: w.workload.clone(),
                        steps: w.steps.clone()?,
                    })
                })
                .collect(),
        })
    }

    /// Where the generator ran, over the cells that record it; `None` when none
    /// does.
    fn generator_placement(&self, serving_in_parts: bool) -> Option<GeneratorPlacement> {
        let loads: Vec<&crate::model::Load> = self
            .all
            .cells
            .iter()
            .filter_map(|c| c.load.as_ref())
            .collect();
        if loads.is_empty() {
            return None;
        }
        fn distinct<T: Ord>(mut v: Vec<T>) -> Vec<T> {
            v.sort();
            v.dedup();
            v
        }
        Some(GeneratorPlacement {
            cells: loads.len(),
            threads: distinct(loads.iter().map(|l| l.generator_threads).collect()),
            pinned: distinct(loads.iter().map(|l| l.pinned).collect()),
            generator_cpus: distinct(
                loads
                    .iter()
                    .flat_map(|l| l.generator_cpus.clone())
                    .collect(),
            ),
            server_cpus: distinct(loads.iter().flat_map(|l| l.server_cpus.clone()).collect()),
            serving_in_parts,
        })
    }

    /// The runners to disclose: those of `results.runners` that have cells, in that
    /// order, then any other runner seen in the cells (described by its cells alone).
    fn disclosed_runners(&self) -> Vec<RunnerDisclosure> {
        let cells_of = |id: &str| -> Vec<&'a Cell> {
            self.all.cells.iter().filter(|c| c.runner == id).collect()
        };
        let mut runners: Vec<RunnerDisclosure> = Vec::new();
        for meta in &self.all.runners {
            let cells = cells_of(&meta.id);
            if cells.is_empty() || runners.iter().any(|r| r.runner == meta.id) {
                continue;
            }
            runners.push(disclose(
                &meta.id,
                meta.class,
                meta.family,
                Some(meta),
                &cells,
            ));
        }
        for &id in &self.all_runners {
            if runners.iter().any(|r| r.runner == id) {
                continue;
            }
            let cells = cells_of(id);
            let Some(first) = cells.first() else {
                continue;
            };
            runners.push(disclose(id, first.class, first.family, None, &cells));
        }
        runners
    }
}

/// A runner with `cells` (at least one), described by `meta` if the file has it.
fn disclose(
    id: &str,
    class: Class,
    family: Family,
    meta: Option<&RunnerMeta>,
    cells: &[&Cell],
) -> RunnerDisclosure {
    let mut threads_run: Vec<usize> = cells.iter().map(|c| c.threads).collect();
    threads_run.sort_unstable();
    threads_run.dedup();
    let threads = match meta.map_or("", |m| m.threads_knob.as_str()) {
        "one" => Threads::One {
            seen: Census::of(cells),
        },
        "per-task" => Threads::PerTask {
            seen: Census::of(cells),
        },
        knob => {
            let mut by_count: BTreeMap<usize, Vec<&Cell>> = BTreeMap::new();
            for &cell in cells {
                by_count.entry(cell.threads).or_default().push(cell);
            }
            Threads::Counted {
                unit: if knob == "workers" {
                    ThreadUnit::Workers
                } else {
                    ThreadUnit::Threads
                },
                by_count: by_count
                    .into_iter()
                    .map(|(threads, cells)| CountSeen {
                        threads,
                        seen: Census::of(&cells),
                    })
                    .collect(),
            }
        }
    };
    RunnerDisclosure {
        timer: MeasuredTimer::of(cells),
        io_drivers: IoDrivers::of(cells),
        runner: id.to_owned(),
        class,
        family,
        description: meta.map(|m| RunnerDescription {
            thread_knob: m.threads_knob.clone(),
            summary: m.summary.clone(),
            timer: m.timer.clone(),
            channel: m.channel.clone(),
            net: m.net.clone(),
            offload: m.offload.clone(),
            caveats: m.caveats.clone(),
        }),
        threads_run,
        threads,
    }
}

/// The parts the parts table shows: those the run names for some runner (its
/// description, or for the I/O driver its cells), and none when no runner has
/// more than its timer named (schema-1 files).
fn parts_shown(runners: &[RunnerDisclosure]) -> Vec<Part> {
    let filled = |part: Part| runners.iter().any(|r| part.filled(r));
    if !Part::ALL[1..].iter().any(|&part| filled(part)) {
        return Vec::new();
    }
    Part::ALL.into_iter().filter(|&p| filled(p)).collect()
}

/// The section itself, for the registry.
pub(super) struct Disclosures;

impl super::Section for Disclosures {
    fn id(&self) -> &'static str {
        "disclosures"
    }

    /// `None` when no runner has cells.
    fn findings(&self, report: &Report<'_>) -> Option<serde_json::Value> {
        let finding = report.derived("disclosures", || report.derive_disclosures());
        (!finding.runners.is_empty())
            .then(|| super::as_json(Some(&*finding)))
            .flatten()
    }

    fn render(&self, report: &Report<'_>, out: &mut String) {
        render::render(
            &report.derived("disclosures", || report.derive_disclosures()),
            out,
        );
    }
}
