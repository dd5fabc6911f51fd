//! Latency histograms between processes and into results: a histogram as the
//! `[value, count]` buckets a cell process prints (so the parent merges histograms,
//! never percentiles), and a merged histogram's percentiles as the results file
//! holds them.

use rtcompare_api::Histogram;
use rtcompare_reports::Latency;

/// A histogram as `[value, count]` pairs of its recorded buckets.
pub fn histogram_buckets(h: &Histogram) -> Vec<[u64; 2]> {
    h.iter_recorded()
        .map(|v| [v.value_iterated_to(), v.count_at_value()])
        .collect()
}

/// The histogram `buckets` came from (values within one bucket are equivalent).
pub fn histogram_from_buckets(buckets: &[[u64; 2]]) -> Histogram {
    let mut h = rtcompare_api::new_histogram();
    for &[value, count] in buckets {
        h.record_n(value, count)
            .expect("auto-resizing histograms record");
    }
    h
}

/// A merged histogram's percentiles, in microseconds.
pub fn latency(h: &Histogram) -> Latency {
    Latency {
        count: h.len(),
        mean: h.mean() / 1e3,
        p50: micros(h.value_at_quantile(0.5)),
        p90: micros(h.value_at_quantile(0.9)),
        p99: micros(h.value_at_quantile(0.99)),
        p999: micros(h.value_at_quantile(0.999)),
        max: micros(h.max()),
    }
}

/// Nanoseconds as microseconds.
pub fn micros(nanos: u64) -> f64 {
    nanos as f64 / 1e3
}
