//! The few Linux calls the generator makes through libc: the monotonic clock, a
//! timerfd armed at absolute times, the thread's timer slack, the process's CPU time,
//! the CPU a thread is on, and CPU affinity. Every `unsafe` block in the crate is here.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// CLOCK_MONOTONIC in nanoseconds: the clock the schedule, the timerfd and every
/// latency are measured on (`Instant` reads the same clock, but does not expose the
/// value a timerfd needs).
pub(crate) fn now_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC always exists.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    debug_assert_eq!(rc, 0, "clock_gettime(CLOCK_MONOTONIC) cannot fail");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// A non-blocking timerfd on CLOCK_MONOTONIC, armed at absolute times so a late
/// re-arm cannot shift the schedule.
pub(crate) struct Timer {
    fd: OwnedFd,
}

impl Timer {
    pub(crate) fn new() -> io::Result<Timer> {
        let flags = libc::TFD_NONBLOCK | libc::TFD_CLOEXEC;
        // SAFETY: timerfd_create takes no pointers; it returns a new descriptor or -1.
        let fd = unsafe { libc::timerfd_create(libc::CLOCK_MONOTONIC, flags) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just created and nothing else owns it.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(Timer { fd })
    }

    /// Fires once when CLOCK_MONOTONIC reaches `at_ns` (at once if it has already).
    pub(crate) fn arm_at(&self, at_ns: u64) -> io::Result<()> {
        // A zero it_value would disarm the timer; a time in the past fires at once.
        let at_ns = at_ns.max(1);
        let spec = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                tv_sec: (at_ns / 1_000_000_000) as libc::time_t,
                tv_nsec: (at_ns % 1_000_000_000) as libc::c_long,
            },
        };
        // SAFETY: `spec` is a valid itimerspec; a null old_value is allowed.
        let rc = unsafe {
            libc::timerfd_settime(
                self.fd.as_raw_fd(),
                libc::TFD_TIMER_ABSTIME,
                &spec,
                std::ptr::null_mut(),
            )
        };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Consumes an expiry, so the descriptor is not readable until the next one.
    pub(crate) fn clear(&self) {
        let mut expirations = [0u8; 8];
        // SAFETY: the buffer is 8 writable bytes, the size a timerfd read needs. A
        // read with no expiry pending fails with EAGAIN, which is what we want.
        let _ = unsafe { libc::read(self.fd.as_raw_fd(), expirations.as_mut_ptr().cast(), 8) };
    }

    pub(crate) fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// Lets the calling thread's timers expire within 1 ns of when they are due instead
/// of the default 50 µs slack the kernel may add to coalesce wake-ups.
pub(crate) fn set_timer_slack_1ns() -> io::Result<()> {
    // SAFETY: PR_SET_TIMERSLACK takes its value as an integer argument, no pointers.
    let rc = unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong) };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// This process's user + system CPU seconds so far, all threads.
pub(crate) fn process_cpu_s() -> f64 {
    // SAFETY: an all-zero rusage is a valid value; getrusage only writes into it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is a valid, writable rusage; RUSAGE_SELF is always accepted.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    debug_assert_eq!(rc, 0, "getrusage(RUSAGE_SELF) cannot fail");
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(ru.ru_utime) + seconds(ru.ru_stime)
}

/// The CPU the calling thread is running on.
pub(crate) fn current_cpu() -> Option<u32> {
    // SAFETY: sched_getcpu takes no arguments; it returns a CPU number or -1.
    let cpu = unsafe { libc::sched_getcpu() };
    u32::try_from(cpu).ok()
}

/// The CPUs the calling thread may run on.
pub(crate) fn affinity() -> io::Result<Vec<usize>> {
    // SAFETY: an all-zero cpu_set_t is the empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: `set` is a valid, writable cpu_set_t of `size` bytes; pid 0 is the
    // calling thread.
    let rc = unsafe { libc::sched_getaffinity(0, size, &mut set) };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((0..libc::CPU_SETSIZE as usize)
        // SAFETY: `cpu` is below CPU_SETSIZE, inside the set.
        .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) })
        .collect())
}

/// Restricts the thread or process `tid` (0: the calling thread) to `cpus`.
pub(crate) fn set_affinity(tid: libc::pid_t, cpus: &[usize]) -> io::Result<()> {
    // SAFETY: an all-zero cpu_set_t is the empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    for &cpu in cpus {
        if cpu >= libc::CPU_SETSIZE as usize {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "CPU {cpu} is beyond the {} a CPU set holds",
                    libc::CPU_SETSIZE
                ),
            ));
        }
        // SAFETY: `cpu` was checked to lie inside the set.
        unsafe { libc::CPU_SET(cpu, &mut set) };
    }
    let size = std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: `set` is a valid cpu_set_t of `size` bytes, only read.
    let rc = unsafe { libc::sched_setaffinity(tid, size, &set) };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// A set of CPU numbers below 1,024, cheap enough to update at every wake-up.
#[derive(Debug, Clone, Default)]
pub(crate) struct CpuSeen {
    bits: [u64; 16],
}

impl CpuSeen {
    /// Notes the CPU the calling thread is on now.
    pub(crate) fn note_current(&mut self) {
        if let Some(cpu) = current_cpu().filter(|&cpu| cpu < 1024) {
            self.bits[cpu as usize / 64] |= 1 << (cpu % 64);
        }
    }

    pub(crate) fn merge(&mut self, other: &CpuSeen) {
        for (mine, theirs) in self.bits.iter_mut().zip(&other.bits) {
            *mine |= theirs;
        }
    }

    /// The CPUs seen, ascending.
    pub(crate) fn to_vec(&self) -> Vec<u32> {
        (0..1024u32)
            .filter(|&cpu| self.bits[cpu as usize / 64] & (1 << (cpu % 64)) != 0)
            .collect()
    }
}
