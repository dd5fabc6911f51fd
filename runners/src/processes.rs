//! `processes`: N worker processes fed one job at a time over pipes, Python's
//! `multiprocessing.Pool.imap_unordered` with a chunk size of 1. This module owns both
//! sides of that arrangement: the [`Pool`] the cell process hands a workload's
//! blocking body, and the [`WorkerStrategy`] a worker process hands the same body.
//!
//! # How a job crosses a process boundary
//! A job is a closure borrowed from the workload's body; it cannot travel to another
//! process. So each worker is this binary re-executed with the cell's own arguments
//! plus [`WORKER_FLAG`]: it rebuilds the same workload with the same preset and the
//! same fitting context (the worker strategy describes itself exactly as the pool
//! does), and runs the same blocking body in a loop, deterministically building the
//! same closures. Only job indices and `u64` results cross the pipes: the parent's
//! closure is ignored and job `i` runs as the worker's own closure computes it. Jobs
//! share no memory, which is the point: workloads whose jobs do share memory (a
//! histogram, channels, a stop flag) declare themselves n/a on
//! [`AddressSpace::Separate`]. A network cell's listener is the exception that makes
//! `processes` a pre-fork server: the cell binds it before this pool starts and the
//! workers inherit it (see `rtcompare_workloads::net`), so a job sent to a worker
//! accepts one connection on that shared socket and serves it to the end.
//!
//! # Protocol
//! Frames of two little-endian `u64`s, a tag and a value, on the worker's stdin
//! (parent → worker) and on a private copy of its stdout (worker → parent; the worker
//! points its own stdout at stderr so a stray print cannot corrupt the stream):
//! `READY` once a worker has started; per batch `BEGIN(jobs)`, then `JOB(i)` answered
//! by `RESULT(value)`, one job in flight per worker, then `END`, to which the worker's
//! strategy returns (so the body's next call, or its next repetition, stays in step
//! with the parent's). `BEGIN` carries the batch size, so a worker whose body asks for
//! a different batch than the parent's fails loudly instead of computing the wrong
//! jobs. End of input is the only way to stop a worker: it exits at once. Nothing is
//! allocated per job on either side.
//!
//! # Scheduling
//! One tender thread per worker in the parent (the calling thread tends the first;
//! the others are started once with the pool and kept for its life, as
//! `multiprocessing.Pool` keeps its handler threads, so a batch only wakes them) takes
//! the next index from one shared counter, writes it, and waits for the result: dynamic,
//! one pipe round trip per job (about 4 µs on the reference machine, against about
//! 0.3 µs per job through `thread-pool`'s queue). The workers are started in
//! [`Runner::execute`], before any timed region, and wait for their first batch; only
//! [`Strategy::spawn_each`] starts processes while a sample is timed, because there
//! creating them is what is measured.
//!
//! # Failures
//! A worker that dies while `run` holds it fails the cell, naming the worker, its exit
//! status or signal and the job it held. [`Strategy::run_isolated`] instead records
//! that job as failed, starts a replacement worker and finishes the other jobs: a
//! crashed process takes only its own job with it. (A replacement starts its body
//! from the beginning, so it is in step only for bodies that run one batch per
//! repetition, as the crash workloads do; `BEGIN`'s batch size catches the others.)
//!
//! # Memory
//! Read by the parent only where no clock runs: [`Strategy::metrics`], after the
//! samples, with the pool's workers alive, reports `rss-per-process-bytes`, the mean
//! unique set of a pool worker ([`rtcompare_api::unique_set_bytes`]: its private
//! pages, which unlike a proportional share do not fall as more workers share the
//! rest), and `workers-peak-rss-bytes`: the sum of every pool worker's peak resident
//! set (`VmHWM`) plus the largest sum of the fresh processes' unique sets seen in
//! [`Strategy::spawn_held`] (the untimed memory probe of `spawn`, with a whole wave
//! alive; their unique sets, since each one's VmHWM would count the binary's shared
//! pages again, 200 times over). The cell adds that sum to its own peak, so the peak-RSS column of a
//! `processes` cell covers its workers; a sum of peaks is an upper bound, since the
//! workers need not peak at once. A replaced worker's peak dies with it and is not
//! counted. `spawn`'s memory per process comes from the same probe, measured as
//! for threads and tasks (see that workload).
//!
//! # CPU time
//! The workers' CPU time is the cell's too: the cell reads each live child's CPU
//! clock (`clock_getcpuclockid`, nanoseconds) and the reaped children's
//! `getrusage(RUSAGE_CHILDREN)` (microseconds) around every sample, never the 10 ms
//! ticks of `/proc/PID/stat`.

use crate::{Runner, RunnerError, RunnerInfo, ThreadsKnob};
use rtcompare_api::ids;
use rtcompare_api::{
    AddressSpace, Class, Concurrency, Family, Held, Isolated, Job, Nesting, Spawns, Strategy,
    Visitor,
};
use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;

