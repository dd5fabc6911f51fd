//! Records what the results fingerprint needs from build time: the compiler, the
//! profile, and the resolved versions of every runtime crate from Cargo.lock.
//!
//! The lock file read is the one of the workspace being built: the nearest
//! `Cargo.lock` above the target directory. When rtcompare is a dependency of an
//! outside crate (`rtcompare::main_with`), that is the outside crate's, which holds
//! the versions its build resolved; rtcompare's own lock file is only the fallback.

use std::process::Command;

/// Crates whose versions shape the numbers.
const RUNTIME_CRATES: &[&str] = &[
    "tokio",
    "smol",
    "async-executor",
    "async-io",
    "async-std",
    "async-global-executor",
    "futures",
    "futures-executor",
    "rayon",
    "rayon-core",
    "compio",
    "compio-runtime",
    "compio-driver",
    "compio-executor",
    "compio-net",
    "compio-io",
    "monoio",
    "monoio-compat",
    "local-sync",
    "threadpool",
    // may's coroutines and the generator crate that switches their stacks.
    "may",
    "generator",
    "glommio",
    // The load generator's event loop: an instrument, but one that shapes the figures.
    "mio",
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");

    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = Command::new(rustc)
        .arg("-V")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=RTCOMPARE_RUSTC={version}");
    let profile = std::env::var("PROFILE").unwrap_or_else(|_| "unknown".into());
    println!("cargo:rustc-env=RTCOMPARE_PROFILE={profile}");

    let lock_path = workspace_lock().unwrap_or_else(|| "Cargo.lock".into());
    println!("cargo:rerun-if-changed={}", lock_path.display());
    let lock = std::fs::read_to_string(&lock_path).unwrap_or_default();
    let mut versions = Vec::new();
    let mut name = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_owned());
        } else if let Some(v) = line.strip_prefix("version = ") {
            if let Some(n) = name.take().filter(|n| RUNTIME_CRATES.contains(&n.as_str())) {
                versions.push(format!("{n}={}", v.trim_matches('"')));
            }
        }
    }
    println!(
        "cargo:rustc-env=RTCOMPARE_CRATE_VERSIONS={}",
        versions.join(",")
    );
}

/// The nearest `Cargo.lock` above `OUT_DIR` (`<target>/<profile>/build/<pkg>/out`):
/// the lock file of the workspace whose target directory this build writes into.
fn workspace_lock() -> Option<std::path::PathBuf> {
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR")?);
    out.ancestors()
        .map(|dir| dir.join("Cargo.lock"))
        .find(|lock| lock.is_file())
}
