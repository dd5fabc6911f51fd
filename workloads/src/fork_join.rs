//! `fork-join`: recursive divide and conquer over the CPU kernel. U units of work; a
//! node over units `[lo, hi)` with more than `cutoff` units splits at the middle,
//! hands the left half to a new task and goes on with the right half itself (as
//! `rayon::join` does: the forking task keeps working), then awaits what it forked and
//! adds the results. What nested parallelism costs each runner: spawn and join per
//! subtask, and whether idle threads find the forked halves.
//!
//! Unit `u` contributes `contribution(u, spin(seed(u), unit_steps))`, exactly what a
//! `cpu` chunk of weight 1 contributes, so the checksum is independent of how the
//! units are split and [`Workload::expected`] jumps ahead per unit. The number of
//! tasks spawned is counted where the spawns happen, carried up the tree beside the
//! sums (no shared counter), and must equal [`tasks_spawned`], the closed form.
//!
//! Async runners run [`Fork`], a hand-written future (see its docs for why); blocking
//! runners call [`Strategy::join`] recursively. A runner whose `join` cannot hand a
//! half to another thread (`threads-static`) is n/a; `threads` makes a thread per
//! subtask, so its cutoff is raised until the subtasks fit under its thread cap.

use crate::{FitContext, Fitted, Metric, Preset, Workload, kernel};
use rtcompare_api::ids;
use rtcompare_api::{AsyncRuntime, Concurrency, Nesting, Outcome, Strategy, WorkloadKind};
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

/// Recursive divide and conquer over the CPU kernel.
pub struct ForkJoin;

/// What one `fork-join` run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ForkJoinParams {
    /// Units of work (U).
    pub units: u64,
    /// Kernel steps per unit.
    pub unit_steps: u64,
    /// A node with at most this many units runs them itself instead of splitting.
    pub cutoff: u64,
    /// On a thread-per-core runner, the units `[lo, hi)` whose tree this core runs
    /// (core `i` of N: the `i`-th contiguous N-th, as the top of the tree would split
    /// them); `None`: all units.
    #[serde(skip)]
    pub range: Option<(u64, u64)>,
}

/// Unit `u`'s share of the checksum, by running the kernel.
fn unit(u: u64, steps: u64) -> u64 {
    kernel::contribution(u, kernel::spin(kernel::seed(u), steps))
}

/// Runs units `[lo, hi)` on the calling thread.
fn leaf(lo: u64, hi: u64, steps: u64) -> u64 {
    (lo..hi).fold(0u64, |sum, u| sum.wrapping_add(unit(u, steps)))
}

/// How many halves a node of `units` units forks before its remainder is at most
/// `cutoff`: the node's own spawns, and the capacity of its handle list.
fn splits(mut units: u64, cutoff: u64) -> usize {
    let mut count = 0;
    while units > cutoff {
        units -= units / 2; // it keeps the right half, the larger one
        count += 1;
    }
    count
}

/// Tasks spawned (async) or joins executed (blocking) when `units` units are halved
/// until pieces have at most `cutoff` (≥ 1) units: the internal nodes of the split
/// tree, i.e. leaves − 1.
///
/// Halving with floor/ceil keeps every node at depth `k` at `⌊U/2^k⌋` or that plus
/// one, as long as no node has stopped splitting; so with `d` the first depth at
/// which `⌈U/2^d⌉ ≤ cutoff`, all nodes reach depth `d − 1`, and each of those
/// `2^(d−1)` nodes is one leaf (size ≤ cutoff) or two (it splits once more).
pub fn tasks_spawned(units: u64, cutoff: u64) -> u64 {
    let cutoff = cutoff.max(1);
    if units <= cutoff {
        return 0;
    }
    let mut depth = 0; // d: first depth whose largest piece fits the cutoff
    while units.div_ceil(1 << depth) > cutoff {
        depth += 1;
    }
    let nodes = 1u64 << (depth - 1); // at depth d − 1
    let small = units >> (depth - 1);
    let large_count = units - small * nodes; // nodes of size small + 1
    let splitting = |size: u64, count: u64| if size > cutoff { 2 * count } else { count };
    let leaves = splitting(small + 1, large_count) + splitting(small, nodes - large_count);
    leaves - 1
}

