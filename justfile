# rtcompare recipes. Every recipe is a plain cargo command, so nothing here is
# required: `cargo compare` does what `just compare` does.

# List the recipes.
default:
    @just --list

# Run the comparison (all runners × all workloads × the thread sweep, within a 14-minute budget); flags pass through.
compare *FLAGS:
    cargo compare {{FLAGS}}

# A first look in 2 to 4 minutes: every runner and workload at the core count, at least 3 samples each.
quick *FLAGS:
    cargo compare --quick {{FLAGS}}

# The test suite (the README's test command).
test:
    cargo test --workspace

# Re-render a report from a results file alone.
report RESULTS="target/rtcompare/results.json" *FLAGS:
    cargo run --release --quiet -- report {{RESULTS}} {{FLAGS}}

# Render report.html from RESULTS (default: a fixture) and check it in headless Chromium (apt-get install -y chromium): every chart in the DOM, a screenshot (target/html-check/report.png) that is not blank.
html-check RESULTS="reports/tests/fixtures/quick-results.json" OUT="target/html-check":
    .ci/html-check {{RESULTS}} {{OUT}}

# Store 3 quick runs as baseline NAME, with each cell's run-to-run and between-process noise
# (3 processes per cell in each run, 3 or more samples each).
baseline NAME="main" *FLAGS:
    for i in 1 2 3; do cargo compare --quick --processes 3 --seed $i --out target/rtcompare-baseline/run$i {{FLAGS}} || exit $?; done
    cargo run --release --quiet -- baseline save target/rtcompare-baseline/run1/results.json target/rtcompare-baseline/run2/results.json target/rtcompare-baseline/run3/results.json {{NAME}}

# Run the baseline's cells now and check them against it; exit 1 on a confirmed regression.
check BASELINE="baselines/main.json" *FLAGS:
    cargo run --release --quiet -- check --baseline {{BASELINE}} --run {{FLAGS}}

# Compare two rtcompare builds, cells interleaved A B B A; exit 1 on a confirmed regression.
ab A B *FLAGS:
    cargo run --release --quiet -- ab --a {{A}} --b {{B}} --quick --samples 10 {{FLAGS}}

# Regenerate the example report in docs/example-report/ (the default run plus crash isolation, fixed seed).
example:
    cargo compare --crash --seed 2026 --out docs/example-report

# The fidelity check: bare tokio tcp-echo servers beside the harness's own tokio-ct and tokio-mt cells, pair by pair, driven by the same load generator; prints the harness/bare ratios of throughput and server CPU per request, and whether they are within 5%. Flags pass through (--pairs K, --runs N, --workers N).
fidelity *FLAGS:
    cargo build --release
    cargo run --release --example bare_tcp_echo -- --vs-harness "${CARGO_TARGET_DIR:-target}/release/rtcompare" {{FLAGS}}

# Formatting, lints and the documentation's warnings, as CI checks them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

# The worked example of an outside crate's runner and workload (examples/custom-runtime): rtcompare's command line with `mini` and `yield-chain` added; arguments pass through, e.g. `just custom-runtime compare --quick --runners seq,mini,tokio-ct`.
custom-runtime *ARGS:
    cargo run --release --quiet -p custom-runtime -- {{ARGS}}

# List runners and workloads.
list:
    cargo run --release --quiet -- list