/// Most fresh processes [`Strategy::spawn_each`] keeps alive at once, and the most
/// tasks `spawn` runs on `processes`. On the reference machine (2 cores, release
/// build) a fresh worker (start, exec of this binary, its start-up, one job, exit)
/// takes about 1.1-1.3 ms of wall time and 2 ms of CPU, so 200 keep a quick `spawn`
/// sample near a quarter of a second, with room for a loaded machine (against 10,000
/// threads on `threads`), and hold 400 pipe descriptors, well inside the usual limit.
pub const PROCESS_CAP: usize = 200;

/// The hidden `cell` flag that starts this binary as a worker process.
pub const WORKER_FLAG: &str = "--process-worker";

/// The pool of worker processes.
pub struct Processes;

// Frame tags.
const READY: u64 = 1;
const BEGIN: u64 = 2;
const JOB: u64 = 3;
const END: u64 = 4;
const RESULT: u64 = 5;

const FRAME: usize = 16;

fn encode(tag: u64, value: u64) -> [u8; FRAME] {
    let mut frame = [0u8; FRAME];
    frame[..8].copy_from_slice(&tag.to_le_bytes());
    frame[8..].copy_from_slice(&value.to_le_bytes());
    frame
}

fn decode(frame: &[u8; FRAME]) -> (u64, u64) {
    let half = |range: std::ops::Range<usize>| {
        u64::from_le_bytes(frame[range].try_into().expect("8 bytes"))
    };
    (half(0..8), half(8..16))
}

fn write_frame(out: &mut impl Write, tag: u64, value: u64) -> io::Result<()> {
    // One write of 16 bytes: atomic on a pipe, one system call.
    out.write_all(&encode(tag, value))?;
    out.flush()
}

/// The next frame; `None` at end of input on a frame boundary.
fn read_frame(input: &mut impl Read) -> io::Result<Option<(u64, u64)>> {
    let mut frame = [0u8; FRAME];
    let mut filled = 0;
    while filled < FRAME {
        match input.read(&mut frame[filled..]) {
            Ok(0) if filled == 0 => return Ok(None),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Some(decode(&frame)))
}

fn tag_name(tag: u64) -> &'static str {
    match tag {
        READY => "READY",
        BEGIN => "BEGIN",
        JOB => "JOB",
        END => "END",
        RESULT => "RESULT",
        _ => "an unknown frame",
    }
}

/// What both sides report to the workload's `fit`, from one place so the worker's
/// fitting context cannot drift from the parent's.
#[derive(Debug, Clone, Copy)]
struct Shape {
    workers: usize,
}

impl Shape {
    fn concurrency(self) -> Concurrency {
        Concurrency::Bounded(self.workers)
    }

    fn spawns(self) -> Option<Spawns> {
        Some(Spawns {
            unit: "process",
            cap: PROCESS_CAP,
        })
    }
}

/// The command that starts a worker: this binary with the cell's arguments.
#[derive(Debug, Clone)]
struct WorkerCommand {
    exe: PathBuf,
    args: Vec<OsString>,
}

impl WorkerCommand {
    /// The calling cell process's own command line plus [`WORKER_FLAG`].
    fn from_cell_process() -> Result<Self, String> {
        let args: Vec<OsString> = std::env::args_os().skip(1).collect();
        if args.first().and_then(|a| a.to_str()) != Some("cell") {
            return Err(
                "worker processes re-execute the cell command, so `processes` runs \
                        only inside a cell process (`rtcompare cell ...`, started by `compare`)"
                    .into(),
            );
        }
        if args.iter().any(|a| a == WORKER_FLAG) {
            return Err("a worker process cannot start workers of its own".into());
        }
        let exe = std::env::current_exe()
            .map_err(|e| format!("cannot find this binary to re-execute: {e}"))?;
        let mut args = args;
        args.push(WORKER_FLAG.into());
        Ok(WorkerCommand { exe, args })
    }
}

/// One worker process, seen from the parent.
struct Worker {
    /// Its place in the pool, or the job it was started for (`spawn_each`).
    slot: usize,
    /// Started for one job by `spawn_each`, rather than a pool worker.
    fresh: bool,
    child: Child,
    /// Its stdin; `None` once closed (which tells it to exit).
    input: Option<ChildStdin>,
    output: ChildStdout,
}

