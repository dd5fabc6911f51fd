//! The `sleep` workload as bare programs, one runtime each and no harness, so anyone
//! can check that rtcompare's figures are the runtime's and not the harness's:
//!
//! ```sh
//! cargo run --release --example bare_sleep            # 10,000 tasks (the full preset)
//! cargo run --release --example bare_sleep -- 1000    # the quick preset
//! cargo compare --workloads sleep --runners tokio-ct,tokio-mt,smol-local,smol-mt
//! ```
//!
//! Each program spawns M tasks from inside the runtime, each awaiting 10 sleeps of
//! 10 ms, awaits them all, and prints the median wall time of 5 runs after a warm-up.

use std::sync::Arc;
use std::time::{Duration, Instant};

const SLEEPS: u32 = 10;
const PAUSE: Duration = Duration::from_millis(10);
const RUNS: usize = 5;

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn time(mut run: impl FnMut()) -> Duration {
    run(); // warm-up
    median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                run();
                start.elapsed()
            })
            .collect(),
    )
}

async fn tokio_body(tasks: usize) {
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            tokio::spawn(async {
                for _ in 0..SLEEPS {
                    tokio::time::sleep(PAUSE).await;
                }
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap();
    }
}

async fn smol_body(ex: Arc<smol::Executor<'static>>, tasks: usize) {
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            ex.spawn(async {
                for _ in 0..SLEEPS {
                    smol::Timer::after(PAUSE).await;
                }
            })
        })
        .collect();
    for h in handles {
        h.await;
    }
}

fn main() {
    let tasks: usize = std::env::args()
        .nth(1)
        .map_or(10_000, |s| s.parse().expect("task count"));
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "{tasks} tasks x {SLEEPS} sleeps of {PAUSE:?}; ideal {:?}",
        PAUSE * SLEEPS
    );

    let ct = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let wall = time(|| ct.block_on(async { tokio::spawn(tokio_body(tasks)).await.unwrap() }));
    println!(
        "tokio current_thread           {:>8.1} ms",
        wall.as_secs_f64() * 1e3
    );

    let mt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .unwrap();
    let wall = time(|| mt.block_on(async { tokio::spawn(tokio_body(tasks)).await.unwrap() }));
    println!(
        "tokio multi_thread ({threads} workers)  {:>8.1} ms",
        wall.as_secs_f64() * 1e3
    );

    let local = std::rc::Rc::new(smol::LocalExecutor::new());
    let wall = time(|| {
        let spawner = std::rc::Rc::clone(&local);
        smol::block_on(local.run(async move {
            let handles: Vec<_> = (0..tasks)
                .map(|_| {
                    spawner.spawn(async {
                        for _ in 0..SLEEPS {
                            smol::Timer::after(PAUSE).await;
                        }
                    })
                })
                .collect();
            for h in handles {
                h.await;
            }
        }))
    });
    println!(
        "smol LocalExecutor             {:>8.1} ms",
        wall.as_secs_f64() * 1e3
    );

    let ex = Arc::new(smol::Executor::new());
    let (stop, stopped) = smol::channel::bounded::<()>(1);
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (ex, stopped) = (Arc::clone(&ex), stopped.clone());
            std::thread::spawn(move || smol::block_on(ex.run(stopped.recv())))
        })
        .collect();
    let wall = time(|| smol::future::block_on(ex.spawn(smol_body(Arc::clone(&ex), tasks))));
    println!(
        "smol Executor ({threads} threads)       {:>8.1} ms",
        wall.as_secs_f64() * 1e3
    );
    drop(stop);
    for w in workers {
        let _ = w.join().unwrap();
    }
}
