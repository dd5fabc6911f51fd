//! What several sections share: how a cell compares with another (`Versus`), the
//! best of a group (`Best`), how a runner's server takes its connections
//! (`Serving`), the marks and notes tables carry, and small number and word
//! formatting.

use crate::model::{Cell, RunnerMeta, Status, Summary};
use crate::overhead::PER_TASK_KNOB;
use crate::text::{ms, sig3, times};
use rtcompare_api::{Class, WorkloadKind};
use serde::Serialize;
use std::fmt::Write as _;

/// Fixed shares (a static split, thread-per-core) this much slower than dynamic
/// scheduling are called uneven work, not overhead: above any gap seen between
/// runners on evenly divided work.
pub(super) const UNEVEN_GAP: f64 = 0.15;

/// Marks a time that was measured on a subset of the work and scaled up.
pub(super) const EXTRAPOLATED: &str = "†";
/// A fraction as a percentage with up to one decimal: `2%`, `1.5%`.
pub(super) fn percent_fine(x: f64) -> String {
    let tenths = (x * 1000.0).round() / 10.0;
    if tenths.fract() == 0.0 {
        format!("{tenths:.0}%")
    } else {
        format!("{tenths:.1}%")
    }
}

/// `90 s`, `15 min`, `1 h 30 min`: a duration in seconds, in words.
pub(super) fn duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// The classes in the order the grid and the combinations list them: neither
/// concurrent nor parallel, concurrent only, parallel only, both, and serialised.
pub(super) const CLASSES: [Class; 5] = [
    Class::Sequential,
    Class::Concurrent,
    Class::Parallel,
    Class::ConcurrentParallel,
    Class::ConcurrentSerialized,
];

/// Classes whose runners use several threads when given them.
pub(super) fn multithreaded_class(class: Class) -> bool {
    matches!(
        class,
        Class::Parallel | Class::ConcurrentParallel | Class::ConcurrentSerialized
    )
}

// ---------------------------------------------------------------------------
// Number formatting

/// A workload's parameters in one short line: `tasks = 1000, weights = 64 values,
/// 1–50`. Long arrays of numbers are summarised rather than listed.
pub(super) fn describe_params(params: &serde_json::Value) -> String {
    use serde_json::Value;
    let value = |v: &Value| -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Array(items) => {
                let numbers: Option<Vec<f64>> = items.iter().map(Value::as_f64).collect();
                match numbers {
                    Some(ns) if ns.len() > 4 => {
                        let min = ns.iter().copied().fold(f64::INFINITY, f64::min);
                        let max = ns.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        if min == max {
                            format!("{} × {min}", ns.len())
                        } else {
                            format!("{} values, {min}–{max}", ns.len())
                        }
                    }
                    _ => v.to_string(),
                }
            }
            other => other.to_string(),
        }
    };
    match params {
        Value::Object(map) if map.is_empty() => "none".into(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k} = {}", value(v)))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Null => "not recorded".into(),
        other => value(other),
    }
}

/// Whether two closed intervals share a point.
pub(super) fn overlaps(a: [f64; 2], b: [f64; 2]) -> bool {
    a[0] <= b[1] && b[0] <= a[1]
}

pub(super) fn status_word(status: Status) -> &'static str {
    status.as_str()
}

pub(super) fn kind_label(kind: WorkloadKind) -> &'static str {
    match kind {
        WorkloadKind::Cpu => "CPU-bound",
        WorkloadKind::Io => "I/O-bound",
        WorkloadKind::Mixed => "mixed CPU and I/O",
        WorkloadKind::Overhead => "runtime overhead",
        WorkloadKind::Fault => "fault isolation",
    }
}

// ---------------------------------------------------------------------------
// The report

/// The judged finished cell of a group with the lowest median, and, when the
/// samples support a ranking, the others whose interval overlaps its own.
pub(super) struct Best<'a> {
    pub(super) cell: &'a Cell,
    pub(super) summary: &'a Summary,
    /// Empty unless `ranked`.
    pub(super) tied: Vec<&'a Cell>,
    /// Every interval of the group supports claims ([`crate::judge::supports`]),
    /// so the best may be called fastest or tied; else it only has the lowest
    /// median.
    pub(super) ranked: bool,
    /// The summaries of the group, for saying why it is not ranked.
    pub(super) group: Vec<&'a Summary>,
}

