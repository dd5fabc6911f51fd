//! The echo section's words on Little's law, from the [`Queueing`] finding
//! alone: a paragraph for the runners that wait on a reactor, then the lockstep
//! runners with what can be in flight on them, each in short sentences, the
//! cells the law does not fit listed as bullets.

use super::derive::{Agreement, Comparison, Law, Lockstep, LockstepRunner, Point, Queueing};
use super::render::connections_text;
use crate::format::{duration_us, span_us, thousands, times_range};
use crate::text::{join_and, plural, sig3, times};
use std::fmt::Write as _;

/// Little's law, as every reading of the closed loop opens.
pub(super) const CLOSED_LOOP: &str = "In a closed loop each connection sends again only when its \
                                      reply arrives. So by Little's law the mean round trip is \
                                      the number of round trips in flight ÷ throughput.";

/// The blocks under the table (paragraphs and bullet lists): Little's law for
/// the reactor runners, then for the lockstep ones.
pub(super) fn queueing(q: &Queueing) -> Vec<String> {
    let tolerance = format!("{:.0}%", q.tolerance * 100.0);
    let mut first = CLOSED_LOOP.to_owned();
    if let Some(reactor) = &q.reactor {
        let grouped = q.lockstep.is_some();
        let law = &reactor.law;
        if grouped {
            let who = if reactor.unknown_serving {
                "The other runners"
            } else {
                "The runners that wait on a reactor"
            };
            write!(
                first,
                " {who} ({}) keep every connection in flight, so that is connections ÷ \
                 throughput.",
                names(&law.points)
            )
        } else {
            write!(
                first,
                " With every connection in flight, that is connections ÷ throughput, whatever \
                 the runtime."
            )
        }
        .expect("write to String");
        write!(first, " For example, {}.", worked(law.example())).expect("write to String");
        let n = law.points.len();
        let off: Vec<&Point> = law.points.iter().filter(|p| !p.fits).collect();
        let within = format!("The measured p50 is within {tolerance} of connections ÷ throughput");
        let conclusion = match law.agreement {
            Agreement::Everywhere => format!(
                "{within} on {} (column *Connections ÷ req/s*). So closed-loop latency under \
                 load measures queueing behind the other connections, not the runtime's cost per \
                 round trip; the unloaded columns show that cost.",
                all_of(n, grouped)
            ),
            Agreement::Nowhere => format!(
                "The measured p50 is not within {tolerance} of connections ÷ throughput on any \
                 {}: {}. So something besides queueing sets the loaded latency {}.",
                if grouped { "of their cells" } else { "cell" },
                join_and(&off.iter().map(|p| estimate_ratio(p)).collect::<Vec<_>>()),
                if grouped { "there" } else { "here" }
            ),
            Agreement::Partly => format!(
                "{within} on {} of {n} {} (column *Connections ÷ req/s*), where loaded latency \
                 measures queueing, not runtime cost. It is not on {}, where something besides \
                 queueing shapes it.",
                n - off.len(),
                if grouped { "of their cells" } else { "cells" },
                join_and(&off.iter().map(|p| estimate_ratio(p)).collect::<Vec<_>>())
            ),
        };
        write!(first, " {conclusion}").expect("write to String");
    }
    let mut blocks = vec![first];
    if let Some(lockstep) = &q.lockstep {
        blocks.extend(lockstep_blocks(lockstep, &tolerance));
    }
    blocks
}

/// The lockstep runners: no server queue, so their loaded p50 is compared with
/// the unloaded cost, and Little's law is worked with what can be in flight.
fn lockstep_blocks(lockstep: &Lockstep, tolerance: &str) -> Vec<String> {
    let mut runners: Vec<String> = Vec::new();
    for r in &lockstep.runners {
        if !runners.contains(&r.runner) {
            runners.push(r.runner.clone());
        }
    }
    let mut first = format!(
        "On {}, both ends of each connection run in lockstep on one thread (see Disclosures). \
         A round trip there never waits in a server queue behind another connection's request.",
        join_and(&runners)
    );
    first.push_str(&versus_unloaded(lockstep, tolerance));
    let mut blocks = vec![first];
    if let Some(fixed) = &lockstep.fixed {
        let mut text = format!(
            "Where the thread count is fixed, at most min(connections, threads) connections \
             are in flight: {}.",
            in_flight_counts(&fixed.points)
        );
        let misfits = little(fixed, "that count", tolerance, &mut text);
        blocks.push(text);
        blocks.extend(misfits);
    }
    if let Some(per_task) = &lockstep.per_task {
        let mut counts: Vec<f64> = per_task.points.iter().map(|p| p.connections).collect();
        counts.sort_by(f64::total_cmp);
        counts.dedup();
        let how_many = match counts.as_slice() {
            [one] => format!("all {}", thousands(*one)),
            _ => "all of them".to_owned(),
        };
        let mut text = format!(
            "On {}, each connection has its own OS thread, so {how_many} can be in flight.",
            names(&per_task.points)
        );
        let misfits = little(per_task, "that many", tolerance, &mut text);
        blocks.push(text);
        blocks.extend(misfits);
    }
    blocks
}

