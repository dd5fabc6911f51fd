//! The CPython runners through the real binary and a real `python3`: the same kernel
//! and the same answers as the Rust runners, the GIL seen in the CPU time, the pool's
//! processes counted, and n/a (never a failure) where no interpreter is found. CI
//! installs python3 where a machine lacks it (`.ci/run`), so these tests require it.

mod common;

use rtcompare_reports::{Cell, Results, Status};
use std::path::{Path, PathBuf};

fn cell<'a>(results: &'a Results, runner: &str, workload: &str) -> &'a Cell {
    results
        .cells
        .iter()
        .find(|c| c.runner == runner && c.workload == workload)
        .unwrap_or_else(|| panic!("no cell {runner}/{workload}"))
}

/// `python3 -c CODE`'s output, trimmed.
fn python(code: &str) -> String {
    let out = std::process::Command::new("python3")
        .args(["-I", "-c", code])
        .output()
        .expect("python3 on PATH (.ci/run installs it)");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The CPU time of a sample (the cell's process tree) over its wall time.
fn utilisation(cell: &Cell) -> Vec<f64> {
    cell.samples
        .iter()
        .map(|s| (s.user_s + s.sys_s) / s.wall_s)
        .collect()
}

#[test]
fn cpython_runs_the_same_kernel_and_reproduces_the_rust_checksums() {
    let dir = tempfile::tempdir().unwrap();
    common::tiny_compare(
        dir.path(),
        &[
            "--runners",
            "seq,gil,processes,cpython-seq,cpython-threads,cpython-processes",
            "--workloads",
            "cpu,cpu-skewed,sleep,spawn",
            "--threads",
            "2",
        ],
    )
    .assert()
    .success();
    let results = common::results(dir.path());
    let version = python("import sys; print('%d.%d.%d' % sys.version_info[:3])");
    let described = format!("CPython {version}, GIL enabled");
    let fingerprint = results
        .machine
        .interpreters
        .get("python3")
        .expect("python3 in the fingerprint");
    assert!(fingerprint.starts_with(&described), "{fingerprint}");
    for runner in ["cpython-seq", "cpython-threads", "cpython-processes"] {
        let meta = results.runners.iter().find(|r| r.id == runner).unwrap();
        assert_eq!(meta.baseline.as_deref(), Some("cpython-seq"), "{runner}");
        for workload in ["cpu", "cpu-skewed", "sleep"] {
            let ours = cell(&results, runner, workload);
            let key = ours.key();
            assert_eq!(ours.status, Status::Ok, "{key}: {:?}", ours.error);
            assert!(ours.verified, "{key}");
            assert_eq!(
                ours.interpreter.as_deref(),
                Some(described.as_str()),
                "{key}"
            );
            // At tiny size an interpreter runs the very parameters the Rust runners
            // run (the fewest steps it takes per unit), so the answers must agree.
            let rust = cell(&results, "seq", workload);
            assert_eq!(ours.params, rust.params, "{key}");
            assert_eq!(ours.checksum, rust.checksum, "{key}");
            assert_eq!(ours.checksum, ours.expected_checksum, "{key}");
        }
        // Work with no script body is n/a on it, and says why.
        let spawn = cell(&results, runner, "spawn");
        assert_eq!(spawn.status, Status::NotApplicable);
        assert!(
            spawn.error.as_deref().unwrap().contains("no script body"),
            "{:?}",
            spawn.error
        );
    }
    // The pool is what the runner says: 2 threads, 2 forked processes.
    let threads = cell(&results, "cpython-threads", "cpu");
    assert_eq!(
        threads
            .thread_names
            .get("python ThreadPoolExecutor (thread)"),
        Some(&2),
        "{:?}",
        threads.thread_names
    );
    let processes = cell(&results, "cpython-processes", "cpu");
    assert_eq!(
        processes
            .thread_names
            .get("python ForkPoolWorker (process)"),
        Some(&2),
        "{:?}",
        processes.thread_names
    );
}

#[test]
fn cpython_threads_compute_one_chunk_at_a_time_and_worker_cpu_counts() {
    let dir = tempfile::tempdir().unwrap();
    // Quick chunks (about 2 ms of interpreted work each, a 0.12 s sample) so the
    // GIL's switching, not start-up, is what the CPU time sees.
    common::rtcompare()
        .args([
            "compare",
            "--preset",
            "quick",
            "--samples",
            "3",
            "--warmup",
            "1",
        ])
        .args([
            "--runners",
            "cpython-seq,cpython-threads,cpython-processes",
            "--workloads",
            "cpu",
            "--threads",
            "2",
        ])
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success();
    let results = common::results(dir.path());
    let seq = cell(&results, "cpython-seq", "cpu");
    let threads = cell(&results, "cpython-threads", "cpu");
    let processes = cell(&results, "cpython-processes", "cpu");
    for c in [seq, threads, processes] {
        assert_eq!(c.status, Status::Ok, "{}: {:?}", c.key(), c.error);
        // 1/128 of the compiled kernel's steps per unit, recorded and said.
        let steps = c.params["unit_steps"].as_u64().unwrap();
        assert_eq!(steps, 1_875_000 / 128, "{}", c.key());
        assert!(c.notes.iter().any(|n| n.contains("1/128")), "{:?}", c.notes);
    }
    // Under the GIL, two threads never run Python at once: CPU time over wall
    // stays at one core (other load on the machine can only lower it).
    for u in utilisation(threads) {
        assert!(u <= 1.1, "cpython-threads used {u:.2} cores: {threads:?}");
    }
    // The pool's processes are the cell's grandchildren; their CPU time is the
    // sample's: the same work costs about what cpython-seq's one thread spends.
    let cpu = |c: &Cell| {
        let mut v: Vec<f64> = c.samples.iter().map(|s| s.user_s + s.sys_s).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    assert!(
        cpu(processes) >= 0.8 * cpu(seq),
        "processes {:.3} s of CPU against seq {:.3} s",
        cpu(processes),
        cpu(seq)
    );
}

/// A directory holding only `links` (name → target): a PATH without python3 on it,
/// or with a chosen interpreter under a chosen name.
fn path_with(dir: &Path, links: &[(&str, PathBuf)]) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for (name, target) in links {
        std::os::unix::fs::symlink(target, bin.join(name)).unwrap();
    }
    bin
}

#[test]
fn without_python3_on_path_the_cells_are_na_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let bin = path_with(dir.path(), &[]);
    common::tiny_compare(
        &dir.path().join("out"),
        &[
            "--runners",
            "seq,cpython-seq,cpython-threads,cpython-processes,cpython-nogil-threads",
            "--workloads",
            "cpu,sleep",
            "--threads",
            "2",
        ],
    )
    .env("PATH", &bin)
    .assert()
    .success();
    let results = common::results(&dir.path().join("out"));
    assert!(results.machine.interpreters.is_empty());
    for c in results.cells.iter().filter(|c| c.runner != "seq") {
        assert_eq!(c.status, Status::NotApplicable, "{}", c.key());
        let why = c.error.as_deref().unwrap();
        let expected = if c.runner == "cpython-nogil-threads" {
            "no free-threaded CPython (python3.13t or later) on PATH"
        } else {
            "no python3 on PATH"
        };
        assert!(why.ends_with(expected), "{}: {why}", c.key());
    }
    assert_eq!(cell(&results, "seq", "cpu").status, Status::Ok);
}

#[test]
fn an_interpreter_named_free_threaded_that_keeps_its_gil_is_not_measured_as_one() {
    // This machine's python3 under the name a free-threaded build has: found on
    // PATH, started with -X gil=0, and refused because its GIL stayed on.
    let dir = tempfile::tempdir().unwrap();
    let real = PathBuf::from(python("import sys; print(sys.executable)"));
    let gil = python("import sys; print(getattr(sys, '_is_gil_enabled', lambda: True)())");
    if gil != "True" {
        // python3 is itself free-threaded here: then the runner must run.
        return;
    }
    let bin = path_with(dir.path(), &[("python3.13t", real)]);
    let path = std::env::join_paths(
        std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    common::tiny_compare(
        &dir.path().join("out"),
        &[
            "--runners",
            "seq,cpython-nogil-threads",
            "--workloads",
            "cpu",
        ],
    )
    .env("PATH", path)
    .assert()
    .success();
    let results = common::results(&dir.path().join("out"));
    let c = cell(&results, "cpython-nogil-threads", "cpu");
    assert_eq!(c.status, Status::NotApplicable);
    let why = c.error.as_deref().unwrap();
    assert!(why.contains("kept its GIL enabled with -X gil=0"), "{why}");
}
