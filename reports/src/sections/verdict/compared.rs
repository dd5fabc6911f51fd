//! The words of a workload compared with `seq`: what concurrency alone bought,
//! what parallelism bought and what that is credited to, each said in sentences
//! of their own, from the [`Compared`] finding alone.

use super::*;
use crate::sections::shared::*;
use crate::text::{cores, join_and, ms, percent, plural, times};
use std::fmt::Write as _;

/// `2 threads`.
fn threads(n: usize) -> String {
    plural(n, "thread", "threads")
}

impl Leader {
    /// How to name the leader: `the fastest runner` and no caveat, or `the
    /// lowest median` and `3 samples: too few to rank` when the samples do not
    /// support a ranking.
    pub(super) fn title(&self) -> (&'static str, Option<String>) {
        match self.fewest_samples {
            Some(n) if !self.ranked => ("the lowest median", Some(crate::judge::too_few_of(n))),
            _ => ("the fastest runner", None),
        }
    }

    /// The cells tied with the leader, by runner in the order they come:
    /// `smol-local and futures-local` when all ran at the leader's thread count,
    /// else each with its counts, `smol-mt (2 and 4 threads) and rayon (4
    /// threads)`. Empty when none is tied.
    fn tied_names(&self) -> String {
        let mut runners: Vec<(&str, Vec<usize>)> = Vec::new();
        for c in &self.tied {
            match runners.iter_mut().find(|(r, _)| *r == c.runner) {
                Some((_, counts)) => counts.push(c.threads),
                None => runners.push((&c.runner, vec![c.threads])),
            }
        }
        let same_count = self.tied.iter().all(|c| c.threads == self.cell.threads);
        let names: Vec<String> = runners
            .into_iter()
            .map(|(runner, mut counts)| {
                if same_count {
                    return runner.to_owned();
                }
                counts.sort_unstable();
                counts.dedup();
                let last = *counts.last().expect("a tied runner has a cell");
                let counts: Vec<String> = counts.iter().map(ToString::to_string).collect();
                let unit = if last == 1 && counts.len() == 1 {
                    "thread"
                } else {
                    "threads"
                };
                format!("{runner} ({} {unit})", join_and(&counts))
            })
            .collect();
        // A long list would bury the sentence; the workload's table has them all.
        const NAMED: usize = 4;
        if names.len() > NAMED + 1 {
            let mut shown = names[..NAMED].to_vec();
            shown.push(format!(
                "{} more (see the workload's table)",
                names.len() - NAMED
            ));
            return join_and(&shown);
        }
        join_and(&names)
    }
}

/// The sentences of a workload without a `seq` to divide by.
pub(super) fn no_seq(why: SeqMissing, best: Option<&Leader>) -> Vec<String> {
    let why = match why {
        SeqMissing::Disturbed => "`seq` was disturbed by other load",
        SeqMissing::TimedOut => "`seq` timed out",
        SeqMissing::NotApplicable => "`seq` does not apply",
        SeqMissing::Failed => "`seq` failed",
        SeqMissing::Missing => "`seq` is missing",
    };
    let mut sentences = vec![format!("{why}, so speedups can't be computed.")];
    sentences.push(match best {
        Some(best) => {
            let (title, caveat) = best.title();
            format!(
                "{} was {}{} (given {}; {} cores busy) at {} ms{}.",
                crate::text::capitalise(title),
                best.cell.runner,
                if caveat.is_some() { "'s" } else { "" },
                threads(best.cell.threads),
                cores(best.cpu_utilisation),
                ms(best.median_wall_s),
                caveat.map_or(String::new(), |c| format!(" ({c})"))
            )
        }
        None => "No cell finished.".to_owned(),
    });
    sentences
}

