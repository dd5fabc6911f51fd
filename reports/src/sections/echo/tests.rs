//! The section's findings on the hand-made schema-5 run (knees, their order,
//! the generator-bound flag, waiting connections, growth) and on an older file
//! (every cell flagged as measured with in-cell clients), with the wording
//! checked where it is the point.

use super::*;
use crate::model::{Results, Status};
use crate::network::{CLOSED, CONNS, ONE, OPEN};
use crate::summary::Summarized;

fn finding(results: &Results) -> EchoFinding {
    let summarized = Summarized::new(results.clone());
    let report = Report::new(&summarized, &[]);
    report.echo().as_ref().clone().expect("network cells")
}

fn table<'f>(f: &'f EchoFinding, workload: &str) -> &'f Table {
    f.tables
        .iter()
        .find(|t| t.workload == workload)
        .unwrap_or_else(|| panic!("no table {workload}"))
}

fn runner<'t>(t: &'t Table, name: &str) -> &'t Runner {
    t.runners
        .iter()
        .find(|r| r.runner == name)
        .unwrap_or_else(|| panic!("no {name} in {}", t.workload))
}

fn names(t: &Table) -> Vec<&str> {
    t.runners.iter().map(|r| r.runner.as_str()).collect()
}

fn render(results: &Results) -> String {
    crate::markdown::render(results)
}

#[test]
fn knees_rank_the_ladder_and_equal_knees_go_to_the_cheaper_server() {
    let f = finding(&crate::fixtures::network());
    assert_eq!(f.knee_p99_bound_us, 1_000.0);
    let open = table(&f, OPEN);
    let Plan::Rates { rates_per_s } = &open.plan else {
        panic!("{:?}", open.plan)
    };
    assert_eq!(rates_per_s.len(), 6);
    let knee = |name: &str| runner(open, name).knee.unwrap();
    // tokio-mt stands with 2 threads, whose knee (80,000) beats 1 thread's.
    assert_eq!(runner(open, "tokio-mt").threads, 2);
    assert_eq!(knee("tokio-mt").rate_per_s, Some(80_000.0));
    assert_eq!(knee("tokio-ct").rate_per_s, Some(40_000.0));
    assert_eq!(knee("threads").rate_per_s, Some(20_000.0));
    // A pool of 2 serving 50 connections is over the bound at every rate.
    assert_eq!(knee("thread-pool").rate_per_s, None);
    // smol-mt missed 80,000 because the generator fell behind: a floor.
    let smol = knee("smol-mt");
    assert_eq!(smol.rate_per_s, Some(40_000.0));
    assert!(smol.floor && !knee("tokio-ct").floor);
    // smol-mt and tokio-ct share a knee; at 40,000 req/s, the highest rate
    // both kept up with, smol-mt spent less CPU per request (8.6 against 9.0).
    assert_eq!(
        names(open),
        ["tokio-mt", "smol-mt", "tokio-ct", "threads", "thread-pool"]
    );
    assert_eq!(
        open.unfinished,
        [Unfinished {
            status: Status::Timeout,
            runners: vec!["processes".into()]
        }]
    );
}

#[test]
fn a_generator_bound_step_is_flagged_as_a_floor() {
    let results = crate::fixtures::network();
    let f = finding(&results);
    let smol = runner(table(&f, CLOSED), "smol-mt");
    let bound = smol.steps[0].generator_bound.as_ref().unwrap();
    assert_eq!(bound.samples, 2);
    assert!(bound.reason.as_deref().unwrap().contains("saturated"));
    assert!(
        runner(table(&f, CLOSED), "tokio-mt").steps[0]
            .generator_bound
            .is_none()
    );
    // The share of the machine the generator took is beside the figure.
    assert_eq!(smol.steps[0].generator_cores, Some(0.98));
    assert_eq!(f.logical_cores, 2);
    let report = render(&results);
    assert!(report.contains("|          ≥ 121,300 |                   0.98 |"));
    assert!(report.contains(
        "≥ The generator, not the server, limited these: it saturated its CPU or fell behind \
         its own schedule, so their figures are floors of the server's capacity, not its \
         measure.\n\n- smol-mt (in 2 of its samples)\n"
    ));
    // On a ladder, the steps by rate, and the generator's own words in the details.
    assert!(
        report.contains("smol-mt at 80,000 and 160,000 req/s"),
        "{report}"
    );
    let details = crate::markdown::render_details(&results);
    assert!(details.contains(
        "- smol-mt at 80,000 req/s (3 of its samples: fell behind its schedule by more than 1 ms)"
    ));
}

