//! The quick `tcp-echo` workload as a bare tokio program, no harness and no rtcompare
//! crate, so anyone can check that rtcompare's throughput is tokio's and not the
//! harness's:
//!
//! ```sh
//! cargo run --release --example bare_tcp_echo          # multi_thread with 2 workers
//! cargo run --release --example bare_tcp_echo -- 4     # ... with 4 workers
//! cargo run --release -- compare --quick --runners tokio-ct,tokio-mt --threads 2 \
//!     --workloads tcp-echo --out /tmp/echo-q           # compare throughput_per_s
//! ```
//!
//! The same work as the harness's closed loop: inside one runtime, a root task listens
//! on 127.0.0.1:0, spawns an acceptor (exactly C connections, a server task each: read
//! B bytes, write them back) and C client tasks (each connects and does R round trips
//! of B bytes whose content is a fixed function of connection and round, timing each,
//! comparing every echoed byte), and awaits them all. C = 50, R = 200, B = 64. Each
//! flavour runs a warm-up and then 5 timed runs and prints the median round trips per
//! second. As in the harness, each client keeps its round-trip times in a vector
//! allocated once; here they are sorted for a p50/p99 instead of going into an
//! HdrHistogram (the harness records them after the clients finish, well under 1% of
//! the run).

use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const CONNECTIONS: usize = 50;
const ROUND_TRIPS: u32 = 200;
const BYTES: usize = 64;
const RUNS: usize = 5;

/// splitmix64's finaliser, as the workload uses.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The request of `connection`'s round `round`: one hashed word per 8 bytes.
fn fill(buf: &mut [u8], connection: usize, round: u32) {
    let seed = mix(0xC105_ED00 ^ mix(((connection as u64) << 32) | u64::from(round)));
    for (j, chunk) in buf.chunks_mut(8).enumerate() {
        let word = mix(seed.wrapping_add((j as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        chunk.copy_from_slice(&word.to_le_bytes()[..chunk.len()]);
    }
}

async fn serve(mut stream: TcpStream) {
    let mut buf = [0u8; BYTES];
    for _ in 0..ROUND_TRIPS {
        if stream.read_exact(&mut buf).await.is_err() {
            break;
        }
        stream.write_all(&buf).await.expect("server write");
    }
}

async fn client(addr: SocketAddr, c: usize) -> Vec<u64> {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let mut request = [0u8; BYTES];
    let mut reply = [0u8; BYTES];
    let mut rtts = Vec::with_capacity(ROUND_TRIPS as usize);
    for k in 0..ROUND_TRIPS {
        fill(&mut request, c, k);
        let sent = Instant::now();
        stream.write_all(&request).await.expect("client write");
        stream.read_exact(&mut reply).await.expect("client read");
        rtts.push(sent.elapsed().as_nanos() as u64);
        assert_eq!(request, reply, "connection {c}, round {k}: wrong echo");
    }
    rtts
}

/// The root task: everything is spawned from inside the runtime and awaited.
async fn root() -> Vec<u64> {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local address");
    let acceptor = tokio::spawn(async move {
        let mut servers = Vec::with_capacity(CONNECTIONS);
        for _ in 0..CONNECTIONS {
            let (stream, _) = listener.accept().await.expect("accept");
            stream.set_nodelay(true).expect("nodelay");
            servers.push(tokio::spawn(serve(stream)));
        }
        servers
    });
    let clients: Vec<_> = (0..CONNECTIONS)
        .map(|c| tokio::spawn(client(addr, c)))
        .collect();
    let mut rtts = Vec::with_capacity(CONNECTIONS * ROUND_TRIPS as usize);
    for c in clients {
        rtts.extend(c.await.expect("client task"));
    }
    for s in acceptor.await.expect("acceptor task") {
        s.await.expect("server task");
    }
    rtts
}

/// Median wall time of `RUNS` runs after a warm-up, and the last run's RTT p50/p99.
fn measure(runtime: &tokio::runtime::Runtime) -> (Duration, u64, u64) {
    let mut walls = Vec::with_capacity(RUNS);
    let mut rtts = Vec::new();
    for run in 0..=RUNS {
        let start = Instant::now();
        rtts = runtime.block_on(async { tokio::spawn(root()).await.expect("root task") });
        if run > 0 {
            walls.push(start.elapsed());
        }
    }
    walls.sort();
    rtts.sort_unstable();
    let at = |q: f64| rtts[((rtts.len() - 1) as f64 * q) as usize];
    (walls[RUNS / 2], at(0.5), at(0.99))
}

fn report(name: &str, (wall, p50, p99): (Duration, u64, u64)) {
    let ops = (CONNECTIONS * ROUND_TRIPS as usize) as f64;
    println!(
        "{name:<32} {:>9.0} round trips/s  (median wall {:.1} ms; last run RTT p50 {:.1} µs, \
         p99 {:.1} µs)",
        ops / wall.as_secs_f64(),
        wall.as_secs_f64() * 1e3,
        p50 as f64 / 1e3,
        p99 as f64 / 1e3
    );
}

fn main() {
    let workers: usize = std::env::args()
        .nth(1)
        .map_or(2, |s| s.parse().expect("worker count"));
    println!(
        "{CONNECTIONS} connections x {ROUND_TRIPS} round trips of {BYTES} B over 127.0.0.1, \
         closed loop; median of {RUNS} runs after a warm-up"
    );

    let ct = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("current_thread runtime");
    report("tokio current_thread", measure(&ct));
    drop(ct);

    let mt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("multi_thread runtime");
    report(
        &format!("tokio multi_thread ({workers} workers)"),
        measure(&mt),
    );
}
