//! `cpython-seq`, `cpython-threads`, `cpython-processes` and `cpython-nogil-threads`:
//! the real interpreter beside the emulated `gil`. Each cell starts one CPython
//! process running the script embedded from `cpython.py` (a plain loop, a
//! `ThreadPoolExecutor` of N threads, or a `multiprocessing.Pool` of N forked
//! processes, built before the first sample) and hands the workload's script body
//! ([`ScriptJob`]s) to it, one batch per sample, over pipes: JSON lines, parsed
//! before the clock starts; only a `go` and the results cross while it runs.
//!
//! This module owns finding the interpreter (`python3` on `PATH`; a free-threaded
//! `python3.13t` or later for the no-GIL runner), the [`Python`] process and its
//! protocol, and what the fingerprint records of each interpreter
//! ([`interpreters`]). Where no interpreter is found, or the one found cannot run
//! what the runner measures, every cell is n/a with the reason
//! ([`InterpreterError::Unavailable`]); a workload without a script body never
//! starts it.
//!
//! The CPU time of the interpreter and of its pool's processes counts toward the
//! cell's (they are its process tree), as for `processes`. Speedups are taken
//! against `cpython-seq` ([`RunnerInfo::baseline`]), never against the Rust `seq`:
//! an interpreted kernel step costs about a hundred compiled ones, so CPython cells
//! run fewer steps (the workload's `fit` says how many, and the params record it).

use crate::{Runner, RunnerError, RunnerInfo, ThreadsKnob};
use rtcompare_api::{
    AddressSpace, Class, Concurrency, Family, Interpreter, InterpreterError, ScriptJob, Visitor,
};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// The interpreter's side, run with `python3 -I -c`.
const SCRIPT: &str = include_str!("cpython.py");

/// The runner every CPython runner's speedups are taken against.
const BASELINE: &str = "cpython-seq";

/// The command of the interpreter with a GIL.
const PYTHON: &str = "python3";

/// The oldest minor version with a free-threaded build (PEP 703).
const FIRST_FREE_THREADED_MINOR: u32 = 13;

/// What every CPython runner's reader must know.
const SCRIPT_CAVEAT: &str = "runs in CPython (python3 on PATH, its version in the \
     fingerprint and each cell): the same 64-bit LCG kernel, masked to 64 bits, every chunk's \
     result checked; an interpreted step costs about a hundred compiled ones, so its cells run \
     1/128 of the kernel steps (the params record them) and its speedups are against \
     cpython-seq, never the Rust seq; only cpu, cpu-skewed and sleep have a script body";

/// Where the interpreter's CPU time goes.
const TREE_CAVEAT: &str = "the interpreter starts and builds its pool before the first \
     sample; CPU time counts the interpreter's process and its pool's (their CPU clocks), peak \
     RSS adds their peaks (VmHWM); a sample's wall includes one pipe round trip to the \
     interpreter (tens of µs)";

/// The real interpreter, one job after another on its main thread.
pub struct CpythonSeq;

/// The real GIL: N threads of a `ThreadPoolExecutor`.
pub struct CpythonThreads;

/// N forked processes of a `multiprocessing.Pool`, one interpreter (and GIL) each.
pub struct CpythonProcesses;

/// N threads of a `ThreadPoolExecutor` in a free-threaded interpreter.
pub struct CpythonNogilThreads;

/// How the script runs its jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Seq,
    Threads,
    Processes,
}

impl Mode {
    fn arg(self) -> &'static str {
        match self {
            Mode::Seq => "seq",
            Mode::Threads => "threads",
            Mode::Processes => "processes",
        }
    }
}

/// Which interpreter a runner needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gil {
    /// One with its GIL enabled: `python3`.
    Enabled,
    /// A free-threaded build with its GIL disabled.
    Disabled,
}

impl Runner for CpythonSeq {
    const INFO: RunnerInfo = RunnerInfo {
        id: "cpython-seq",
        class: Class::Sequential,
        family: Family::SingleQueue,
        threads: ThreadsKnob::One,
        summary: "CPython (python3 on PATH) running the jobs one after another on its main \
                  thread: the baseline of the CPython runners",
        timer: "time.sleep",
        channel: "n/a",
        net: "n/a",
        offload: "n/a",
        caveats: &[SCRIPT_CAVEAT, TREE_CAVEAT],
        baseline: Some(BASELINE),
    };

    fn execute<V: Visitor>(_threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        execute(Self::INFO.id, Mode::Seq, Gil::Enabled, 1, visitor)
    }
}

