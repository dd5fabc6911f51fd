//! The generator as a process of its own. The harness re-executes a binary with
//! [`CHILD_ENV`] set; that binary calls [`run_if_child`] first, which turns it into a
//! generator that reads one JSON [`Plan`] per line on stdin and answers one JSON line
//! per plan on stdout: `{"ok": Report}` or `{"err": "..."}`. [`Generator`] is the
//! harness's end of that pipe. This module also owns CPU placement: pinning the
//! generator (or the harness) with sched_setaffinity, and reading what is allowed.

use crate::engine;
use crate::plan::{Plan, Report};
use crate::sys;
use serde::{Deserialize, Serialize};
use std::io::{self, BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Set in a child's environment to make it a generator: `threads` or
/// `threads:cpu,cpu,...` (the CPUs it pins itself to).
pub const CHILD_ENV: &str = "RTCOMPARE_LOADGEN_CHILD";

/// How long [`Generator`]'s drop waits for the child to exit after closing its stdin
/// before killing it.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// How a generator process runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Generator threads, each with its own event loop.
    pub threads: usize,
    /// The CPUs to pin the generator to; `None` leaves it where the OS puts it.
    pub cpus: Option<Vec<usize>>,
}

impl Default for Options {
    /// One thread, not pinned.
    fn default() -> Options {
        Options {
            threads: 1,
            cpus: None,
        }
    }
}

impl Options {
    /// The value of [`CHILD_ENV`] that asks for these options.
    pub fn to_env(&self) -> String {
        match &self.cpus {
            None => self.threads.to_string(),
            Some(cpus) => {
                let list: Vec<String> = cpus.iter().map(usize::to_string).collect();
                format!("{}:{}", self.threads, list.join(","))
            }
        }
    }

    /// Parses a [`CHILD_ENV`] value.
    pub fn from_env(value: &str) -> Result<Options, String> {
        let bad =
            || format!("{CHILD_ENV} must be 'threads' or 'threads:cpu,cpu,...', not '{value}'");
        let (threads, cpus) = match value.split_once(':') {
            Some((threads, cpus)) => (threads, Some(cpus)),
            None => (value, None),
        };
        let threads: usize = threads.trim().parse().map_err(|_| bad())?;
        if threads == 0 {
            return Err(bad());
        }
        let cpus = match cpus {
            None => None,
            Some(list) => Some(
                list.split(',')
                    .map(|cpu| cpu.trim().parse::<usize>().map_err(|_| bad()))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        Ok(Options { threads, cpus })
    }
}

/// One answer line from the generator.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Answer {
    Ok(Report),
    Err(String),
}

/// If [`CHILD_ENV`] is set, runs as a generator and exits (0 when stdin closes, 2 if
/// it cannot start or its pipes fail); otherwise returns at once. Call it first thing
/// in `main`.
pub fn run_if_child() {
    let Some(value) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let code = match serve_stdin(&value.to_string_lossy()) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("rtcompare-loadgen: {e}");
            2
        }
    };
    std::process::exit(code);
}

