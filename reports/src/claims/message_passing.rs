//! Claim 8: message passing is slower than shared memory.

use super::*;

/// Claim 8, derived and rendered.
pub(super) struct MessagePassing;

/// Claim 8 on this run: merging private copies against shared memory, and a
/// message per update against an atomic update.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MessagePassingFinding {
    /// Workers and updates per worker of `shared-merge`, when it says.
    pub(super) size: Option<(f64, f64)>,
    pub(super) outcome: Outcome<MessagePassingMeasured, MessagePassingGap>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum MessagePassingGap {
    MergeDidNotRun,
    /// `shared-merge` and a shared-memory variant finished on no runner at one
    /// thread count.
    NoPair,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct MessagePassingMeasured {
    /// Each runner's `shared-merge` at its comparison point.
    pub(super) merges: Vec<Merge>,
    /// The runners where a shared-memory variant finished beside the merge.
    pub(super) batched: Vec<Batched>,
    pub(super) batched_part: BatchedPart,
    /// A `channels` hop against a `shared-atomic` update, per runner.
    pub(super) per_update: Vec<Hop>,
    pub(super) per_update_part: PartVerdict,
    pub(super) verdict: Verdict,
}

/// `shared-merge` on one runner, against the shared-memory variants at the same
/// thread count.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Merge {
    pub(super) cell: CellRef,
    pub(super) ns_per_update: f64,
    /// Shared-memory workload ids and their ns per update.
    pub(super) shared: Vec<(String, f64)>,
    /// With no variant: whether shared memory does not apply to the runner.
    pub(super) shared_not_applicable: bool,
}