impl Worker {
    /// Starts a worker; it announces `READY` once it runs.
    fn spawn(command: &WorkerCommand, slot: usize, fresh: bool) -> io::Result<Worker> {
        let mut child = Command::new(&command.exe)
            .args(&command.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // Inherited: a worker's panic message lands in the cell's stderr.
            .stderr(Stdio::inherit())
            .spawn()?;
        let input = child.stdin.take();
        let output = child.stdout.take().expect("stdout is piped");
        Ok(Worker {
            slot,
            fresh,
            child,
            input,
            output,
        })
    }

    fn name(&self) -> String {
        let what = if self.fresh {
            "fresh worker process for job"
        } else {
            "worker process"
        };
        format!("{what} {} (pid {})", self.slot, self.child.id())
    }

    fn send(&mut self, tag: u64, value: u64) -> io::Result<()> {
        match &mut self.input {
            Some(input) => write_frame(input, tag, value),
            None => Err(io::ErrorKind::BrokenPipe.into()),
        }
    }

    /// Reads one frame, which must carry `tag`; returns its value.
    fn expect(&mut self, tag: u64) -> io::Result<u64> {
        match read_frame(&mut self.output)? {
            Some((t, value)) if t == tag => Ok(value),
            Some((t, _)) => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("sent {} where {} was due", tag_name(t), tag_name(tag)),
            )),
            None => Err(io::ErrorKind::UnexpectedEof.into()),
        }
    }

    /// One job: its index out, its result back.
    fn round_trip(&mut self, index: usize) -> io::Result<u64> {
        self.send(JOB, index as u64)?;
        self.expect(RESULT)
    }

    /// Closes its stdin, which ends it, and waits for it to exit.
    fn close(&mut self) -> io::Result<ExitStatus> {
        drop(self.input.take());
        self.child.wait()
    }

    /// After `error` talking to it: reaps it and says how it ended ("worker process 3
    /// (pid 4242) killed by SIGABRT"). A worker that broke the protocol but is still
    /// running is killed first.
    fn ended(&mut self, error: &io::Error) -> String {
        let broke_protocol = error.kind() == io::ErrorKind::InvalidData;
        if broke_protocol {
            let _ = self.child.kill();
        }
        let how = match self.close() {
            Ok(status) => describe_exit(status),
            Err(e) => format!("could not be waited for ({e})"),
        };
        let name = self.name();
        if broke_protocol {
            format!("{name} {error}, and was killed ({how})")
        } else {
            format!("{name} {how}")
        }
    }
}

/// "exited with code 101 (a panic; ...)" or "killed by SIGABRT (signal 6)".
fn describe_exit(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(101), _) => {
            "exited with code 101 (a panic; its message is in the cell's stderr)".into()
        }
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(signal)) => format!("killed by {} (signal {signal})", signal_name(signal)),
        _ => format!("ended abnormally ({status})"),
    }
}

/// Linux signal numbers (x86 and arm share these) of the usual ways to die.
fn signal_name(signal: i32) -> &'static str {
    match signal {
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => "a signal",
    }
}

/// The parent side: N workers, their tender threads, and what they have cost.
struct Pool {
    shared: Arc<Shared>,
    /// Tender threads for workers 1.., started with the pool and kept for its life,
    /// as `multiprocessing.Pool` keeps its handler threads: a batch only wakes them.
    tenders: Vec<thread::JoinHandle<()>>,
}

/// What the tenders and the calling thread share.
struct Shared {
    shape: Shape,
    command: WorkerCommand,
    workers: Vec<Mutex<Worker>>,
    control: Mutex<Control>,
    /// Wakes the tenders: a new batch, or the pool is closing.
    wake: Condvar,
    /// Wakes the dispatcher: every tender has finished the batch.
    done: Condvar,
    /// The largest sum of fresh processes' unique sets seen with a whole wave alive,
    /// read in `spawn_held` (the untimed probe), in bytes.
    fresh_peak: AtomicU64,
}

/// The batch in progress, as the tenders see it.
#[derive(Default)]
struct Control {
    /// Batches dispatched so far; a tender serves each once.
    generation: u64,
    batch: Option<Arc<Batch>>,
    /// Tenders still working on the current batch.
    busy: usize,
    closing: bool,
}

/// One batch as the tenders share it.
struct Batch {
    jobs: usize,
    /// Record failed jobs and replace their workers, instead of failing the batch.
    isolate: bool,
    next: AtomicUsize,
    sum: AtomicU64,
    /// Set when the batch has failed, so the other tenders stop taking jobs.
    stop: AtomicBool,
    fatal: Mutex<Option<String>>,
    failures: Mutex<Vec<(usize, String)>>,
}

impl Batch {
    fn new(jobs: usize, isolate: bool) -> Self {
        Batch {
            jobs,
            isolate,
            next: AtomicUsize::new(0),
            sum: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            fatal: Mutex::new(None),
            failures: Mutex::new(Vec::new()),
        }
    }

    fn fail(&self, why: String) {
        self.stop.store(true, Ordering::Relaxed);
        lock(&self.fatal).get_or_insert(why);
    }
}