impl Workload for ForkJoin {
    const ID: &'static str = ids::workload::FORK_JOIN;
    const KIND: WorkloadKind = WorkloadKind::Cpu;
    const SUMMARY: &'static str =
        "U units of the CPU kernel split recursively in halves, forking the left half as a task";
    const METRICS: &'static [Metric] = &[Metric {
        key: ids::metric::TASKS_SPAWNED,
        header: "tasks",
        about: "subtasks forked (async spawns or Strategy::join calls), counted up the tree",
    }];
    type Params = ForkJoinParams;

    fn params(preset: Preset) -> ForkJoinParams {
        let (units, unit_steps) = match preset {
            Preset::Tiny => (64, 2_000),
            // 1,024 × 80,000 ≈ 8e7 steps, about 0.1 s sequential: tens of
            // milliseconds a sample on every runner.
            Preset::Quick => (1_024, 80_000),
            Preset::Full => (4_096, 300_000),
        };
        ForkJoinParams {
            units,
            unit_steps,
            cutoff: 1,
            range: None,
        }
    }

    fn describe(p: &ForkJoinParams) -> String {
        format!(
            "{} units x {:.1e} steps, halved down to {} unit(s): {} tasks",
            p.units,
            p.unit_steps as f64,
            p.cutoff,
            tasks_spawned(p.units, p.cutoff)
        )
    }

    fn fit(params: ForkJoinParams, context: &FitContext) -> Result<Fitted<ForkJoinParams>, String> {
        fit_nesting(params, context.concurrency, context.nesting)
    }

    fn expected(p: &ForkJoinParams) -> u64 {
        // Per unit, so independent of the cutoff; the same arithmetic as `Chunks`.
        (0..p.units).fold(0u64, |sum, u| {
            let value = kernel::jump(kernel::seed(u), p.unit_steps);
            sum.wrapping_add(kernel::contribution(u, value))
        })
    }

    async fn run_async<R: AsyncRuntime>(runtime: R, p: ForkJoinParams) -> Outcome {
        let (lo, hi) = p.range.unwrap_or((0, p.units));
        // The root node runs inside the root task; only the halves are spawned.
        let (sum, spawned) = Fork::new(runtime, p, lo, hi).await;
        outcome(
            &ForkJoinParams {
                units: hi - lo,
                ..p
            },
            sum,
            spawned,
        )
    }

    /// Each core runs the tree of a contiguous N-th of the units, forking only onto
    /// itself: the top of the tree placed once, nothing rebalanced after.
    fn shares(p: &ForkJoinParams, cores: usize) -> Result<Vec<ForkJoinParams>, String> {
        let n = cores as u64;
        Ok((0..n)
            .map(|i| ForkJoinParams {
                range: Some((p.units * i / n, p.units * (i + 1) / n)),
                ..*p
            })
            .collect())
    }

    /// Subtasks add up over the cores' trees.
    fn merge(_p: &ForkJoinParams, shares: Vec<Outcome>) -> Outcome {
        crate::merge_summing(shares, &[ids::metric::TASKS_SPAWNED])
    }

    fn run_blocking(strategy: &dyn Strategy, p: &ForkJoinParams) -> Outcome {
        let joins = AtomicU64::new(0); // the root's slot, see `fork`
        let sum = strategy.run(1, &|_| fork(strategy, p, 0, p.units, &joins));
        outcome(p, sum, joins.into_inner())
    }
}

fn outcome(p: &ForkJoinParams, sum: u64, spawned: u64) -> Outcome {
    let formula = tasks_spawned(p.units, p.cutoff);
    assert_eq!(
        spawned, formula,
        "fork-join spawned {spawned} tasks but halving {} units down to {} makes {formula}",
        p.units, p.cutoff
    );
    Outcome::new(sum)
        .with_ops(p.units)
        .with_metric(ids::metric::TASKS_SPAWNED, spawned as f64)
}

