# rtcompare recipes. Every recipe is a plain cargo command, so nothing here is
# required: `cargo compare` does what `just compare` does.

# List the recipes.
default:
    @just --list

# Run the full comparison (all runners × all workloads, full preset); flags pass through.
compare *FLAGS:
    cargo compare {{FLAGS}}

# A first look in about a minute: the quick preset.
quick *FLAGS:
    cargo compare --quick {{FLAGS}}

# The test suite (the README's test command).
test:
    cargo test --workspace

# Re-render a report from a results file alone.
report RESULTS="target/rtcompare/results.json" *FLAGS:
    cargo run --release --quiet -- report {{RESULTS}} {{FLAGS}}

# Formatting and lints, as CI checks them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# List runners and workloads.
list:
    cargo run --release --quiet -- list
