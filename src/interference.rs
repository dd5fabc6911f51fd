//! What else used the machine while rtcompare measured: system-wide busy and steal
//! time from `/proc/stat`, set against the cell's own CPU time, per sample; and the
//! pre-flight look at the load before a run starts.
//!
//! Two counters, each with its own resolution:
//! - `/proc/stat` counts in clock ticks (`USER_HZ`, 10 ms here) summed over all
//!   CPUs, so a difference of two readings is exact only to about one tick either
//!   way, and its busy fields are themselves sampled at the scheduler tick. It gets
//!   [`RESOLUTION_TICKS`] ticks of slack: 20 ms, which over a 5 ms sample hides up
//!   to four cores of foreign load.
//! - the CPU-accounting cgroup's task time ([`TasksCpu`]: cgroup v1
//!   `cpuacct.usage`, cgroup v2 `cpu.stat` `usage_usec`) counts the run time of
//!   every task in this process's cgroup (the whole machine when that is the root
//!   cgroup) in nanoseconds, charged at context switches and scheduler ticks. It
//!   gets [`TASKS_SLACK_S`] (2 ms) of slack, so a 5 ms sample that another process
//!   shared is seen too.
//!
//! A sample's foreign load is whichever counter shows more of it beyond its own
//! resolution, so load outside the cgroup (seen only by `/proc/stat`) still counts.
//!
//! The kernel's own threads ([`KernelThreadsCpu`]: `ksoftirqd`, `kworker`,
//! `rcu_preempt`, ...) are not foreign load: on a quiet machine their time is the
//! cell's own work done elsewhere. `threads/spawn` creates and joins thousands of
//! threads per sample, and freeing them (RCU callbacks in `ksoftirqd`, deferred
//! work in `kworker`s) kept 0.13 cores busy beside it, which marked every one of its
//! samples disturbed. Another process's load shows in that process's own time.

use rtcompare_reports::{BusyProcess, Preflight};
use std::time::{Duration, Instant};

/// Slack, in clock ticks of `/proc/stat`, before foreign CPU time counts: one tick of
/// rounding at each of the two readings.
pub const RESOLUTION_TICKS: f64 = 2.0;

/// Slack, in seconds, of the cgroup's task-time counter: a running task's time is
/// charged at the next context switch or scheduler tick (4 ms at 250 Hz), so a
/// reading can lag by part of a tick; plus a kernel worker's burst.
pub const TASKS_SLACK_S: f64 = 0.002;

/// The default threshold: a sample is disturbed when other processes kept more than
/// a tenth of one core busy, on average, over it (beyond the resolution).
pub const DEFAULT_THRESHOLD_CORES: f64 = 0.10;

fn clock_ticks_per_s() -> f64 {
    // SAFETY: sysconf only reads a configuration value.
    (unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).max(1) as f64
}

/// The machine's CPU time counters at one instant, in seconds over all CPUs.
#[derive(Debug, Clone, Copy)]
pub struct SystemCpu {
    /// user + nice + system + irq + softirq (guest time is already inside user).
    busy_s: f64,
    /// Time the hypervisor ran something else while this VM wanted the CPU.
    steal_s: f64,
}

impl SystemCpu {
    /// Reads `/proc/stat`; `None` where it cannot be read or parsed (not Linux).
    pub fn now() -> Option<SystemCpu> {
        let text = std::fs::read_to_string("/proc/stat").ok()?;
        parse_proc_stat(&text, clock_ticks_per_s())
    }

    /// The seconds of CPU time the machine spent busy, and stolen, from `self` to
    /// `later`.
    pub fn until(&self, later: &SystemCpu) -> (f64, f64) {
        (
            (later.busy_s - self.busy_s).max(0.0),
            (later.steal_s - self.steal_s).max(0.0),
        )
    }
}

