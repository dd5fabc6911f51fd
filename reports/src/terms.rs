//! The terms the report's glossary defines, their anchors, and links to them,
//! so any section or claim can link a term where it first uses it without
//! depending on the glossary section itself.

use serde::Serialize;

/// A term the glossary defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Term {
    P50,
    P99,
    OpenLoop,
    ClosedLoop,
    Knee,
    Efficiency,
    WorkStealing,
    ThreadPerCore,
    Gil,
    TimerLateness,
}

impl Term {
    /// The term as a sentence uses it: `p99`, `work stealing`, `GIL`.
    pub(crate) fn word(self) -> &'static str {
        match self {
            Term::P50 => "p50",
            Term::P99 => "p99",
            Term::OpenLoop => "open loop",
            Term::ClosedLoop => "closed loop",
            Term::Knee => "knee",
            Term::Efficiency => "efficiency",
            Term::WorkStealing => "work stealing",
            Term::ThreadPerCore => "thread-per-core",
            Term::Gil => "GIL",
            Term::TimerLateness => "timer lateness",
        }
    }

    /// Its anchor in the report: `glossary-p99`.
    pub(crate) fn anchor(self) -> &'static str {
        match self {
            Term::P50 => "glossary-p50",
            Term::P99 => "glossary-p99",
            Term::OpenLoop => "glossary-open-loop",
            Term::ClosedLoop => "glossary-closed-loop",
            Term::Knee => "glossary-knee",
            Term::Efficiency => "glossary-efficiency",
            Term::WorkStealing => "glossary-work-stealing",
            Term::ThreadPerCore => "glossary-thread-per-core",
            Term::Gil => "glossary-gil",
            Term::TimerLateness => "glossary-timer-lateness",
        }
    }
}

/// A link to `term`'s entry, worded as the term: `[p99](#glossary-p99)`.
pub(crate) fn link(term: Term) -> String {
    link_as(term, term.word())
}

/// A link to `term`'s entry with other words: `[work-stealing](#glossary-work-stealing)`.
pub(crate) fn link_as(term: Term, text: &str) -> String {
    format!("[{text}](#{})", term.anchor())
}