/// Locks `mutex`, also after a panic elsewhere (a tender only panics when the cell
/// fails anyway, and the data stays consistent: each slot holds a worker).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Pool {
    /// Starts `workers` processes, waits until each has announced itself, and starts
    /// one tender thread for each worker but the first (the calling thread tends it).
    fn start(workers: usize, command: WorkerCommand) -> Result<Pool, String> {
        let mut started = Vec::with_capacity(workers);
        for slot in 0..workers {
            let worker = Worker::spawn(&command, slot, false)
                .map_err(|e| format!("cannot start worker process {slot}: {e}"))?;
            started.push(worker);
        }
        for worker in &mut started {
            if let Err(e) = worker.expect(READY) {
                return Err(format!("{} before it was ready", worker.ended(&e)));
            }
        }
        let shared = Arc::new(Shared {
            shape: Shape { workers },
            command,
            workers: started.into_iter().map(Mutex::new).collect(),
            control: Mutex::new(Control::default()),
            wake: Condvar::new(),
            done: Condvar::new(),
            fresh_peak: AtomicU64::new(0),
        });
        let mut pool = Pool {
            shared,
            tenders: Vec::with_capacity(workers.saturating_sub(1)),
        };
        for slot in 1..workers {
            let shared = Arc::clone(&pool.shared);
            let tender = thread::Builder::new()
                .name(format!("tender-{slot}"))
                .spawn(move || shared.tender(slot))
                .map_err(|e| format!("cannot start a tender thread: {e}"))?;
            pool.tenders.push(tender);
        }
        Ok(pool)
    }

    /// Runs `batch` on every worker: the tenders wake for it, the calling thread
    /// tends the first worker, and this returns once every tender has finished.
    fn dispatch(&self, batch: &Arc<Batch>) {
        let shared = &*self.shared;
        {
            let mut control = lock(&shared.control);
            control.generation += 1;
            control.batch = Some(Arc::clone(batch));
            control.busy = self.tenders.len();
            shared.wake.notify_all();
        }
        shared.tend(&shared.workers[0], batch);
        let mut control = lock(&shared.control);
        while control.busy > 0 {
            control = shared.done.wait(control).unwrap_or_else(|e| e.into_inner());
        }
        control.batch = None;
    }

    /// Runs `batch` and returns it, or fails the cell if it failed.
    fn finish(&self, batch: Batch) -> Batch {
        let batch = Arc::new(batch);
        self.dispatch(&batch);
        let batch = Arc::into_inner(batch).expect("no tender keeps the batch");
        if let Some(why) = lock(&batch.fatal).take() {
            panic!("processes: {why}");
        }
        batch
    }

    /// Starts a fresh process for each job of `range` (of a batch of `jobs`), sends it
    /// its job and collects every result, so that all of them are alive, idle after
    /// their job, when this returns; a failure fails the cell.
    fn start_wave(
        &self,
        range: std::ops::Range<usize>,
        jobs: usize,
        wave: &mut Vec<Worker>,
    ) -> u64 {
        let mut sum = 0u64;
        for i in range {
            let mut worker = Worker::spawn(&self.shared.command, i, true)
                .unwrap_or_else(|e| panic!("processes: cannot start a process for job {i}: {e}"));
            if let Err(e) = worker
                .send(BEGIN, jobs as u64)
                .and_then(|()| worker.send(JOB, i as u64))
            {
                panic!("processes: {} before it took job {i}", worker.ended(&e));
            }
            wave.push(worker);
        }
        for worker in wave.iter_mut() {
            let i = worker.slot;
            match worker.expect(READY).and_then(|_| worker.expect(RESULT)) {
                Ok(value) => sum = sum.wrapping_add(value),
                Err(e) => panic!("processes: {} while holding job {i}", worker.ended(&e)),
            }
        }
        sum
    }

    /// Ends every process of `wave` (closing its input) and checks each exited cleanly.
    fn end_wave(wave: &mut Vec<Worker>) {
        for worker in wave.iter_mut() {
            drop(worker.input.take());
        }
        for mut worker in wave.drain(..) {
            match worker.close() {
                Ok(status) if status.success() => {}
                Ok(status) => panic!(
                    "processes: {} {} after its job",
                    worker.name(),
                    describe_exit(status)
                ),
                Err(e) => panic!("processes: cannot wait for {}: {e}", worker.name()),
            }
        }
    }
}