/// The run time of every task in this process's CPU-accounting cgroup, at one
/// instant, in nanoseconds.
#[derive(Debug, Clone, Copy)]
pub struct TasksCpu {
    ns: u64,
}

/// Where the task-time counter of this process's cgroup is, found once.
#[derive(Debug, Clone)]
enum TasksCounter {
    /// cgroup v1 `cpuacct.usage`: nanoseconds.
    Cpuacct(std::path::PathBuf),
    /// cgroup v2 `cpu.stat`: the `usage_usec` line, microseconds.
    CpuStat(std::path::PathBuf),
}

impl TasksCpu {
    /// Reads the counter; `None` where no CPU-accounting cgroup can be read.
    pub fn now() -> Option<TasksCpu> {
        static COUNTER: std::sync::OnceLock<Option<TasksCounter>> = std::sync::OnceLock::new();
        let counter = COUNTER.get_or_init(|| {
            let text = std::fs::read_to_string("/proc/self/cgroup").ok()?;
            tasks_counter(&text, |p| read_tasks(p).is_some())
        });
        read_tasks(counter.as_ref()?)
    }

    /// Seconds of task time from `self` to `later`.
    pub fn until(&self, later: &TasksCpu) -> f64 {
        later.ns.saturating_sub(self.ns) as f64 / 1e9
    }
}

fn read_tasks(counter: &TasksCounter) -> Option<TasksCpu> {
    match counter {
        TasksCounter::Cpuacct(path) => {
            let ns = std::fs::read_to_string(path).ok()?.trim().parse().ok()?;
            Some(TasksCpu { ns })
        }
        TasksCounter::CpuStat(path) => {
            let text = std::fs::read_to_string(path).ok()?;
            let usec: u64 = text
                .lines()
                .find_map(|l| l.strip_prefix("usage_usec "))?
                .trim()
                .parse()
                .ok()?;
            Some(TasksCpu { ns: usec * 1000 })
        }
    }
}

/// The first readable task-time counter for the cgroups in `proc_self_cgroup`
/// (the text of `/proc/self/cgroup`): cgroup v1's `cpuacct` controller, wherever
/// it is mounted, else the cgroup v2 hierarchy.
fn tasks_counter(
    proc_self_cgroup: &str,
    readable: impl Fn(&TasksCounter) -> bool,
) -> Option<TasksCounter> {
    let mut candidates = Vec::new();
    for line in proc_self_cgroup.lines() {
        let mut fields = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let path = path.trim_start_matches('/');
        if controllers.split(',').any(|c| c == "cpuacct") {
            for mount in ["cpuacct", "cpu,cpuacct", "cpuacct,cpu"] {
                let dir = std::path::Path::new("/sys/fs/cgroup")
                    .join(mount)
                    .join(path);
                candidates.push(TasksCounter::Cpuacct(dir.join("cpuacct.usage")));
            }
        } else if controllers.is_empty() {
            for root in ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"] {
                let dir = std::path::Path::new(root).join(path);
                candidates.push(TasksCounter::CpuStat(dir.join("cpu.stat")));
            }
        }
    }
    // cgroup v1 first: on a hybrid system the v2 hierarchy does not own the CPU.
    candidates.sort_by_key(|c| matches!(c, TasksCounter::CpuStat(_)));
    candidates.into_iter().find(|c| readable(c))
}

/// The run time of the kernel's own threads (`kthreadd` and its children) at one
/// instant, in nanoseconds, from `/proc/PID/schedstat`.
#[derive(Debug, Clone, Copy)]
pub struct KernelThreadsCpu {
    ns: u64,
}