/// Merging against the fastest shared-memory variant on one runner.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Batched {
    pub(super) cell: CellRef,
    pub(super) merge_ns_per_update: f64,
    /// The fastest shared-memory variant's ns per update.
    pub(super) shared_ns_per_update: f64,
    pub(super) merge_over_shared: f64,
    pub(super) shared_over_merge: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum BatchedPart {
    /// Merging cost at least the fastest shared update everywhere.
    Slower,
    /// Merging was cheaper everywhere.
    Faster,
    Mixed {
        faster: Vec<String>,
        slower: Vec<String>,
    },
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Hop {
    pub(super) cell: CellRef,
    pub(super) ns_per_hop: f64,
    pub(super) atomic_ns_per_update: f64,
    pub(super) hop_over_atomic: f64,
}

/// The qualifications of the two parts, for [`Verdict::HoldsOnly`].
const BATCHED_PART: &str = "when messages are batched";
const PER_UPDATE_PART: &str = "when a message is sent per update";

impl Claim for MessagePassing {
    type Finding = MessagePassingFinding;

    fn derive(run: &Run<'_>) -> MessagePassingFinding {
        let size = run
            .results
            .cells
            .iter()
            .find(|c| c.workload == SHARED_MERGE && c.param("workers").is_some())
            .and_then(|c| Some((c.param("workers")?, c.param("updates")?)));
        let (merges, batched) = merges(run);
        if batched.is_empty() {
            let gap = if run.results.cells.iter().any(|c| c.workload == SHARED_MERGE) {
                MessagePassingGap::NoPair
            } else {
                MessagePassingGap::MergeDidNotRun
            };
            return MessagePassingFinding {
                size,
                outcome: Outcome::NotMeasured(vec![gap]),
            };
        }
        let per_update = hops(run);
        let runners_where = |slower: bool| -> Vec<String> {
            batched
                .iter()
                .filter(|b| (b.merge_ns_per_update >= b.shared_ns_per_update) == slower)
                .map(|b| b.cell.runner.clone())
                .collect()
        };
        let (slower, faster) = (runners_where(true), runners_where(false));
        let batched_part = if faster.is_empty() {
            BatchedPart::Slower
        } else if slower.is_empty() {
            BatchedPart::Faster
        } else {
            BatchedPart::Mixed { faster, slower }
        };
        let per_update_part = if per_update.is_empty() {
            PartVerdict::Unmeasured
        } else if per_update
            .iter()
            .all(|h| h.ns_per_hop > h.atomic_ns_per_update)
        {
            PartVerdict::Holds
        } else {
            PartVerdict::Fails
        };
        let batched_verdict = match batched_part {
            BatchedPart::Slower => PartVerdict::Holds,
            _ => PartVerdict::Fails,
        };
        let verdict = verdict_of(&[
            (BATCHED_PART, batched_verdict),
            (PER_UPDATE_PART, per_update_part),
        ]);
        MessagePassingFinding {
            size,
            outcome: Outcome::Measured(MessagePassingMeasured {
                merges,
                batched,
                batched_part,
                per_update,
                per_update_part,
                verdict,
            }),
        }
    }

    fn render(finding: &MessagePassingFinding) -> Check {
        let claim = "Message passing is slower than shared memory.".to_owned();
        let size = finding
            .size
            .map_or("T workers × U updates".to_owned(), |(w, u)| {
                format!("{} workers × {} updates", thousands(w), thousands(u))
            });
        let experiment = format!(
            "{size} to a counter and a histogram, on each runner at one thread count. Shared \
             memory holds them as atomics (`{SHARED_ATOMIC}`), behind a mutex (`{SHARED_MUTEX}`) \
             or behind an async mutex (`{SHARED_ASYNC_MUTEX}`). Message passing keeps private \
             copies, sent and merged once at the end (`{SHARED_MERGE}`). A message per hop is \
             measured on `{CHANNELS}`"
        );
        let rule = format!(
            "batched messages are slower when `{SHARED_MERGE}` costs more per update than the \
             fastest shared-memory variant. A message per update is slower when a `{CHANNELS}` \
             hop costs more than a `{SHARED_ATOMIC}` update. Each is compared on the same \
             runner at the same thread count."
        );
        let m = match &finding.outcome {
            Outcome::Measured(m) => m,
            Outcome::NotMeasured(gaps) => {
                let gaps: Vec<String> = gaps
                    .iter()
                    .map(|gap| match gap {
                        MessagePassingGap::MergeDidNotRun => {
                            format!("`{SHARED_MERGE}` did not run")
                        }
                        MessagePassingGap::NoPair => format!(
                            "`{SHARED_MERGE}` and a shared-memory variant finished on no runner \
                             at one thread count"
                        ),
                    })
                    .collect();
                return not_measured(claim, experiment, rule, &gaps);
            }
        };
        let measured = measured_lines(&m.merges, &m.per_update);
        let b_ratios: Vec<(f64, &str)> = m
            .batched
            .iter()
            .map(|b| (b.merge_over_shared, b.cell.runner.as_str()))
            .collect();
        // Merging far cheaper reads better as how many times dearer shared memory was.
        let s_ratios: Vec<(f64, &str)> = m
            .batched
            .iter()
            .map(|b| (b.shared_over_merge, b.cell.runner.as_str()))
            .collect();
        let batched_part = match &m.batched_part {
            BatchedPart::Slower => Part::Holds(format!(
                "merging private copies cost {} the fastest shared-memory update",
                ratio_range(&b_ratios)
            )),
            BatchedPart::Faster => Part::Fails(format!(
                "batched, messages were faster: the fastest shared-memory update cost {} as \
                 much as merging private copies on the same runner",
                ratio_range(&s_ratios)
            )),
            BatchedPart::Mixed { faster, slower } => Part::Fails(format!(
                "batched, messages were faster on {} but slower on {}",
                join_and(faster),
                join_and(slower)
            )),
        };
        let u_ratios: Vec<(f64, &str)> = m
            .per_update
            .iter()
            .map(|h| (h.hop_over_atomic, h.cell.runner.as_str()))
            .collect();
        let update_part = match m.per_update_part {
            PartVerdict::Unmeasured => Part::Unmeasured(
                "a message per update".into(),
                format!(
                    "needs `{CHANNELS}` and `{SHARED_ATOMIC}` finished on one runner at one \
                     thread count"
                ),
            ),
            PartVerdict::Holds => Part::Holds(format!(
                "one message per update costs more: a channel hop cost {} an atomic update",
                ratio_range(&u_ratios)
            )),
            PartVerdict::Fails => Part::Fails(format!(
                "a channel hop cost {} an atomic update",
                ratio_range(&u_ratios)
            )),
        };
        Check {
            claim,
            experiment,
            rule,
            measured,
            verdict: m.verdict.clone(),
            why: reasons(vec![batched_part, update_part]),
            // No speedup is shown.
            extrapolated: false,
            also: None,
            against: None,
        }
    }
}

/// Each runner's `shared-merge` at its comparison point against the
/// shared-memory variants at the same thread count, and where one finished,
/// merging against the fastest.
fn merges(run: &Run<'_>) -> (Vec<Merge>, Vec<Batched>) {
    let mut merges = Vec::new();
    let mut batched = Vec::new();
    for r in run.runners(|c| c.workload == SHARED_MERGE) {
        let Some(merge) = run.point(r, SHARED_MERGE) else {
            continue;
        };
        let Some(m) = metric(merge, NS_PER_UPDATE) else {
            continue;
        };
        let shared: Vec<(String, f64)> = SHARED_MEMORY
            .iter()
            .filter_map(|(w, _)| {
                Some((
                    w.to_string(),
                    metric(run.at(r, w, merge.threads)?, NS_PER_UPDATE)?,
                ))
            })
            .collect();
        let shared_not_applicable = shared.is_empty()
            && SHARED_MEMORY
                .iter()
                .flat_map(|(w, _)| run.all(r, w))
                .any(|c| !c.applies());
        if let Some((_, best)) = shared.iter().min_by(|a, b| a.1.total_cmp(&b.1)) {
            batched.push(Batched {
                cell: CellRef::of(merge),
                merge_ns_per_update: m,
                shared_ns_per_update: *best,
                merge_over_shared: m / best,
                shared_over_merge: best / m,
            });
        }
        merges.push(Merge {
            cell: CellRef::of(merge),
            ns_per_update: m,
            shared,
            shared_not_applicable,
        });
    }
    (merges, batched)
}

/// A `channels` hop against a `shared-atomic` update at the same thread count,
/// per runner.
fn hops(run: &Run<'_>) -> Vec<Hop> {
    let mut per_update = Vec::new();
    for r in run.runners(|c| c.workload == CHANNELS) {
        let Some(hop) = run.point(r, CHANNELS) else {
            continue;
        };
        let Some(h) = metric(hop, NS_PER_HOP) else {
            continue;
        };
        if let Some(a) = run
            .at(r, SHARED_ATOMIC, hop.threads)
            .and_then(|c| metric(c, NS_PER_UPDATE))
        {
            per_update.push(Hop {
                cell: CellRef::of(hop),
                ns_per_hop: h,
                atomic_ns_per_update: a,
                hop_over_atomic: h / a,
            });
        }
    }
    per_update
}

/// A line per runner: its merge against shared memory, with its `channels` hop
/// where the hop was measured beside the same atomic update; then the hops that
/// were not, each with its atomic update.
fn measured_lines(merges: &[Merge], hops: &[Hop]) -> Vec<String> {
    let beside = |merge: &Merge, hop: &Hop| {
        (&hop.cell.runner, hop.cell.threads) == (&merge.cell.runner, merge.cell.threads)
            && merge
                .shared
                .iter()
                .any(|(w, v)| w == SHARED_ATOMIC && *v == hop.atomic_ns_per_update)
    };
    let mut lines: Vec<String> = merges
        .iter()
        .map(|merge| {
            let mut line = merge_line(merge);
            if let Some(hop) = hops.iter().find(|h| beside(merge, h)) {
                write!(line, "; a `{CHANNELS}` hop {}", ns(hop.ns_per_hop))
                    .expect("write to String");
            }
            line
        })
        .collect();
    lines.extend(
        hops.iter()
            .filter(|h| !merges.iter().any(|m| beside(m, h)))
            .map(|h| {
                format!(
                    "{} at {}: a `{CHANNELS}` hop {} against a `{SHARED_ATOMIC}` update of {}",
                    h.cell.runner,
                    threads(h.cell.threads),
                    ns(h.ns_per_hop),
                    ns(h.atomic_ns_per_update)
                )
            }),
    );
    lines
}

/// `thread-pool at 2 threads: merge 0.618 ns, atomic 18.4 ns per update`.
fn merge_line(merge: &Merge) -> String {
    let mut line = format!(
        "{} at {}: merge {}",
        merge.cell.runner,
        threads(merge.cell.threads),
        ns(merge.ns_per_update)
    );
    for (workload, v) in &merge.shared {
        let short = SHARED_MEMORY
            .iter()
            .find(|(w, _)| w == workload)
            .map_or(workload.as_str(), |(_, short)| short);
        write!(line, ", {short} {}", ns(*v)).expect("write to String");
    }
    line.push_str(" per update");
    if merge.shared.is_empty() {
        line.push_str(if merge.shared_not_applicable {
            " (shared memory does not apply)"
        } else {
            " (no shared-memory variant finished)"
        });
    }
    line
}

/// `4.86× (seq) to 29.8× (thread-pool)`, or one ratio when both read the same.
fn ratio_range(ratios: &[(f64, &str)]) -> String {
    let low = ratios
        .iter()
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .expect("not empty");
    let high = ratios
        .iter()
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .expect("not empty");
    if times(low.0) == times(high.0) {
        format!("{} ({})", times(low.0), low.1)
    } else {
        format!(
            "{} ({}) to {} ({})",
            times(low.0),
            low.1,
            times(high.0),
            high.1
        )
    }
}