impl Shared {
    /// A tender thread's life: serve each batch on worker `slot`, until the pool
    /// closes. A panic in a tender (none is expected) fails the batch instead of
    /// leaving the dispatcher waiting.
    fn tender(&self, slot: usize) {
        let mut seen = 0;
        loop {
            let batch = {
                let mut control = lock(&self.control);
                while control.generation == seen && !control.closing {
                    control = self.wake.wait(control).unwrap_or_else(|e| e.into_inner());
                }
                if control.closing {
                    return;
                }
                seen = control.generation;
                Arc::clone(control.batch.as_ref().expect("a batch with its generation"))
            };
            let served = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.tend(&self.workers[slot], &batch)
            }));
            if served.is_err() {
                batch.fail(format!("the tender of worker process {slot} panicked"));
            }
            drop(batch);
            let mut control = lock(&self.control);
            control.busy -= 1;
            if control.busy == 0 {
                self.done.notify_all();
            }
        }
    }

    /// Feeds one worker jobs from the shared counter until none is left.
    fn tend(&self, slot: &Mutex<Worker>, batch: &Batch) {
        let mut worker = lock(slot);
        if let Err(e) = worker.send(BEGIN, batch.jobs as u64) {
            // It ended between batches, holding no job.
            let why = format!("{} before the batch began", worker.ended(&e));
            if !batch.isolate {
                return batch.fail(why);
            }
            if let Err(why) = self.replace(&mut worker, batch.jobs) {
                return batch.fail(why);
            }
        }
        while !batch.stop.load(Ordering::Relaxed) {
            let i = batch.next.fetch_add(1, Ordering::Relaxed);
            if i >= batch.jobs {
                break;
            }
            match worker.round_trip(i) {
                Ok(value) => {
                    // Wrapping, like every checksum.
                    batch.sum.fetch_add(value, Ordering::Relaxed);
                }
                Err(e) => {
                    let why = format!("{} while holding job {i}", worker.ended(&e));
                    if !batch.isolate {
                        return batch.fail(why);
                    }
                    lock(&batch.failures).push((i, why));
                    if let Err(why) = self.replace(&mut worker, batch.jobs) {
                        return batch.fail(why);
                    }
                }
            }
        }
        if let Err(e) = worker.send(END, 0) {
            let why = format!("{} after its last job", worker.ended(&e));
            if !batch.isolate {
                return batch.fail(why);
            }
            // The replacement waits for the next batch, as the others do.
            if let Err(why) = self.start_replacement(&mut worker) {
                batch.fail(why);
            }
        }
    }

    /// Puts a new worker in `worker`'s place (which has ended) and begins the
    /// current batch of `jobs` on it.
    fn replace(&self, worker: &mut Worker, jobs: usize) -> Result<(), String> {
        self.start_replacement(worker)?;
        worker
            .send(BEGIN, jobs as u64)
            .map_err(|e| format!("replacement {}", worker.ended(&e)))
    }

    fn start_replacement(&self, worker: &mut Worker) -> Result<(), String> {
        let slot = worker.slot;
        let mut fresh = Worker::spawn(&self.command, slot, false)
            .map_err(|e| format!("cannot start a replacement for worker process {slot}: {e}"))?;
        if let Err(e) = fresh.expect(READY) {
            return Err(format!(
                "replacement {} before it was ready",
                fresh.ended(&e)
            ));
        }
        *worker = fresh;
        Ok(())
    }
}

impl Strategy for Pool {
    fn concurrency(&self) -> Concurrency {
        self.shared.shape.concurrency()
    }

    /// Hands out jobs `0..jobs` to the workers one at a time. `_job` is not called:
    /// a closure cannot cross a process boundary, so each worker runs job `i` with
    /// the same closure, built by the same deterministic body in its own process.
    fn run(&self, jobs: usize, _job: Job<'_>) -> u64 {
        let batch = self.finish(Batch::new(jobs, false));
        batch.sum.load(Ordering::Relaxed)
    }

    fn nesting(&self) -> Nesting {
        // A job cannot hand half of itself to another process's job.
        Nesting::Unsupported
    }

    fn address_space(&self) -> AddressSpace {
        AddressSpace::Separate
    }

    fn spawns(&self) -> Option<Spawns> {
        self.shared.shape.spawns()
    }

    /// One fresh process per job, at most [`PROCESS_CAP`] alive at once, in waves:
    /// each wave starts all its processes and sends each its job, then collects
    /// each result and ends that process at once (so early ones exit while later
    /// ones still start, as before the probe existed). What it costs is process
    /// creation (fork and exec of this binary, its start-up), one job over a pipe,
    /// and exit. Nothing is read about them here: this runs timed.
    fn spawn_each(&self, jobs: usize, _job: Job<'_>) -> u64 {
        let mut sum = 0u64;
        let mut wave = Vec::with_capacity(jobs.min(PROCESS_CAP));
        for first in (0..jobs).step_by(PROCESS_CAP) {
            for i in first..jobs.min(first + PROCESS_CAP) {
                let mut worker = Worker::spawn(&self.shared.command, i, true).unwrap_or_else(|e| {
                    panic!("processes: cannot start a process for job {i}: {e}")
                });
                if let Err(e) = worker
                    .send(BEGIN, jobs as u64)
                    .and_then(|()| worker.send(JOB, i as u64))
                {
                    panic!("processes: {} before it took job {i}", worker.ended(&e));
                }
                wave.push(worker);
            }
            for mut worker in wave.drain(..) {
                let i = worker.slot;
                match worker.expect(READY).and_then(|_| worker.expect(RESULT)) {
                    Ok(value) => sum = sum.wrapping_add(value),
                    Err(e) => panic!("processes: {} while holding job {i}", worker.ended(&e)),
                }
                Self::end_wave(&mut vec![worker]);
            }
        }
        sum
    }

    /// One wave of fresh processes (at most [`PROCESS_CAP`]), all alive and idle
    /// after their job when `read(AllAlive)` is called; untimed (the memory probe). The
    /// sum of their unique sets is kept for the cell's peak (`workers-peak-rss-bytes`).
    fn spawn_held(&self, jobs: usize, _job: Job<'_>, read: &(dyn Fn(Held) + Sync)) -> u64 {
        assert!(
            jobs <= PROCESS_CAP,
            "processes: at most {PROCESS_CAP} processes are held alive at once, not {jobs}"
        );
        let mut wave = Vec::with_capacity(jobs);
        read(Held::Before);
        let sum = self.start_wave(0..jobs, jobs, &mut wave);
        read(Held::AllAlive);
        // Their unique sets, not their peaks: each VmHWM counts the binary's shared
        // pages again, which 200 processes would turn into gigabytes never used.
        let peak: u64 = wave
            .iter()
            .filter_map(|w| rtcompare_api::unique_set_bytes(w.child.id()))
            .sum();
        self.shared.fresh_peak.fetch_max(peak, Ordering::Relaxed);
        Self::end_wave(&mut wave);
        sum
    }

