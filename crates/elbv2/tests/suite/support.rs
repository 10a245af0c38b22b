//! Helpers shared by this crate's integration tests.

pub mod sim;

use prometheus::{Encoder, Registry, TextEncoder};

/// Sum of the samples of `name` whose labels include every pair of `labels`, read from the
/// registry's text exposition (the same bytes Prometheus would scrape).
pub fn sample(registry: &Registry, name: &str, labels: &[(&str, &str)]) -> f64 {
    let mut buffer = Vec::new();
    TextEncoder::new()
        .encode(&registry.gather(), &mut buffer)
        .expect("encode metrics");
    let text = String::from_utf8(buffer).expect("utf-8 metrics");
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (series_name, series_labels) = match series.split_once('{') {
                Some((n, rest)) => (n, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            if series_name != name {
                return None;
            }
            let all_match = labels.iter().all(|(k, v)| {
                series_labels
                    .split(',')
                    .any(|pair| pair == format!("{k}=\"{v}\""))
            });
            all_match.then(|| value.parse::<f64>().expect("sample value"))
        })
        .sum()
}
