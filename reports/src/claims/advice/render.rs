//! Claim 5 in words: the brief's table as the claim (5a), the usual advice as
//! its second wording (5b), and the notes said after both verdicts.

use super::*;
use crate::terms::{self as glossary, Term};

impl Unit {
    fn advice_word(self) -> &'static str {
        match self {
            Unit::Threads => "multithreading",
            Unit::Processes => "multiprocessing",
        }
    }
}

/// Claim 5 in words.
pub(super) fn render(finding: &AdviceFinding) -> Check {
    let words = |advice: Advice, first_io: bool| {
        let io = format!("{} for I/O-bound work", advice.io.advice_word());
        let cpu = format!("{} for CPU-bound work", advice.cpu.advice_word());
        if first_io {
            format!("{io}, {cpu}")
        } else {
            format!("{cpu}, {io}")
        }
    };
    let claim = format!(
        "Use {} (as rtcompare's brief puts it).",
        words(finding.brief.advice, true)
    );
    let classic_claim = format!(
        "Under a {}, use {} (the usual Python advice).",
        glossary::link(Term::Gil),
        words(finding.classic.advice, false)
    );
    let gil_name = finding.locked_runner.as_deref();
    let experiment = format!(
        "`{CPU}` and `{SLEEP}` at the same thread count on {THREAD_POOL} (threads in one \
         process), {PROCESSES} (worker processes) and {}, against `seq`",
        gil_name.map_or(
            "a runner with threads under a global lock, as in CPython".to_owned(),
            |g| format!("{g} (threads under a global lock, as in CPython)")
        )
    );
    let rule = format!(
        "a unit helps when its speedup reaches half the ideal gain: 1 + (ideal − 1)/2, or {}× \
         at 2 threads. The ideal is min(threads, cores) on CPU work and the thread count on \
         waits. A wording holds in a setting when the unit it names for each kind of work \
         helps and, where it names processes, threads do not. Without a GIL the threads are \
         {THREAD_POOL}'s; under one, the global lock's. 5a is judged in both settings, 5b \
         under a GIL only.",
        1.0 + HELPS
    );
    let contradiction = contradiction_text(&finding.contradiction);
    let against = finding
        .against_cpython
        .as_ref()
        .map(super::interpreter::words);
    let m = match &finding.outcome {
        Outcome::Measured(m) => m,
        Outcome::NotMeasured(gaps) => {
            let gaps: Vec<String> = gaps
                .iter()
                .map(|gap| match gap {
                    AdviceGap::Missing(absence) => absence.text(),
                    AdviceGap::NoCommonCount => format!(
                        "{PROCESSES} did not finish `{CPU}` and `{SLEEP}` at one thread count \
                         above 1"
                    ),
                })
                .collect();
            let mut check = not_measured(claim, experiment, rule, &gaps);
            check.extrapolated = contradiction_extrapolated(&finding.contradiction);
            check.also = Some(Box::new(Also {
                claim: classic_claim,
                verdict: finding.classic.verdict.clone(),
                why: "for the same reasons".to_owned(),
                notes: vec![(AGAINST_ITSELF.to_owned(), contradiction)],
            }));
            check.against = against;
            return check;
        }
    };
    let shown = [
        m.thread_pool.as_ref(),
        Some(&m.processes),
        m.locked.as_ref(),
    ];
    let extrapolated = shown
        .into_iter()
        .flatten()
        .any(|p| p.cpu.extrapolated || p.sleep.extrapolated)
        || m.per_task_sleep.as_ref().is_some_and(|s| s.extrapolated)
        || contradiction_extrapolated(&finding.contradiction);
    Check {
        claim,
        experiment,
        rule,
        measured: measured_lines(m, gil_name),
        verdict: finding.brief.verdict.clone(),
        why: wording_why(&finding.brief),
        extrapolated,
        also: Some(Box::new(Also {
            claim: classic_claim,
            verdict: finding.classic.verdict.clone(),
            why: wording_why(&finding.classic),
            notes: vec![
                ("In this run".to_owned(), instead(&m.helped)),
                (AGAINST_ITSELF.to_owned(), contradiction),
            ],
        })),
        against,
    }
}

/// The label of the note on the brief's table against its GIL sentence.
const AGAINST_ITSELF: &str = "The brief against itself";

/// Why a wording got its verdict, setting by setting.
fn wording_why(wording: &Wording) -> String {
    let parts: Vec<Part> = wording
        .settings
        .iter()
        .map(|s| {
            let word = match s.lock {
                Lock::NoGil => "threads",
                Lock::Gil => "threads under the lock",
            };
            setting_part(setting_label(s.lock), &s.setting, word)
        })
        .collect();
    reasons(parts)
}

fn contradiction_extrapolated(c: &Contradiction) -> bool {
    match c {
        Contradiction::Measured { locked, free, .. } => {
            locked.extrapolated || free.as_ref().is_some_and(|f| f.extrapolated)
        }
        Contradiction::NotMeasured => false,
    }
}

