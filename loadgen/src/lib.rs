//! rtcompare's external TCP load generator: the one client every runner's server is
//! driven by, in a process of its own, so the runtime under test is billed for the
//! server alone and every runner meets exactly the same client.
//!
//! **What it owns.** The request bytes and the checksum ([`wire`]), the plan and report
//! types that cross the pipe as JSON lines ([`plan`]), the event loop that runs a plan
//! ([`engine`]), and the generator as a child process ([`process`]). A binary calls
//! [`run_if_child`] first thing in `main`; the harness starts it with [`Generator`],
//! sends [`Plan`]s and gets [`Report`]s back.
//!
//! **How it drives a server.** A plan is a list of steps, run in order. A step opens C
//! connections (non-blocking connect, TCP_NODELAY), waits until all are established
//! (the time this takes is reported as `connect_s`), then starts the schedule on every
//! generator thread at one instant. Each connection makes R round trips of B bytes,
//! one request in flight at a time, and closes as soon as its last reply is verified
//! (a pool server that serves N connections at once needs the close to take the next
//! one). Every reply byte is checked against the request ([`wire::verify`]); a
//! mismatch, an early EOF or an I/O error fails the step with a message naming the
//! connection, the round and the server's address. Threads run one mio `Poll` each,
//! connection c on thread c mod threads.
//!
//! **Latency.** Closed loop (`rate_per_s: None`): a connection sends its next request
//! when the reply arrives, and latency is reply time minus actual send time. Open loop
//! (`Some(rate)`): connection c's request k is due at `start + (k + c/C) × C/rate`, so
//! the requests of all connections interleave evenly at `rate` in total. A connection
//! idle at its due time sends then; one whose reply is late sends its next request
//! when the reply arrives. Latency is reply time minus the *intended* send time, as in
//! wrk2, so a server that falls behind is charged for the whole queue it built
//! (no coordinated omission). Latencies go into an HdrHistogram (1 ns to 1 h, 3
//! significant digits, auto-resizing) created per thread before the schedule and
//! merged at the step's end.
//!
//! **Pacing.** Each thread's loop sleeps in `epoll_wait` until a socket is ready or
//! its timerfd fires; the timerfd (CLOCK_MONOTONIC, absolute time) is armed for the
//! earliest due request, and each generator thread sets its timer slack to 1 ns
//! (`PR_SET_TIMERSLACK`) so the kernel does not defer the wake-up to batch it. It never
//! busy-waits: on a small machine a spinning client would take the server's CPU.
//! Pacing depends on no async runtime, so every runner is paced alike. How late the
//! generator itself sent is recorded as send lag: actual send time minus due time,
//! for sends whose connection was idle at its due time (a send delayed by a late
//! reply is the server's doing, and is not counted).
//!
//! **Did the generator keep up?** [`plan::behind`] flags a step, with the reason, when
//! the generator's CPU over the step (getrusage, all its threads) reached 90% of its
//! threads × the step's wall time, or, in an open loop, when the p99 of its send lag
//! exceeded the larger of 200 µs and 10% of a connection's send interval C/rate. The
//! report also gives the achieved rate against the intended one, the generator's CPU
//! seconds, and the CPUs its threads were seen on.
//!
//! **Bounds.** A whole plan gives up with an error once its `time_limit_s` has passed
//! (connecting, waiting or serving alike), so a server that never answers cannot hang
//! the harness. Nothing is allocated per request: each connection owns its request
//! and reply buffers, the due queue has room for every connection, and the histograms
//! exist before the schedule starts.
//!
//! **What goes over the wire** ([`wire`]) is a fixed function of the connection and
//! the round, so every echoed byte is checked and a plan's checksum is known from the
//! plan alone:
//!
//! ```
//! use rtcompare_loadgen::{Step, wire};
//!
//! // Connection 0's request in round 0 under tag 7, and the server's echo of it.
//! let mut sent = [0u8; 16];
//! wire::fill(&mut sent, 7, 0, 0);
//! let mut echoed = sent;
//! assert!(wire::verify(&sent, &echoed, 0, 0).is_ok());
//! echoed[3] ^= 1;
//! let error = wire::verify(&sent, &echoed, 0, 0).unwrap_err();
//! assert!(error.starts_with("connection 0, round 0: echoed byte 3 is"));
//!
//! // A plan's checksum is known from the plan alone: here, that one request's digest.
//! let step = Step { connections: 1, round_trips: 1, rate_per_s: None };
//! assert_eq!(wire::expected(7, sent.len(), &[step]), wire::digest(&sent));
//! ```

#![warn(missing_docs)]

pub mod engine;
pub mod plan;
pub mod process;
mod sys;
pub mod wire;

pub use plan::{Plan, Report, Step, StepReport};
pub use process::{CHILD_ENV, Generator, Options, run_if_child};
