//! Which OS threads the process has, by name: how the results show what a runtime
//! really started (workers, timer and reactor threads, the main thread).

use std::collections::BTreeMap;
use std::fs;
use std::time::Duration;

/// Live threads of this process grouped by name, with trailing digits and
/// separators stripped (`smol-0`, `smol-1` → `smol`). Empty where `/proc` is absent.
///
/// A thread names itself as it starts, so one created a moment ago still carries the
/// name of the thread that created it (the process's, or a worker's). This waits (up
/// to half a second, outside any timed region) until no thread but the main one
/// carries the process's name and two readings 10 ms apart agree, so counts are not
/// taken mid-start-up.
pub fn live_threads() -> BTreeMap<String, usize> {
    let mut names = read_threads();
    for _ in 0..50 {
        std::thread::sleep(Duration::from_millis(10));
        let again = read_threads();
        let settled = again.iter().all(|t| t.main || !t.inherited);
        let stable = sorted_names(&again) == sorted_names(&names);
        names = again;
        if settled && stable {
            break;
        }
    }
    let mut grouped = BTreeMap::new();
    for thread in names {
        *grouped.entry(group_name(&thread.name)).or_insert(0) += 1;
    }
    grouped
}

fn sorted_names(threads: &[Thread]) -> Vec<&str> {
    let mut names: Vec<&str> = threads.iter().map(|t| t.name.as_str()).collect();
    names.sort_unstable();
    names
}

struct Thread {
    name: String,
    main: bool,
    /// Still carries the main thread's (the process's) name.
    inherited: bool,
}

fn read_threads() -> Vec<Thread> {
    let Ok(tasks) = fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    let pid = std::process::id().to_string();
    let process_name =
        fs::read_to_string(format!("/proc/self/task/{pid}/comm")).unwrap_or_default();
    let mut threads = Vec::new();
    for task in tasks.flatten() {
        let Ok(comm) = fs::read_to_string(task.path().join("comm")) else {
            continue; // the thread exited while we looked
        };
        threads.push(Thread {
            main: task.file_name().to_str() == Some(pid.as_str()),
            inherited: comm == process_name,
            name: comm.trim_end().to_owned(),
        });
    }
    threads
}

/// Threads whose name starts with `prefix`.
pub fn count_named(prefix: &str) -> usize {
    live_threads()
        .iter()
        .filter(|(name, _)| name.starts_with(prefix))
        .map(|(_, n)| n)
        .sum()
}

fn group_name(name: &str) -> String {
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
    let stem = if stem.len() < name.len() {
        stem.trim_end_matches(['-', '_', ' ', '#'])
    } else {
        stem
    };
    if stem.is_empty() { name } else { stem }.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_numbered_threads() {
        assert_eq!(group_name("smol-12"), "smol");
        assert_eq!(group_name("futures-pool-0"), "futures-pool");
        assert_eq!(group_name("tokio-runtime-w"), "tokio-runtime-w");
        assert_eq!(group_name("async-std/runti"), "async-std/runti");
        assert_eq!(group_name("42"), "42");
    }

    #[test]
    fn sees_a_named_thread() {
        let (started_tx, started) = std::sync::mpsc::channel::<()>();
        let (stop, stop_rx) = std::sync::mpsc::channel::<()>();
        let t = std::thread::Builder::new()
            .name("census-probe-7".into())
            .spawn(move || {
                started_tx.send(()).unwrap();
                stop_rx.recv()
            })
            .unwrap();
        started.recv().unwrap(); // the name is set by the thread itself, as it starts
        assert_eq!(count_named("census-probe"), 1);
        drop(stop);
        t.join().unwrap().unwrap_err();
        assert_eq!(count_named("census-probe"), 0);
    }
}
