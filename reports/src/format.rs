//! Number formats the Markdown renderers share beyond the basic ones in
//! [`crate::text`]: counts with thousands separators, byte sizes, a
//! workload's own measures (by their declared header and unit), and latencies in
//! the one unit (µs or ms) that suits a whole table ([`TimeUnit`]) or a column
//! ([`ColumnUnit`]).

use crate::model::{Latency, MetricMeta};
use crate::text::{NONE, sig3, times};

/// `x` with thousands separators, rounded to a whole number, from 1,000 up;
/// three significant digits below: `176,432`, `9.93`, `0.0412`.
pub(crate) fn thousands(x: f64) -> String {
    if !x.is_finite() {
        return NONE.into();
    }
    if x.abs() < 999.5 {
        // Whole numbers (counts) stay whole: `50`, not `50.0`.
        return if x.fract() == 0.0 {
            format!("{x:.0}")
        } else {
            sig3(x)
        };
    }
    let n = x.round() as i64;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A size in bytes with a binary unit: `464 B`, `12.4 KiB`, `3.25 MiB`, `1.10 GiB`.
pub(crate) fn bytes(x: f64) -> String {
    if !x.is_finite() {
        return NONE.into();
    }
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if x.abs() < 1024.0 {
        return format!("{x:.0} B");
    }
    let mut value = x / 1024.0;
    let mut unit = 0;
    while value.abs() >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    // sig3 may round 1023.7 up to 1024: say 1.00 of the next unit instead.
    if value.abs() >= 1023.5 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{} {}", sig3(value), UNITS[unit])
}

/// Whether a workload measure is a size in bytes: its key ends in `bytes`
/// (`rss-per-task-bytes`).
pub(crate) fn is_bytes(key: &str) -> bool {
    key.ends_with("bytes")
}

/// A workload measure's header split into its label and its unit:
/// `Spawn+await [ns/task]` gives (`Spawn+await`, `ns/task`); a header without a
/// bracketed unit gives an empty unit.
pub(crate) fn split_header(header: &str) -> (&str, &str) {
    let header = header.trim();
    match header.rfind('[') {
        Some(open) if header.ends_with(']') => (
            header[..open].trim_end(),
            header[open + 1..header.len() - 1].trim(),
        ),
        _ => (header, ""),
    }
}

/// The column header of a workload measure: as the workload declared it, except
/// that sizes in bytes drop a bracketed byte unit (their values carry B, KiB or
/// MiB themselves).
pub(crate) fn metric_header(meta: &MetricMeta) -> String {
    let (label, unit) = split_header(&meta.header);
    if is_bytes(&meta.key) && matches!(unit, "bytes" | "B" | "byte") {
        label.to_owned()
    } else {
        meta.header.trim().to_owned()
    }
}

/// A value of the workload measure `key`, for a table cell: sizes in bytes with
/// their unit, anything else as a number ([`thousands`]).
pub(crate) fn metric_value(key: &str, x: f64) -> String {
    if is_bytes(key) {
        bytes(x)
    } else {
        thousands(x)
    }
}

/// A value of a workload measure in running text, with its unit: `151 ns/task`,
/// `250 B`, `65,534`.
pub(crate) fn metric_with_unit(meta: &MetricMeta, x: f64) -> String {
    if is_bytes(&meta.key) {
        return bytes(x);
    }
    match split_header(&meta.header).1 {
        "" => thousands(x),
        unit => format!("{} {unit}", thousands(x)),
    }
}

/// The unit latencies of one table are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeUnit {
    /// Microseconds.
    Micros,
    /// Milliseconds.
    Millis,
}

impl TimeUnit {
    /// Milliseconds when any of the medians is at least a millisecond, otherwise
    /// microseconds, so the typical value of the table reads without many zeros.
    pub(crate) fn for_medians<'a>(latencies: impl IntoIterator<Item = &'a Latency>) -> Self {
        if latencies.into_iter().any(|l| l.p50 >= 1000.0) {
            TimeUnit::Millis
        } else {
            TimeUnit::Micros
        }
    }

    /// `µs` or `ms`.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            TimeUnit::Micros => "µs",
            TimeUnit::Millis => "ms",
        }
    }

    /// A latency given in microseconds, in this unit, three significant digits.
    pub(crate) fn show(self, micros: f64) -> String {
        match self {
            TimeUnit::Micros => sig3(micros),
            TimeUnit::Millis => sig3(micros / 1e3),
        }
    }
}

