//! The chart of a crash workload: per runner, how many of the batch's jobs it kept
//! and how many the failure took with it, as one stacked bar. A cell whose process
//! died kept nothing: its bar is all lost, labelled with how the process ended.
//! Cells of one runner that ended alike share a bar. What a cell's fate is comes
//! from the *Crash isolation* section's reading of the cells
//! ([`crate::fates`]), so the chart and the section agree.

use super::*;
use crate::fates::{self, Fate, Why};

pub(super) use fates::PREFIX;

/// Colour of the jobs lost.
const LOST: RGBColor = RGBColor(0x55, 0x55, 0x55);

/// One bar: the cells of one runner that ended alike.
struct Group<'a> {
    first: &'a Cell,
    threads: Vec<usize>,
    fate: Fate,
    disturbed: bool,
}

impl Group<'_> {
    /// Jobs kept and lost; `None` when unknown.
    fn counts(&self, batch: Option<usize>) -> Option<(usize, usize)> {
        match &self.fate {
            Fate::Survived {
                completed, lost, ..
            } => Some((*completed, *lost)),
            Fate::Died { .. } => Some((0, batch?)),
            Fate::Unknown { .. } => None,
        }
    }
}

/// The chart of `workload`, a crash workload; `None` when no cell applies.
pub(super) fn crash_chart(
    results: &Results,
    ctx: &Ctx<'_>,
    workload: &str,
    slug: &str,
) -> Option<Chart> {
    let batch = fates::batch(results, workload);
    let mut groups: Vec<Group<'_>> = Vec::new();
    for cell in results
        .cells
        .iter()
        .filter(|c| c.workload == workload && c.applies())
    {
        let fate = fates::fate(cell, batch);
        let disturbed = cell.disturbed();
        match groups
            .iter_mut()
            .find(|g| g.first.runner == cell.runner && g.fate == fate && g.disturbed == disturbed)
        {
            Some(g) => g.threads.push(cell.threads),
            None => groups.push(Group {
                first: cell,
                threads: vec![cell.threads],
                fate,
                disturbed,
            }),
        }
    }
    if groups.is_empty() {
        return None;
    }
    // Most kept first, then fewest lost; unknown outcomes last.
    let key = |g: &Group<'_>| match g.counts(batch) {
        Some((kept, lost)) => (0, usize::MAX - kept, lost),
        None => (1, 0, 0),
    };
    groups.sort_by(|a, b| {
        key(a)
            .cmp(&key(b))
            .then(
                ctx.palette
                    .order(&a.first.runner, a.first.class)
                    .cmp(&ctx.palette.order(&b.first.runner, b.first.class)),
            )
            .then(a.threads.cmp(&b.threads))
    });
    let rows: Vec<Row> = groups.iter_mut().map(|g| row(ctx, g, batch)).collect();
    let title = match batch {
        Some(jobs) => format!("{workload}: of {jobs} jobs, how many each runner kept and lost"),
        None => format!("{workload}: jobs each runner kept and lost"),
    };
    let mut legend = Legend::default();
    // The classes of the runners that kept any job: only their bars show a colour.
    let kept = bars::classes_of(
        rows.iter()
            .filter(|r| r.bands.iter().flatten().any(|s| !s.pale)),
    );
    if !kept.is_empty() {
        legend.classes("kept (class, shade: runner)", &kept);
        legend.gap();
    }
    legend.swatch(LOST, true, "lost");
    if groups.iter().any(|g| matches!(g.fate, Fate::Died { .. })) {
        legend.note("died: the process ended,");
        legend.note("every job lost");
    }
    if groups.iter().any(|g| g.disturbed) {
        legend.gap();
        legend.note("§ disturbed by other load:");
        legend.note("not judged");
    }
    let svg = ctx.render(&title, &legend, bar_height(rows.len()), |root, plot| {
        bar_chart(root, plot, &rows, "jobs", Scale::Linear)
    });
    Some(Chart {
        workload: workload.to_owned(),
        file_name: format!("jobs-{slug}.svg"),
        title,
        svg,
    })
}

/// The bar of one group: kept in the runner's colour, then lost.
fn row(ctx: &Ctx<'_>, g: &mut Group<'_>, batch: Option<usize>) -> Row {
    g.threads.sort_unstable();
    let threads: Vec<String> = g.threads.iter().map(ToString::to_string).collect();
    let cell = g.first;
    let colour = ctx.palette.style(&cell.runner, cell.class).colour;
    let mut segments = Vec::new();
    let value_label = match (g.counts(batch), &g.fate) {
        (Some((kept, lost)), fate) => {
            if kept > 0 {
                segments.push(Segment::bar(kept as f64, colour, false));
            }
            if lost > 0 {
                segments.push(Segment {
                    from: Some(kept as f64),
                    to: (kept + lost) as f64,
                    colour: LOST,
                    pale: true,
                });
            }
            match fate {
                Fate::Died { exit } => format!("died ({}): all {lost} lost", died_how(exit)),
                _ => format!("{kept} kept, {lost} lost"),
            }
        }
        (None, Fate::Died { exit }) => format!("died ({}): all lost", died_how(exit)),
        (None, Fate::Unknown { why }) => match why {
            Why::NoJobCounts => "finished without job counts".to_owned(),
            Why::Ended(status) => format!("{}: outcome unknown", status.as_str()),
        },
        (None, Fate::Survived { .. }) => unreachable!("a survivor has counts"),
    };
    Row {
        label: format!(
            "{}, {} thr{}",
            cell.runner,
            threads.join("/"),
            if g.disturbed { " §" } else { "" }
        ),
        class: cell.class,
        bands: vec![segments],
        interval: None,
        value_label: Some(value_label),
    }
}

/// How a process ended, briefly: the signal's name, or its exit code.
fn died_how(exit: &crate::model::ProcessExit) -> String {
    match (&exit.signal_name, exit.signal, exit.code) {
        (Some(name), _, _) => name.clone(),
        (None, Some(signal), _) => format!("signal {signal}"),
        (None, None, Some(code)) => format!("exit code {code}"),
        _ => "ended abnormally".to_owned(),
    }
}