/// The sentences of a workload compared with `seq`, one per finding: what
/// concurrency alone bought, what parallelism bought, the cells tied with its
/// leader, what its speed is credited to, the extrapolated times, the ideal, the
/// static split and thread-per-core.
pub(super) fn compared(c: &Compared) -> Vec<String> {
    let mut sentences = Vec::new();
    match &c.concurrency {
        Some(Concurrency::Best { leader, vs_seq }) => {
            let ties = leader.tied_names();
            let ties = if ties.is_empty() {
                ties
            } else {
                format!(", statistically tied with {ties}")
            };
            sentences.push(format!(
                "Concurrency alone (best single-threaded executor: {}{ties}) {}.",
                leader.cell.runner,
                vs_seq.against_seq(true)
            ));
        }
        Some(Concurrency::NoneFinished) => {
            sentences.push("No single-threaded executor finished.".into())
        }
        None => {}
    }
    match &c.parallelism {
        Some(Parallelism::Best(lead)) => sentences.extend(parallelism(lead)),
        Some(Parallelism::NoneFinished) => {
            sentences.push("No multithreaded runner finished.".into())
        }
        None => {}
    }
    if sentences.is_empty() {
        sentences.push("Only `seq` ran.".into());
    }
    if !c.extrapolated.is_empty() {
        let names: Vec<String> = c.extrapolated.iter().map(|r| format!("`{r}`")).collect();
        let (whose, were) = if names.len() == 1 {
            (format!("{}'s time", names[0]), "was")
        } else {
            (format!("The times of {}", join_and(&names)), "were")
        };
        sentences.push(format!(
            "{} {were} scaled up from a subset of the work ({EXTRAPOLATED}).",
            crate::text::capitalise(&whose)
        ));
    }
    if let Some(ideal) = &c.ideal {
        sentences.push(ideal_sentence(ideal));
    }
    // Why uneven shares lose is said once, for the first that does.
    let mut uneven_said = false;
    for (shares, what, how) in [
        (&c.static_split, "Static split", ""),
        (
            &c.thread_per_core,
            "Thread-per-core",
            ": a fixed share per core, no stealing",
        ),
    ] {
        if let Some(shares) = shares {
            sentences.push(fixed_shares_sentence(shares, what, how, uneven_said));
            uneven_said |= shares.uneven();
        }
    }
    sentences
}

/// What the best multithreaded runner bought, the cells tied with it, and what
/// its speed is credited to, as the finding credits it.
fn parallelism(lead: &ParallelLead) -> Vec<String> {
    let ParallelLead {
        leader,
        vs_seq,
        credit,
    } = lead;
    let name = format!("{}, {}", leader.cell.runner, threads(leader.cell.threads));
    let busy = format!("{} cores busy", cores(leader.cpu_utilisation));
    let who = format!("(best multithreaded runner: {name})");
    // The first sentence names the leader; the ties follow it.
    let first = match credit {
        Credit::NotParallel { vs_concurrency } => {
            let mut text = format!(
                "The best multithreaded runner ({name}) {} with {busy}",
                vs_seq.against_seq(false)
            );
            if let Some(c) = vs_concurrency {
                write!(text, " and {}", c.versus.against(&c.runner)).expect("write to String");
            }
            text.push_str(": not a gain from parallelism.");
            text
        }
        Credit::CpuGain {
            efficiency,
            oversubscribed,
            logical_cores,
        } => {
            let efficiency = efficiency.map_or(String::new(), |e| {
                let mut words = format!("efficiency {}", percent(e));
                // Efficiency is speedup ÷ min(threads, cores), so oversubscription
                // is its own fact, not lost efficiency.
                if *oversubscribed {
                    write!(
                        words,
                        " of the {logical_cores} cores; {} on {logical_cores} cores \
                         (oversubscribed)",
                        threads(leader.cell.threads)
                    )
                    .expect("write to String");
                }
                format!(" ({words})")
            });
            format!(
                "Parallelism {who} reached {}{efficiency}.",
                times(vs_seq.ratio)
            )
        }
        Credit::AgainstSeq => {
            format!(
                "Parallelism {who} {} with {busy}.",
                vs_seq.against_seq(true)
            )
        }
        Credit::BeyondConcurrency { vs_concurrency } => {
            let vs = &vs_concurrency.versus;
            let gain = match vs.change {
                Change::Faster => format!("bought a further {}", times(vs.ratio)),
                Change::Level => format!("added nothing measurable ({})", vs.level()),
                Change::Slower => format!("made it slower ({})", times(vs.ratio)),
            };
            format!(
                "Adding parallelism {who} {gain} with {busy}, {}.",
                vs_seq.in_all()
            )
        }
    };
    let mut sentences = vec![first];
    let ties = leader.tied_names();
    if !ties.is_empty() {
        sentences.push(format!("Statistically tied with it: {ties}."));
    }
    sentences
}