impl KernelThreadsCpu {
    /// Sums the kernel threads' run time now; `None` where `/proc` has no schedstat.
    pub fn now() -> Option<KernelThreadsCpu> {
        let mut ns = 0u64;
        let mut seen = false;
        crate::measure::for_each_process(|pid, stat| {
            if pid != KTHREADD && parent_of(stat) != Some(KTHREADD) {
                return;
            }
            if let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/schedstat")) {
                if let Some(run) = text
                    .split_whitespace()
                    .next()
                    .and_then(|f| f.parse::<u64>().ok())
                {
                    ns += run;
                    seen = true;
                }
            }
        });
        seen.then_some(KernelThreadsCpu { ns })
    }

    /// Seconds the kernel threads ran from `self` to `later` (threads that exited
    /// in between take their time with them, so this can only undercount).
    pub fn until(&self, later: &KernelThreadsCpu) -> f64 {
        later.ns.saturating_sub(self.ns) as f64 / 1e9
    }
}

/// The pid of `kthreadd`, the parent of every kernel thread.
const KTHREADD: u32 = 2;

/// The parent pid in the text of `/proc/PID/stat`.
fn parent_of(stat: &str) -> Option<u32> {
    let close = stat.rfind(')')?;
    stat[close + 1..].split_whitespace().nth(1)?.parse().ok()
}

/// The aggregate `cpu` line of `/proc/stat`, in seconds.
fn parse_proc_stat(text: &str, ticks_per_s: f64) -> Option<SystemCpu> {
    let line = text.lines().find(|l| l.starts_with("cpu "))?;
    let fields: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .map(|f| f.parse::<f64>())
        .collect::<Result<_, _>>()
        .ok()?;
    // user nice system idle iowait irq softirq steal guest guest_nice
    let field = |i: usize| fields.get(i).copied().unwrap_or(0.0);
    if fields.len() < 4 {
        return None;
    }
    Some(SystemCpu {
        busy_s: (field(0) + field(1) + field(2) + field(5) + field(6)) / ticks_per_s,
        steal_s: field(7) / ticks_per_s,
    })
}

/// The slack of `/proc/stat` readings, in seconds.
pub fn ticks_slack_s() -> f64 {
    RESOLUTION_TICKS / clock_ticks_per_s()
}

/// What other load did to one sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Disturbance {
    /// CPU seconds used outside the cell's process tree.
    pub foreign_s: f64,
    /// The resolution of the counter `foreign_s` came from, seconds: differences
    /// up to this much are rounding, not load.
    pub resolution_s: f64,
    /// CPU seconds stolen by the hypervisor (`/proc/stat`, tick resolution).
    pub steal_s: f64,
}

impl Disturbance {
    /// What `/proc/stat` saw between `before` and `after` of a sample that used
    /// `own_cpu_s` seconds of CPU itself (its whole process tree).
    pub fn between(before: &SystemCpu, after: &SystemCpu, own_cpu_s: f64) -> Disturbance {
        let (busy, steal) = before.until(after);
        Disturbance {
            foreign_s: (busy - own_cpu_s).max(0.0),
            resolution_s: ticks_slack_s(),
            steal_s: steal,
        }
    }

    /// This disturbance, or what the cgroup's task time saw between `before` and
    /// `after` (taken tightly around a sample that used `own_cpu_s` of CPU) where
    /// that shows more foreign load beyond its resolution.
    pub fn with_tasks(self, before: &TasksCpu, after: &TasksCpu, own_cpu_s: f64) -> Disturbance {
        let tasks = Disturbance {
            foreign_s: (before.until(after) - own_cpu_s).max(0.0),
            resolution_s: TASKS_SLACK_S,
            ..self
        };
        let excess = |d: &Disturbance| (d.foreign_s - d.resolution_s).max(0.0);
        if excess(&tasks) >= excess(&self) {
            tasks
        } else {
            self
        }
    }

    /// Foreign load plus steal beyond their counters' resolution, in cores, over a
    /// sample of `wall_s`; at most the machine's CPUs, since a reading above that
    /// can only be the rounding of a sample shorter than a few clock ticks.
    pub fn cores(&self, wall_s: f64) -> f64 {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        let foreign = (self.foreign_s - self.resolution_s).max(0.0);
        let steal = (self.steal_s - ticks_slack_s()).max(0.0);
        ((foreign + steal) / wall_s.max(1e-9)).min(cpus)
    }