impl<'a> Best<'a> {
    /// `None` when no judged cell of the group finished (disturbed cells and cells
    /// that do not apply take no part).
    pub(super) fn of(cells: impl IntoIterator<Item = &'a Cell>) -> Option<Self> {
        let mut done: Vec<(&Cell, &Summary)> = cells
            .into_iter()
            .filter_map(|c| Some((c, crate::judge::judged_summary(c)?)))
            .collect();
        done.sort_by(|a, b| a.1.median_wall_s.total_cmp(&b.1.median_wall_s));
        let (&(cell, summary), rest) = done.split_first()?;
        let ranked = rest.iter().all(|(_, s)| crate::judge::supports(s, summary))
            && summary.supports_claims();
        let tied = if ranked {
            rest.iter()
                .filter(|(_, s)| overlaps(s.interval_wall_s, summary.interval_wall_s))
                .map(|&(c, _)| c)
                .collect()
        } else {
            Vec::new()
        };
        Some(Self {
            cell,
            summary,
            tied,
            ranked,
            group: done.iter().map(|&(_, s)| s).collect(),
        })
    }
}

/// Two wall times within this fraction of each other are called level: neither a
/// gain nor a loss, whatever their intervals say.
pub(super) const LEVEL_BAND: f64 = 0.03;

/// A multithreaded cell whose median CPU utilisation is at most this many cores
/// did about one thread's work at a time, so its speed is not credited to
/// parallelism.
pub(super) const PARALLEL_CORES: f64 = 1.2;

/// An open-loop p50 more than this many times the median of every runner's
/// belongs to a runner that could not keep up with the send schedule.
pub(super) const BEHIND_SCHEDULE: f64 = 10.0;

/// The parameter that holds an open-loop workload's send rate per second.
pub(super) const OPEN_LOOP_RATE: &str = "rate_per_s";

/// Marks a multithreaded cell of the grid that did not run in parallel.
pub(super) const NOT_PARALLEL: &str = "‡";

/// Whether a cell kept more than [`PARALLEL_CORES`] busy.
pub(super) fn ran_in_parallel(summary: &Summary) -> bool {
    summary.cpu_utilisation > PARALLEL_CORES
}

/// How one wall time compares with another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub(crate) enum Change {
    /// Faster beyond [`LEVEL_BAND`] and outside the other's interval.
    Faster,
    /// Within [`LEVEL_BAND`], or the intervals overlap.
    Level,
    /// Slower beyond [`LEVEL_BAND`] and outside the other's interval.
    Slower,
}

/// A cell's speed relative to another's: their median walls' ratio and what it
/// amounts to.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub(crate) struct Versus {
    /// The other's median wall over this one's: above 1 is faster.
    pub(crate) ratio: f64,
    pub(crate) change: Change,
}

impl Versus {
    /// `cell` against `base`.
    pub(super) fn of(cell: &Summary, base: &Summary) -> Self {
        let ratio = base.median_wall_s / cell.median_wall_s;
        let change = if overlaps(cell.interval_wall_s, base.interval_wall_s)
            || (ratio - 1.0).abs() <= LEVEL_BAND
            || !ratio.is_finite()
        {
            Change::Level
        } else if ratio > 1.0 {
            Change::Faster
        } else {
            Change::Slower
        };
        Self { ratio, change }
    }

    /// The ratio of a level comparison, three significant digits: `0.996×`, or
    /// `1.10×, within noise` when only the intervals make it level.
    pub(super) fn level(&self) -> String {
        if (self.ratio - 1.0).abs() <= LEVEL_BAND {
            format!("{}×", sig3(self.ratio))
        } else {
            format!("{}×, within noise", sig3(self.ratio))
        }
    }

    /// Against `seq`: `bought 998× over `seq`` (`ran at` without `credit`),
    /// `was level with `seq` (0.978×)`, or `ran at 0.75× `seq`'s speed, taking
    /// 1.33× as long`.
    pub(super) fn against_seq(&self, credit: bool) -> String {
        match self.change {
            Change::Faster if credit => format!("bought {} over `seq`", times(self.ratio)),
            Change::Faster => format!("ran at {} `seq`", times(self.ratio)),
            Change::Level => format!("was level with `seq` ({})", self.level()),
            Change::Slower => format!(
                "ran at {} `seq`'s speed, taking {} as long",
                times(self.ratio),
                times(1.0 / self.ratio)
            ),
        }
    }

    /// Against the runner `other`: `ran 1.48× as fast as X`, `was level with X
    /// (1.02×)` or `ran at 0.50× X's speed`.
    pub(super) fn against(&self, other: &str) -> String {
        match self.change {
            Change::Faster => format!("ran {} as fast as {other}", times(self.ratio)),
            Change::Level => format!("was level with {other} ({})", self.level()),
            Change::Slower => format!("ran at {} {other}'s speed", times(self.ratio)),
        }
    }

