//! Whether two results files come from the same machine and build: the fields of
//! their fingerprints that decide whether absolute times can be compared. Used by
//! the regression check (absolute values or within-run ratios) and by baselines
//! (runs of one plan on one machine).

use crate::model::Results;
use std::collections::{BTreeMap, BTreeSet};

/// How the two runs' fingerprints differ, one human-readable line per field:
/// `cpu_model: X -> Y`, then `kernel`, `logical_cores`, `rustc`, `profile`, one
/// line per runtime crate whose version differs (`crate_versions.tokio: 1.47.1 ->
/// 1.48.0`, `(none)` for a crate on one side only; not the crates that added
/// runners or workloads, whose versions are the code under test, like the git
/// commit), `config.threads` and
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
    let under_test = added_by(baseline)
        .chain(added_by(results))
        .collect::<BTreeSet<_>>();
    let crates: BTreeSet<&String> = a
        .crate_versions
        .keys()
        .chain(b.crate_versions.keys())
        .filter(|name| !under_test.contains(name))
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

/// The crates that added runners or workloads to the binary that wrote `results`
/// (schema 8's `origin`).
fn added_by(results: &Results) -> impl Iterator<Item = &String> {
    let runners = results.runners.iter().filter_map(|r| r.origin.as_ref());
    let workloads = results.workloads.iter().filter_map(|w| w.origin.as_ref());
    runners.chain(workloads).map(|o| &o.crate_name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Origin;

    #[test]
    fn an_added_crates_version_is_the_code_under_test_not_the_machine() {
        let baseline = crate::fixtures::per_core();
        let mut now = baseline.clone();
        assert!(machine_differences(&baseline, &now).is_empty());
        // The outside crate's binary: the crate appears, with its runner.
        now.machine
            .crate_versions
            .insert("custom-runtime".into(), "0.2.0".into());
        assert_eq!(
            machine_differences(&baseline, &now),
            ["crate_versions.custom-runtime: (none) -> 0.2.0"]
        );
        now.runners[0].origin = Some(Origin {
            crate_name: "custom-runtime".into(),
            version: "0.2.0".into(),
        });
        assert!(machine_differences(&baseline, &now).is_empty());
        assert!(machine_differences(&now, &baseline).is_empty());
        // A runtime crate's version still counts.
        now.machine
            .crate_versions
            .insert("tokio".into(), "0.0.1".into());
        assert_eq!(machine_differences(&baseline, &now).len(), 1);
    }
}
