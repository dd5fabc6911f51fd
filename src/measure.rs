//! What the OS says about this process: CPU time and context switches (getrusage),
//! peak resident memory (VmHWM), and the open-file limit.

use rtcompare_reports::Sample;
use std::time::Duration;

/// Process-wide resource usage at one instant (every thread, live or exited).
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    user: Duration,
    sys: Duration,
    voluntary: u64,
    involuntary: u64,
}

fn timeval(tv: libc::timeval) -> Duration {
    Duration::new(tv.tv_sec as u64, tv.tv_usec as u32 * 1_000)
}

impl Usage {
    /// `getrusage(RUSAGE_SELF)` now.
    pub fn now() -> Usage {
        // SAFETY: an all-zero rusage is a valid value; getrusage only writes into it.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `ru` is a valid, writable rusage; RUSAGE_SELF is always accepted.
        let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
        assert_eq!(rc, 0, "getrusage failed");
        Usage {
            user: timeval(ru.ru_utime),
            sys: timeval(ru.ru_stime),
            voluntary: ru.ru_nvcsw as u64,
            involuntary: ru.ru_nivcsw as u64,
        }
    }

    /// User plus system CPU time so far, seconds.
    pub fn cpu_s(&self) -> f64 {
        (self.user + self.sys).as_secs_f64()
    }

    /// The sample between `self` (before) and `after`, with `wall` measured apart.
    pub fn sample_until(&self, after: &Usage, wall: Duration) -> Sample {
        Sample {
            wall_s: wall.as_secs_f64(),
            user_s: after.user.saturating_sub(self.user).as_secs_f64(),
            sys_s: after.sys.saturating_sub(self.sys).as_secs_f64(),
            ctx_voluntary: after.voluntary.saturating_sub(self.voluntary),
            ctx_involuntary: after.involuntary.saturating_sub(self.involuntary),
            ..Sample::of_wall(wall.as_secs_f64())
        }
    }
}

/// Calls `visit(pid, text of /proc/PID/stat)` for every process listed in `/proc`
/// now; processes that exit while the list is read are skipped.
pub fn for_each_process(mut visit: impl FnMut(u32, &str)) {
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            visit(pid, &stat);
        }
    }
}

/// This process's peak resident set size (VmHWM), in bytes.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The `[soft, hard]` open-file limits now in force.
pub fn open_files_limit() -> Option<[u64; 2]> {
    // SAFETY: an all-zero rlimit is valid; getrlimit only writes into it.
    let mut lim: libc::rlimit = unsafe { std::mem::zeroed() };
    // SAFETY: `lim` is a valid, writable rlimit.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return None;
    }
    Some([lim.rlim_cur as u64, lim.rlim_max as u64])
}

/// Sets the soft open-file limit to `soft` (at most the hard limit); for tests that
/// exercise connection caps.
pub fn set_open_files_soft_limit(soft: u64) {
    let Some([_, hard]) = open_files_limit() else {
        return;
    };
    let lowered = libc::rlimit {
        rlim_cur: soft.min(hard) as libc::rlim_t,
        rlim_max: hard as libc::rlim_t,
    };
    // SAFETY: a valid rlimit with soft <= hard; failure leaves the limit as it was.
    unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lowered) };
}

/// Raises the soft open-file limit to the hard limit (children inherit it) and
/// returns the `[soft, hard]` limits now in force.
pub fn raise_open_files_limit() -> Option<[u64; 2]> {
    // SAFETY: an all-zero rlimit is valid; getrlimit only writes into it.
    let mut lim: libc::rlimit = unsafe { std::mem::zeroed() };
    // SAFETY: `lim` is a valid, writable rlimit.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return None;
    }
    if lim.rlim_cur < lim.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: lim.rlim_max,
            rlim_max: lim.rlim_max,
        };
        // SAFETY: a valid rlimit with soft <= hard; failure leaves the limit as it was.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            lim = raised;
        }
    }
    Some([lim.rlim_cur as u64, lim.rlim_max as u64])
}