    /// The overall figure against `seq` after a further gain: `994× over `seq` in
    /// all`, or `0.98× `seq`'s speed in all`.
    pub(super) fn in_all(&self) -> String {
        if self.ratio >= 1.0 {
            format!("{} over `seq` in all", times(self.ratio))
        } else {
            format!("{} `seq`'s speed in all", times(self.ratio))
        }
    }
}

/// How a runner's sockets wait, from its `net` description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NetKind {
    /// `net` says `blocking` (a whole word: `non-blocking` is not): no reactor.
    Blocking,
    /// Anything else: the sockets wait on a reactor.
    Reactor,
}

/// `None` when the results file does not describe the runner's sockets.
pub(super) fn net_kind(meta: &RunnerMeta) -> Option<NetKind> {
    let net = meta.net.trim();
    if net.is_empty() {
        return None;
    }
    let blocking = net
        .split(|c: char| c.is_whitespace() || ",;:()".contains(c))
        .any(|word| word == "blocking");
    Some(if blocking {
        NetKind::Blocking
    } else {
        NetKind::Reactor
    })
}

/// How a runner's server takes its connections, from its description in the
/// results file (its `net` text and thread knob).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum Serving {
    /// It waits on a reactor: every connection is served at once.
    Reactor,
    /// It blocks on its sockets with an OS thread per connection.
    ThreadPerConnection,
    /// It blocks on its sockets with a fixed number of threads or processes:
    /// at most this many connections are served at once, the others wait.
    AtMost(usize),
    /// The results file does not say.
    Unknown,
}

impl Serving {
    /// How the runner of `cell`, described by `meta`, serves at its thread count.
    pub(crate) fn of(cell: &Cell, meta: Option<&RunnerMeta>) -> Self {
        let Some(meta) = meta else {
            return Serving::Unknown;
        };
        match net_kind(meta) {
            None => Serving::Unknown,
            Some(NetKind::Reactor) => Serving::Reactor,
            Some(NetKind::Blocking) if meta.threads_knob == PER_TASK_KNOB => {
                Serving::ThreadPerConnection
            }
            Some(NetKind::Blocking) => Serving::AtMost(cell.threads.max(1)),
        }
    }

    /// The connections served at once when that is fewer than `connections`.
    pub(crate) fn narrower_than(self, connections: usize) -> Option<usize> {
        match self {
            Serving::AtMost(n) if n < connections => Some(n),
            _ => None,
        }
    }
}

/// `100–106`: the range of `seconds` in milliseconds, or one number.
pub(super) fn ms_range(seconds: &[f64]) -> String {
    let low = seconds.iter().copied().fold(f64::INFINITY, f64::min);
    let high = seconds.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (a, b) = (ms(low), ms(high));
    if a == b { a } else { format!("{a}–{b}") }
}

/// Marks a cell with more threads than logical cores.
pub(super) const OVERSUBSCRIBED: &str = "↑";

/// A note under a table and the runners it applies to, in table order; the
/// tables number them from 1 ([`write_footnotes`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Footnote {
    /// Verbatim from the results file.
    pub(crate) note: String,
    pub(crate) runners: Vec<String>,
}

/// One footnote per distinct note of `cells` (`notes_of` each), in order of
/// first appearance, naming each runner it applies to once.
pub(crate) fn footnotes(cells: &[&Cell], notes_of: impl Fn(&Cell) -> Vec<&str>) -> Vec<Footnote> {
    let mut notes: Vec<Footnote> = Vec::new();
    for cell in cells {
        for note in notes_of(cell) {
            match notes.iter_mut().find(|n| n.note == note) {
                Some(n) if n.runners.contains(&cell.runner) => {}
                Some(n) => n.runners.push(cell.runner.clone()),
                None => notes.push(Footnote {
                    note: note.to_owned(),
                    runners: vec![cell.runner.clone()],
                }),
            }
        }
    }
    notes
}

/// `¹ seq and threads: the note`, one paragraph per footnote, numbered from 1.
pub(crate) fn write_footnotes(notes: &[Footnote], out: &mut String) {
    for (i, n) in notes.iter().enumerate() {
        writeln!(
            out,
            "{} {}: {}\n",
            crate::format::superscript(i + 1),
            crate::text::join_and(&n.runners),
            crate::text::escape_inline(&n.note)
        )
        .expect("write to String");
    }
}