    /// Whether the sample lost more than `threshold_cores` of a core on average to
    /// other load (foreign CPU time plus steal), beyond the counters' resolution.
    pub fn disturbs(&self, wall_s: f64, threshold_cores: f64) -> bool {
        self.cores(wall_s) > threshold_cores
    }
}

/// The foreign load a recorded sample saw, in cores, as [`Disturbance::cores`]
/// (samples without a recorded resolution came from `/proc/stat`).
pub fn sample_cores(sample: &rtcompare_reports::Sample) -> Option<f64> {
    let d = Disturbance {
        foreign_s: sample.foreign_cpu_s?,
        resolution_s: sample.foreign_resolution_s.unwrap_or_else(ticks_slack_s),
        steal_s: sample.steal_s?,
    };
    Some(d.cores(sample.wall_s))
}

/// CPU ticks (user + system) of every process now, by pid, with their names.
fn process_ticks() -> Vec<(u32, String, u64)> {
    let mut out = Vec::new();
    crate::measure::for_each_process(|pid, stat| {
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            return;
        };
        let comm = stat[open + 1..close].to_owned();
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let tick = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
        if let (Some(user), Some(sys)) = (tick(11), tick(12)) {
            out.push((pid, comm, user + sys));
        }
    });
    out
}

fn load_average() -> [f64; 3] {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut it = text
        .split_whitespace()
        .map(|f| f.parse::<f64>().unwrap_or(0.0));
    [
        it.next().unwrap_or(0.0),
        it.next().unwrap_or(0.0),
        it.next().unwrap_or(0.0),
    ]
}

/// Watches the machine for `window`: the load average, the CPU other processes used
/// (system busy time minus this process's own) and the busiest of them.
pub fn preflight(window: Duration) -> Preflight {
    let me = std::process::id();
    let own = || {
        let usage = crate::measure::Usage::now();
        usage.cpu_s()
    };
    let before_ticks = process_ticks();
    let before = SystemCpu::now();
    let tasks_before = TasksCpu::now();
    let own_before = own();
    let start = Instant::now();
    std::thread::sleep(window);
    let own_after = own();
    let tasks_after = TasksCpu::now();
    let after = SystemCpu::now();
    let after_ticks = process_ticks();
    let window_s = start.elapsed().as_secs_f64();
    let own_s = own_after - own_before;
    let foreign_cores = match (before, after) {
        (Some(b), Some(a)) => {
            let d = Disturbance::between(&b, &a, own_s);
            match tasks_before.zip(tasks_after) {
                Some((tb, ta)) => d.with_tasks(&tb, &ta, own_s),
                None => d,
            }
            .cores(window_s)
        }
        _ => 0.0,
    };
    let ticks = clock_ticks_per_s();
    let mut busiest: Vec<BusyProcess> = after_ticks
        .into_iter()
        .filter(|(pid, _, _)| *pid != me)
        .filter_map(|(pid, name, t)| {
            // By pid alone: kernel workers rename themselves after their work item.
            // A process not seen before started inside the window, so all of its
            // time is.
            let t0 = before_ticks
                .iter()
                .find(|(p, _, _)| *p == pid)
                .map_or(0, |(_, _, t0)| *t0);
            let cores = t.saturating_sub(t0) as f64 / ticks / window_s;
            (cores > 0.0).then_some(BusyProcess { pid, name, cores })
        })
        .collect();
    busiest.sort_by(|a, b| b.cores.total_cmp(&a.cores));
    busiest.truncate(5);
    Preflight {
        load_average: load_average(),
        foreign_cores,
        window_s,
        busiest,
    }
}