#[test]
fn a_pool_narrower_than_its_connections_shows_the_wait_in_its_slowest_request() {
    let results = crate::fixtures::network();
    let f = finding(&results);
    let closed = table(&f, CLOSED);
    let pool = closed
        .waiting
        .iter()
        .find(|w| w.runner == "thread-pool")
        .unwrap();
    assert_eq!((pool.served_at_once, pool.connections), (2, 50));
    // Against the runner on a reactor whose slowest request was fastest at the
    // same step.
    let against = pool.against.as_ref().unwrap();
    assert_eq!(against.runner, "tokio-ct");
    assert!((against.ratio - 95_500.0 / 2_255.0).abs() < 1e-9);
    // Runners on a reactor or with a thread per connection never wait.
    let waiting: Vec<&str> = closed.waiting.iter().map(|w| w.runner.as_str()).collect();
    assert_eq!(waiting, ["thread-pool", "processes", "seq"]);
    // On a ladder, at its lowest rate; on a sweep, at the largest count a
    // reactor runner also ran.
    let open = &table(&f, OPEN).waiting[0];
    assert_eq!(open.offered_per_s, Some(5_000.0));
    let conns = &table(&f, CONNS).waiting[0];
    assert_eq!(
        (conns.connections, conns.runner.as_str()),
        (1000, "thread-pool")
    );
    assert_eq!(conns.against.as_ref().unwrap().runner, "smol-mt");
    assert!(render(&results).contains(
        "thread-pool (2 threads) serves at most 2 connections at a time, so the other 48 of 50 \
         wait their turn: its slowest request took 95.5 ms, against 2.26 ms on tokio-ct (42.4×)."
    ));
}

#[test]
fn the_sweep_of_connections_says_where_throughput_stops_growing() {
    let f = finding(&crate::fixtures::network());
    let conns = table(&f, CONNS);
    assert_eq!(
        conns.plan,
        Plan::Connections {
            counts: vec![1, 10, 100, 500, 1000]
        }
    );
    assert_eq!(
        runner(conns, "tokio-mt").growth,
        Some(Growth::StopsAt {
            connections: 100,
            throughput_per_s: 121_000.0
        })
    );
    assert_eq!(
        runner(conns, "smol-mt").growth,
        Some(Growth::StillGrowing { connections: 1000 })
    );
    // Memory per connection where the server held every connection at once.
    let tokio = runner(conns, "tokio-mt");
    assert_eq!(tokio.steps[3].rss_per_connection_bytes, Some(9_420.0));
    assert!(
        runner(conns, "thread-pool")
            .steps
            .iter()
            .all(|s| s.rss_per_connection_bytes.is_none())
    );
    // The cap is a note on the runner it applies to.
    assert_eq!(conns.notes.len(), 1);
    assert_eq!(runner(conns, "threads").notes, [1]);
    let statuses: Vec<Status> = conns.unfinished.iter().map(|u| u.status).collect();
    assert_eq!(statuses, [Status::NotApplicable, Status::Failed]);
}

#[test]
fn a_disturbed_cell_is_shown_last_and_named() {
    let f = finding(&crate::fixtures::network());
    let one = table(&f, ONE);
    assert_eq!(names(one).last(), Some(&"threads"));
    assert!(runner(one, "threads").disturbed);
    assert_eq!(f.disturbed.len(), 1);
    assert_eq!(f.disturbed[0].cell.runner, "threads");
    assert!(f.in_cell_clients.is_empty());
}

#[test]
fn cells_of_older_files_are_flagged_as_measured_with_in_cell_clients() {
    let results = crate::fixtures::v2();
    let f = finding(&results);
    let rows = || f.tables.iter().flat_map(|t| &t.runners);
    assert!(rows().all(|r| r.in_cell_clients));
    assert_eq!(f.in_cell_clients.len(), rows().count());
    // Nothing the generator measures is made up for them.
    assert!(rows().all(|r| r.knee.is_none() && r.growth.is_none()));
    assert!(
        rows()
            .flat_map(|r| &r.steps)
            .all(|s| s.server_cpu_us_per_request.is_none() && s.generator_cores.is_none())
    );
    assert!(f.tables.iter().all(|t| t.waiting.is_empty()));
    let report = render(&results);
    let section = &report[report.find("## Network servers").unwrap()..];
    let section = &section[..section[3..]
        .find("\n## ")
        .map_or(section.len(), |end| end + 3)];
    assert!(section.contains("¶ Measured before the external generator (results schema 4"));
    assert!(section.contains("| tokio-mt ¶ "));
    assert!(!section.contains("Generator [cores"));
    assert!(!section.contains("knee"));
}
