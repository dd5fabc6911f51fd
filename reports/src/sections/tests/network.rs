//! What a run of network servers under the external load generator brings to the
//! sections beside their own: the verdict ranks them as servers, the
//! disclosures describe the generator once, the workload tables carry the
//! server's CPU per request and the generator's cores.

use super::*;
use crate::sections::Report;
use crate::sections::verdict::{Outcome, ServedBy};

fn network() -> Results {
    crate::fixtures::network()
}

#[test]
fn the_verdict_ranks_servers_by_knee_and_throughput() {
    let summarized = crate::summary::Summarized::new(network());
    let report = Report::new(&summarized, &[]);
    let verdict = report.verdict_finding();
    let outcome = |w: &str| {
        &verdict
            .workloads
            .iter()
            .find(|v| v.workload == w)
            .unwrap()
            .outcome
    };
    let Outcome::Served(open) = outcome("tcp-echo-open") else {
        panic!("{:?}", outcome("tcp-echo-open"))
    };
    assert!(matches!(open.by, ServedBy::Knee { p99_bound_us } if p99_bound_us == 1_000.0));
    let leaders: Vec<(&str, Option<f64>, bool)> = open
        .leaders
        .iter()
        .map(|l| (l.cell.runner.as_str(), l.value, l.floor))
        .collect();
    assert_eq!(
        leaders,
        [
            ("tokio-mt", Some(80_000.0), false),
            ("smol-mt", Some(40_000.0), true)
        ]
    );
    let Outcome::Served(closed) = outcome("tcp-echo") else {
        panic!("{:?}", outcome("tcp-echo"))
    };
    assert_eq!(closed.by, ServedBy::Throughput);
    assert_eq!(closed.leaders[0].cell.runner, "smol-mt");
    assert!(closed.leaders[0].floor);
    let text = render(&network());
    assert!(verdict_of(&text, "tcp-echo-open").contains(
        "Highest tokio-mt (2 threads) at 80,000 req/s (server CPU 13.4 µs per request; \
         generator 0.46 of 2 cores), then smol-mt (2 threads) at ≥ 40,000 req/s"
    ));
    // An older file's sockets keep the verdict they always had.
    let old = crate::fixtures::quick();
    assert!(!render(&old).contains("Served to the external load generator"));
}

#[test]
fn the_disclosures_describe_the_generator_once() {
    let results = network();
    let facts = Report::new(&results, &[]).derive_disclosures().facts;
    let placements: Vec<&GeneratorPlacement> = facts
        .iter()
        .filter_map(|f| match f {
            HarnessFact::LoadGenerator(g) => Some(g),
            _ => None,
        })
        .collect();
    let [g] = placements.as_slice() else {
        panic!("{facts:?}")
    };
    assert_eq!(g.threads, [1]);
    assert_eq!(g.pinned, [false]);
    assert_eq!(g.generator_cpus, [0, 1]);
    assert_eq!(g.cells, 26);
    assert!(g.serving_in_parts);
    assert!(
        !facts
            .iter()
            .any(|f| matches!(f, HarnessFact::InCellClients { .. }))
    );
    let text = disclosures(&crate::markdown::render(&results)).to_owned();
    assert!(text.contains("running a mio event loop paced by timerfd on 1 thread. Not pinned"));
    // An older file says once that its network cells had the clients inside.
    let old = Report::new(&crate::fixtures::v2(), &[])
        .derive_disclosures()
        .facts;
    assert!(old.contains(&HarnessFact::InCellClients { cells: 32 }));
    assert!(
        !old.iter()
            .any(|f| matches!(f, HarnessFact::LoadGenerator(_)))
    );
}

#[test]
fn network_tables_carry_server_cpu_per_request_and_generator_cores() {
    let results = network();
    let summarized = crate::summary::Summarized::new(results.clone());
    let report = Report::new(&summarized, &[]);
    let finding = report.workloads_finding();
    let open = finding
        .tables
        .iter()
        .find(|t| t.workload == "tcp-echo-open")
        .unwrap();
    assert!(open.columns.served);
    let row = open
        .rows
        .iter()
        .find(|r| r.runner == "tokio-mt" && r.threads == 2)
        .unwrap();
    let m = row.measured.as_ref().unwrap();
    // Over every step, weighted by its requests; the generator at its most.
    let steps = &results
        .cells
        .iter()
        .find(|c| c.workload == "tcp-echo-open" && c.runner == "tokio-mt" && c.threads == 2)
        .unwrap()
        .load
        .as_ref()
        .unwrap()
        .steps;
    let requests: f64 = steps.iter().map(|s| s.requests as f64).sum();
    let cpu: f64 = steps
        .iter()
        .map(|s| s.server_cpu_us_per_request * s.requests as f64)
        .sum();
    assert!((m.server_cpu_us_per_request.unwrap() - cpu / requests).abs() < 1e-9);
    assert_eq!(m.generator_cores, Some(0.70));
    assert!(!row.in_cell_clients);
    let details = crate::markdown::render_details(&results);
    assert!(details.contains("| Server CPU [µs/req] | Generator [cores] |"));
    // Older files' network rows are marked, and have no such columns.
    let old = crate::markdown::render_details(&crate::fixtures::v2());
    assert!(old.contains("| tokio-mt ¶ "));
    assert!(!old.contains("Server CPU [µs/req]"));
}
