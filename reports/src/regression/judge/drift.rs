//! The machine's drift since the baseline: the geometric mean of the calibration
//! cells' ratios of medians, now / baseline.

use crate::baseline::{RunValues, clean_values};
use crate::model::{Cell, Repeats, Results, Status};
use crate::regression::{CALIBRATION_CELLS, CheckOptions, Drift, FLOOR_MIN_RUNS, Metric};
use crate::stats::median;

/// The calibration cells present and finished (and not disturbed) on both sides.
pub(super) fn calibration_keys(baseline: &Results, results: &Results) -> Vec<String> {
    let usable = |r: &Results, key: &str| {
        r.cells
            .iter()
            .any(|c| c.key() == key && c.status == Status::Ok && !c.disturbed())
    };
    CALIBRATION_CELLS
        .iter()
        .filter(|key| usable(baseline, key) && usable(results, key))
        .map(|key| (*key).to_owned())
        .collect()
}

/// The drift measured on the `calibration` cells, `None` without any ratio.
pub(super) fn measure(
    baseline: &Results,
    repeats: Option<&Repeats>,
    results: &Results,
    calibration: &[String],
    options: &CheckOptions,
) -> Option<Drift> {
    // The baseline's wall: the median of its runs' medians where it has enough
    // of them, else its own samples' median.
    let reference_wall = |cell: &Cell| -> Option<f64> {
        let floor_runs = repeats
            .and_then(|r| r.cells.get(&cell.key()))
            .map(|r| clean_values(r, Metric::MedianWall))
            .filter(|v| v.len() >= FLOOR_MIN_RUNS);
        floor_runs
            .map(|v| median(&v))
            .or_else(|| RunValues::of(cell).median_wall_s)
    };
    let ratios: Vec<(String, f64)> = calibration
        .iter()
        .filter_map(|key| {
            let b = baseline.cells.iter().find(|c| &c.key() == key)?;
            let n = results.cells.iter().find(|c| &c.key() == key)?;
            let ratio = RunValues::of(n).median_wall_s? / reference_wall(b)?;
            ratio.is_finite().then(|| (key.clone(), ratio))
        })
        .collect();
    if ratios.is_empty() {
        return None;
    }
    let log_mean = ratios.iter().map(|(_, r)| r.ln()).sum::<f64>() / ratios.len() as f64;
    Some(Drift {
        cells: ratios,
        factor: log_mean.exp(),
        normalized: options.normalize,
    })
}
