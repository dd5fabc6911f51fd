//! The names workloads and reports share, as results files spell them: each
//! workload's id, the keys of the measures cells report besides wall time, and
//! the names of their latency histograms. A workload declares its id and keys
//! with these constants and a report finds cells and measures by the same ones,
//! so a rename is one edit and a typo is a compile error.

/// Workload ids (`--workloads`, and `workload` in results).
pub mod workload {
    /// Equal chunks of a CPU kernel.
    pub const CPU: &str = "cpu";
    /// CPU chunks of unequal sizes.
    pub const CPU_SKEWED: &str = "cpu-skewed";
    /// Tasks that only sleep.
    pub const SLEEP: &str = "sleep";
    /// One task's unloaded sleeps: how late the runner's own timer ends them.
    pub const TIMER: &str = "timer";
    /// Spawning and joining many empty tasks.
    pub const SPAWN: &str = "spawn";
    /// A ring of tasks passing one token through bounded channels.
    pub const CHANNELS: &str = "channels";
    /// Recursive fork-join.
    pub const FORK_JOIN: &str = "fork-join";
    /// Shared state behind a blocking mutex.
    pub const SHARED_MUTEX: &str = "shared-mutex";
    /// Shared state held in atomics.
    pub const SHARED_ATOMIC: &str = "shared-atomic";
    /// Shared state behind an async mutex.
    pub const SHARED_ASYNC_MUTEX: &str = "shared-async-mutex";
    /// Private state per task, merged at the end.
    pub const SHARED_MERGE: &str = "shared-merge";
    /// TCP echo, many connections in a closed loop.
    pub const TCP_ECHO: &str = "tcp-echo";
    /// TCP echo over one connection.
    pub const TCP_ECHO_1: &str = "tcp-echo-1";
    /// TCP echo at a fixed send rate (open loop).
    pub const TCP_ECHO_OPEN: &str = "tcp-echo-open";
    /// TCP echo, closed loop, swept over connection counts (1 to 1,000).
    pub const TCP_ECHO_CONNS: &str = "tcp-echo-conns";
    /// Every workload of CPU hogs beside latency-sensitive work starts with this.
    pub const MIXED_PREFIX: &str = "mixed-";
    /// The hogs run inline on the runtime's workers.
    pub const MIXED_INLINE: &str = "mixed-inline";
    /// The hogs yield between chunks.
    pub const MIXED_YIELD: &str = "mixed-yield";
    /// The hogs are offloaded to a blocking pool.
    pub const MIXED_OFFLOAD: &str = "mixed-offload";
    /// Every crash demonstration starts with this.
    pub const CRASH_PREFIX: &str = "crash-";
    /// A batch of jobs of which one panics.
    pub const CRASH_PANIC: &str = "crash-panic";
    /// A batch of jobs of which one aborts its process.
    pub const CRASH_ABORT: &str = "crash-abort";
}

/// Keys of the measures a cell reports besides wall time (`metrics` in results).
pub mod metric {
    /// Wall time per spawned task, in nanoseconds.
    pub const NS_PER_TASK: &str = "ns-per-task";
    /// Resident memory per live spawned task, in bytes.
    pub const RSS_PER_TASK_BYTES: &str = "rss-per-task-bytes";
    /// Mean unique resident set of one pool worker process, in bytes.
    pub const RSS_PER_PROCESS_BYTES: &str = "rss-per-process-bytes";
    /// Sum of every pool worker process's peak resident set, in bytes.
    pub const WORKERS_PEAK_RSS_BYTES: &str = "workers-peak-rss-bytes";
    /// Wall time per channel hop, in nanoseconds.
    pub const NS_PER_HOP: &str = "ns-per-hop";
    /// Wall time per update of shared state, in nanoseconds.
    pub const NS_PER_UPDATE: &str = "ns-per-update";
    /// Tasks a fork-join spawned.
    pub const TASKS_SPAWNED: &str = "tasks-spawned";
    /// Ticks (1 ms sleeps) the ticker beside the hogs completed.
    pub const TICKS: &str = "ticks";
    /// CPU hog chunks completed per second.
    pub const HOG_CHUNKS_PER_S: &str = "hog-chunks-per-s";
    /// Time one CPU hog chunk spent computing, in milliseconds.
    pub const HOG_CHUNK_MS: &str = "hog-chunk-ms";
    /// Jobs in a crash demonstration's batch.
    pub const JOBS: &str = "jobs";
    /// Jobs of the batch that completed.
    pub const JOBS_COMPLETED: &str = "jobs-completed";
    /// Jobs that failed: the failing job and any it took with it.
    pub const JOBS_LOST: &str = "jobs-lost";
    /// Thread-per-core network servers: the share of the connections that the
    /// busiest core's listener was handed (1 / cores when the kernel spread them
    /// evenly).
    pub const BUSIEST_CORE_CONNECTIONS: &str = "busiest-core-connections";
}

/// Names of a cell's latency histograms (`more_latency_us` in results).
pub mod latency {
    /// Request to reply.
    pub const ROUND_TRIP: &str = "round-trip";
    /// How late a periodic tick fired.
    pub const TICK_LATENESS: &str = "tick-lateness";
    /// How late a 100 µs sleep with nothing else running ended (`timer`).
    pub const SLEEP_100US_LATENESS: &str = "sleep-100us-lateness";
    /// How late a 1 ms sleep with nothing else running ended (`timer`): the
    /// runner's own share of a 1 ms tick's lateness.
    pub const SLEEP_1MS_LATENESS: &str = "sleep-1ms-lateness";
}