/// Nanoseconds process `pid` (every thread of it, live or exited) has spent on a CPU,
/// from its POSIX CPU clock: what `clock_getcpuclockid(pid)` returns, built here as
/// Linux builds it (`MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)` in
/// `include/linux/posix-timers.h`, the ABI glibc uses), because the libc crate does not
/// bind that function on Linux. The scheduler's own runtime sum, so nanosecond
/// resolution, unlike the 10 ms ticks of `/proc/PID/stat`. `None` once `pid` is gone.
pub fn process_cpu_ns(pid: u32) -> Option<u64> {
    const CPUCLOCK_SCHED: libc::clockid_t = 2;
    let clock = (!(pid as libc::clockid_t) << 3) | CPUCLOCK_SCHED;
    // SAFETY: an all-zero timespec is valid; clock_gettime only writes into it.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: `ts` is a valid, writable timespec; an invalid clock id is an error
    // return (EINVAL), not undefined behaviour.
    if unsafe { libc::clock_gettime(clock, &mut ts) } != 0 {
        return None;
    }
    Some(ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn stat_fields_are_counted_after_the_name() {
        let stat = "4242 (a (weird) name) S 17 4242 4242 0 -1 4194560 100 0 0 0 \
                    250 31 0 0 20 0 1 0 12345 1000 100";
        assert_eq!(parse_stat(stat), Some((17, 250, 31)));
        assert_eq!(parse_stat("4242 (cut) S"), None);
    }

    #[test]
    fn a_live_childs_cpu_time_is_finer_than_a_tick() {
        // A fresh `sleep` has run for well under one 10 ms tick: counted in ticks, its
        // CPU time would read 0, or a whole number of ticks.
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .expect("sleep runs");
        std::thread::sleep(Duration::from_millis(50));
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", child.id())).unwrap();
        let (_, user_ticks, sys_ticks) = parse_stat(&stat).unwrap();
        let live = live_child_cpu(child.id(), user_ticks, sys_ticks);
        child.kill().unwrap();
        child.wait().unwrap();
        // SAFETY: sysconf only reads a configuration value.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
        let in_ticks = (live.user + live.sys) * hz;
        assert!(live.user + live.sys > 0.0, "{live:?}");
        assert!(
            (in_ticks - in_ticks.round()).abs() > 1e-6,
            "{live:?} is a whole number of ticks"
        );
    }

    #[test]
    fn children_cpu_counts_a_child_alive_and_reaped() {
        let before = ChildrenCpu::now(None);
        // A child that burns about 0.2 s of CPU; read while alive, then once reaped.
        let mut child = std::process::Command::new("sh")
            .args(["-c", "i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done"])
            .spawn()
            .expect("sh runs");
        std::thread::sleep(Duration::from_millis(100));
        let alive = ChildrenCpu::now(None);
        assert!(child.wait().unwrap().success());
        let reaped = ChildrenCpu::now(None);
        let spent = |c: ChildrenCpu| c.user + c.sys - before.user - before.sys;
        assert!(spent(alive) > 0.0, "{alive:?} vs {before:?}");
        assert!(spent(reaped) >= spent(alive), "{reaped:?} vs {alive:?}");
    }

    #[test]
    fn children_cpu_counts_a_live_grandchild() {
        // An interpreter's pool workers are the cell's grandchildren: here the outer
        // shell only waits while its child burns CPU.
        let before = ChildrenCpu::now(None);
        let mut child = std::process::Command::new("sh")
            .args([
                "-c",
                "sh -c 'i=0; while [ $i -lt 2000000 ]; do i=$((i+1)); done' & wait",
            ])
            .spawn()
            .expect("sh runs");
        std::thread::sleep(Duration::from_millis(300));
        let alive = ChildrenCpu::now(None);
        let _ = child.kill();
        let _ = child.wait();
        let spent = alive.user + alive.sys - before.user - before.sys;
        assert!(spent > 0.15, "{spent} s of 0.3 s busy in the grandchild");
    }

    #[test]
    fn cpu_time_grows_with_work() {
        let before = Usage::now();
        let start = std::time::Instant::now();
        let mut x = 1u64;
        // Spin until 30 ms of CPU time, however long a busy machine makes that take
        // (bounded): a wall-clock spin may get little CPU beside other load.
        while Usage::now().cpu_s() - before.cpu_s() < 0.03
            && start.elapsed() < Duration::from_secs(10)
        {
            for _ in 0..10_000 {
                x = std::hint::black_box(x.wrapping_mul(3));
            }
        }
        let sample = before.sample_until(&Usage::now(), start.elapsed());
        assert!(sample.user_s + sample.sys_s >= 0.03, "{sample:?}");
        assert!(
            sample.wall_s >= sample.user_s + sample.sys_s - 0.01,
            "{sample:?}"
        );
    }

    #[test]
    fn a_process_cpu_clock_has_nanosecond_resolution() {
        let own = process_cpu_ns(std::process::id()).expect("this process's clock");
        let usage = Usage::now();
        let via_rusage = (usage.user + usage.sys).as_nanos() as u64;
        // The same quantity, read a moment later and at µs resolution.
        assert!(
            own > 0 && own + 50_000_000 > via_rusage,
            "{own} vs {via_rusage}"
        );
        let mut gone = std::process::Command::new("true").spawn().unwrap();
        gone.wait().unwrap();
        assert_eq!(
            process_cpu_ns(gone.id()),
            None,
            "a reaped process has no clock"
        );
    }

    #[test]
    fn peak_rss_is_plausible() {
        let rss = peak_rss_bytes().expect("VmHWM on Linux");
        assert!(rss > 1 << 20 && rss < 1 << 36, "{rss}");
    }
}

/// CPU time, in seconds, of this process's child processes: those already reaped
/// (`getrusage(RUSAGE_CHILDREN)`, microseconds) plus those alive now (every process
/// whose parent is this one, [`live_child_cpu`]: its CPU clock, nanoseconds). A child
/// reaped between two readings moves from the second term to the first with its whole
/// time, so differences stay right.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ChildrenCpu {
    /// User time, seconds.
    pub user: f64,
    /// System time, seconds.
    pub sys: f64,
}