impl Runner for CpythonThreads {
    const INFO: RunnerInfo = RunnerInfo {
        id: "cpython-threads",
        class: Class::ConcurrentSerialized,
        family: Family::OsScheduler,
        threads: ThreadsKnob::Workers,
        summary: "CPython (python3 on PATH): N threads of a concurrent.futures.\
                  ThreadPoolExecutor, every job under the interpreter's real GIL",
        timer: "time.sleep (the GIL released around it)",
        channel: "n/a",
        net: "n/a",
        offload: "n/a",
        caveats: &[
            SCRIPT_CAVEAT,
            TREE_CAVEAT,
            "the real GIL that gil emulates: CPython's own switch interval \
             (sys.getswitchinterval(), 5 ms by default) and eval-breaker checks between \
             bytecodes; the executor's threads are all started before the first sample",
        ],
        baseline: Some(BASELINE),
    };

    fn execute<V: Visitor>(threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        execute(Self::INFO.id, Mode::Threads, Gil::Enabled, threads, visitor)
    }
}

impl Runner for CpythonProcesses {
    const INFO: RunnerInfo = RunnerInfo {
        id: "cpython-processes",
        class: Class::ConcurrentParallel,
        family: Family::OsScheduler,
        threads: ThreadsKnob::Workers,
        summary: "CPython (python3 on PATH): N forked worker processes of a \
                  multiprocessing.Pool, fed one job at a time (map with chunksize 1)",
        timer: "time.sleep in each worker",
        channel: "n/a",
        net: "n/a",
        offload: "n/a",
        caveats: &[
            SCRIPT_CAVEAT,
            TREE_CAVEAT,
            "forked explicitly (the script has no file a spawn or forkserver worker could \
             import); jobs and results are pickled through the pool's pipes and its three \
             handler threads, a cost per job like processes' pipe round trip",
        ],
        baseline: Some(BASELINE),
    };

    fn execute<V: Visitor>(threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        execute(
            Self::INFO.id,
            Mode::Processes,
            Gil::Enabled,
            threads,
            visitor,
        )
    }
}

impl Runner for CpythonNogilThreads {
    const INFO: RunnerInfo = RunnerInfo {
        id: "cpython-nogil-threads",
        class: Class::ConcurrentParallel,
        family: Family::OsScheduler,
        threads: ThreadsKnob::Workers,
        summary: "a free-threaded CPython (python3.13t or later on PATH, its GIL disabled \
                  with -X gil=0): N threads of a ThreadPoolExecutor, what removing the GIL buys",
        timer: "time.sleep",
        channel: "n/a",
        net: "n/a",
        offload: "n/a",
        caveats: &[
            SCRIPT_CAVEAT,
            TREE_CAVEAT,
            "n/a where no free-threaded interpreter is on PATH; a free-threaded build runs \
             single-threaded code slower than the default build, so its cpython-seq \
             baseline is the default python3's, not its own",
        ],
        baseline: Some(BASELINE),
    };

    fn execute<V: Visitor>(threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        execute(
            Self::INFO.id,
            Mode::Threads,
            Gil::Disabled,
            threads,
            visitor,
        )
    }
}

/// Hands `visitor` the way to start the interpreter with its pool, which it does
/// only for a workload with a script body.
fn execute<V: Visitor>(
    runner: &'static str,
    mode: Mode,
    gil: Gil,
    workers: usize,
    visitor: V,
) -> Result<V::Out, RunnerError> {
    let mut start = || -> Result<Box<dyn Interpreter>, InterpreterError> {
        Ok(Box::new(start(runner, mode, gil, workers)?))
    };
    Ok(visitor.visit_script(&mut start))
}

/// Finds the interpreter and starts it with its pool; n/a where there is none, or
/// where it cannot run what `runner` measures.
fn start(
    runner: &'static str,
    mode: Mode,
    gil: Gil,
    workers: usize,
) -> Result<Python, InterpreterError> {
    let unavailable = |reason: String| {
        InterpreterError::Unavailable(RunnerError::Unavailable { runner, reason }.to_string())
    };
    let program = match gil {
        Gil::Enabled => PathBuf::from(PYTHON),
        Gil::Disabled => free_threaded_on_path().ok_or_else(|| {
            unavailable(format!(
                "no free-threaded CPython (python3.{FIRST_FREE_THREADED_MINOR}t or later) on \
                 PATH"
            ))
        })?,
    };
    let python = Python::start(&program, mode, gil, workers.max(1)).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            unavailable(format!("no {} on PATH", program.display()))
        } else {
            InterpreterError::Failed(
                RunnerError::Build {
                    runner,
                    message: e.to_string(),
                }
                .to_string(),
            )
        }
    })?;
    match (gil, python.ready.gil) {
        (Gil::Enabled, false) => Err(unavailable(format!(
            "{} is a free-threaded build with its GIL disabled; this runner measures the GIL",
            python.describe()
        ))),
        (Gil::Disabled, true) => Err(unavailable(format!(
            "{} kept its GIL enabled with -X gil=0",
            python.describe()
        ))),
        _ => Ok(python),
    }
}