    /// Like `run`, but a worker that dies takes only the job it held: the job is
    /// recorded as failed with how the worker ended, a replacement is started in its
    /// place, and the batch goes on.
    fn run_isolated(&self, jobs: usize, _job: Job<'_>) -> Isolated {
        let batch = self.finish(Batch::new(jobs, true));
        let sum = batch.sum.load(Ordering::Relaxed);
        Isolated::new(jobs, sum, batch.failures.into_inner().unwrap_or_default())
    }

    /// Read after the samples (the clock stopped), with the pool's workers alive:
    /// `rss-per-process-bytes`, the mean unique set of a pool worker, and
    /// `workers-peak-rss-bytes`, the sum of every pool worker's peak resident set
    /// plus the largest sum of unique sets of a wave of fresh processes held alive
    /// together, which the cell adds to its own peak.
    fn metrics(&self) -> Vec<(&'static str, f64)> {
        let pids: Vec<u32> = self
            .shared
            .workers
            .iter()
            .map(|w| lock(w).child.id())
            .collect();
        let mut metrics = vec![("workers", pids.len() as f64)];
        let unique: Vec<u64> = pids
            .iter()
            .filter_map(|&pid| rtcompare_api::unique_set_bytes(pid))
            .collect();
        if !unique.is_empty() {
            let mean = unique.iter().sum::<u64>() as f64 / unique.len() as f64;
            metrics.push((ids::metric::RSS_PER_PROCESS_BYTES, mean));
        }
        let peaks: Vec<u64> = pids.iter().filter_map(|&pid| peak_rss_of(pid)).collect();
        if !peaks.is_empty() {
            let fresh = self.shared.fresh_peak.load(Ordering::Relaxed);
            let total = peaks.iter().sum::<u64>() + fresh;
            metrics.push((ids::metric::WORKERS_PEAK_RSS_BYTES, total as f64));
        }
        metrics
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // The tenders first (they hold no worker between batches), then close every
        // stdin so the workers exit together; each `Worker` then reaps its process as
        // it is dropped.
        lock(&self.shared.control).closing = true;
        self.shared.wake.notify_all();
        for tender in self.tenders.drain(..) {
            let _ = tender.join();
        }
        for worker in &self.shared.workers {
            drop(lock(worker).input.take());
        }
    }
}

impl Drop for Worker {
    /// No worker outlives its owner, also when a failed batch unwinds: closing its
    /// stdin ends it (after the job it may be running), and it is reaped here.
    fn drop(&mut self) {
        drop(self.input.take());
        let _ = self.child.wait();
    }
}

/// A live process's peak resident set size (`VmHWM` in `/proc/PID/status`), in bytes.
pub(crate) fn peak_rss_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    kilobytes(&status, "VmHWM:").map(|kb| kb * 1024)
}

/// The value of a `Key:   1234 kB` line.
fn kilobytes(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| line.strip_prefix(key))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The strategy a worker process hands its workload's blocking body: it describes
/// itself exactly as the parent's pool does (so `fit` gives the same parameters),
/// and each `run`, `spawn_each` or `run_isolated` serves one batch from the parent:
/// `job(i)` for every `JOB(i)` until `END`, returning 0 (the parent keeps the sum).
/// At the end of its input it exits the process at once.
pub struct WorkerStrategy {
    shape: Shape,
    pipes: Mutex<Pipes>,
    batches: AtomicU64,
}

struct Pipes {
    input: Box<dyn Read + Send>,
    output: Box<dyn Write + Send>,
}

/// The parent closed the worker's input: time to exit.
#[derive(Debug)]
struct Closed;

impl WorkerStrategy {
    /// A worker of a pool of `workers`, reading frames from `input` (its stdin) and
    /// writing them to `output` (its private copy of stdout).
    pub fn new(workers: usize, input: Box<dyn Read + Send>, output: Box<dyn Write + Send>) -> Self {
        WorkerStrategy {
            shape: Shape { workers },
            pipes: Mutex::new(Pipes { input, output }),
            batches: AtomicU64::new(0),
        }
    }

    /// Tells the parent this worker has started; exits if the parent is gone.
    pub fn announce(&self) {
        let mut pipes = lock(&self.pipes);
        if write_frame(&mut pipes.output, READY, 0).is_err() {
            std::process::exit(0);
        }
    }

    /// Batches served so far: a body that served none cannot run on workers.
    pub fn batches(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }

    /// For a workload that does not apply: waits for the parent to close the input
    /// (it sends no batch), then exits.
    pub fn idle_until_closed(&self) -> ! {
        let mut pipes = lock(&self.pipes);
        match read_frame(&mut pipes.input) {
            Ok(Some((tag, _))) => panic!(
                "worker process: the parent sent {} for a workload that does not apply here",
                tag_name(tag)
            ),
            Ok(None) | Err(_) => std::process::exit(0),
        }
    }

