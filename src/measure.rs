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
            latency_p99_us: None,
            latency_max_us: None,
            metrics: Default::default(),
            ops: None,
            process: 0,
            foreign_cpu_s: None,
            foreign_resolution_s: None,
            kernel_cpu_s: None,
            steal_s: None,
            disturbed: false,
            process_peak_rss_bytes: None,
            generator_cpu_s: None,
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
