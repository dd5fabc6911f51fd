//! `findings.json` read back: written beside the report, parsed, and its numbers
//! are the results' own.

use rtcompare_reports::summary::Summarized;
use rtcompare_reports::{Format, load, write_report};
use serde_json::Value;
use std::path::Path;

#[test]
fn findings_are_written_beside_the_report_with_the_numbers_it_prints() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results.json");
    let results = Summarized::new(load(&fixture).unwrap());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("findings-read-back");
    std::fs::create_dir_all(&dir).unwrap();
    let report = dir.join("report.md");
    let written = write_report(&results, &report, &[Format::Markdown]).unwrap();
    let path = dir.join("findings.json");
    assert!(written.contains(&path), "{written:?}");
    let text = std::fs::read_to_string(&path).unwrap();
    let findings: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(findings["findings_version"], 7);
    assert_eq!(
        findings["results"]["schema_version"],
        results.schema_version
    );

    // Every cell of the grid is a finished cell of its class, with the speedup its
    // summary holds, and the report prints it.
    let markdown = std::fs::read_to_string(&report).unwrap();
    let grid = &findings["sections"]["grid"];
    let workloads: Vec<&str> = grid["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(!workloads.is_empty());
    let mut shown = 0;
    for row in grid["rows"].as_array().unwrap() {
        let class = row["class"].as_str().unwrap();
        for (workload, best) in workloads.iter().zip(row["best"].as_array().unwrap()) {
            if best.is_null() {
                continue;
            }
            let (runner, threads) = (
                best["runner"].as_str().unwrap(),
                best["threads"].as_u64().unwrap(),
            );
            let cell = results
                .cells
                .iter()
                .find(|c| {
                    c.runner == runner && c.workload == *workload && c.threads as u64 == threads
                })
                .unwrap_or_else(|| panic!("no cell {runner}/{workload}/t{threads}"));
            assert_eq!(serde_json::to_value(cell.class).unwrap(), class);
            let speedup = cell.summary.as_ref().unwrap().speedup_vs_seq.unwrap();
            assert_eq!(best["speedup"].as_f64().unwrap(), speedup);
            assert!(
                markdown.contains(&format!("{runner} (t{threads}) {:.2}×", speedup))
                    || markdown.contains(&format!("{runner} (t{threads}) {:.1}×", speedup))
                    || markdown.contains(&format!("{runner} (t{threads}) {:.0}×", speedup)),
                "{runner}/{workload}/t{threads} at {speedup}× is not in the report's grid"
            );
            shown += 1;
        }
    }
    assert!(shown > 0);

    // The claims, in the order the report numbers them, each with a finding.
    let claims: Vec<&str> = findings["sections"]["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert!(c["finding"].is_object(), "{c}");
            c["claim"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        claims,
        [
            "lightweight",
            "isolation",
            "one-core",
            "cores-bound",
            "advice",
            "gil-cpu",
            "gil-waits",
            "message-passing"
        ]
    );

    // Deterministic, as the report is.
    write_report(&results, &report, &[Format::Markdown]).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

/// The findings of the fixture `name`, as `findings.json` holds them.
fn findings_of(name: &str) -> Value {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let results = Summarized::new(load(&fixture).unwrap());
    serde_json::from_str(&rtcompare_reports::findings::render_summarized(&results)).unwrap()
}

#[test]
fn every_section_with_something_to_show_has_its_findings_in_report_order() {
    let keys =
        |v: &Value| -> Vec<String> { v["sections"].as_object().unwrap().keys().cloned().collect() };
    // Schema 2: TCP echo, the hogs and overhead workloads.
    assert_eq!(
        keys(&findings_of("results-v2.json")),
        [
            "header",
            "answers",
            "grid",
            "combinations",
            "claims",
            "verdict",
            "tcp-echo",
            "hogs",
            "disclosures",
            "glossary",
            "workloads"
        ]
    );
    // Crash isolation, processes and the GIL.
    assert_eq!(
        keys(&findings_of("results-claims.json")),
        [
            "header",
            "answers",
            "grid",
            "combinations",
            "claims",
            "verdict",
            "crash-isolation",
            "disclosures",
            "glossary",
            "workloads"
        ]
    );
    // The CPython runners: their own section after the claims, which compare
    // them with the emulation.
    let cpython = findings_of("cpython.json");
    assert_eq!(
        keys(&cpython),
        [
            "header",
            "answers",
            "grid",
            "combinations",
            "claims",
            "cpython",
            "verdict",
            "crash-isolation",
            "disclosures",
            "glossary",
            "workloads"
        ]
    );
    let gil_cpu = &cpython["sections"]["claims"][5];
    assert_eq!(gil_cpu["claim"], "gil-cpu");
    let against = &gil_cpu["finding"]["against_cpython"];
    assert_eq!(against["agreement"], "agrees");
    assert_eq!(against["tolerance"], 0.15);
    assert_eq!(
        against["compared"][0]["interpreted"]["cell"]["runner"],
        "cpython-threads"
    );
    assert_eq!(against["compared"][0]["baseline"], "cpython-seq");
    assert_eq!(against["interpreter_verdict"]["verdict"], "Holds");
    // Without CPython runners, no claim carries the field.
    let claims = findings_of("results-claims.json");
    for claim in claims["sections"]["claims"].as_array().unwrap() {
        assert!(claim["finding"].get("against_cpython").is_none(), "{claim}");
    }

    // Every workload of the quick run has a verdict and a table, in one order.
    let quick = findings_of("quick-results.json");
    let verdicts: Vec<&str> = quick["sections"]["verdict"]["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["workload"].as_str().unwrap())
        .collect();
    let mut tables: Vec<&str> = quick["sections"]["workloads"]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["workload"].as_str().unwrap())
        .collect();
    let mut sorted = verdicts.clone();
    sorted.sort_unstable();
    tables.sort_unstable();
    assert_eq!(sorted, tables);
    assert!(verdicts.len() >= 10, "{verdicts:?}");
}

/// The network section's findings carry the generator's numbers as the results
/// file holds them: each knee is an offered rate of the runner's own steps, served
/// within the bound, and no rate above it was.
#[test]
fn network_findings_carry_knees_from_the_steps() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/network.json");
    let results = load(&fixture).unwrap();
    let findings = findings_of("network.json");
    let echo = &findings["sections"]["tcp-echo"];
    assert_eq!(echo["knee_p99_bound_us"], 1000.0);
    let open = echo["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["workload"] == "tcp-echo-open")
        .unwrap();
    let mut checked = 0;
    for row in open["runners"].as_array().unwrap() {
        let Some(knee) = row["knee"]["rate_per_s"].as_f64() else {
            continue;
        };
        let cell = results
            .cells
            .iter()
            .find(|c| {
                c.workload == "tcp-echo-open"
                    && c.runner == row["runner"]
                    && c.threads as u64 == row["threads"].as_u64().unwrap()
            })
            .unwrap();
        let steps = &cell.load.as_ref().unwrap().steps;
        let within = |s: &rtcompare_reports::LoadStep| s.kept_up() && s.latency_us.p99 <= 1000.0;
        let at = steps
            .iter()
            .find(|s| s.offered_rate_per_s == Some(knee))
            .unwrap();
        assert!(within(at), "{}", row["runner"]);
        assert!(
            steps
                .iter()
                .filter(|s| s.offered_rate_per_s > Some(knee))
                .all(|s| !within(s)),
            "{}",
            row["runner"]
        );
        checked += 1;
    }
    assert_eq!(checked, 4);
    // The answers rank the ladder by knee.
    let answers = findings["sections"]["answers"]["answers"]
        .as_array()
        .unwrap();
    let offered = answers
        .iter()
        .find(|a| a["work"] == "TcpOfferedLoad")
        .unwrap();
    assert_eq!(offered["pick"]["Ordered"]["winner"]["median"], 80000.0);
}