/// What is in flight at once where the thread count is fixed: `one per thread
/// on seq and rayon` when every count is the thread count, else `1 on seq; 2 on
/// rayon`.
fn in_flight_counts(points: &[Point]) -> String {
    if points.iter().all(|p| p.in_flight == p.threads as f64) {
        return format!("one per thread on {}", names(points));
    }
    let mut counts: Vec<(f64, Vec<String>)> = Vec::new();
    for p in points {
        match counts.iter_mut().find(|(n, _)| *n == p.in_flight) {
            Some((_, names)) if names.contains(&p.runner) => {}
            Some((_, names)) => names.push(p.runner.clone()),
            None => counts.push((p.in_flight, vec![p.runner.clone()])),
        }
    }
    counts
        .iter()
        .map(|(n, names)| format!("{} on {}", thousands(*n), join_and(names)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The lockstep runners' loaded p50 against their unloaded one: the sentences
/// that end the paragraph, each after a space.
fn versus_unloaded(lockstep: &Lockstep, tolerance: &str) -> String {
    let loaded_p50: Vec<f64> = lockstep.runners.iter().map(|r| r.loaded_p50_us).collect();
    let paired = lockstep
        .runners
        .iter()
        .filter_map(|r| Some((r, r.unloaded.as_ref()?)));
    match lockstep.comparison {
        Comparison::NoUnloaded => {
            format!(" Their measured p50 is {}.", span_us(&loaded_p50))
        }
        Comparison::UnloadedCost => {
            let alone: Vec<f64> = paired.clone().map(|(_, u)| u.p50_us).collect();
            let ratios: Vec<f64> = paired.map(|(_, u)| u.ratio).collect();
            format!(
                " So their measured p50 is the unloaded cost rather than connections ÷ \
                 throughput: {} loaded against {} unloaded ({} per runner).",
                span_us(&loaded_p50),
                span_us(&alone),
                times_range(&ratios)
            )
        }
        Comparison::Ratios => {
            let show = |r: &LockstepRunner, ratio: f64| {
                format!("{} ({}, {})", r.runner, threads(r.threads), times(ratio))
            };
            let (close, far): (Vec<_>, Vec<_>) = paired.partition(|(_, u)| u.near);
            let close: Vec<String> = close.iter().map(|(r, u)| show(r, u.ratio)).collect();
            let far: Vec<String> = far.iter().map(|(r, u)| show(r, u.ratio)).collect();
            let ratio = " Their loaded p50 ÷ unloaded p50 is";
            match (close.is_empty(), far.is_empty()) {
                (true, _) => format!(
                    "{ratio} not within {tolerance} of 1 on any of them: {}.",
                    join_and(&far)
                ),
                // The others have no unloaded cell to compare with.
                (false, true) => {
                    format!("{ratio} within {tolerance} of 1 on {}.", join_and(&close))
                }
                (false, false) => format!(
                    "{ratio} within {tolerance} of 1 on {}. It is not on {}.",
                    join_and(&close),
                    join_and(&far)
                ),
            }
        }
    }
}

/// Little's law over `law`'s points, worked out for its example, appended to
/// `text` as sentences: whether the measured p50 fits everywhere, somewhere or
/// nowhere. `with` names the in-flight count (`that count`). The cells it does
/// not fit, with what was measured, come back as a bullet list when there are
/// several points.
fn little(law: &Law, with: &str, tolerance: &str, text: &mut String) -> Option<String> {
    let example = law.example();
    let misfits: Vec<String> = law.points.iter().filter(|p| !p.fits).map(misfit).collect();
    let n = law.points.len();
    let sentences = match (n, law.agreement) {
        (1, Agreement::Everywhere) => format!(
            "Little's law holds with {with}: {}; measured p50 {} (within {tolerance}).",
            equation(example),
            duration_us(example.p50_us)
        ),
        (1, _) => {
            let mut words = format!(
                "But Little's law with {with} does not fit: {} against a measured p50 of {} \
                 ({} that).",
                equation(example),
                duration_us(example.p50_us),
                times(example.ratio)
            );
            if let Some(measured) = in_flight_measured(example) {
                write!(
                    words,
                    " Read the other way, its mean round trip gives {measured} round trips in \
                     flight on average."
                )
                .expect("write to String");
            }
            words
        }
        (n, Agreement::Everywhere) => format!(
            "Little's law holds with {with}, within {tolerance} on {}. For example, {}.",
            if n == 2 {
                "both cells".to_owned()
            } else {
                format!("all {n} cells")
            },
            worked(example)
        ),
        (_, Agreement::Nowhere) => format!(
            "Little's law with {with} is not within {tolerance} on any of them (for example, \
             {}):",
            worked(example)
        ),
        (n, Agreement::Partly) => format!(
            "Little's law with {with} fits within {tolerance} on {} of {n} cells. For example, \
             {}. It does not fit on these:",
            n - misfits.len(),
            worked(example)
        ),
    };
    write!(text, " {sentences}").expect("write to String");
    (n > 1 && !misfits.is_empty()).then(|| {
        misfits
            .iter()
            .map(|m| format!("- {m}"))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// `2 threads`.
fn threads(n: usize) -> String {
    plural(n, "thread", "threads")
}

/// The runners of `points`, each once: `seq, threads and rayon`.
fn names(points: &[Point]) -> String {
    let mut names: Vec<String> = Vec::new();
    for p in points {
        if !names.contains(&p.runner) {
            names.push(p.runner.clone());
        }
    }
    join_and(&names)
}

/// `it`, `the one cell`, `all 15 of their cells` (`of_them`: in a named
/// group) or `all 4 cells`.
fn all_of(n: usize, of_them: bool) -> String {
    match (n, of_them) {
        (1, true) => "it".to_owned(),
        (1, false) => "the one cell".to_owned(),
        (n, true) => format!("all {n} of their cells"),
        (n, false) => format!("all {n} cells"),
    }
}

/// `2 connections ÷ 497,871 req/s = 4.02 µs`.
fn equation(p: &Point) -> String {
    format!(
        "{} ÷ {} req/s = {}",
        connections_text(p.in_flight),
        thousands(p.throughput_per_s),
        duration_us(p.estimate_us)
    )
}

/// `threads-static (2 threads): 2 connections ÷ 497,871 req/s = 4.02 µs;
/// measured p50 3.66 µs`.
fn worked(p: &Point) -> String {
    format!(
        "{} ({}): {}; measured p50 {}",
        p.runner,
        threads(p.threads),
        equation(p),
        duration_us(p.p50_us)
    )
}

/// `smol-mt (2 threads, p50 4.00× the estimate)`.
fn estimate_ratio(p: &Point) -> String {
    format!(
        "{} ({}, p50 {} the estimate)",
        p.runner,
        threads(p.threads),
        times(p.ratio)
    )
}

/// Little's law read the other way, when the file has the mean: `6.09 µs ×
/// 385,859 req/s = 2.35`, the round trips in flight on average.
fn in_flight_measured(p: &Point) -> Option<String> {
    Some(format!(
        "{} × {} req/s = {}",
        duration_us(p.mean_us?),
        thousands(p.throughput_per_s),
        sig3(p.in_flight_measured?)
    ))
}

/// `threads (2 threads): p50 0.03× the estimate; mean 6.09 µs × 385,859 req/s
/// = 2.35 round trips in flight on average`.
fn misfit(p: &Point) -> String {
    let mut text = format!(
        "{} ({}): p50 {} the estimate",
        p.runner,
        threads(p.threads),
        times(p.ratio)
    );
    if let Some(measured) = in_flight_measured(p) {
        write!(text, "; mean {measured} round trips in flight on average")
            .expect("write to String");
    }
    text
}
