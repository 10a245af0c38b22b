//! Metric readings for assertions, from a Prometheus text exposition (what a process's
//! `/metrics` serves) or from a [`prometheus::Registry`] in the test's own process. A registry
//! is read through the text encoder, so both sources go through one parser and a test reads
//! exactly the series a scrape would.
//!
//! A counter's or a gauge's reading is the sum of its series that carry the asked labels; a
//! histogram's count is the same sum over its `_count` series.

use std::collections::BTreeMap;

use prometheus::{Encoder, Registry, TextEncoder};

/// One sample line of a text exposition: `name{label="value",…} value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// The samples of one scrape.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scrape {
    samples: Vec<Sample>,
}

impl Scrape {
    /// The samples of a text exposition; comments, blank lines and lines that are not samples
    /// are skipped, a trailing timestamp is ignored.
    pub fn parse(text: &str) -> Self {
        Self {
            samples: text.lines().filter_map(sample).collect(),
        }
    }

    /// What `registry` would answer a scrape with now.
    ///
    /// # Panics
    /// When the text encoder refuses the registry's families: a broken test setup.
    #[expect(
        clippy::panic,
        reason = "the kit fails the test that reads a registry no scrape could read"
    )]
    pub fn of(registry: &Registry) -> Self {
        let mut text = Vec::new();
        if let Err(error) = TextEncoder::new().encode(&registry.gather(), &mut text) {
            panic!("the registry does not encode as a Prometheus exposition: {error}");
        }
        Self::parse(&String::from_utf8_lossy(&text))
    }

    /// Every sample, in the order of the exposition.
    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// Sum of the samples named exactly `name` (so a histogram's `_bucket`, `_sum` and `_count`
    /// series are apart) whose labels include every pair of `labels`; 0 when none does. The
    /// reading of a counter or a gauge over the series `labels` selects.
    pub fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.samples
            .iter()
            .filter(|sample| {
                sample.name == name
                    && labels.iter().all(|(key, value)| {
                        sample.labels.get(*key).map(String::as_str) == Some(*value)
                    })
            })
            .map(|sample| sample.value)
            .sum()
    }

    /// Observations of histogram `name` in the series `labels` selects (its `_count` samples).
    pub fn histogram_count(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.sum(&format!("{name}_count"), labels)
    }
}

/// [`Scrape::sum`] of a text exposition.
pub fn sum_samples(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    Scrape::parse(text).sum(name, labels)
}

/// [`Scrape::sum`] of what `registry` holds now.
pub fn sum_registry(registry: &Registry, name: &str, labels: &[(&str, &str)]) -> f64 {
    Scrape::of(registry).sum(name, labels)
}

/// `name{a="b",c="d"} 1.5 [timestamp]` → the sample; `None` for anything else.
fn sample(line: &str) -> Option<Sample> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let name_end = line.find(|c: char| c == '{' || c.is_whitespace())?;
    let (name, rest) = line.split_at(name_end);
    let (labels, rest) = match rest.strip_prefix('{') {
        Some(inside) => labels(inside)?,
        None => (BTreeMap::new(), rest),
    };
    let value = rest.split_whitespace().next()?.parse().ok()?;
    Some(Sample {
        name: name.to_owned(),
        labels,
        value,
    })
}

/// The labels after a sample's `{`, and what follows its `}`. Values keep the exposition's
/// escapes undone (`\\`, `\"`, `\n`), so commas, braces and quotes in a value are read right.
fn labels(mut rest: &str) -> Option<(BTreeMap<String, String>, &str)> {
    let mut labels = BTreeMap::new();
    loop {
        rest = rest.trim_start().trim_start_matches(',').trim_start();
        if let Some(after) = rest.strip_prefix('}') {
            return Some((labels, after));
        }
        let (key, after_key) = rest.split_once('=')?;
        let quoted = after_key.trim_start().strip_prefix('"')?;
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        let closing = loop {
            match chars.next()? {
                (_, '\\') => value.push(match chars.next()?.1 {
                    'n' => '\n',
                    other => other,
                }),
                (at, '"') => break at,
                (_, other) => value.push(other),
            }
        };
        labels.insert(key.trim().to_owned(), value);
        rest = quoted.get(closing + 1..)?;
    }
}

#[cfg(test)]
mod tests;
