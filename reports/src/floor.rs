//! The noise floor of one cell on one metric: how far from the baseline's value a
//! new run can land with nothing changed, as the baseline's repeated runs and
//! processes showed it. The regression check ([`crate::regression`]) requires a
//! change to clear `max(configured band, floor)`.
//!
//! Two measurements, the larger wins:
//! - **run to run**: `k ×` the relative interquartile range of the baseline's
//!   per-run values (rustc-perf's anchor: Tukey's fence on historic changes);
//! - **process reach**: the farthest any one of the baseline's cell processes
//!   landed from the reference (the median of the per-run values), in either
//!   direction, measured on the ratio's log scale. A cell's samples drift together
//!   within one process (memory layout, allocator state, thread placement), and
//!   some cells settle into modes: `futures-local/shared-async-mutex` ran at 3.8 ms
//!   in 8 of 9 processes and at 6.3 ms in one. Three runs can agree while a check's
//!   two processes land in the rare mode; the interquartile range of three values
//!   never sees it, the farthest process does.

use crate::stats::median;

/// Fewest baseline processes for a process reach.
pub const MIN_PROCESSES: usize = 2;

/// A cell's noise floor on one metric, with what it rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Floor {
    /// Relative interquartile range of the baseline's per-run values.
    pub run_spread: f64,
    /// The farthest a baseline process's median fell from [`Floor::reference`], as
    /// a fraction (`exp(max |ln(median / reference)|) − 1`); `None` with fewer than
    /// [`MIN_PROCESSES`] processes.
    pub reach: Option<f64>,
    /// Undisturbed baseline runs behind `run_spread`.
    pub runs: usize,
    /// Baseline processes behind `reach`.
    pub processes: usize,
    /// The baseline's value: the median of its per-run values.
    pub reference: f64,
    /// The multiplier of `run_spread`.
    pub k: f64,
}

impl Floor {
    /// The floor: the larger of `k × run_spread` and the process reach.
    pub fn value(&self) -> f64 {
        (self.k * self.run_spread).max(self.reach.unwrap_or(0.0))
    }

    /// This floor with the reach of `processes` (one group of values per baseline
    /// process) around its reference.
    pub fn with_reach(self, processes: &[Vec<f64>]) -> Floor {
        Floor {
            reach: reach(processes, self.reference),
            processes: processes.len(),
            ..self
        }
    }
}

/// The farthest the median of any group in `processes` lies from `reference`, as
/// a fraction on the log scale (a process at half or at twice the reference both
/// reach 100%); `None` with fewer than [`MIN_PROCESSES`] non-empty groups or a
/// reference that is not a positive number.
pub fn reach(processes: &[Vec<f64>], reference: f64) -> Option<f64> {
    let medians: Vec<f64> = processes
        .iter()
        .filter(|g| !g.is_empty())
        .map(|g| median(g))
        .collect();
    if medians.len() < MIN_PROCESSES || !(reference > 0.0 && reference.is_finite()) {
        return None;
    }
    let farthest = medians
        .iter()
        .filter(|m| **m > 0.0 && m.is_finite())
        .map(|m| (m / reference).ln().abs())
        .fold(0.0_f64, f64::max);
    Some(farthest.exp_m1())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floor(run_spread: f64) -> Floor {
        Floor {
            run_spread,
            reach: None,
            runs: 3,
            processes: 0,
            reference: 1.0,
            k: 1.5,
        }
    }

    #[test]
    fn reach_is_the_farthest_process_either_way() {
        let groups = vec![vec![1.0, 1.02], vec![0.98, 1.0], vec![1.5, 1.52, 1.48]];
        let r = reach(&groups, 1.0).unwrap();
        assert!((r - 0.5).abs() < 1e-9, "{r}");
        // Half the reference reaches as far as twice it.
        let r = reach(&[vec![0.5], vec![1.0]], 1.0).unwrap();
        assert!((r - 1.0).abs() < 1e-9, "{r}");
    }

    #[test]
    fn reach_needs_two_processes_and_a_positive_reference() {
        assert_eq!(reach(&[vec![1.0, 2.0]], 1.0), None);
        assert_eq!(reach(&[vec![1.0], vec![]], 1.0), None);
        assert_eq!(reach(&[vec![1.0], vec![2.0]], 0.0), None);
    }

    #[test]
    fn the_larger_part_is_the_floor() {
        // Runs alike (IQR 2%: 3%), one process in a mode 50% away.
        let f = floor(0.02).with_reach(&[vec![1.0], vec![1.01], vec![1.5]]);
        assert!((f.value() - 0.5).abs() < 1e-9);
        assert_eq!(f.processes, 3);
        // Processes alike, runs spread ±30%: 1.5 × 30% = 45%.
        let f = floor(0.30).with_reach(&[vec![1.0], vec![1.1]]);
        assert!((f.value() - 0.45).abs() < 1e-9);
        // No processes: the runs alone.
        assert!((floor(0.1).value() - 0.15).abs() < 1e-12);
    }
}