/// User plus system time of this process's reaped child processes, seconds
/// (`getrusage(RUSAGE_CHILDREN)`).
pub fn reaped_children_cpu_s() -> f64 {
    // SAFETY: an all-zero rusage is a valid value; getrusage only writes into it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is a valid, writable rusage; RUSAGE_CHILDREN is always accepted.
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) } != 0 {
        return 0.0;
    }
    let seconds = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    seconds(ru.ru_utime) + seconds(ru.ru_stime)
}

impl ChildrenCpu {
    /// The total so far of this process's child processes, reaped or alive, and of
    /// their live descendants (an interpreter's pool workers), leaving out the live
    /// child `except` and its descendants (a network cell's load generator, whose
    /// time is not the server's).
    pub fn now(except: Option<u32>) -> ChildrenCpu {
        // SAFETY: an all-zero rusage is a valid value; getrusage only writes into it.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `ru` is a valid, writable rusage; RUSAGE_CHILDREN is always accepted.
        let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
        let seconds = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
        let mut cpu = if rc == 0 {
            ChildrenCpu {
                user: seconds(ru.ru_utime),
                sys: seconds(ru.ru_stime),
            }
        } else {
            ChildrenCpu::default()
        };
        // No /proc/self/task/*/children on every kernel: scan the process list once,
        // then walk down from this process.
        let mut processes: Vec<(u32, u32, u64, u64)> = Vec::new();
        for_each_process(|pid, stat| {
            if let Some((ppid, user_ticks, sys_ticks)) = parse_stat(stat) {
                processes.push((pid, ppid, user_ticks, sys_ticks));
            }
        });
        let mut parents = vec![std::process::id()];
        while let Some(parent) = parents.pop() {
            for &(pid, ppid, user_ticks, sys_ticks) in &processes {
                if ppid == parent && Some(pid) != except {
                    let live = live_child_cpu(pid, user_ticks, sys_ticks);
                    cpu.user += live.user;
                    cpu.sys += live.sys;
                    parents.push(pid);
                }
            }
        }
        cpu
    }
}

/// A live child's CPU time: the total from its CPU clock (nanoseconds), split between
/// user and system time in the ratio of its `/proc/PID/stat` ticks, which is how the
/// kernel itself splits a precise total for `getrusage` (`cputime_adjust`); with no
/// tick yet, all of it counts as user time. If the clock cannot be read, the ticks
/// themselves (10 ms each).
fn live_child_cpu(pid: u32, user_ticks: u64, sys_ticks: u64) -> ChildrenCpu {
    // SAFETY: sysconf only reads a configuration value.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let ticks = user_ticks + sys_ticks;
    match process_cpu_ns(pid) {
        Some(ns) => {
            let total = ns as f64 / 1e9;
            let sys = if ticks == 0 {
                0.0
            } else {
                total * sys_ticks as f64 / ticks as f64
            };
            ChildrenCpu {
                user: total - sys,
                sys,
            }
        }
        None => ChildrenCpu {
            user: user_ticks as f64 / hz,
            sys: sys_ticks as f64 / hz,
        },
    }
}

/// `(ppid, utime, stime)` of a `/proc/PID/stat` line, in clock ticks. The command
/// name may hold spaces and parentheses, so fields are counted after its last `)`.
fn parse_stat(stat: &str) -> Option<(u32, u64, u64)> {
    let fields: Vec<&str> = stat
        .get(stat.rfind(')')? + 1..)?
        .split_whitespace()
        .collect();
    // After the name: state (field 3), ppid (4), … utime (14), stime (15).
    Some((
        fields.get(1)?.parse().ok()?,
        fields.get(11)?.parse().ok()?,
        fields.get(12)?.parse().ok()?,
    ))
}
