"""rtcompare's side inside CPython: the interpreter end of the CPython runners.

Embedded in the rtcompare binary and run as `python3 -I -c <this file> MODE N`, with
MODE one of `seq` (a plain loop on the main thread), `threads`
(concurrent.futures.ThreadPoolExecutor with N threads) or `processes`
(multiprocessing.Pool with N worker processes, forked). The pool is built and every
worker started before the first request, so no timed region pays for it.

Protocol, one JSON document per line. On stdin, from the cell process:
    {"load": [["spin", seed, steps] | ["sleep", sleep_ns, at_least_ns, times], ...]}
    {"go": true}        runs the loaded jobs: the timed part
    {"census": true}    the threads and processes the interpreter runs on
On a private copy of stdout (stdout itself is pointed at stderr, so a stray print
cannot break a frame), to the cell process:
    {"ready": {...}}    once, when the pool is up: what the interpreter is
    {"loaded": n} / {"results": [...]} / {"census": {...}} / {"error": "..."}
End of input ends the process.
"""

import json
import os
import sys
import threading
import time

# The kernel's constants: Knuth's MMIX multiplier and increment, as in
# workloads/src/kernel.rs. Python's integers are unbounded, so every step is masked
# back to 64 bits: the wrapping arithmetic of the compiled kernel.
MULTIPLIER = 6364136223846793005
INCREMENT = 1442695040888963407
MASK = (1 << 64) - 1


def spin(state, steps, a=MULTIPLIER, c=INCREMENT, mask=MASK):
    """Advances the generator `steps` steps from `state` and returns the last state.

    The constants are bound as defaults so the loop reads locals, not globals: the
    fastest plain loop CPython runs, and the same work on every runner.
    """
    for _ in range(steps):
        state = (state * a + c) & mask
    return state


def sleep(sleep_ns, at_least_ns, times):
    """Sleeps `times` times and returns how many lasted at least `at_least_ns`."""
    on_time = 0
    for _ in range(times):
        start = time.monotonic_ns()
        if sleep_ns:
            time.sleep(sleep_ns / 1e9)
        if time.monotonic_ns() - start >= at_least_ns:
            on_time += 1
    return on_time


def run_job(job):
    """Runs one job as the cell described it."""
    kind = job[0]
    if kind == "spin":
        return spin(job[1], job[2])
    if kind == "sleep":
        return sleep(job[1], job[2], job[3])
    raise ValueError(f"unknown job kind {kind!r}")


def die_with_parent():
    """Has Linux kill this process when its parent ends (PR_SET_PDEATHSIG): a cell
    that times out is killed, and neither its interpreter nor a pool worker in the
    middle of a job may outlive it and load the machine."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass


def gil_enabled():
    """Whether this interpreter runs with a GIL (always, before 3.13)."""
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    return True if is_enabled is None else bool(is_enabled())


class Sequential:
    """One job after another on the main thread."""

    name = "seq"

    def run(self, jobs):
        return [run_job(job) for job in jobs]

    def census(self):
        return {"threads": thread_names(), "processes": {}}


class Threads:
    """N threads of one ThreadPoolExecutor, taking jobs from its one queue."""

    name = "threads"

    def __init__(self, workers):
        from concurrent.futures import ThreadPoolExecutor

        self.workers = workers
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="ThreadPoolExecutor")
        # The executor starts a thread per submission until it has N: hold N jobs
        # at a barrier so all N exist before the first sample.
        barrier = threading.Barrier(workers)
        list(self.pool.map(lambda _: barrier.wait(), range(workers)))

    def run(self, jobs):
        return list(self.pool.map(run_job, jobs))

    def census(self):
        return {"threads": thread_names(), "processes": {}}


class Processes:
    """N forked worker processes of one multiprocessing.Pool, fed one job at a time."""

    name = "processes"

    def __init__(self, workers):
        import multiprocessing

        # Forked explicitly: this script has no file a spawned or forkserver worker
        # could import its functions from, and fork is what Linux has long defaulted to.
        self.pool = multiprocessing.get_context("fork").Pool(workers, initializer=die_with_parent)

    def run(self, jobs):
        # Chunk size 1: each worker takes the next job when it finishes one, the
        # dynamic split every other pool in the comparison makes.
        return self.pool.map(run_job, jobs, chunksize=1)

    def census(self):
        workers = [p for p in self.pool._pool if p.is_alive()]
        names = {}
        for p in workers:
            key = p.name.rstrip("0123456789").rstrip("-")
            names[key] = names.get(key, 0) + 1
        return {"threads": thread_names(), "processes": names, "pids": [p.pid for p in workers]}


def thread_names():
    """This process's threads by what they run, numbering stripped:
    `ThreadPoolExecutor`: N, `MainThread`: 1, `_handle_workers`: 1 (a pool's
    handler thread, named by its target)."""
    names = {}
    for t in threading.enumerate():
        name = t.name
        if name.endswith(")") and " (" in name:
            key = name[name.index(" (") + 2 : -1]
        else:
            key = name.split("_")[0].rstrip("0123456789").rstrip("-") or name
        names[key] = names.get(key, 0) + 1
    return names


def main():
    mode, workers = sys.argv[1], int(sys.argv[2])
    parent = os.getppid()
    die_with_parent()
    if os.getppid() != parent:  # the parent ended before the request took effect
        raise SystemExit("rtcompare's cell process is gone")
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def send(message):
        out.write(json.dumps(message, separators=(",", ":")) + "\n")
        out.flush()

    if mode == "seq":
        pool = Sequential()
    elif mode == "threads":
        pool = Threads(workers)
    elif mode == "processes":
        pool = Processes(workers)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    send(
        {
            "ready": {
                "implementation": sys.implementation.name,
                "version": ".".join(map(str, sys.version_info[:3])),
                "gil": gil_enabled(),
                "switch_interval_s": sys.getswitchinterval(),
                "executable": sys.executable,
            }
        }
    )
    jobs = []
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if "load" in request:
                jobs = [tuple(job) for job in request["load"]]
                send({"loaded": len(jobs)})
            elif "go" in request:
                send({"results": pool.run(jobs)})
            elif "census" in request:
                send({"census": pool.census()})
            else:
                send({"error": f"unknown request {line.strip()!r}"})
        except Exception as error:  # a job's exception fails the cell, named
            send({"error": f"{type(error).__name__}: {error}"})


main()
