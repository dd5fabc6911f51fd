//! Claim 8: message passing is slower than shared memory.

use super::*;

/// Claim 8: merging private copies against shared memory, and a message per
/// update against an atomic update.
pub(super) fn message_passing(run: &Run<'_>) -> Check {
    let claim = "Message passing is slower than shared memory.".to_owned();
    let size = run
        .results
        .cells
        .iter()
        .find(|c| c.workload == SHARED_MERGE && c.param("workers").is_some())
        .and_then(|c| Some((c.param("workers")?, c.param("updates")?)))
        .map_or("T workers × U updates".to_owned(), |(w, u)| {
            format!("{} workers × {} updates", thousands(w), thousands(u))
        });
    let experiment = format!(
        "{size} to a counter and a histogram, in shared memory as atomics (`{SHARED_ATOMIC}`), \
         behind a mutex (`{SHARED_MUTEX}`) or an async mutex (`{SHARED_ASYNC_MUTEX}`), or as \
         private copies sent and merged once at the end (`{SHARED_MERGE}`: message passing), on \
         each runner at one thread count; and a message per hop on `{CHANNELS}`"
    );
    let rule = format!(
        "batched messages are slower when `{SHARED_MERGE}` costs more per update than the \
         fastest shared-memory variant on the same runner at the same thread count; a message \
         per update is slower when a `{CHANNELS}` hop costs more than a `{SHARED_ATOMIC}` update \
         on the same runner at the same thread count."
    );
    let value = |c: &Cell, key: &str| metric(c, key);
    let mut measured = Vec::new();
    // Batched: merge against the fastest shared variant, per runner.
    let mut batched: Vec<(&Cell, f64, f64, &str)> = Vec::new();
    for r in run.runners(|c| c.workload == SHARED_MERGE) {
        let Some(merge) = run.point(r, SHARED_MERGE) else {
            continue;
        };
        let Some(m) = value(merge, NS_PER_UPDATE) else {
            continue;
        };
        let shared: Vec<(f64, &str)> = SHARED_MEMORY
            .iter()
            .filter_map(|(w, short)| {
                Some((value(run.at(r, w, merge.threads)?, NS_PER_UPDATE)?, *short))
            })
            .collect();
        let mut line = format!("{r} at {}: merge {}", threads(merge.threads), ns(m));
        for (v, short) in &shared {
            write!(line, ", {short} {}", ns(*v)).expect("write to String");
        }
        line.push_str(" per update");
        if shared.is_empty() {
            let na = SHARED_MEMORY
                .iter()
                .flat_map(|(w, _)| run.all(r, w))
                .any(|c| !c.applies());
            line.push_str(if na {
                " (shared memory does not apply)"
            } else {
                " (no shared-memory variant finished)"
            });
        }
        measured.push(line);
        if let Some(&(best, short)) = shared.iter().min_by(|a, b| a.0.total_cmp(&b.0)) {
            batched.push((merge, m, best, short));
        }
    }
    if batched.is_empty() {
        let missing = if run.results.cells.iter().any(|c| c.workload == SHARED_MERGE) {
            format!(
                "`{SHARED_MERGE}` and a shared-memory variant finished on no runner at one \
                 thread count"
            )
        } else {
            format!("`{SHARED_MERGE}` did not run")
        };
        return not_measured(claim, experiment, rule, &[missing]);
    }
    // Per update: a channel hop against an atomic update.
    let mut per_update: Vec<(&Cell, f64, f64)> = Vec::new();
    for r in run.runners(|c| c.workload == CHANNELS) {
        let Some(hop) = run.point(r, CHANNELS) else {
            continue;
        };
        let Some(h) = value(hop, NS_PER_HOP) else {
            continue;
        };
        if let Some(a) = run
            .at(r, SHARED_ATOMIC, hop.threads)
            .and_then(|c| value(c, NS_PER_UPDATE))
        {
            per_update.push((hop, h, a));
        }
    }
    if !per_update.is_empty() {
        let parts: Vec<String> = per_update
            .iter()
            .map(|(c, h, a)| format!("{} {} against {}", c.runner, ns(*h), ns(*a)))
            .collect();
        measured.push(format!(
            "a `{CHANNELS}` hop against a `{SHARED_ATOMIC}` update: {}",
            parts.join(", ")
        ));
    }

    let ratio_range = |ratios: &[(f64, &Cell)]| -> String {
        let low = ratios
            .iter()
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .expect("not empty");
        let high = ratios
            .iter()
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .expect("not empty");
        if times(low.0) == times(high.0) {
            format!("{} ({})", times(low.0), low.1.runner)
        } else {
            format!(
                "{} ({}) to {} ({})",
                times(low.0),
                low.1.runner,
                times(high.0),
                high.1.runner
            )
        }
    };
    let b_ratios: Vec<(f64, &Cell)> = batched.iter().map(|(c, m, s, _)| (m / s, *c)).collect();
    // Merging far cheaper reads better as how many times dearer shared memory was.
    let s_ratios: Vec<(f64, &Cell)> = batched.iter().map(|(c, m, s, _)| (s / m, *c)).collect();
    let slower: Vec<&str> = batched
        .iter()
        .filter(|(_, m, s, _)| m >= s)
        .map(|(c, ..)| c.runner.as_str())
        .collect();
    let faster: Vec<&str> = batched
        .iter()
        .filter(|(_, m, s, _)| m < s)
        .map(|(c, ..)| c.runner.as_str())
        .collect();
    let batched_part = if faster.is_empty() {
        Part::Holds(format!(
            "merging private copies cost {} the fastest shared-memory update",
            ratio_range(&b_ratios)
        ))
    } else if slower.is_empty() {
        Part::Fails(format!(
            "batched, messages were faster: the fastest shared-memory update cost {} as much as \
             merging private copies on the same runner",
            ratio_range(&s_ratios)
        ))
    } else {
        Part::Fails(format!(
            "batched, messages were faster on {} but slower on {}",
            join_and(&faster.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
            join_and(&slower.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        ))
    };
    let u_ratios: Vec<(f64, &Cell)> = per_update.iter().map(|(c, h, a)| (h / a, *c)).collect();
    let update_part = if per_update.is_empty() {
        Part::Unmeasured(
            "a message per update".into(),
            format!(
                "needs `{CHANNELS}` and `{SHARED_ATOMIC}` finished on one runner at one thread \
                 count"
            ),
        )
    } else if per_update.iter().all(|(_, h, a)| h > a) {
        Part::Holds(format!(
            "one message per update costs more: a channel hop cost {} an atomic update",
            ratio_range(&u_ratios)
        ))
    } else {
        Part::Fails(format!(
            "a channel hop cost {} an atomic update",
            ratio_range(&u_ratios)
        ))
    };
    let (verdict, why) = combine(vec![
        ("when messages are batched", batched_part),
        ("when a message is sent per update", update_part),
    ]);
    // Until this claim derives a typed finding, its † is read from its words.
    let extrapolated = measured.iter().any(|m| m.contains('†')) || why.contains('†');
    Check {
        claim,
        experiment,
        rule,
        measured,
        verdict,
        why,
        extrapolated,
    }
}