/// The highest `python3.Nt` (N ≥ 13) in a directory on `PATH`, if any.
fn free_threaded_on_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let mut best: Option<(u32, PathBuf)> = None;
    for dir in std::env::split_paths(&path) {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(minor) = name.to_str().and_then(free_threaded_minor) else {
                continue;
            };
            if best.as_ref().is_none_or(|(m, _)| minor > *m) {
                best = Some((minor, entry.path()));
            }
        }
    }
    best.map(|(_, path)| path)
}

/// `Some(13)` for `python3.13t`; `None` for any other name.
fn free_threaded_minor(name: &str) -> Option<u32> {
    let minor: u32 = name
        .strip_prefix("python3.")?
        .strip_suffix('t')?
        .parse()
        .ok()?;
    (minor >= FIRST_FREE_THREADED_MINOR).then_some(minor)
}

/// What the interpreter said of itself when its pool was up.
#[derive(Debug, Clone)]
struct Ready {
    implementation: String,
    version: String,
    gil: bool,
    /// `sys.executable`: the interpreter's path behind any launcher or shim.
    executable: String,
}

impl Ready {
    /// `CPython 3.11.7, GIL enabled`.
    fn describe(&self) -> String {
        let implementation = match self.implementation.as_str() {
            "cpython" => "CPython",
            other => other,
        };
        let gil = if self.gil {
            "GIL enabled"
        } else {
            "free-threaded, GIL disabled"
        };
        format!("{implementation} {}, {gil}", self.version)
    }
}

/// A running interpreter with its pool, spoken to over its stdin and a private
/// copy of its stdout.
struct Python {
    child: Child,
    /// `None` once closed, which ends the script.
    input: Option<ChildStdin>,
    output: BufReader<ChildStdout>,
    program: PathBuf,
    mode: Mode,
    workers: usize,
    ready: Ready,
    /// The current request, reused: a batch is written without allocating anew.
    request: String,
    /// The last reply line, reused.
    line: String,
}

impl Python {
    /// Starts `program` running the script in `mode` with `workers`, and waits until
    /// its pool is up.
    fn start(program: &Path, mode: Mode, gil: Gil, workers: usize) -> io::Result<Python> {
        let mut command = Command::new(program);
        // Isolated: no user site-packages, no PYTHON* variables, no current directory
        // on sys.path, so the same interpreter runs the same way for every cell.
        command.arg("-I");
        if gil == Gil::Disabled {
            command.args(["-X", "gil=0"]);
        }
        let mut child = command
            .arg("-c")
            .arg(SCRIPT)
            .arg(mode.arg())
            .arg(workers.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let input = child.stdin.take();
        let output = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut python = Python {
            child,
            input,
            output,
            program: program.to_owned(),
            mode,
            workers,
            ready: Ready {
                implementation: String::new(),
                version: String::new(),
                gil: true,
                executable: String::new(),
            },
            request: String::new(),
            line: String::new(),
        };
        let ready = python.reply("ready")?;
        let field = |key: &str| ready.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        python.ready = Ready {
            implementation: field("implementation").unwrap_or_default(),
            version: field("version").unwrap_or_default(),
            gil: ready.get("gil").and_then(|v| v.as_bool()).unwrap_or(true),
            executable: field("executable").unwrap_or_default(),
        };
        Ok(python)
    }

    /// Writes the request held in `self.request`.
    fn send(&mut self) -> io::Result<()> {
        let input = self.input.as_mut().expect("open until dropped");
        input.write_all(self.request.as_bytes())?;
        input.flush()
    }

    /// Reads the next reply and returns its `key` member; an `error` reply, an end
    /// of output or a reply without `key` is an error naming the interpreter.
    fn reply(&mut self, key: &str) -> io::Result<serde_json::Value> {
        self.line.clear();
        let read = self.output.read_line(&mut self.line)?;
        if read == 0 {
            let status = self
                .child
                .wait()
                .map(|s| s.to_string())
                .unwrap_or_else(|e| e.to_string());
            return Err(io::Error::other(format!(
                "{} ({} mode) ended before answering: {status}; its stderr is above",
                self.program.display(),
                self.mode.arg()
            )));
        }
        let mut reply: serde_json::Value = serde_json::from_str(&self.line).map_err(|e| {
            io::Error::other(format!(
                "{} sent a line that is not JSON ({e}): {}",
                self.program.display(),
                self.line.trim_end()
            ))
        })?;
        if let Some(error) = reply.get("error") {
            return Err(io::Error::other(format!(
                "{} raised {}",
                self.program.display(),
                error.as_str().unwrap_or("an error")
            )));
        }
        reply
            .get_mut(key)
            .map(serde_json::Value::take)
            .ok_or_else(|| {
                io::Error::other(format!(
                    "{} answered without `{key}`: {}",
                    self.program.display(),
                    self.line.trim_end()
                ))
            })
    }

    fn census_reply(&mut self) -> io::Result<serde_json::Value> {
        self.request.clear();
        self.request.push_str("{\"census\":true}\n");
        self.send()?;
        self.reply("census")
    }
}

impl Interpreter for Python {
    fn concurrency(&self) -> Concurrency {
        match self.mode {
            Mode::Seq => Concurrency::Bounded(1),
            Mode::Threads | Mode::Processes => Concurrency::Bounded(self.workers),
        }
    }