/// Whether a blocking strategy can fork, and the cutoff at which `threads` (a thread
/// per subtask) stays under its thread cap. Async runners (`None`) run as given.
fn fit_nesting(
    params: ForkJoinParams,
    concurrency: Option<Concurrency>,
    nesting: Option<Nesting>,
) -> Result<Fitted<ForkJoinParams>, String> {
    if nesting == Some(Nesting::Unsupported) {
        return Err(
            "a running job cannot hand a subtask to another worker (a static split fixes \
             every thread's share up front; worker processes share no memory to fork into)"
                .into(),
        );
    }
    let Some(Concurrency::PerJob { cap }) = concurrency else {
        return Ok(Fitted::all(params));
    };
    let cap = cap as u64;
    let mut cutoff = params.cutoff.max(1);
    while tasks_spawned(params.units, cutoff) > cap {
        cutoff *= 2;
    }
    if cutoff == params.cutoff {
        return Ok(Fitted::all(params));
    }
    let note = format!(
        "cutoff raised from {} to {cutoff} units: a thread per subtask, at most {cap} threads \
         ({} subtasks instead of {})",
        params.cutoff,
        tasks_spawned(params.units, cutoff),
        tasks_spawned(params.units, params.cutoff),
    );
    Ok(Fitted {
        params: ForkJoinParams { cutoff, ..params },
        extrapolation: None,
        notes: vec![note],
    })
}

/// The blocking node over `[lo, hi)`: one `Strategy::join` per split. Returns the
/// sum and writes into `joins` the joins executed in this subtree.
///
/// `Strategy::join`'s halves return one `u64` each, so a half's join count leaves it
/// through a slot of its own: a local written once by the half and read only after
/// `join` has returned (which orders the write before the read). The counts travel up
/// the tree with the sums; no counter is shared between threads.
fn fork(strategy: &dyn Strategy, p: &ForkJoinParams, lo: u64, hi: u64, joins: &AtomicU64) -> u64 {
    if hi - lo <= p.cutoff.max(1) {
        joins.store(0, Ordering::Relaxed);
        return leaf(lo, hi, p.unit_steps);
    }
    let mid = lo + (hi - lo) / 2;
    let (left_joins, right_joins) = (AtomicU64::new(0), AtomicU64::new(0));
    let (left, right) = strategy.join(&|| fork(strategy, p, lo, mid, &left_joins), &|| {
        fork(strategy, p, mid, hi, &right_joins)
    });
    let below = left_joins.into_inner() + right_joins.into_inner();
    joins.store(1 + below, Ordering::Relaxed);
    left.wrapping_add(right)
}

/// One async node of the split tree: resolves to (checksum of its units, tasks
/// spawned in its subtree).
///
/// Hand-written rather than a recursive `async fn`: a task that spawns itself needs
/// its own future type in `spawn`, and an `async fn`'s type is infinite when it
/// contains itself, so the usual fix boxes each subtask (`Box::pin`) — an allocation
/// and a dynamic call per task that are the harness's, not the runtime's. `Fork` is
/// a plain struct of known size, spawned by value; its only allocation is its handle
/// list (`splits` long, none for a leaf).
///
/// On its first poll it forks the left half of what remains until the rest is at most
/// `cutoff` units, runs that rest inline, then polls the handles in order.
pub struct Fork<R: AsyncRuntime> {
    runtime: R,
    unit_steps: u64,
    cutoff: u64,
    lo: u64,
    hi: u64,
    /// `None` until the first poll has forked and run the leaf.
    joining: Option<Joining<R>>,
}

struct Joining<R: AsyncRuntime> {
    handles: Vec<R::Join<(u64, u64)>>,
    /// Handles already resolved.
    next: usize,
    sum: u64,
    spawned: u64,
}

// `Fork` is never structurally pinned: it only calls `Pin::new` on its handles, which
// are `Unpin` by the trait's contract, so moving a `Fork` between polls is sound
// whatever `R` is.
impl<R: AsyncRuntime> Unpin for Fork<R> {}

