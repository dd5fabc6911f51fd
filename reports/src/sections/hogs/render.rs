//! Words a [`HogsFinding`] as the report's section: the introduction, the table
//! and the ranking (`render_table.rs`), and one bullet per comparison; a
//! comparison whose cells are missing says "not measured in this run".

use super::render_table::{ranking_table, table, timer_words};
use super::*;
use crate::format::{duration_us, thousands, times_range};
use crate::text::{NONE, capitalise, join_and, sig3};
use std::fmt::Write as _;

/// Writes the section, with the judge's footnote on the disturbed cells under the
/// table.
pub(super) fn render(finding: &HogsFinding, out: &mut String) {
    let limit = thousands(finding.stall_threshold_us / 1e3);
    writeln!(out, "## {TITLE}\n").expect("write to String");
    let who = match finding.hogs {
        Some(1.0) => "A CPU hog works".to_owned(),
        Some(n) => format!("{} CPU hogs work", thousands(n)),
        None => "CPU hogs work".to_owned(),
    };
    let names: Vec<String> = finding.variants.iter().map(|w| format!("`{w}`")).collect();
    let variants = match names.len() {
        1 => format!("one variant, {}", names[0]),
        n => format!("{n} variants: {}", join_and(&names)),
    };
    writeln!(
        out,
        "{who} in long chunks next to a ticker and an echo client, in {variants}. *Tick \
         lateness* is how late each tick ran (merged over the measured samples). {} A sample \
         *stalled* when its latest tick was more than {limit} ms late, which a merged p99 hides \
         when only some samples stall. Cells that do not apply are listed under each \
         workload's table in [the details]({}).\n",
        timer_words(finding),
        crate::text::DETAILS_FILE
    )
    .expect("write to String");
    out.push_str(&table(&finding.cells, &limit, finding.timer_ran).to_markdown());
    out.push('\n');
    if let Some(note) = crate::judge::disturbed_note(&finding.disturbed) {
        writeln!(out, "{note}\n").expect("write to String");
    }
    ranking_table(finding, out);
    for sentence in sentences(&finding.comparisons, finding.stall_threshold_us) {
        writeln!(out, "- {sentence}").expect("write to String");
    }
    out.push('\n');
}

/// The words `hog` and `hogs` take.
struct Words {
    /// `hog` or `hogs`.
    hog: &'static str,
    /// `the hog ran` or `the hogs ran`.
    ran: &'static str,
    /// The stall threshold as printed, ms.
    limit: String,
}

/// The bullets under the table, one per comparison; `threshold_us` is the stall
/// threshold.
pub(super) fn sentences(c: &Comparisons, threshold_us: f64) -> Vec<String> {
    let (hog, hogs_have, ran) = if c.several_hogs {
        ("hogs", "hogs'", "the hogs ran")
    } else {
        ("hog", "hog's", "the hog ran")
    };
    let words = Words {
        hog,
        ran,
        limit: thousands(threshold_us / 1e3),
    };
    let against = c.inline_worst_us.map_or(String::new(), |us| {
        format!(", against {} worst inline on one thread", format_ms(us))
    });
    vec![
        inline(c.inline.as_ref(), &words),
        multithreading(c.multithreading.as_ref(), &against, &words),
        recovery(
            c.yielding.as_ref(),
            YIELD,
            "Yielding",
            &format!("the {hog} yielding between slices"),
            &against,
            &words,
        ),
        recovery(
            c.offloading.as_ref(),
            OFFLOAD,
            "Offloading",
            &format!("the {hogs_have} chunks on the blocking pool"),
            &against,
            &words,
        ),
    ]
}

/// The problem: inline hogs on one thread.
fn inline(found: Option<&Inline>, words: &Words) -> String {
    let Words { hog, limit, .. } = words;
    let label = format!("**Inline {hog}, one thread:**");
    let Some(found) = found else {
        return format!("{label} not measured in this run.");
    };
    let ticks = &found.ticks;
    let mut text = format!(
        "{label} on the single-threaded executors ({}) ",
        runners(&ticks.cells)
    );
    match found.wait {
        InlineWait::NoStall => {
            write!(text, "the {hog} delayed no tick by more than {limit} ms.")
        }
        InlineWait::BackToBack {
            hogs,
            chunks_per_hog,
        } => {
            let of = chunks_per_hog.map_or(String::new(), |k| {
                if k == 1.0 {
                    " of 1 chunk each".to_owned()
                } else {
                    format!(" of {} chunks each", thousands(k))
                }
            });
            write!(
                text,
                "a tick due while the hogs run waits for all their chunks back to back ({} \
                 hogs{of}).",
                thousands(hogs)
            )
        }
        InlineWait::OneChunk => {
            write!(
                text,
                "a tick due while a chunk runs waits for the chunk to end."
            )
        }
        InlineWait::Behind => write!(text, "ticks wait behind the {hog}."),
    }
    .expect("write to String");
    write!(
        text,
        " {}{}.{}",
        lateness(&ticks.cells),
        against_chunk(&ticks.cells),
        stalled(ticks, limit)
    )
    .expect("write to String");
    text
}