    fn address_space(&self) -> AddressSpace {
        match self.mode {
            Mode::Processes => AddressSpace::Separate,
            Mode::Seq | Mode::Threads => AddressSpace::Shared,
        }
    }

    fn describe(&self) -> String {
        self.ready.describe()
    }

    fn load(&mut self, jobs: &[ScriptJob]) -> io::Result<()> {
        self.request.clear();
        self.request.push_str("{\"load\":[");
        for (i, job) in jobs.iter().enumerate() {
            if i > 0 {
                self.request.push(',');
            }
            match *job {
                ScriptJob::Spin { seed, steps } => {
                    write!(self.request, "[\"spin\",{seed},{steps}]")
                }
                ScriptJob::Sleep {
                    sleep_ns,
                    at_least_ns,
                    times,
                } => write!(self.request, "[\"sleep\",{sleep_ns},{at_least_ns},{times}]"),
            }
            .expect("write to String");
        }
        self.request.push_str("]}\n");
        self.send()?;
        let loaded = self.reply("loaded")?;
        if loaded.as_u64() != Some(jobs.len() as u64) {
            return Err(io::Error::other(format!(
                "{} loaded {loaded} jobs of {}",
                self.program.display(),
                jobs.len()
            )));
        }
        Ok(())
    }

    fn run(&mut self) -> io::Result<Vec<u64>> {
        self.request.clear();
        self.request.push_str("{\"go\":true}\n");
        self.send()?;
        let results = self.reply("results")?;
        results
            .as_array()
            .map(|values| values.iter().map(serde_json::Value::as_u64).collect())
            .and_then(|values: Option<Vec<u64>>| values)
            .ok_or_else(|| {
                io::Error::other(format!(
                    "{} sent results that are not 64-bit unsigned integers",
                    self.program.display()
                ))
            })
    }

    fn census(&mut self) -> io::Result<Vec<(String, usize)>> {
        let census = self.census_reply()?;
        let mut out = Vec::new();
        for (group, suffix) in [("threads", "thread"), ("processes", "process")] {
            for (name, count) in census
                .get(group)
                .and_then(|g| g.as_object())
                .into_iter()
                .flatten()
            {
                let count = count.as_u64().unwrap_or(0) as usize;
                out.push((format!("python {name} ({suffix})"), count));
            }
        }
        Ok(out)
    }