impl<R: AsyncRuntime> Fork<R> {
    /// The node over units `[lo, hi)` of `p`.
    pub fn new(runtime: R, p: ForkJoinParams, lo: u64, hi: u64) -> Self {
        Fork {
            runtime,
            unit_steps: p.unit_steps,
            cutoff: p.cutoff.max(1),
            lo,
            hi,
            joining: None,
        }
    }

    /// Forks the left halves, runs the remaining leaf inline.
    fn start(&self) -> Joining<R> {
        let mut handles = Vec::with_capacity(splits(self.hi - self.lo, self.cutoff));
        let mut lo = self.lo;
        while self.hi - lo > self.cutoff {
            let mid = lo + (self.hi - lo) / 2;
            let half = Fork {
                runtime: self.runtime.clone(),
                lo,
                hi: mid,
                joining: None,
                ..*self
            };
            handles.push(self.runtime.spawn(half));
            lo = mid;
        }
        Joining {
            spawned: handles.len() as u64,
            sum: leaf(lo, self.hi, self.unit_steps),
            handles,
            next: 0,
        }
    }
}

impl<R: AsyncRuntime> Future for Fork<R> {
    type Output = (u64, u64);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<(u64, u64)> {
        let this = self.get_mut();
        if this.joining.is_none() {
            this.joining = Some(this.start());
        }
        let joining = this.joining.as_mut().expect("started above");
        while let Some(handle) = joining.handles.get_mut(joining.next) {
            let Poll::Ready((sum, spawned)) = Pin::new(handle).poll(cx) else {
                return Poll::Pending;
            };
            joining.sum = joining.sum.wrapping_add(sum);
            joining.spawned += spawned;
            joining.next += 1;
        }
        Poll::Ready((joining.sum, joining.spawned))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunks::Chunks;
    use rtcompare_api::Task;

    /// The split tree's internal nodes, by walking it.
    fn walk(units: u64, cutoff: u64) -> u64 {
        if units <= cutoff {
            0
        } else {
            1 + walk(units / 2, cutoff) + walk(units - units / 2, cutoff)
        }
    }

    #[test]
    fn formula_matches_the_tree() {
        for units in 0..=300 {
            for cutoff in 1..=40 {
                assert_eq!(
                    tasks_spawned(units, cutoff),
                    walk(units, cutoff),
                    "{units} units, cutoff {cutoff}"
                );
            }
        }
        for (units, cutoff) in [(4_096, 1), (4_096, 3), (1_000_003, 7), (65_537, 2)] {
            assert_eq!(tasks_spawned(units, cutoff), walk(units, cutoff));
        }
        assert_eq!(tasks_spawned(64, 1), 63);
        assert_eq!(tasks_spawned(1_024, 4), 255);
        assert_eq!(tasks_spawned(4_096, 1), 4_095);
    }

    #[test]
    fn splits_are_a_nodes_own_spawns() {
        // A node's own spawns plus its forked halves' subtrees make the whole tree.
        fn via_splits(units: u64, cutoff: u64) -> u64 {
            let mut total = 0;
            let mut rest = units;
            while rest > cutoff {
                total += 1 + via_splits(rest / 2, cutoff);
                rest -= rest / 2;
            }
            total
        }
        assert_eq!(splits(64, 1), 6);
        assert_eq!(splits(5, 1), 3); // 5 -> 3 -> 2 -> 1
        assert_eq!(splits(1, 1), 0);
        for units in 0..200 {
            for cutoff in 1..9 {
                assert_eq!(via_splits(units, cutoff), tasks_spawned(units, cutoff));
            }
        }
    }

    #[test]
    fn expected_matches_direct_computation() {
        let p = ForkJoinParams {
            units: 37,
            unit_steps: 1_000,
            cutoff: 1,
            range: None,
        };
        assert_eq!(ForkJoin::expected(&p), leaf(0, 37, 1_000));
        let chunks = Chunks {
            unit_steps: 1_000,
            weights: vec![1; 37].into(),
            share: None,
        };
        assert_eq!(ForkJoin::expected(&p), chunks.expected());
        let raised = ForkJoinParams { cutoff: 8, ..p };
        assert_eq!(ForkJoin::expected(&raised), ForkJoin::expected(&p));
    }

    /// Inline halves, like `seq`.
    struct Inline;
    impl Strategy for Inline {
        fn concurrency(&self) -> Concurrency {
            Concurrency::Bounded(1)
        }
        fn run(&self, jobs: usize, job: rtcompare_api::Job<'_>) -> u64 {
            (0..jobs).fold(0, |s, i| s.wrapping_add(job(i)))
        }
    }

    /// Halves on scoped threads.
    struct Scoped;
    impl Strategy for Scoped {
        fn concurrency(&self) -> Concurrency {
            Concurrency::PerJob { cap: 100 }
        }
        fn run(&self, jobs: usize, job: rtcompare_api::Job<'_>) -> u64 {
            (0..jobs).fold(0, |s, i| s.wrapping_add(job(i)))
        }
        fn join(&self, left: Task<'_>, right: Task<'_>) -> (u64, u64) {
            std::thread::scope(|s| {
                let l = s.spawn(left);
                let r = right();
                (l.join().unwrap(), r)
            })
        }
    }

    #[test]
    fn blocking_body_counts_its_joins() {
        for (units, cutoff) in [(64, 1), (37, 3), (1, 1)] {
            let p = ForkJoinParams {
                units,
                unit_steps: 500,
                cutoff,
                range: None,
            };
            for strategy in [&Inline as &dyn Strategy, &Scoped] {
                let out = ForkJoin::run_blocking(strategy, &p);
                assert_eq!(out.checksum, ForkJoin::expected(&p));
                assert_eq!(
                    out.metrics,
                    vec![("tasks-spawned", tasks_spawned(units, cutoff) as f64)]
                );
            }
        }
    }

    fn ctx(c: Concurrency, n: Nesting) -> (Option<Concurrency>, Option<Nesting>) {
        (Some(c), Some(n))
    }

    #[test]
    fn static_split_is_not_applicable() {
        let (c, n) = ctx(Concurrency::Bounded(2), Nesting::Unsupported);
        let err = fit_nesting(ForkJoin::params(Preset::Tiny), c, n).unwrap_err();
        assert_eq!(
            err,
            "a running job cannot hand a subtask to another worker (a static split fixes \
             every thread's share up front; worker processes share no memory to fork into)"
        );
    }

    #[test]
    fn pools_and_async_keep_the_cutoff() {
        let p = ForkJoin::params(Preset::Full);
        for (c, n) in [
            (None, None),
            ctx(Concurrency::Bounded(2), Nesting::Parallel),
            ctx(Concurrency::Bounded(1), Nesting::Inline),
        ] {
            let f = fit_nesting(p, c, n).unwrap();
            assert_eq!(f.params, p);
            assert!(f.notes.is_empty());
        }
    }

    #[test]
    fn thread_per_subtask_raises_the_cutoff_to_fit() {
        // 4,096 units fit 10,000 threads as they are (4,095 subtasks).
        let p = ForkJoin::params(Preset::Full);
        let (c, n) = ctx(Concurrency::PerJob { cap: 10_000 }, Nesting::Parallel);
        let f = fit_nesting(p, c, n).unwrap();
        assert_eq!(f.params.cutoff, 1);
        assert!(f.notes.is_empty());

        // 32,768 units: 32,767 subtasks at cutoff 1, 16,383 at 2, 8,191 at 4.
        let big = ForkJoinParams { units: 32_768, ..p };
        let f = fit_nesting(big, c, n).unwrap();
        assert_eq!(f.params.cutoff, 4);
        assert_eq!(tasks_spawned(32_768, 2), 16_383);
        assert_eq!(
            f.notes,
            vec![
                "cutoff raised from 1 to 4 units: a thread per subtask, at most 10000 threads \
                 (8191 subtasks instead of 32767)"
                    .to_owned()
            ]
        );
        assert!(f.extrapolation.is_none());
        assert_eq!(ForkJoin::expected(&f.params), ForkJoin::expected(&big));
    }
}
