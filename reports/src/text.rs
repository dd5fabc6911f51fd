//! The small text formats every report section shares: numbers to three
//! significant digits, ratios, percentages, lists in prose, and text made safe
//! for inline Markdown. Depends on nothing else in the crate, so any renderer can
//! use it without reaching into another section.

/// Stands in for a number that does not exist (a failed cell, no `seq`).
pub(crate) const NONE: &str = "—";

/// The file the per-workload details are written to, beside `report.md` (a link
/// target of several sections, so it lives below them all).
pub(crate) const DETAILS_FILE: &str = "details.md";

/// `x` rounded to three significant digits, without exponent (large values keep
/// all their integer digits).
pub(crate) fn sig3(x: f64) -> String {
    if !x.is_finite() {
        return NONE.into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let decimals = |v: f64| (2 - v.abs().log10().floor() as i32).clamp(0, 9) as usize;
    let d = decimals(x);
    let scale = 10f64.powi(d as i32);
    let rounded = (x * scale).round() / scale;
    // Rounding may carry into a new digit (9.996 -> 10.0); recount.
    format!("{:.*}", decimals(rounded).min(d), rounded)
}

/// The anchor GitHub gives a heading: lower case, letters, digits, spaces and
/// hyphens kept, the rest dropped, spaces turned into hyphens
/// (`Concurrency × parallelism` → `concurrency--parallelism`).
pub(crate) fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Seconds as milliseconds, three significant digits.
pub(crate) fn ms(seconds: f64) -> String {
    sig3(seconds * 1e3)
}

/// A ratio such as a speedup: `1.97×`, `12.3×`, `971×`.
pub(crate) fn times(x: f64) -> String {
    if !x.is_finite() {
        return NONE.into();
    }
    let d = if x < 9.995 {
        2
    } else if x < 99.95 {
        1
    } else {
        0
    };
    format!("{x:.d$}×")
}

/// A fraction as a whole percentage: `98%`.
pub(crate) fn percent(x: f64) -> String {
    if x.is_finite() {
        format!("{:.0}%", x * 100.0)
    } else {
        NONE.into()
    }
}

/// A number of cores (CPU time over wall time): `1.98`.
pub(crate) fn cores(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.2}")
    } else {
        NONE.into()
    }
}

/// Bytes as MiB with one decimal.
pub(crate) fn mib(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Text from the results file made safe for inline Markdown: characters that
/// would start markup (`<VecDeque>` would vanish as an HTML tag) are escaped.
pub(crate) fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '<' | '[' | ']') {
            out.push('\\');
        }
        out.push(if c == '\n' { ' ' } else { c });
    }
    out
}

/// `text` escaped, ending with a full stop unless it already ends a sentence.
pub(crate) fn sentence(text: &str) -> String {
    let mut s = escape_inline(text.trim());
    if !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    s
}

/// `text` with its first letter in upper case.
pub(crate) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// `1 sample`, `3 samples`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats() {
        assert_eq!(sig3(412.345), "412");
        assert_eq!(sig3(41.2345), "41.2");
        assert_eq!(sig3(4.12345), "4.12");
        assert_eq!(sig3(0.0412345), "0.0412");
        assert_eq!(sig3(9.996), "10.0");
        assert_eq!(sig3(99.96), "100");
        assert_eq!(sig3(10123.4), "10123");
        assert_eq!(sig3(0.0), "0");
        assert_eq!(sig3(f64::NAN), NONE);
        assert_eq!(times(1.9749), "1.97×");
        assert_eq!(times(12.345), "12.3×");
        assert_eq!(times(971.2), "971×");
        assert_eq!(percent(0.984), "98%");
        assert_eq!(cores(1.956), "1.96");
        assert_eq!(mib(3 * 1024 * 1024 + 400 * 1024), "3.4");
        assert_eq!(
            join_and(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
    }
}
