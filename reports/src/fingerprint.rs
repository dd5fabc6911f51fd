//! Whether two results files come from the same machine and build: the fields of
//! their fingerprints that decide whether absolute times can be compared. Used by
//! the regression check (absolute values or within-run ratios) and by baselines
//! (runs of one plan on one machine).

use crate::model::Results;
use std::collections::{BTreeMap, BTreeSet};

/// How the two runs' fingerprints differ, one human-readable line per field:
/// `cpu_model: X -> Y`, then `kernel`, `logical_cores`, `rustc`, `profile`, one
/// line per runtime crate whose version differs (`crate_versions.tokio: 1.47.1 ->
/// 1.48.0`, `(none)` for a crate on one side only), `config.threads` and
/// `config.preset`, and one line per interpreter both runs found whose
/// description differs (`interpreters.python3: CPython 3.11.7, GIL enabled ->
/// CPython 3.12.1, GIL enabled`). Empty when they match. OS name, features,
/// environment and git commit are not part of it: the commit differs by design,
/// and the others are shown in reports. An interpreter only one run found is no
/// difference: a run finds interpreters only when it selects a runner that runs
/// in one, and the cells of that runner exist on one side only, so no absolute
/// time rests on it.
pub fn machine_differences(baseline: &Results, results: &Results) -> Vec<String> {
    let (a, b) = (&baseline.machine, &results.machine);
    let mut out = Vec::new();
    let mut diff = |field: &str, x: String, y: String| {
        if x != y {
            out.push(format!("{field}: {x} -> {y}"));
        }
    };
    diff("cpu_model", a.cpu_model.clone(), b.cpu_model.clone());
    diff("kernel", a.kernel.clone(), b.kernel.clone());
    diff(
        "logical_cores",
        a.logical_cores.to_string(),
        b.logical_cores.to_string(),
    );
    diff("rustc", a.rustc.clone(), b.rustc.clone());
    diff("profile", a.profile.clone(), b.profile.clone());
    let crates: BTreeSet<&String> = a
        .crate_versions
        .keys()
        .chain(b.crate_versions.keys())
        .collect();
    for name in crates {
        let version = |m: &BTreeMap<String, String>| {
            m.get(name).cloned().unwrap_or_else(|| "(none)".to_owned())
        };
        diff(
            &format!("crate_versions.{name}"),
            version(&a.crate_versions),
            version(&b.crate_versions),
        );
    }
    for (command, before) in &a.interpreters {
        if let Some(after) = b.interpreters.get(command) {
            diff(
                &format!("interpreters.{command}"),
                before.clone(),
                after.clone(),
            );
        }
    }
    diff(
        "config.threads",
        format!("{:?}", baseline.config.threads),
        format!("{:?}", results.config.threads),
    );
    diff(
        "config.preset",
        baseline.config.preset.clone(),
        results.config.preset.clone(),
    );
    out
}