    fn peak_rss_bytes(&self) -> Option<u64> {
        let peaks: Vec<u64> = self
            .pids()
            .into_iter()
            .filter_map(crate::processes::peak_rss_of)
            .collect();
        (!peaks.is_empty()).then(|| peaks.iter().sum())
    }
}

impl Python {
    /// The interpreter's pid and its live child processes' (the pool's workers),
    /// read from `/proc` without asking the interpreter.
    fn pids(&self) -> Vec<u32> {
        let me = self.child.id();
        let mut pids = vec![me];
        pids.extend(rtcompare_api::child_pids(me));
        pids
    }
}

impl Drop for Python {
    fn drop(&mut self) {
        // End of input ends the script, and its pool's workers with it; one stuck in
        // a job (a failed cell) is killed after a grace period.
        drop(self.input.take());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
        while std::time::Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Each interpreter a CPython runner would use, by the command that finds it,
/// described as it describes itself (`CPython 3.11.7, GIL enabled`): for the
/// fingerprint. Interpreters that are absent or fail to start are left out.
pub fn interpreters() -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut probe = |program: PathBuf, gil: Gil| {
        if let Ok(python) = Python::start(&program, Mode::Seq, gil, 1) {
            let name = program.file_name().map_or_else(
                || program.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let mut described = python.describe();
            if !python.ready.executable.is_empty() {
                write!(described, " ({})", python.ready.executable).expect("write to String");
            }
            found.insert(name, described);
        }
    };
    probe(PathBuf::from(PYTHON), Gil::Enabled);
    if let Some(free) = free_threaded_on_path() {
        probe(free, Gil::Disabled);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compiled kernel's step, to check the interpreter's against.
    fn lcg(mut x: u64, steps: u64) -> u64 {
        for _ in 0..steps {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
        }
        x
    }

    fn start(mode: Mode, workers: usize) -> Python {
        Python::start(Path::new(PYTHON), mode, Gil::Enabled, workers)
            .expect("python3 on PATH (.ci/run installs it)")
    }

    #[test]
    fn free_threaded_names_are_recognised() {
        assert_eq!(free_threaded_minor("python3.13t"), Some(13));
        assert_eq!(free_threaded_minor("python3.14t"), Some(14));
        assert_eq!(free_threaded_minor("python3.12t"), None);
        assert_eq!(free_threaded_minor("python3.13"), None);
        assert_eq!(free_threaded_minor("python3.13t-config"), None);
    }

    #[test]
    fn every_mode_runs_the_kernel_with_wrapping_arithmetic() {
        // Seeds near 2^64 make every step overflow: Python's masking must wrap as
        // Rust's arithmetic does.
        let jobs = [
            ScriptJob::Spin {
                seed: u64::MAX,
                steps: 1_000,
            },
            ScriptJob::Spin { seed: 0, steps: 0 },
            ScriptJob::Spin {
                seed: 0x9E37_79B9_7F4A_7C15,
                steps: 77,
            },
            ScriptJob::Sleep {
                sleep_ns: 1_000_000,
                at_least_ns: 1_000_000,
                times: 2,
            },
            // A sleep skipped cannot be on time.
            ScriptJob::Sleep {
                sleep_ns: 0,
                at_least_ns: 50_000_000,
                times: 3,
            },
        ];
        let expected = vec![
            lcg(u64::MAX, 1_000),
            0,
            lcg(0x9E37_79B9_7F4A_7C15, 77),
            2,
            0,
        ];
        for (mode, workers) in [(Mode::Seq, 1), (Mode::Threads, 2), (Mode::Processes, 2)] {
            let mut python = start(mode, workers);
            assert!(
                python.describe().starts_with("CPython 3."),
                "{}",
                python.describe()
            );
            python.load(&jobs).unwrap();
            assert_eq!(python.run().unwrap(), expected, "{mode:?}");
            // Loaded jobs stay loaded: a second run needs only a `go`.
            assert_eq!(python.run().unwrap(), expected, "{mode:?} again");
            let census = python.census().unwrap();
            let count = |name: &str| {
                census
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or(0, |(_, c)| *c)
            };
            match mode {
                Mode::Seq => assert_eq!(count("python MainThread (thread)"), 1),
                Mode::Threads => assert_eq!(count("python ThreadPoolExecutor (thread)"), 2),
                Mode::Processes => {
                    assert_eq!(count("python ForkPoolWorker (process)"), 2);
                    assert_eq!(python.pids().len(), 3, "the interpreter and 2 workers");
                }
            }
            assert!(python.peak_rss_bytes().unwrap() > 1 << 20);
        }
    }

    #[test]
    fn an_exception_or_a_dead_interpreter_is_an_error_that_says_so() {
        let mut python = start(Mode::Threads, 2);
        python.request = "{\"load\":[[\"nope\",1]]}\n".into();
        python.send().unwrap();
        python.reply("loaded").unwrap();
        python.request = "{\"go\":true}\n".into();
        python.send().unwrap();
        let error = python.reply("results").unwrap_err().to_string();
        assert!(
            error.contains("raised ValueError: unknown job kind"),
            "{error}"
        );

        python.child.kill().unwrap();
        let error = python.run().unwrap_err().to_string();
        assert!(
            error.contains("ended before answering") || error.contains("Broken pipe"),
            "{error}"
        );
    }

    #[test]
    fn the_interpreter_and_its_pool_exit_when_dropped() {
        let python = start(Mode::Processes, 2);
        let pids = python.pids();
        assert_eq!(pids.len(), 3);
        drop(python);
        std::thread::sleep(std::time::Duration::from_millis(200));
        for pid in pids {
            let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // Gone, or a zombie waiting for a parent that is not this process.
            assert!(
                state.is_empty() || state.contains(") Z "),
                "{pid} still runs: {state}"
            );
        }
    }
}