/// The unit of one column of latencies: µs when every value is below a
/// millisecond, ms when none is below 0.1 ms, and otherwise each value with its
/// own unit in the cell, so every number reads with three significant digits and
/// none starts `0.0` (a column of 3.5 µs to 50 ms would otherwise print 0.0035).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnUnit {
    /// Every value in microseconds; the header carries `[µs]`.
    Micros,
    /// Every value in milliseconds; the header carries `[ms]`.
    Millis,
    /// Each value with its own unit (`78.4 µs`, `50.8 ms`); the header has none.
    PerValue,
}

impl ColumnUnit {
    /// The unit for a column of these latencies, microseconds; values that are
    /// not finite are left out (they print as a dash in any unit).
    pub(crate) fn for_values(micros: impl IntoIterator<Item = f64>) -> Self {
        let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
        for x in micros.into_iter().filter(|x| x.is_finite()) {
            low = low.min(x);
            high = high.max(x);
        }
        // Boundaries as `sig3` rounds: 999.5 µs prints as 1000, 99.95 µs as 0.100 ms.
        if high < 999.5 {
            ColumnUnit::Micros
        } else if low >= 99.95 {
            ColumnUnit::Millis
        } else {
            ColumnUnit::PerValue
        }
    }

    /// `label [µs]`, `label [ms]`, or the bare label when each value has its unit.
    pub(crate) fn header(self, label: &str) -> String {
        match self {
            ColumnUnit::Micros => format!("{label} [µs]"),
            ColumnUnit::Millis => format!("{label} [ms]"),
            ColumnUnit::PerValue => label.to_owned(),
        }
    }

    /// A latency given in microseconds, as this column shows it.
    pub(crate) fn show(self, micros: f64) -> String {
        if !micros.is_finite() {
            return NONE.into();
        }
        match self {
            ColumnUnit::Micros => sig3(micros),
            ColumnUnit::Millis => sig3(micros / 1e3),
            ColumnUnit::PerValue => duration_us(micros),
        }
    }
}

/// A latency in running text with its unit: µs below a millisecond, ms below a
/// second, s from there: `283 µs`, `1.61 ms`, `101 ms`, `4.75 s`.
pub(crate) fn duration_us(micros: f64) -> String {
    if micros.abs() < 999.5 {
        format!("{} µs", sig3(micros))
    } else if micros.abs() < 999_500.0 {
        format!("{} ms", sig3(micros / 1e3))
    } else {
        format!("{} s", sig3(micros / 1e6))
    }
}

/// The range of `values` as ratios: `0.98–1.03×`, or `2.00×` when both ends
/// print the same.
pub(crate) fn times_range(values: &[f64]) -> String {
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (a, b) = (times(low), times(high));
    if a == b {
        a
    } else {
        format!("{}–{b}", a.trim_end_matches('×'))
    }
}

/// Digits as superscripts, for footnote marks: 12 gives `¹²`.
pub(crate) fn superscript(n: usize) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    n.to_string()
        .chars()
        .map(|c| DIGITS[c.to_digit(10).unwrap_or(0) as usize])
        .collect()
}