    /// Serves one batch, or the whole body's part in it; exits at end of input.
    fn serve(&self, jobs: usize, job: Job<'_>) -> u64 {
        match self.serve_batch(jobs, job) {
            Ok(()) => 0,
            Err(Closed) => std::process::exit(0),
        }
    }

    fn serve_batch(&self, jobs: usize, job: Job<'_>) -> Result<(), Closed> {
        let mut pipes = lock(&self.pipes);
        let Pipes { input, output } = &mut *pipes;
        let mut next = || read_frame(input).ok().flatten().ok_or(Closed);
        match next()? {
            (BEGIN, n) if n == jobs as u64 => {}
            (BEGIN, n) => panic!(
                "worker process out of step: the parent runs a batch of {n} jobs where this \
                 worker's body runs {jobs}"
            ),
            (tag, _) => panic!(
                "worker process: {} where a batch was due to begin",
                tag_name(tag)
            ),
        }
        loop {
            match next()? {
                (JOB, i) if i < jobs as u64 => {
                    let value = job(i as usize);
                    write_frame(output, RESULT, value).map_err(|_| Closed)?;
                }
                (JOB, i) => panic!("worker process: job {i} of a batch of {jobs}"),
                (END, _) => break,
                (tag, _) => panic!("worker process: {} in the middle of a batch", tag_name(tag)),
            }
        }
        self.batches.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

impl Strategy for WorkerStrategy {
    fn concurrency(&self) -> Concurrency {
        self.shape.concurrency()
    }

    fn run(&self, jobs: usize, job: Job<'_>) -> u64 {
        self.serve(jobs, job)
    }

    fn nesting(&self) -> Nesting {
        Nesting::Unsupported
    }

    fn address_space(&self) -> AddressSpace {
        AddressSpace::Separate
    }

    fn spawns(&self) -> Option<Spawns> {
        self.shape.spawns()
    }

    fn spawn_each(&self, jobs: usize, job: Job<'_>) -> u64 {
        self.serve(jobs, job)
    }

    /// The parent holds the processes and reads them: this side only serves, so a
    /// fresh process spends nothing on measuring.
    fn spawn_held(&self, jobs: usize, job: Job<'_>, _read: &(dyn Fn(Held) + Sync)) -> u64 {
        self.serve(jobs, job)
    }

    fn run_isolated(&self, jobs: usize, job: Job<'_>) -> Isolated {
        self.serve(jobs, job);
        Isolated::new(jobs, 0, Vec::new())
    }
}

impl Runner for Processes {
    const INFO: RunnerInfo = RunnerInfo {
        id: "processes",
        class: Class::ConcurrentParallel,
        family: Family::OsScheduler,
        threads: ThreadsKnob::Workers,
        summary: "N worker processes (this binary re-executed) fed one job index at a time \
                  over pipes from a shared counter, like multiprocessing.Pool.imap_unordered \
                  with chunksize 1",
        timer: "std::thread::sleep in each worker",
        channel: "pipes (job index and u64 result frames)",
        net: "std::net, blocking; pre-fork: N worker processes accept on the cell's inherited listener, a connection each at a time",
        offload: "n/a",
        caveats: &[
            "processes share no memory: only job indices and u64 results cross the pipes, \
             so workloads whose jobs share memory (a listener, a histogram, channels, a \
             stop flag) are n/a",
            "job dispatch costs a pipe round trip per job (about 4 µs here, against about \
             0.3 µs through thread-pool's queue), so it pays only for jobs far longer",
            "workers start outside the timed region, except in spawn, where a fresh process \
             per task (created, exec'ing this binary, its start-up, one job, its exit: \
             Python's spawn start method, not fork) is what is measured; at most 200 \
             processes alive, so spawn runs 200 tasks",
            "CPU time includes the worker processes' (their CPU clocks, in nanoseconds); \
             peak RSS adds every worker's peak (VmHWM) to the cell process's own, an upper \
             bound since they need not peak at once; rss-per-process-bytes is a pool \
             worker's unique set (its private pages), and spawn's memory per process is \
             measured as for threads and tasks",
        ],
        baseline: None,
    };

    fn execute<V: Visitor>(threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        let build = |message: String| RunnerError::Build {
            runner: Self::INFO.id,
            message,
        };
        let command = WorkerCommand::from_cell_process().map_err(build)?;
        let pool = Pool::start(threads.max(1), command).map_err(build)?;
        Ok(visitor.visit_blocking(&pool))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;
    use std::sync::Arc;

    fn frames(list: &[(u64, u64)]) -> Vec<u8> {
        list.iter().flat_map(|&(t, v)| encode(t, v)).collect()
    }

    /// A writer the test can read back after the strategy has used it.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn worker(input: &[(u64, u64)]) -> (WorkerStrategy, Shared) {
        let out = Shared::default();
        let w = WorkerStrategy::new(
            2,
            Box::new(Cursor::new(frames(input))),
            Box::new(out.clone()),
        );
        (w, out)
    }

    fn written(out: &Shared) -> Vec<(u64, u64)> {
        let bytes = out.0.lock().unwrap().clone();
        let mut cursor = Cursor::new(bytes);
        std::iter::from_fn(|| read_frame(&mut cursor).unwrap()).collect()
    }

    #[test]
    fn frames_round_trip() {
        for (t, v) in [(JOB, 0), (RESULT, u64::MAX), (BEGIN, 1 << 40)] {
            let bytes = encode(t, v);
            assert_eq!(decode(&bytes), (t, v));
            let mut cursor = Cursor::new(bytes.to_vec());
            assert_eq!(read_frame(&mut cursor).unwrap(), Some((t, v)));
            assert_eq!(read_frame(&mut cursor).unwrap(), None);
        }
        // Little-endian on the wire, whatever the host.
        assert_eq!(encode(1, 2)[0], 1);
        assert_eq!(encode(1, 2)[8], 2);
        let mut torn = Cursor::new(vec![0u8; 9]);
        assert!(read_frame(&mut torn).is_err(), "a torn frame is an error");
    }

    #[test]
    fn worker_serves_the_jobs_it_is_sent() {
        let (w, out) = worker(&[(BEGIN, 4), (JOB, 2), (JOB, 0), (JOB, 3), (END, 0)]);
        let served = w.serve_batch(4, &|i| 10 + i as u64);
        assert!(served.is_ok());
        assert_eq!(w.batches(), 1);
        assert_eq!(written(&out), [(RESULT, 12), (RESULT, 10), (RESULT, 13)]);
        // The input is now exhausted: the next batch finds it closed.
        assert!(w.serve_batch(4, &|i| i as u64).is_err());
    }

    #[test]
    fn a_batch_with_no_job_for_this_worker_still_keeps_step() {
        let (w, out) = worker(&[(BEGIN, 1), (END, 0), (BEGIN, 1), (JOB, 0), (END, 0)]);
        assert!(w.serve_batch(1, &|_| 7).is_ok());
        assert!(w.serve_batch(1, &|_| 7).is_ok());
        assert_eq!(w.batches(), 2);
        assert_eq!(written(&out), [(RESULT, 7)]);
    }

    #[test]
    fn end_of_input_mid_batch_means_closed() {
        let (w, _) = worker(&[(BEGIN, 3), (JOB, 1)]);
        assert!(w.serve_batch(3, &|i| i as u64).is_err());
        assert_eq!(w.batches(), 0);
    }

    #[test]
    #[should_panic(expected = "out of step")]
    fn a_batch_of_the_wrong_size_is_refused() {
        let (w, _) = worker(&[(BEGIN, 5), (END, 0)]);
        let _ = w.serve_batch(4, &|i| i as u64);
    }

    #[test]
    #[should_panic(expected = "job 9 of a batch of 4")]
    fn a_job_outside_the_batch_is_refused() {
        let (w, _) = worker(&[(BEGIN, 4), (JOB, 9)]);
        let _ = w.serve_batch(4, &|i| i as u64);
    }

    #[test]
    fn both_sides_describe_the_same_shape() {
        let (w, _) = worker(&[]);
        assert_eq!(w.concurrency(), Concurrency::Bounded(2));
        assert_eq!(w.nesting(), Nesting::Unsupported);
        assert_eq!(w.address_space(), AddressSpace::Separate);
        assert_eq!(
            w.spawns(),
            Some(Spawns {
                unit: "process",
                cap: PROCESS_CAP
            })
        );
        assert!(w.metrics().is_empty());
    }

    #[test]
    fn exits_are_described() {
        assert_eq!(
            describe_exit(ExitStatus::from_raw(6)),
            "killed by SIGABRT (signal 6)"
        );
        assert_eq!(
            describe_exit(ExitStatus::from_raw(3 << 8)),
            "exited with code 3"
        );
        assert!(describe_exit(ExitStatus::from_raw(101 << 8)).contains("a panic"));
    }

    #[test]
    fn reads_memory_lines() {
        let status = "Name:\tx\nVmHWM:\t  4000 kB\nVmRSS:\t  1234 kB\n";
        assert_eq!(kilobytes(status, "VmHWM:"), Some(4000));
        assert_eq!(kilobytes(status, "VmSwap:"), None);
        let own = peak_rss_of(std::process::id()).expect("this process's peak");
        assert!(own > 100 * 1024, "{own}");
    }

    #[test]
    fn the_disclosed_cap_is_the_cap() {
        let said = format!("at most {PROCESS_CAP} processes alive");
        assert!(
            Processes::INFO.caveats.iter().any(|c| c.contains(&said)),
            "{said}"
        );
    }

    #[test]
    fn workers_come_only_from_a_cell_process() {
        // The test binary is not a cell: no worker command, so no stray processes.
        let why = WorkerCommand::from_cell_process().unwrap_err();
        assert!(why.contains("only inside a cell process"), "{why}");
    }
}
