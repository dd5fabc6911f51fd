//! The *Glossary*: the terms a reader may not know (p50 and p99, open and
//! closed loop, the knee, efficiency, work stealing, thread-per-core, the GIL,
//! timer lateness), one or two short sentences each, with an anchor per term. Other
//! sections link a term where they first use it with [`link`]
//! (`[p99](#glossary-p99)`). The finding is the list of terms defined, with
//! their anchors.

use super::Report;
pub(crate) use crate::terms::{Term, link};
use serde::Serialize;
use std::fmt::Write as _;

/// One entry: the terms it defines (each gets an anchor), its heading and its
/// definition.
struct Entry {
    terms: &'static [Term],
    heading: &'static str,
    definition: &'static str,
}

/// The entries, in the order the glossary lists them.
const ENTRIES: [Entry; 8] = [
    Entry {
        terms: &[Term::P50, Term::P99],
        heading: "p50, p99",
        definition: "Percentiles of latency. Half the requests finished within the p50 (the \
            median), 99 in 100 within the p99, so the p99 shows the slow tail an average hides.",
    },
    Entry {
        terms: &[Term::OpenLoop, Term::ClosedLoop],
        heading: "Open and closed loop",
        definition: "A closed-loop client sends its next request only when the last one is \
            answered, so a slow server also slows the load. An open-loop client sends on a fixed \
            schedule and times each request from when it was due, so queueing shows.",
    },
    Entry {
        terms: &[Term::Knee],
        heading: "Knee",
        definition: "The highest offered load a server keeps up with while its p99 stays \
            within a stated bound; the section that names a knee states the rule. Beyond it, \
            queues grow and latency climbs steeply.",
    },
    Entry {
        terms: &[Term::Efficiency],
        heading: "Efficiency",
        definition: "Speedup ÷ min(threads, cores): the share of the ideal gain a cell reached, \
            so 100% is perfect scaling. It is given for CPU-bound work only, where the cores \
            bound the gain.",
    },
    Entry {
        terms: &[Term::WorkStealing],
        heading: "Work stealing",
        definition: "Each worker thread keeps its own queue of tasks, and an idle worker takes \
            tasks from a busy one's queue. It balances uneven work without every thread \
            contending for one shared queue.",
    },
    Entry {
        terms: &[Term::ThreadPerCore],
        heading: "Thread-per-core",
        definition: "Shared nothing: each thread runs its own single-threaded runtime and \
            only its own share of the work (a fixed part of a batch; on a server, the \
            connections its own listener accepts). No task ever moves to another thread, so \
            nothing is stolen: a thread that finishes its share early sits idle, but no queue \
            is shared between threads.",
    },
    Entry {
        terms: &[Term::Gil],
        heading: "GIL",
        definition: "A global interpreter lock, as in CPython: many OS threads, but only the one \
            holding the lock runs. Here a runner of class concurrent-serialized emulates it; its \
            threads release the lock while they wait.",
    },
    Entry {
        terms: &[Term::TimerLateness],
        heading: "Timer lateness",
        definition: "How much longer a sleep took than it asked for. The `timer` workload \
            measures it per runner with nothing else running, so it is the timer's own share: a \
            timer that ends sleeps on a tick of its resolution is late by up to one tick. Beside \
            CPU hogs, a tick's lateness beyond it is what the load added.",
    },
];

/// What the glossary holds: the terms it defines, in its order, with their
/// anchors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Glossary {
    pub(crate) terms: Vec<Defined>,
}

/// A term the glossary defines, and the anchor a link to it uses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Defined {
    pub(crate) term: Term,
    pub(crate) anchor: &'static str,
}

fn derive() -> Glossary {
    Glossary {
        terms: ENTRIES
            .iter()
            .flat_map(|e| e.terms)
            .map(|&term| Defined {
                term,
                anchor: term.anchor(),
            })
            .collect(),
    }
}

/// Writes the glossary: one bullet per entry with a term in `glossary`, its
/// anchors first.
fn render(glossary: &Glossary, out: &mut String) {
    if !out.ends_with("\n\n") {
        out.push('\n');
    }
    out.push_str("## Glossary\n\n");
    let defined = |t: &Term| glossary.terms.iter().any(|d| d.term == *t);
    for entry in ENTRIES.iter().filter(|e| e.terms.iter().any(defined)) {
        let anchors: String = entry
            .terms
            .iter()
            .map(|t| format!("<a id=\"{}\"></a>", t.anchor()))
            .collect();
        writeln!(
            out,
            "- {anchors}**{}**: {}",
            entry.heading, entry.definition
        )
        .expect("write to String");
    }
    out.push('\n');
}

/// The section itself, for the registry.
pub(super) struct GlossarySection;

impl super::Section for GlossarySection {
    fn id(&self) -> &'static str {
        "glossary"
    }

    fn findings(&self, report: &Report<'_>) -> Option<serde_json::Value> {
        let glossary = report.derived("glossary", derive);
        super::as_json(Some(&*glossary))
    }

    fn render(&self, report: &Report<'_>, out: &mut String) {
        render(&report.derived("glossary", derive), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_anchors() {
        assert_eq!(link(Term::P99), "[p99](#glossary-p99)");
        assert_eq!(link(Term::Gil), "[GIL](#glossary-gil)");
        assert_eq!(
            crate::terms::link_as(Term::WorkStealing, "work-stealing"),
            "[work-stealing](#glossary-work-stealing)"
        );
        // Every term has an entry, and every anchor is written once.
        let mut out = String::new();
        let defined = derive();
        render(&defined, &mut out);
        assert_eq!(defined.terms.len(), 10);
        for d in &defined.terms {
            let tag = format!("<a id=\"{}\"></a>", d.anchor);
            assert_eq!(out.matches(&tag).count(), 1, "{tag}");
        }
    }

    #[test]
    fn sentences_stay_short() {
        for entry in &ENTRIES {
            for sentence in entry.definition.split(". ") {
                let words = sentence.split_whitespace().count();
                assert!(words <= 40, "{words} words: {sentence}");
            }
        }
    }
}
