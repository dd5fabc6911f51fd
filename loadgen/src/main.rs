//! The load generator as a program of its own: `rtcompare-loadgen` with
//! `RTCOMPARE_LOADGEN_CHILD` set reads JSON plans on stdin and answers JSON reports on
//! stdout (see `rtcompare_loadgen::process`). Without it, it prints how it is used.

fn main() {
    rtcompare_loadgen::run_if_child();
    eprintln!(
        "rtcompare-loadgen: rtcompare's TCP load generator, driven through a pipe.\n\
         Run with {}=THREADS[:CPU,CPU,...] and write one JSON plan per line on stdin;\n\
         each plan is answered by one JSON line on stdout: {{\"ok\": report}} or {{\"err\": \"...\"}}.",
        rtcompare_loadgen::CHILD_ENV
    );
    std::process::exit(2);
}