/// The brief's table against its own sentence on CPU-bound threads under a GIL,
/// and what this run says of it.
fn contradiction_text(c: &Contradiction) -> String {
    let mut text = "the table names multithreading for CPU-bound work, yet the brief also says \
                    CPU-bound threads gain nothing under a GIL (claim 6)."
        .to_owned();
    let (locked, free, gained_nothing, free_helped) = match c {
        Contradiction::NotMeasured => {
            text.push_str(
                " Both cannot hold under a GIL; no threads under a global lock ran `cpu` above \
                 one thread here to show which",
            );
            return text;
        }
        Contradiction::Measured {
            locked,
            free,
            locked_gained_nothing,
            free_helped,
        } => (locked, free, *locked_gained_nothing, *free_helped),
    };
    let without = free
        .as_ref()
        .map(|f| format!(", against {} without it", sx(f)))
        .unwrap_or_default();
    let ran = format!(
        "threads under the lock ran `{CPU}` at {} `seq` at {} threads{without}",
        sx(locked),
        locked.cell.threads
    );
    if gained_nothing {
        write!(text, " This run agrees with the GIL sentence: {ran}.").expect("write to String");
        if free_helped {
            text.push_str(" So the table's advice on CPU-bound work can hold only without a GIL");
        } else {
            text.pop();
        }
    } else {
        write!(
            text,
            " Here {ran}, so the GIL sentence does not hold in this run"
        )
        .expect("write to String");
    }
    text
}

/// `` `cpu` at 2 threads: threads (thread-pool) 1.98×, processes 1.96×, … ``,
/// then the same for `sleep`.
fn measured_lines(m: &AdviceMeasured, gil_name: Option<&str>) -> Vec<String> {
    let n = m.threads;
    let side =
        |pair: &Pair, w: &str| -> String { sx(if w == CPU { &pair.cpu } else { &pair.sleep }) };
    let show = |label: String, pair: Option<&Pair>, w: &str| {
        pair.map(|p| format!("{label} {}", side(p, w)))
    };
    let mut measured = Vec::new();
    for w in [CPU, SLEEP] {
        let parts: Vec<String> = [
            show(
                format!("threads ({THREAD_POOL})"),
                m.thread_pool.as_ref(),
                w,
            ),
            show(PROCESSES.to_owned(), Some(&m.processes), w),
            show(
                format!("threads under a global lock ({})", gil_name.unwrap_or("")),
                m.locked.as_ref(),
                w,
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        measured.push(format!("`{w}` at {n} threads: {}", parts.join(", ")));
    }
    if let Some(s) = &m.per_task_sleep {
        let last = measured.last_mut().expect("two lines");
        write!(
            last,
            " (one OS thread per task, {}: {})",
            s.cell.runner,
            sx(s)
        )
        .expect("write to String");
    }
    measured
}

/// A wording in one setting, `label`, whose threads are called `word`.
fn setting_part(label: &str, setting: &Setting, word: &str) -> Part {
    let judged = match setting {
        Setting::NotMeasured(gap) => {
            let why = match gap {
                SettingGap::Missing(absence) => absence.text(),
                SettingGap::NoLockedRunner => "no runner with a global lock ran".to_owned(),
            };
            return Part::Unmeasured(label.to_owned(), why);
        }
        Setting::Judged(judged) => judged,
    };
    let named = |unit: &Unit| match unit {
        Unit::Threads => word,
        Unit::Processes => PROCESSES,
    };
    let mut fails = Vec::new();
    let mut fine = Vec::new();
    for (kind, judgement) in ["CPU", "waiting"].into_iter().zip(judged.iter()) {
        match judgement {
            Judgement::DidNotHelp {
                named: unit,
                speedup,
            } => fails.push(format!(
                "{} did not help {kind} work ({})",
                named(unit),
                sx(speedup)
            )),
            Judgement::NotNeeded { threads, processes } => fails.push(format!(
                "{PROCESSES} are not needed for {kind} work: {word} gained {} against {} for \
                 {PROCESSES}",
                sx(threads),
                sx(processes)
            )),
            Judgement::Helped {
                named: unit,
                speedup,
            } => fine.push(format!(
                "{} helped {kind} work ({})",
                named(unit),
                sx(speedup)
            )),
        }
    }
    if fails.is_empty() {
        Part::Holds(format!("{label}, {}", join_and(&fine)))
    } else {
        Part::Fails(format!("{label}, {}", join_and(&fails)))
    }
}

/// What the data show, unit by unit: `CPU work sped up on threads and
/// processes but not on …, and waiting work on all of …`.
fn instead(helped: &[Helped]) -> String {
    let unit_name = |u: Execution| -> String {
        match u {
            Execution::Threads => "threads",
            Execution::Processes => PROCESSES,
            Execution::LockedThreads => "threads under a global lock",
        }
        .to_owned()
    };
    let said = |cpu: bool| {
        let (yes, no): (Vec<&Helped>, Vec<&Helped>) = helped
            .iter()
            .partition(|h| if cpu { h.cpu } else { h.sleep });
        let yes: Vec<String> = yes.iter().map(|h| unit_name(h.unit)).collect();
        let no: Vec<String> = no.iter().map(|h| unit_name(h.unit)).collect();
        match (yes.is_empty(), no.is_empty()) {
            (false, true) if yes.len() > 1 => format!("on all of {}", join_and(&yes)),
            (false, true) => format!("on {}", join_and(&yes)),
            (false, false) => format!("on {} but not on {}", join_and(&yes), join_and(&no)),
            (true, _) => "on none of them".to_owned(),
        }
    };
    format!(
        "CPU work sped up {}, and waiting work {}",
        said(true),
        said(false)
    )
}