/// One line for the terminal: what the pre-flight check saw.
pub fn describe(p: &Preflight) -> String {
    let who: Vec<String> = p
        .busiest
        .iter()
        .filter(|b| b.cores >= 0.05)
        .map(|b| format!("{} (pid {}) {:.0}%", b.name, b.pid, b.cores * 100.0))
        .collect();
    format!(
        "load average {:.2} {:.2} {:.2}; other processes kept {:.2} cores busy over {:.1} s{}",
        p.load_average[0],
        p.load_average[1],
        p.load_average[2],
        p.foreign_cores,
        p.window_s,
        if who.is_empty() {
            String::new()
        } else {
            format!(": {}", who.join(", "))
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_threads_are_the_children_of_kthreadd() {
        assert_eq!(
            parent_of("14 (ksoftirqd/0) S 2 0 0 0 -1 69238848 0"),
            Some(2)
        );
        assert_eq!(parent_of("99 (a (b) c) S 1 99 99 0"), Some(1));
        assert_eq!(parent_of("garbage"), None);
        // Here, on Linux: the kernel's threads have run, and their time only grows.
        if let Some(before) = KernelThreadsCpu::now() {
            let after = KernelThreadsCpu::now().unwrap();
            assert!(before.ns > 0);
            assert!(before.until(&after) >= 0.0);
        }
    }

    #[test]
    fn proc_stat_busy_and_steal() {
        let text = "cpu  100 5 50 1000 20 3 2 7 0 0\ncpu0 50 2 25 500 10 1 1 3 0 0\n";
        let cpu = parse_proc_stat(text, 100.0).unwrap();
        assert!((cpu.busy_s - 1.60).abs() < 1e-9, "{cpu:?}");
        assert!((cpu.steal_s - 0.07).abs() < 1e-9, "{cpu:?}");
        assert!(parse_proc_stat("intr 1 2 3\n", 100.0).is_none());
        assert!(parse_proc_stat("cpu  1 x 3 4\n", 100.0).is_none());
    }

    #[test]
    fn the_rule_allows_the_resolution_and_the_threshold() {
        let slack = RESOLUTION_TICKS / clock_ticks_per_s();
        let ticks = |foreign_s: f64, steal_s: f64| Disturbance {
            foreign_s,
            resolution_s: slack,
            steal_s,
        };
        let quiet = ticks(slack * 0.9, 0.0);
        assert!(!quiet.disturbs(0.1, 0.0));
        // A hog keeping one core busy over a 200 ms sample.
        let hog = ticks(0.2, 0.0);
        assert!(hog.disturbs(0.2, DEFAULT_THRESHOLD_CORES));
        let beyond = (0.2 - slack) / 0.2;
        assert!((hog.cores(0.2) - beyond).abs() < 1e-9, "{}", hog.cores(0.2));
        // A 1 ms sample that read one tick of foreign time is rounding, not load.
        let rounding = ticks(0.01, 0.0);
        assert_eq!(rounding.cores(0.001), 0.0);
        // Steal counts like foreign load.
        let stolen = ticks(0.0, 0.2);
        assert!(stolen.disturbs(0.2, DEFAULT_THRESHOLD_CORES));
        // 5% of a core over a second is within a 10% threshold.
        let light = ticks(0.05, 0.0);
        assert!(!light.disturbs(1.0, DEFAULT_THRESHOLD_CORES));
    }

    #[test]
    fn the_task_counter_sees_what_ticks_cannot() {
        // A 5 ms sample that shared its CPUs with 4 ms of another process's work: in
        // ticks that is rounding (nothing), in task time it is 0.4 cores beyond slack.
        let ticks = Disturbance {
            foreign_s: 0.0,
            resolution_s: ticks_slack_s(),
            steal_s: 0.0,
        };
        let before = TasksCpu { ns: 1_000_000_000 };
        let after = TasksCpu {
            ns: 1_000_000_000 + 9_000_000,
        };
        // 9 ms of task time, 5 ms of it the sample's own.
        let d = ticks.with_tasks(&before, &after, 0.005);
        assert!((d.foreign_s - 0.004).abs() < 1e-9, "{d:?}");
        assert_eq!(d.resolution_s, TASKS_SLACK_S);
        assert!((d.cores(0.005) - 0.4).abs() < 1e-9, "{}", d.cores(0.005));
        assert!(d.disturbs(0.005, DEFAULT_THRESHOLD_CORES));
        // Where /proc/stat shows more beyond its slack (load outside the cgroup),
        // it wins.
        let outside = Disturbance {
            foreign_s: 0.2,
            ..ticks
        };
        assert_eq!(outside.with_tasks(&before, &after, 0.005), outside);
    }

    #[test]
    fn cgroup_counters_are_found_for_v1_and_v2() {
        let v1 = "4:memory:/x\n2:cpuacct:/\n1:cpu:/\n0::/\n";
        let found = tasks_counter(v1, |_| true).unwrap();
        assert!(
            matches!(&found, TasksCounter::Cpuacct(p) if p.ends_with("cpuacct/cpuacct.usage")),
            "{found:?}"
        );
        let combined = "3:cpu,cpuacct:/user.slice\n0::/\n";
        let found = tasks_counter(combined, |c| {
            matches!(c, TasksCounter::Cpuacct(p) if p.starts_with("/sys/fs/cgroup/cpu,cpuacct"))
        })
        .unwrap();
        assert!(
            matches!(&found, TasksCounter::Cpuacct(p) if p.ends_with("user.slice/cpuacct.usage")),
            "{found:?}"
        );
        let v2 = "0::/system.slice/ci.service\n";
        let found = tasks_counter(v2, |_| true).unwrap();
        assert!(
            matches!(&found, TasksCounter::CpuStat(p) if p == std::path::Path::new("/sys/fs/cgroup/system.slice/ci.service/cpu.stat")),
            "{found:?}"
        );
        assert!(tasks_counter(v2, |_| false).is_none());
    }

    #[test]
    fn a_spinning_thread_of_our_own_is_not_foreign() {
        let before = SystemCpu::now().expect("/proc/stat on Linux");
        let own_before = crate::measure::Usage::now().cpu_s();
        let start = Instant::now();
        let mut x = 1u64;
        while start.elapsed() < Duration::from_millis(200) {
            x = std::hint::black_box(x.wrapping_mul(3).wrapping_add(1));
        }
        let after = SystemCpu::now().unwrap();
        let own = crate::measure::Usage::now().cpu_s() - own_before;
        let d = Disturbance::between(&before, &after, own);
        // Our own 200 ms of CPU is subtracted; what remains is other load, which on
        // a shared machine may be anything, but never our own spin counted twice.
        let (busy, _) = before.until(&after);
        assert!(busy + 0.03 >= own, "busy {busy} < own {own}");
        assert!(d.foreign_s <= busy);
    }

    #[test]
    fn the_task_counter_counts_our_own_spin() {
        let Some(before) = TasksCpu::now() else {
            return; // no CPU-accounting cgroup here: /proc/stat alone is used
        };
        // 50 ms of our own CPU time (however long a busy machine makes that take).
        let own_before = crate::measure::Usage::now().cpu_s();
        let start = Instant::now();
        let mut x = 1u64;
        while crate::measure::Usage::now().cpu_s() - own_before < 0.05
            && start.elapsed() < Duration::from_secs(10)
        {
            for _ in 0..10_000 {
                x = std::hint::black_box(x.wrapping_mul(3).wrapping_add(1));
            }
        }
        let own = crate::measure::Usage::now().cpu_s() - own_before;
        let tasks = before.until(&TasksCpu::now().unwrap());
        // Everything we ran is in the cgroup's task time, to within its slack.
        assert!(own >= 0.05, "{own}");
        assert!(tasks + TASKS_SLACK_S >= own, "tasks {tasks} < own {own}");
    }
}
