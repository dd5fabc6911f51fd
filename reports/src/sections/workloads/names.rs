//! The readable names of what the workload tables show beside wall time: the
//! measures cells report (`metrics`) and their further latencies, in one place.
//!
//! A workload's declared header (`MetricMeta::header` in the results file) comes
//! first when it reads as a name (`Spawn+await [ns/task]`, `Jobs lost`); a terse
//! one (`ns/task`, `RSS/task [B]`) or none at all (the measures a runner adds,
//! like `rss-per-process-bytes`) is looked up in [`MEASURES`], and a key found
//! nowhere is spelled out from its words. A few measures runners add repeat a
//! column every table has ([`REPEATS`]) and get no column of their own.

use crate::format::split_header;
use crate::model::MetricMeta;
use crate::text::capitalise;
use rtcompare_api::ids::{latency, metric};

/// A measure's key, its column header (unit in brackets, none for sizes in bytes,
/// whose values carry B, KiB or MiB) and what it means.
const MEASURES: &[(&str, &str, &str)] = &[
    (
        metric::NS_PER_TASK,
        "Spawn+await [ns/task]",
        "wall time per task spawned and awaited",
    ),
    (
        metric::RSS_PER_TASK_BYTES,
        "Memory per task",
        "resident memory per task while all are alive",
    ),
    (
        metric::RSS_PER_PROCESS_BYTES,
        "Memory per process",
        "private resident memory (unique set) of one worker process, mean over the pool",
    ),
    (
        metric::NS_PER_HOP,
        "Hop [ns]",
        "wall time per hop of the token from task to task",
    ),
    (
        metric::NS_PER_UPDATE,
        "Update [ns]",
        "wall time per update of the shared state, all workers together",
    ),
    (
        metric::TASKS_SPAWNED,
        "Tasks spawned",
        "subtasks handed to the runner rather than run inline",
    ),
    (
        metric::TICKS,
        "Ticks",
        "1 ms sleeps the ticker completed while the hogs ran",
    ),
    (
        metric::HOG_CHUNKS_PER_S,
        "Hog chunks/s",
        "CPU hog chunks finished per second",
    ),
    (
        metric::HOG_CHUNK_MS,
        "Hog chunk [ms]",
        "time one hog chunk spent computing",
    ),
    (metric::JOBS, "Jobs", "jobs submitted"),
    (
        metric::JOBS_COMPLETED,
        "Jobs completed",
        "jobs whose result was kept",
    ),
    (
        metric::JOBS_LOST,
        "Jobs lost",
        "jobs that failed, and any the failure took with it",
    ),
];

/// Measures that repeat a column every table has, by key.
const REPEATS: &[&str] = &[
    // A pool of worker processes is as large as the cell's thread count.
    "workers",
    // The cell's peak RSS already adds the workers' peaks.
    metric::WORKERS_PEAK_RSS_BYTES,
];

/// Whether the measure `key` repeats a column every table has ([`REPEATS`]).
pub(super) fn repeats_a_column(key: &str) -> bool {
    REPEATS.contains(&key)
}

/// The names of further latencies, by the name cells record them under.
const LATENCIES: &[(&str, &str)] = &[
    (latency::ROUND_TRIP, "Round trip"),
    (latency::TICK_LATENESS, "Tick lateness"),
    (latency::SLEEP_100US_LATENESS, "100 µs sleep lateness"),
    (latency::SLEEP_1MS_LATENESS, "1 ms sleep lateness"),
];

/// `meta` with a readable header, and its meaning from [`MEASURES`] where the
/// results file gives none.
pub(in crate::sections) fn measure(meta: &MetricMeta) -> MetricMeta {
    let known = MEASURES.iter().find(|(key, ..)| *key == meta.key);
    let header = if is_human(&meta.header) {
        meta.header.trim().to_owned()
    } else if let Some((_, header, _)) = known {
        (*header).to_owned()
    } else if !meta.header.trim().is_empty() && meta.header.trim() != meta.key {
        capitalise(meta.header.trim())
    } else {
        spelled_out(&meta.key)
    };
    let about = match (meta.about.trim(), known) {
        ("", Some((.., about))) => (*about).to_owned(),
        (about, _) => about.to_owned(),
    };
    MetricMeta {
        key: meta.key.clone(),
        header,
        about,
    }
}

