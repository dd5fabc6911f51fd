//! The `spawn` workload as bare programs, one runtime each and no rtcompare crate, so
//! anyone can check that rtcompare's `ns-per-task` is the runtime's and not the
//! harness's:
//!
//! ```sh
//! cargo run --release --example bare_spawn              # 2 workers, 100,000 tasks
//! cargo run --release --example bare_spawn -- 4 1000000 # 4 workers, 1,000,000 tasks
//! cargo compare --quick --runners tokio-ct,tokio-mt,smol-local,smol-mt --threads 2 --workloads spawn
//! ```
//!
//! Each program runs a root task inside the runtime that spawns N empty tasks (each
//! returning its index), keeps the handles, awaits them all and checks the sum of the
//! indices; the root times itself from before the first spawn to after the last await.
//! It prints the median ns per task of 11 runs after a warm-up.

use std::sync::Arc;
use std::time::{Duration, Instant};

const RUNS: usize = 11;

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

/// Runs `run` (which returns the root's own timing) once to warm up, then `RUNS`
/// times, and prints the median per task.
fn report(name: &str, tasks: usize, mut run: impl FnMut() -> Duration) {
    run();
    let wall = median((0..RUNS).map(|_| run()).collect());
    println!(
        "{name:<34} {:>8.1} ns/task",
        wall.as_nanos() as f64 / tasks as f64
    );
}

fn check(sum: u64, tasks: usize) {
    let n = tasks as u64;
    assert_eq!(sum, n * n.saturating_sub(1) / 2, "wrong sum of indices");
}

async fn tokio_body(tasks: usize) -> Duration {
    let mut handles = Vec::with_capacity(tasks);
    let start = Instant::now();
    for i in 0..tasks {
        handles.push(tokio::spawn(async move { i as u64 }));
    }
    let mut sum = 0u64;
    for h in handles {
        sum = sum.wrapping_add(h.await.unwrap());
    }
    let elapsed = start.elapsed();
    check(sum, tasks);
    elapsed
}

async fn smol_body(ex: Arc<smol::Executor<'static>>, tasks: usize) -> Duration {
    let mut handles = Vec::with_capacity(tasks);
    let start = Instant::now();
    for i in 0..tasks {
        handles.push(ex.spawn(async move { i as u64 }));
    }
    let mut sum = 0u64;
    for h in handles {
        sum = sum.wrapping_add(h.await);
    }
    let elapsed = start.elapsed();
    check(sum, tasks);
    elapsed
}

fn main() {
    let mut args = std::env::args().skip(1);
    let workers: usize = args.next().map_or(2, |s| s.parse().expect("worker count"));
    let tasks: usize = args
        .next()
        .map_or(100_000, |s| s.parse().expect("task count"));
    println!("{tasks} empty tasks spawned inside the runtime, then awaited; median of {RUNS}");

    let ct = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    report("tokio current_thread", tasks, || {
        ct.block_on(async { tokio::spawn(tokio_body(tasks)).await.unwrap() })
    });
    drop(ct);

    let mt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .unwrap();
    report(
        &format!("tokio multi_thread ({workers} workers)"),
        tasks,
        || mt.block_on(async { tokio::spawn(tokio_body(tasks)).await.unwrap() }),
    );
    drop(mt);

    let local = std::rc::Rc::new(smol::LocalExecutor::new());
    report("smol LocalExecutor", tasks, || {
        let spawner = std::rc::Rc::clone(&local);
        smol::block_on(local.run(local.spawn(async move {
            let mut handles = Vec::with_capacity(tasks);
            let start = Instant::now();
            for i in 0..tasks {
                handles.push(spawner.spawn(async move { i as u64 }));
            }
            let mut sum = 0u64;
            for h in handles {
                sum = sum.wrapping_add(h.await);
            }
            let elapsed = start.elapsed();
            check(sum, tasks);
            elapsed
        })))
    });

    let ex = Arc::new(smol::Executor::new());
    let (stop, stopped) = smol::channel::bounded::<()>(1);
    let threads: Vec<_> = (0..workers)
        .map(|_| {
            let (ex, stopped) = (Arc::clone(&ex), stopped.clone());
            std::thread::spawn(move || smol::block_on(ex.run(stopped.recv())))
        })
        .collect();
    report(&format!("smol Executor ({workers} threads)"), tasks, || {
        smol::block_on(ex.spawn(smol_body(Arc::clone(&ex), tasks)))
    });
    drop(stop);
    for t in threads {
        let _ = t.join().unwrap();
    }
}
