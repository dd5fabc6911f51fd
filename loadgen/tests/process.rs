//! The generator as a child process: plans in and reports out over its pipes, one
//! generator for several plans, pinning, and a dead generator reported as such.

use rtcompare_loadgen::process::cpus_allowed;
use rtcompare_loadgen::{Generator, Options, Plan, Step, wire};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

const BYTES: usize = 32;

fn exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_rtcompare-loadgen"))
}

/// An echo server on 127.0.0.1:0, thread per connection; with `silent` it never
/// replies.
fn server(silent: bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a test server");
    let addr = listener.local_addr().expect("test server address");
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            thread::spawn(move || serve(stream, silent));
        }
    });
    addr
}

fn serve(mut stream: TcpStream, silent: bool) {
    let mut buf = [0u8; BYTES];
    while stream.read_exact(&mut buf).is_ok() {
        if !silent && stream.write_all(&buf).is_err() {
            return;
        }
    }
}

fn plan(addr: SocketAddr, tag: u64, steps: Vec<Step>) -> Plan {
    Plan {
        addr,
        tag,
        bytes: BYTES,
        steps,
        time_limit_s: 60.0,
    }
}

/// Whether process `pid` exists (zombies included).
fn exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[test]
fn one_generator_runs_plans_in_a_row_and_exits_when_dropped() {
    let addr = server(false);
    let first = plan(
        addr,
        1,
        vec![Step {
            connections: 3,
            round_trips: 20,
            rate_per_s: None,
        }],
    );
    let second = plan(
        addr,
        2,
        vec![Step {
            connections: 2,
            round_trips: 10,
            rate_per_s: Some(4_000.0),
        }],
    );
    let mut generator = Generator::spawn(exe(), &Options::default()).expect("spawn generator");
    let pid = generator.pid();
    // Both plans queued before either answer is read: answers come back in order.
    generator.start(&first).expect("send the first plan");
    generator.start(&second).expect("send the second plan");
    let a = generator.finish().expect("first plan runs");
    let b = generator.finish().expect("second plan runs");
    assert_eq!(a.checksum(), wire::expected(1, BYTES, &first.steps));
    assert_eq!(b.checksum(), wire::expected(2, BYTES, &second.steps));
    assert_eq!((a.steps[0].requests, b.steps[0].requests), (60, 20));
    assert_eq!(b.steps[0].rate_per_s, Some(4_000.0));
    assert!(
        generator
            .finish()
            .unwrap_err()
            .contains("no plan was started")
    );
    // An error inside a plan is an answer, not a death: the generator serves on.
    let mut bad = first.clone();
    bad.bytes = 0;
    assert!(generator.run(&bad).unwrap_err().contains("bytes"));
    assert!(generator.run(&first).is_ok());
    drop(generator);
    assert!(!exists(pid), "generator {pid} left behind");
}

#[test]
fn a_pinned_generator_runs_on_its_cpu_only() {
    let cpu = *cpus_allowed().last().expect("some CPU is allowed");
    let options = Options {
        threads: 2,
        cpus: Some(vec![cpu]),
    };
    let mut generator = Generator::spawn(exe(), &options).expect("spawn generator");
    let steps = vec![Step {
        connections: 4,
        round_trips: 10,
        rate_per_s: None,
    }];
    let report = generator
        .run(&plan(server(false), 3, steps))
        .expect("plan runs");
    assert_eq!(report.steps[0].cpus, [cpu as u32]);
    assert_eq!(report.steps[0].threads, 2);
}

#[test]
fn a_dead_generator_is_reported_with_its_exit_status() {
    // It cannot pin itself to a CPU that does not exist, so it exits at once.
    let options = Options {
        threads: 1,
        cpus: Some(vec![100_000]),
    };
    let mut generator = Generator::spawn(exe(), &options).expect("spawn generator");
    let steps = vec![Step {
        connections: 1,
        round_trips: 1,
        rate_per_s: None,
    }];
    let plan_ = plan(server(false), 4, steps);
    // Writing may already meet a closed pipe; the answer is the death either way.
    let err = match generator.start(&plan_) {
        Ok(()) => generator.finish().unwrap_err(),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("exit status 2"), "{err}");

    // Killed while it waits on a server that never answers.
    let mut generator = Generator::spawn(exe(), &Options::default()).expect("spawn generator");
    let steps = vec![Step {
        connections: 1,
        round_trips: 5,
        rate_per_s: None,
    }];
    generator
        .start(&plan(server(true), 5, steps))
        .expect("send the plan");
    let began = Instant::now();
    let killed = std::process::Command::new("kill")
        .args(["-9", &generator.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let err = generator.finish().unwrap_err();
    assert!(
        err.contains("died before answering: killed by signal 9"),
        "{err}"
    );
    assert!(began.elapsed() < Duration::from_secs(30));
}