/// `3.54–3.75 µs`, `0.250 ms` or `78.4 µs to 1.16 ms`: the range of `values` (µs),
/// with the unit once when both ends share it.
pub(crate) fn span_us(values: &[f64]) -> String {
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (a, b) = (duration_us(low), duration_us(high));
    match (a.split_once(' '), b.split_once(' ')) {
        _ if a == b => a,
        (Some((x, u)), Some((y, v))) if u == v => format!("{x}–{y} {u}"),
        _ => format!("{a} to {b}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(key: &str, header: &str) -> MetricMeta {
        MetricMeta {
            key: key.into(),
            header: header.into(),
            about: String::new(),
        }
    }

    #[test]
    fn counts_sizes_and_durations() {
        assert_eq!(thousands(176_432.4), "176,432");
        assert_eq!(thousands(1_000_000.0), "1,000,000");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(999.6), "1,000");
        assert_eq!(thousands(-12_345.0), "-12,345");
        assert_eq!(thousands(9.934), "9.93");
        assert_eq!(thousands(50.0), "50");
        assert_eq!(thousands(10.0), "10");
        assert_eq!(thousands(f64::NAN), NONE);
        assert_eq!(bytes(464.0), "464 B");
        assert_eq!(bytes(12_650.0), "12.4 KiB");
        assert_eq!(bytes(3.4e6), "3.24 MiB");
        assert_eq!(bytes(1_048_575.0), "1.00 MiB");
        assert_eq!(duration_us(283.4), "283 µs");
        assert_eq!(duration_us(1610.0), "1.61 ms");
        assert_eq!(duration_us(101_300.0), "101 ms");
        assert_eq!(times_range(&[0.984, 1.03, 1.0]), "0.98–1.03×");
        assert_eq!(times_range(&[1.996, 2.0004]), "2.00×");
        assert_eq!(superscript(1), "¹");
        assert_eq!(superscript(12), "¹²");
    }

    #[test]
    fn measures_by_their_declared_unit() {
        let ns = meta("ns-per-task", "Spawn+await [ns/task]");
        let rss = meta("rss-per-task-bytes", "Memory per task [bytes]");
        let count = meta("tasks-spawned", "Tasks spawned");
        assert_eq!(split_header(&ns.header), ("Spawn+await", "ns/task"));
        assert_eq!(split_header(&count.header), ("Tasks spawned", ""));
        assert_eq!(metric_header(&ns), "Spawn+await [ns/task]");
        assert_eq!(metric_header(&rss), "Memory per task");
        assert_eq!(metric_header(&count), "Tasks spawned");
        assert_eq!(metric_value(&ns.key, 14_480.0), "14,480");
        assert_eq!(metric_value(&ns.key, 151.0), "151");
        assert_eq!(metric_value(&rss.key, 250.0), "250 B");
        assert_eq!(metric_with_unit(&ns, 151.0), "151 ns/task");
        assert_eq!(metric_with_unit(&rss, 12_650.0), "12.4 KiB");
        assert_eq!(metric_with_unit(&count, 65_534.0), "65,534");
    }

    #[test]
    fn one_latency_unit_per_table() {
        let l = |p50: f64| Latency {
            count: 1,
            mean: p50,
            p50,
            p90: p50,
            p99: p50,
            p999: p50,
            max: p50,
        };
        let fast = [l(24.0), l(300.0)];
        assert_eq!(TimeUnit::for_medians(&fast), TimeUnit::Micros);
        let slow = [l(24.0), l(99_100.0)];
        let unit = TimeUnit::for_medians(&slow);
        assert_eq!(unit, TimeUnit::Millis);
        assert_eq!(unit.show(99_100.0), "99.1");
        assert_eq!(unit.show(212.0), "0.212");
        assert_eq!(TimeUnit::Micros.show(23.8), "23.8");
    }

    #[test]
    fn latency_units_per_column() {
        // The quick run's unloaded medians: all below a millisecond, so µs, and the
        // 3.5 µs of seq reads 3.51, not 0.00351.
        let unloaded = [3.51, 5.36, 9.06, 143.1, 45.0];
        let unit = ColumnUnit::for_values(unloaded);
        assert_eq!(unit, ColumnUnit::Micros);
        assert_eq!(unit.header("Unloaded p50"), "Unloaded p50 [µs]");
        assert_eq!(unit.show(3.51), "3.51");
        assert_eq!(unit.show(143.1), "143");
        assert_eq!(unit.show(999.4), "999");
        // All at least 0.1 ms, some above 1 ms: ms, no value below 0.100.
        let p99 = [198.0, 2140.0, 101_000.0];
        let unit = ColumnUnit::for_values(p99);
        assert_eq!(unit, ColumnUnit::Millis);
        assert_eq!(unit.header("Open loop p99"), "Open loop p99 [ms]");
        assert_eq!(unit.show(198.0), "0.198");
        assert_eq!(unit.show(101_000.0), "101");
        assert_eq!(ColumnUnit::for_values([99.95, 1000.0]), ColumnUnit::Millis);
        // 78 µs next to 51 ms fits neither: each value carries its unit.
        let open = [78.4, 84.5, 1160.0, 50_800.0];
        let unit = ColumnUnit::for_values(open);
        assert_eq!(unit, ColumnUnit::PerValue);
        assert_eq!(unit.header("Open loop p50"), "Open loop p50");
        assert_eq!(unit.show(78.4), "78.4 µs");
        assert_eq!(unit.show(1160.0), "1.16 ms");
        assert_eq!(unit.show(50_800.0), "50.8 ms");
        // In each column, in the unit chosen for it, no value starts with 0.0.
        for column in [&unloaded[..], &p99[..], &open[..]] {
            let unit = ColumnUnit::for_values(column.iter().copied());
            for &x in column {
                assert!(!unit.show(x).starts_with("0.0"), "{unit:?} {x}");
            }
        }
        // No values, or none finite: µs, and a dash for a missing number.
        assert_eq!(ColumnUnit::for_values([]), ColumnUnit::Micros);
        assert_eq!(ColumnUnit::for_values([f64::NAN]), ColumnUnit::Micros);
        assert_eq!(ColumnUnit::Millis.show(f64::NAN), NONE);
    }
}