/// Multithreading: hogs hold as many workers as there are hogs; a thread per
/// task leaves the ticks to the kernel's scheduler.
fn multithreading(found: Option<&Multithreading>, against: &str, words: &Words) -> String {
    let Words { hog, limit, .. } = words;
    let Some(found) = found else {
        return format!(
            "**Multithreading** (inline {hog} on a multithreaded runner with more than one \
             thread): not measured in this run."
        );
    };
    let threads = match found.threads.as_slice() {
        [one] => format!("{one} threads"),
        [low, .., high] => format!("{low} to {high} threads"),
        [] => unreachable!("cells are not empty"),
    };
    let mut text = format!(
        "**Multithreading:** the inline {hog} on multithreaded runners at {threads}{against}:"
    );
    // Each group of runners a bullet of its own: how the hogs sit on the workers,
    // the lateness, the stalls.
    for pool in &found.pools {
        let how = match &pool.occupancy {
            Occupancy::EveryWorker { on, still } => {
                let still = match still {
                    Some(StillWaits::AboutOneChunk) => ", so a tick still waits about one chunk",
                    Some(StillWaits::ForChunks) => ", so a tick still waits for chunks to end",
                    None => "",
                };
                Some(format!(
                    "{} occupy every worker{still}",
                    hogs_on_workers(on)
                ))
            }
            Occupancy::WorkersFree { on, free } => {
                let one_hog = matches!(on.as_slice(), [only] if only.hogs == 1.0);
                let leave = if one_hog { "leaves" } else { "leave" };
                let free = match free {
                    Some(1.0) => format!("{leave} 1 worker free of hogs"),
                    Some(n) => format!("{leave} {} workers free of hogs", thousands(*n)),
                    None => format!("{leave} workers free of hogs"),
                };
                Some(format!("{} {free}", hogs_on_workers(on)))
            }
            Occupancy::Undescribed => None,
        };
        let chunk = match pool.occupancy {
            Occupancy::EveryWorker { .. } => against_chunk(&pool.ticks.cells),
            _ => String::new(),
        };
        let on = runners(&pool.ticks.cells);
        let lateness = lateness(&pool.ticks.cells);
        match how {
            Some(how) => write!(text, "\n  - On {on}, {how}. {lateness}{chunk}."),
            None => write!(text, "\n  - On {on}: {}{chunk}.", lower_first(&lateness)),
        }
        .expect("write to String");
        text.push_str(&stalled(&pool.ticks, limit));
    }
    if let Some(per_task) = &found.per_task {
        let cells = &per_task.ticks.cells;
        let so = if per_task.preempted {
            format!(", so the kernel preempts the {hog} to run the ticks")
        } else {
            String::new()
        };
        write!(
            text,
            "\n  - On {}, every task has its own OS thread{so}. {}.{}",
            runners(cells),
            lateness(cells),
            stalled(&per_task.ticks, limit)
        )
        .expect("write to String");
    }
    text
}

/// Yielding or offloading (`label`, `workload`, doing `what`), on the executors
/// the inline hog stalls.
fn recovery(
    found: Option<&Recovery>,
    workload: &str,
    label: &str,
    what: &str,
    against: &str,
    words: &Words,
) -> String {
    let Some(found) = found else {
        return format!(
            "**{label}** (`{workload}` on the single-threaded executors): not measured in this \
             run."
        );
    };
    let mut text = format!(
        "**{label}** (`{workload}`, {what}, on the single-threaded executors): {}{against}.{}",
        lower_first(&lateness(&found.ticks.cells)),
        stalled(&found.ticks, &words.limit)
    );
    // What it cost the hogs, on the runner that recovered most.
    if let Some(cost) = found.cost {
        write!(
            text,
            " {} {} chunks/s on {} against {} inline.",
            capitalise(words.ran),
            thousands(cost.chunks_per_s),
            found.best.runner,
            thousands(cost.inline_chunks_per_s)
        )
        .expect("write to String");
    }
    text
}

/// `text` with its first letter in lower case.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

/// `tokio-ct, smol-local and futures-local`.
fn runners(cells: &[Ticks]) -> String {
    let names: Vec<String> = cells.iter().map(|t| t.cell.runner.clone()).collect();
    join_and(&names)
}

/// `Tick lateness p99 0.977–1.20 ms, worst 1.61 ms (smol-local) to 2.45 ms
/// (futures-local)`, or `Tick lateness beyond the timer p99 ...` when the
/// cells are read beyond their runners' timers (the introduction names the
/// runners read as measured for want of a `timer` cell).
fn lateness(cells: &[Ticks]) -> String {
    let p99: Vec<f64> = cells.iter().map(Ticks::p99_read_us).collect();
    let read = if cells.iter().any(|t| t.timer.is_some()) {
        " beyond the timer"
    } else {
        ""
    };
    format!(
        "Tick lateness{read} p99 {}, worst {}",
        crate::format::span_us(&p99),
        span(cells, Ticks::worst_read_us)
    )
}