/// The readable name of the further latency `name`.
pub(super) fn latency(name: &str) -> String {
    LATENCIES
        .iter()
        .find(|(key, _)| *key == name)
        .map_or_else(|| spelled_out(name), |(_, readable)| (*readable).to_owned())
}

/// A header reads as a name when its label (before any bracketed unit) starts
/// with a capital and is words, not an abbreviated ratio: `Jobs lost`, `Hog
/// chunks/s` and `Spawn+await [ns/task]` do; `ns/task`, `RSS/task [B]`, `ticks`
/// and `rss-per-process-bytes` do not.
fn is_human(header: &str) -> bool {
    let (label, _) = split_header(header);
    label.chars().next().is_some_and(char::is_uppercase)
        && (label.contains(' ') || !label.contains('/'))
}

/// `rss-per-process-bytes` as `Rss per process`: the key's words, without a
/// final `bytes` (the values carry their unit).
fn spelled_out(key: &str) -> String {
    let mut words: Vec<&str> = key.split(['-', '_']).filter(|w| !w.is_empty()).collect();
    if words.len() > 1 && words.last() == Some(&"bytes") {
        words.pop();
    }
    capitalise(&words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(key: &str, header: &str, about: &str) -> MetricMeta {
        MetricMeta {
            key: key.into(),
            header: header.into(),
            about: about.into(),
        }
    }

    #[test]
    fn declared_names_first_then_the_table_then_the_key() {
        // A human header stays, with its meaning.
        let m = measure(&meta("ns-per-task", "Spawn+await [ns/task]", "per task."));
        assert_eq!(
            (m.header.as_str(), m.about.as_str()),
            ("Spawn+await [ns/task]", "per task.")
        );
        // Terse ones are looked up; the file's meaning wins over the table's.
        let m = measure(&meta("ns-per-task", "ns/task", "the root's clock"));
        assert_eq!(
            (m.header.as_str(), m.about.as_str()),
            ("Spawn+await [ns/task]", "the root's clock")
        );
        assert_eq!(
            measure(&meta("rss-per-task-bytes", "RSS/task [B]", "")).header,
            "Memory per task"
        );
        assert_eq!(
            measure(&meta("jobs-completed", "completed", "")).header,
            "Jobs completed"
        );
        // A runner's undeclared measure, labelled by its key.
        let m = measure(&meta("rss-per-process-bytes", "rss-per-process-bytes", ""));
        assert_eq!(m.header, "Memory per process");
        assert!(m.about.contains("unique set"), "{}", m.about);
        assert!(repeats_a_column("workers") && !repeats_a_column("rss-per-process-bytes"));
        // Unknown keys: the declared header capitalised, else the key's words.
        assert_eq!(measure(&meta("x-ms", "x [ms]", "")).header, "X [ms]");
        assert_eq!(
            measure(&meta("heap-per-job-bytes", "heap-per-job-bytes", "")).header,
            "Heap per job"
        );
        assert_eq!(latency("round-trip"), "Round trip");
        assert_eq!(latency("queue-wait"), "Queue wait");
    }

    #[test]
    fn what_reads_as_a_name() {
        for human in [
            "Jobs lost",
            "Hog chunks/s",
            "Spawn+await [ns/task]",
            "Update [ns]",
            "Ticks",
        ] {
            assert!(is_human(human), "{human}");
        }
        for terse in [
            "ns/task",
            "RSS/task [B]",
            "ticks",
            "rss-per-process-bytes",
            "",
            "[ms]",
        ] {
            assert!(!is_human(terse), "{terse}");
        }
    }
}
