//! The `rtcompare` binary: the whole command line over the built-in runners and
//! workloads. Exit codes: 0 ok, 1 regression found, 2 usage or data error,
//! 130 interrupted.

fn main() -> std::process::ExitCode {
    rtcompare::main_with(rtcompare::suite!())
}