/// `1.61 ms (smol-local) to 2.45 ms (futures-local)`: the smallest and largest
/// of `value` over `cells`, with their runners.
fn span(cells: &[Ticks], value: fn(&Ticks) -> f64) -> String {
    let mut sorted: Vec<&Ticks> = cells.iter().collect();
    sorted.sort_by(|a, b| value(a).total_cmp(&value(b)));
    let show = |t: &Ticks| format!("{} ({})", format_ms(value(t)), t.cell.runner);
    match sorted.as_slice() {
        [] => NONE.into(),
        [one] => show(one),
        [low, .., high] if format_ms(value(low)) == format_ms(value(high)) => {
            format!("{} ({})", format_ms(value(low)), runners(cells))
        }
        [low, .., high] => format!("{} to {}", show(low), show(high)),
    }
}

/// `0.31 ms` or `0.148–0.31 ms`: the range of `values`, µs.
fn range(values: &[f64]) -> String {
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (a, b) = (sig3(low / 1e3), sig3(high / 1e3));
    if a == b {
        format!("{a} ms")
    } else {
        format!("{a}–{b} ms")
    }
}

/// ` Samples stalled over 10 ms on tokio-mt (2 of 5, worst 101 ms).`, ` No
/// sample stalled over 10 ms.`, or nothing when no sample was counted: a
/// sentence after the one it follows.
fn stalled(group: &Group, limit: &str) -> String {
    match group.stalls {
        StallSummary::NotCounted => String::new(),
        StallSummary::NoneStalled => format!(" No sample stalled over {limit} ms."),
        StallSummary::EveryStalled { stalled, samples } => {
            format!(" Every sample stalled over {limit} ms ({stalled} of {samples}).")
        }
        StallSummary::SomeStalled => {
            let stalled: Vec<(&Ticks, Stalls)> = group
                .cells
                .iter()
                .filter_map(|t| Some((t, t.stalls?)))
                .filter(|(_, s)| s.stalled > 0)
                .collect();
            // The runners whose every sample stalled are named together, so the
            // sentence stays short however many there are.
            let (every, some): (Vec<_>, Vec<_>) =
                stalled.iter().partition(|(_, s)| s.stalled == s.samples);
            let mut text = String::new();
            if !every.is_empty() {
                let names: Vec<String> = every.iter().map(|(t, _)| t.cell.runner.clone()).collect();
                let worst: Vec<f64> = every.iter().map(|(_, s)| s.worst_us / 1e3).collect();
                let (lo, hi) = worst
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &w| {
                        (lo.min(w), hi.max(w))
                    });
                let worst = if sig3(lo) == sig3(hi) {
                    format!("{} ms", sig3(hi))
                } else {
                    format!("{}–{} ms", sig3(lo), sig3(hi))
                };
                write!(
                    text,
                    " Every sample stalled over {limit} ms on {} (worst {worst}).",
                    join_and(&names)
                )
                .expect("write to String");
            }
            if !some.is_empty() {
                let each: Vec<String> = some
                    .iter()
                    .map(|(t, s)| {
                        format!(
                            "{} ({} of {}, worst {} ms)",
                            t.cell.runner,
                            s.stalled,
                            s.samples,
                            sig3(s.worst_us / 1e3)
                        )
                    })
                    .collect();
                write!(
                    text,
                    " Samples stalled over {limit} ms on {}.",
                    join_and(&each)
                )
                .expect("write to String");
            }
            text
        }
    }
}

/// How the worst ticks compare with the hog chunks: `, 2.00× each runner's
/// measured hog chunk (110–112 ms)`, saying whether the chunks were measured or
/// set. Empty when no cell has a chunk length.
fn against_chunk(cells: &[Ticks]) -> String {
    let chunks: Vec<Chunk> = cells.iter().filter_map(|t| t.chunk).collect();
    if chunks.is_empty() {
        return String::new();
    }
    let waited: Vec<f64> = chunks.iter().map(|c| c.waited).collect();
    let lengths: Vec<f64> = chunks.iter().map(|c| c.ms * 1e3).collect();
    let measured = chunks.iter().filter(|c| c.measured).count();
    let (source, set) = if measured == chunks.len() {
        ("measured ", "")
    } else if measured == 0 {
        ("", ", from the parameters")
    } else {
        ("measured or set ", "")
    };
    let whose = if chunks.len() == 1 {
        "its"
    } else {
        "each runner's"
    };
    format!(
        ", {} {whose} {source}hog chunk ({}{set})",
        times_range(&waited),
        range(&lengths)
    )
}

/// `2 hogs on 2 worker threads`, for each pair of counts the cells ran with.
fn hogs_on_workers(pairs: &[HogsOnWorkers]) -> String {
    let text: Vec<String> = pairs
        .iter()
        .map(|&HogsOnWorkers { hogs, workers }| {
            format!(
                "{} {} on {workers} worker {}",
                thousands(hogs),
                if hogs == 1.0 { "hog" } else { "hogs" },
                if workers == 1 { "thread" } else { "threads" }
            )
        })
        .collect();
    join_and(&text)
}

/// Microseconds with the unit that suits them: `869 µs`, `101 ms`.
fn format_ms(micros: f64) -> String {
    duration_us(micros)
}
