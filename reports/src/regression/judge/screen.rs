//! Which matched pairs are judged at all: cells indexed per side, and a pair kept
//! out (and listed with the reason) when it does not apply on a side, did not
//! finish, ran other parameters on each side, stayed disturbed, or is the
//! reference of normalisation.

use super::{Check, Judge, Pair, Tally};
use crate::model::{Cell, CellRepeats, Status};
use crate::text::plural;
use std::collections::BTreeMap;

/// Cells by (runner, workload, threads); a duplicate is noted and the first kept.
pub(super) fn index<'a>(
    cells: &'a [Cell],
    side: &str,
    notes: &mut Vec<String>,
) -> BTreeMap<(&'a str, &'a str, usize), &'a Cell> {
    let mut map = BTreeMap::new();
    for cell in cells {
        let id = (cell.runner.as_str(), cell.workload.as_str(), cell.threads);
        if let std::collections::btree_map::Entry::Vacant(slot) = map.entry(id) {
            slot.insert(cell);
        } else {
            notes.push(format!(
                "The {side} has cell {} more than once; the first one is used.",
                cell.key()
            ));
        }
    }
    map
}

/// Whether `pair` is judged: false when it is listed instead (applicability
/// changed, not finished, disturbed, the calibration reference) or counted as
/// `n/a` on both sides. Counts the disturbed samples a judged pair leaves out.
pub(super) fn admit(
    judge: &Judge<'_>,
    pair: &Pair<'_>,
    check: &mut Check,
    tally: &mut Tally,
) -> bool {
    let (base, now, key) = (pair.base, pair.now, &pair.key);
    match (base.applies(), now.applies()) {
        (false, false) => {
            tally.both_not_applicable += 1;
            return false;
        }
        (true, false) | (false, true) => {
            check
                .applicability_changed
                .push((key.clone(), applicability_change(base, now)));
            return false;
        }
        (true, true) => {}
    }
    if let Some(why) = not_ok(base, now) {
        check.not_compared.push((key.clone(), why));
        return false;
    }
    if let Some(why) = other_work(base, now) {
        check.not_compared.push((key.clone(), why));
        return false;
    }
    let sides = [
        (disturbed_side(base, pair.reps), base, "the baseline"),
        (disturbed_side(now, None), now, "the results"),
    ];
    let where_: Vec<String> = sides
        .iter()
        .filter(|(d, _, _)| *d)
        .map(|(_, c, side)| {
            let n = c.interference.as_ref().map_or(0, |i| i.disturbed_samples);
            format!(
                "disturbed in {side} ({} stayed disturbed after re-takes)",
                plural(n, "sample", "samples")
            )
        })
        .collect();
    if !where_.is_empty() {
        check.disturbed.push((key.clone(), where_.join("; ")));
        return false;
    }
    tally.excluded_samples += [base, now]
        .iter()
        .map(|c| c.samples.iter().filter(|s| s.disturbed).count())
        .sum::<usize>();
    if judge.options.normalize && judge.calibration.contains(key) && check.drift.is_some() {
        check.not_compared.push((
            key.clone(),
            "calibration cell: the reference of normalisation".to_owned(),
        ));
        return false;
    }
    true
}

/// Whether `cell` is kept out of the check as disturbed: it stayed disturbed after
/// its re-takes, unless it is a baseline cell of repeated runs with at least one
/// undisturbed run (then it is judged on its undisturbed samples).
fn disturbed_side(cell: &Cell, repeats: Option<&CellRepeats>) -> bool {
    match repeats {
        Some(r) if r.disturbed.len() >= 2 => r.disturbed.iter().all(|d| *d),
        _ => cell.disturbed(),
    }
}

/// `: ` and the first line of `cell`'s error, cut at 120 characters; empty
/// without an error.
fn error_line(cell: &Cell) -> String {
    cell.error
        .as_deref()
        .and_then(|e| e.lines().next())
        .map(|e| {
            let short: String = e.chars().take(120).collect();
            if short.len() < e.len() {
                format!(": {short}…")
            } else {
                format!(": {short}")
            }
        })
        .unwrap_or_default()
}

/// How a cell that is `n/a` on exactly one side differs: each side's status, with
/// the reason the workload does not apply (and any failure's first line).
fn applicability_change(base: &Cell, now: &Cell) -> String {
    let side = |cell: &Cell, name: &str| -> String {
        let reason = if cell.status == Status::Ok {
            String::new()
        } else {
            error_line(cell)
        };
        format!("{} in the {name}{reason}", cell.status.as_str())
    };
    format!("{}; {}", side(base, "baseline"), side(now, "results"))
}

/// Why a matched pair ran different work, when it did: its parameters differ (a
/// build whose workload sizes changed, an outside crate's new version, a machine
/// whose limits capped a count). Files that record no parameters are taken at
/// their word.
fn other_work(base: &Cell, now: &Cell) -> Option<String> {
    let recorded = |cell: &Cell| !cell.params.is_null();
    (recorded(base) && recorded(now) && base.params != now.params).then(|| {
        let cut = |cell: &Cell| -> String {
            let text = cell.params.to_string();
            let short: String = text.chars().take(80).collect();
            if short.len() < text.len() {
                format!("{short}…")
            } else {
                short
            }
        };
        format!(
            "other work on each side: parameters {} in the baseline, {} in the results",
            cut(base),
            cut(now)
        )
    })
}

/// Why a matched pair cannot be compared at all: a side did not finish.
fn not_ok(base: &Cell, now: &Cell) -> Option<String> {
    let why = |cell: &Cell, side: &str| -> Option<String> {
        let status = match cell.status {
            Status::Ok => return None,
            Status::Failed => "failed",
            Status::Timeout => "timed out",
            Status::NotApplicable => "n/a",
        };
        let error = error_line(cell);
        Some(format!("{status} in the {side}{error}"))
    };
    if base.status != Status::Ok && base.status == now.status && base.error == now.error {
        return why(base, "baseline and the results");
    }
    let reasons: Vec<String> = [why(base, "baseline"), why(now, "results")]
        .into_iter()
        .flatten()
        .collect();
    (!reasons.is_empty()).then(|| reasons.join("; "))
}