/// The generator's main loop: a plan per stdin line, an answer per stdout line.
fn serve_stdin(value: &str) -> Result<(), String> {
    let options = Options::from_env(value)?;
    if let Some(cpus) = &options.cpus {
        pin_current_process(cpus)
            .map_err(|e| format!("cannot pin itself to CPUs {cpus:?}: {e}"))?;
    }
    let mut stdout = io::stdout().lock();
    for line in io::stdin().lock().lines() {
        let line = line.map_err(|e| format!("cannot read a plan from stdin: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = match serde_json::from_str::<Plan>(&line) {
            Ok(plan) => engine::run(&plan, options.threads).map_or_else(Answer::Err, Answer::Ok),
            Err(e) => Answer::Err(format!("the load generator cannot parse its plan: {e}")),
        };
        let json = serde_json::to_string(&answer)
            .map_err(|e| format!("cannot serialise the answer: {e}"))?;
        writeln!(stdout, "{json}")
            .and_then(|()| stdout.flush())
            .map_err(|e| format!("cannot write the answer to stdout: {e}"))?;
    }
    Ok(())
}

/// The harness's handle on a generator process.
pub struct Generator {
    child: Child,
    /// `None` once closed (in drop).
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    /// Plans started and not yet finished.
    pending: usize,
}

impl Generator {
    /// Starts `exe` as a generator with `options`: [`CHILD_ENV`] set, stdin and stdout
    /// piped, stderr inherited (so its complaints reach the harness's stderr).
    pub fn spawn(exe: &Path, options: &Options) -> io::Result<Generator> {
        let mut child = Command::new(exe)
            .env(CHILD_ENV, options.to_env())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| io::Error::other("no stdin pipe"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no stdout pipe"))?;
        Ok(Generator {
            child,
            stdin: Some(stdin),
            stdout: BufReader::new(stdout),
            pending: 0,
        })
    }

    /// The generator's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `plan` and returns at once; the generator starts on it when it has
    /// answered the plans before it. [`Generator::finish`] collects the answer.
    pub fn start(&mut self, plan: &Plan) -> io::Result<()> {
        let line = serde_json::to_string(plan).map_err(io::Error::other)?;
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| io::Error::other("the generator's stdin is closed"))?;
        let written = writeln!(stdin, "{line}").and_then(|()| stdin.flush());
        if let Err(e) = written {
            // A closed pipe means the generator died: say how.
            let gone = e.kind() == io::ErrorKind::BrokenPipe;
            let status = if gone {
                self.exit_status()
            } else {
                "running".into()
            };
            return Err(io::Error::new(
                e.kind(),
                format!(
                    "cannot send a plan to the load generator (pid {}, {status}): {e}",
                    self.pid()
                ),
            ));
        }
        self.pending += 1;
        Ok(())
    }

    /// Waits for the answer to the earliest plan started and not yet finished.
    pub fn finish(&mut self) -> Result<Report, String> {
        if self.pending == 0 {
            return Err("no plan was started on this load generator".into());
        }
        self.pending -= 1;
        let mut line = String::new();
        let read = self.stdout.read_line(&mut line);
        match read {
            Ok(0) => Err(format!(
                "the load generator (pid {}) died before answering: {}",
                self.pid(),
                self.exit_status()
            )),
            Ok(_) => match serde_json::from_str::<Answer>(&line) {
                Ok(Answer::Ok(report)) => Ok(report),
                Ok(Answer::Err(message)) => Err(message),
                Err(e) => Err(format!(
                    "the load generator (pid {}) answered a line that is not a report ({e}): {}",
                    self.pid(),
                    line.trim_end()
                )),
            },
            Err(e) => Err(format!(
                "cannot read the load generator's (pid {}) answer: {e}",
                self.pid()
            )),
        }
    }

    /// Sends `plan` and waits for its answer.
    pub fn run(&mut self, plan: &Plan) -> Result<Report, String> {
        self.start(plan).map_err(|e| e.to_string())?;
        self.finish()
    }

    /// The child's exit status, once its stdout has closed: waits up to 2 s for it
    /// to exit.
    fn exit_status(&mut self) -> String {
        match wait_until(&mut self.child, Instant::now() + EXIT_GRACE) {
            Ok(Some(status)) => describe_exit(status),
            Ok(None) => "its stdout closed but it is still running".into(),
            Err(e) => format!("its status cannot be read: {e}"),
        }
    }
}

impl Drop for Generator {
    /// Closes the generator's stdin (it exits on EOF) and reaps it, killing it if it
    /// has not exited within 2 s.
    fn drop(&mut self) {
        self.stdin = None;
        if !matches!(
            wait_until(&mut self.child, Instant::now() + EXIT_GRACE),
            Ok(Some(_))
        ) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Polls `child` until it exits or `deadline` passes.
fn wait_until(child: &mut Child, deadline: Instant) -> io::Result<Option<ExitStatus>> {
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// "exit status 2", "killed by signal 9".
fn describe_exit(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        (None, None) => format!("{status}"),
    }
}

/// The CPUs the calling thread (and so, unless it was pinned apart, its process) may
/// run on, ascending. Empty only if the kernel refuses to say, which it does not for
/// the calling thread.
pub fn cpus_allowed() -> Vec<usize> {
    sys::affinity().unwrap_or_default()
}

/// Pins every thread of the calling process to `cpus` (threads started later inherit
/// it).
pub fn pin_current_process(cpus: &[usize]) -> io::Result<()> {
    if cpus.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "cannot pin to an empty CPU list",
        ));
    }
    // sched_setaffinity pins one thread; every thread already running is listed here.
    for entry in std::fs::read_dir("/proc/self/task")? {
        let name = entry?.file_name();
        let Some(tid) = name.to_str().and_then(|s| s.parse::<libc::pid_t>().ok()) else {
            continue;
        };
        match sys::set_affinity(tid, cpus) {
            Ok(()) => {}
            // The thread exited since the directory was read.
            Err(e) if e.raw_os_error() == Some(libc::ESRCH) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_round_trip_through_the_env_value() {
        let plain = Options::default();
        assert_eq!(plain.to_env(), "1");
        assert_eq!(Options::from_env("1"), Ok(plain));
        let pinned = Options {
            threads: 2,
            cpus: Some(vec![0, 3]),
        };
        assert_eq!(pinned.to_env(), "2:0,3");
        assert_eq!(Options::from_env("2:0,3"), Ok(pinned));
        for bad in ["", "0", "x", "2:", "2:a", "-1"] {
            let err = Options::from_env(bad).unwrap_err();
            assert!(err.contains(CHILD_ENV), "{bad}: {err}");
        }
    }

    #[test]
    fn answers_are_tagged_ok_or_err() {
        let ok = serde_json::to_string(&Answer::Ok(Report { steps: vec![] })).unwrap();
        assert_eq!(ok, r#"{"ok":{"steps":[]}}"#);
        let err = serde_json::to_string(&Answer::Err("no".into())).unwrap();
        assert_eq!(err, r#"{"err":"no"}"#);
    }

    #[test]
    fn cpus_allowed_lists_the_cpu_this_thread_runs_on() {
        let allowed = cpus_allowed();
        let now = sys::current_cpu().expect("sched_getcpu works on Linux") as usize;
        assert!(allowed.contains(&now), "{now} not in {allowed:?}");
        assert!(pin_current_process(&[]).is_err());
    }
}