/// How close the best runner came to the workload's ideal wall time, and why
/// none reaches it.
fn ideal_sentence(ideal: &Ideal) -> String {
    let why = if ideal.ticks {
        "timer granularity (each sleep ends at the timer's next tick) plus waking and \
         scheduling every task"
    } else {
        "the timer's lateness in firing plus waking and scheduling every task"
    };
    let best = &ideal.best;
    let (title, caveat) = best.title();
    format!(
        "{} ({}, {} ms{}) was {:.1}% over the ideal of {} ms: the gap is {why}.",
        crate::text::capitalise(title),
        best.cell.runner,
        ms(best.median_wall_s),
        caveat.map_or(String::new(), |c| format!("; {c}")),
        (best.median_wall_s / ideal.ideal_s - 1.0) * 100.0,
        ms(ideal.ideal_s)
    )
}

impl FixedShares {
    /// Slower than dynamic scheduling by the uneven-work gap or more.
    fn uneven(&self) -> bool {
        matches!(
            self,
            FixedShares::Compared {
                reading: SplitReading::Uneven { .. },
                ..
            }
        )
    }
}

/// What the fixed shares of `split` came to against dynamic scheduling, the
/// runner named as `what` (`Static split`), `how` after its id in brackets;
/// why uneven shares lose is left out when an earlier sentence `uneven_said` it.
fn fixed_shares_sentence(split: &FixedShares, what: &str, how: &str, uneven_said: bool) -> String {
    let (split, dynamic, speedups, walls, reading) = match split {
        FixedShares::DidNotFinish { runner, status } => {
            return format!(
                "{what} ({runner}{how}) did not finish ({}).",
                status_word(*status)
            );
        }
        FixedShares::Compared {
            split,
            dynamic,
            speedups,
            walls_s,
            reading,
        } => (split, dynamic, speedups, walls_s, reading),
    };
    let figures = match speedups {
        Some([a, b]) => format!("reached {} against {}", times(*a), times(*b)),
        None => format!("took {} ms against {} ms", ms(walls[0]), ms(walls[1])),
    };
    let reading = match reading {
        SplitReading::Tied => "statistically tied, so equal shares were enough here".to_owned(),
        SplitReading::OverlapUnranked { fewest_samples } => format!(
            "their intervals overlap, but with {} no order between them is claimed",
            crate::judge::samples(*fewest_samples)
        ),
        SplitReading::Uneven { slower_by } if uneven_said => {
            format!("{:.0}% slower, for the same reason", slower_by * 100.0)
        }
        SplitReading::Uneven { slower_by } => format!(
            "{:.0}% slower. With fixed shares the thread holding the costly chunks sets the \
             pace while the others sit idle",
            slower_by * 100.0
        ),
        SplitReading::SlightlySlower { slower_by } => format!(
            "{:.1}% slower, a small gap (the fixed shares were close to even)",
            slower_by * 100.0
        ),
        SplitReading::Faster => "faster here, as equal shares need no coordination".to_owned(),
        SplitReading::LowerMedianUnranked { fewest_samples } => format!(
            "a lower median here, as equal shares need no coordination ({})",
            crate::judge::too_few_of(*fewest_samples)
        ),
    };
    format!(
        "{what} ({}{how}) {figures} for dynamic scheduling ({}) on {}: {reading}.",
        split.runner,
        dynamic.runner,
        threads(split.threads),
    )
}
