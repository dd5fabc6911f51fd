//! The machine fingerprint recorded in every results file: what the numbers depend
//! on besides the code (CPU, cores, OS, compiler, runtime crate versions, env vars).

use rtcompare_reports::Machine;
use std::collections::BTreeMap;
use std::process::Command;

/// Environment variables that change how a runtime behaves.
pub const RUNTIME_ENV_VARS: &[&str] = &[
    "TOKIO_WORKER_THREADS",
    "SMOL_THREADS",
    "ASYNC_STD_THREAD_COUNT",
    "ASYNC_GLOBAL_EXECUTOR_THREADS",
    "RAYON_NUM_THREADS",
    "RUSTFLAGS",
];

/// The fingerprint of this machine and build.
pub fn machine(open_files_limit: Option<[u64; 2]>) -> Machine {
    let crate_versions = env!("RTCOMPARE_CRATE_VERSIONS")
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let env = RUNTIME_ENV_VARS
        .iter()
        .filter_map(|&k| std::env::var(k).ok().map(|v| (k.to_owned(), v)))
        .collect::<BTreeMap<_, _>>();
    Machine {
        cpu_model: cpu_model().unwrap_or_else(|| "unknown".into()),
        logical_cores: logical_cores(),
        os: os_name().unwrap_or_else(|| std::env::consts::OS.into()),
        kernel: read_trimmed("/proc/sys/kernel/osrelease").unwrap_or_else(|| "unknown".into()),
        rustc: env!("RTCOMPARE_RUSTC").to_owned(),
        profile: env!("RTCOMPARE_PROFILE").to_owned(),
        crate_versions,
        features: Vec::new(),
        env,
        git_commit: git_commit(),
        open_files_limit,
        interpreters: BTreeMap::new(),
    }
}

/// Logical cores this process may run on.
pub fn logical_cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn read_trimmed(path: &str) -> Option<String> {
    Some(std::fs::read_to_string(path).ok()?.trim().to_owned())
}

fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("model name"))?;
    Some(line.split_once(':')?.1.trim().to_owned())
}

fn os_name() -> Option<String> {
    let release = std::fs::read_to_string("/etc/os-release").ok()?;
    let line = release.lines().find(|l| l.starts_with("PRETTY_NAME="))?;
    Some(line["PRETTY_NAME=".len()..].trim_matches('"').to_owned())
}

/// The commit of the source tree this binary was built from, `-dirty` if modified.
fn git_commit() -> Option<String> {
    let dir = env!("CARGO_MANIFEST_DIR");
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"])?;
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some(if dirty {
        format!("{commit}-dirty")
    } else {
        commit
    })
}

/// Now as RFC 3339 UTC, to the second.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

fn rfc3339(unix_secs: u64) -> String {
    let days = (unix_secs / 86_400) as i64;
    let rem = unix_secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_564_800 + 3_723), "2026-11-25T01:02:03Z");
    }

    #[test]
    fn fingerprint_has_the_basics() {
        let m = machine(None);
        assert!(m.logical_cores >= 1);
        assert!(m.rustc.starts_with("rustc "), "{}", m.rustc);
        assert!(
            m.crate_versions.contains_key("tokio"),
            "{:?}",
            m.crate_versions
        );
        assert!(m.crate_versions.contains_key("async-std"));
    }
}
