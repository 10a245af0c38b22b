//! What a traffic run saw: counts by outcome, failures over time, requests per target.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use super::dataplane::Outcome;

/// Failures that started within one window of simulated time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureWindow {
    pub start: Duration,
    pub end: Duration,
    /// Requests started in the window.
    pub requests: u64,
    /// Failed requests started in the window, by outcome label.
    pub failures: BTreeMap<String, u64>,
}

impl FailureWindow {
    pub fn failed(&self) -> u64 {
        self.failures.values().sum()
    }
}

/// Every request of a run and summaries of them.
#[derive(Debug, Clone, Default)]
pub struct TrafficReport {
    /// Every request, in the order they were started.
    pub outcomes: Vec<Outcome>,
    /// Requests by outcome label (`200`, `502`, `503`, `504`, `unreachable`, …).
    pub by_outcome: BTreeMap<String, u64>,
    /// Per target (`ip:port`), requests by outcome label.
    pub per_target: BTreeMap<String, BTreeMap<String, u64>>,
    /// Windows with at least one failure, in time order.
    pub failure_windows: Vec<FailureWindow>,
    /// The window size of `failure_windows`.
    pub window: Duration,
}

impl TrafficReport {
    /// Summarises `outcomes`, grouping failures into windows of `window` (at least 1 ms).
    pub fn new(mut outcomes: Vec<Outcome>, window: Duration) -> Self {
        let window = window.max(Duration::from_millis(1));
        outcomes.sort_by_key(|o| o.started);
        let mut by_outcome: BTreeMap<String, u64> = BTreeMap::new();
        let mut per_target: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        let mut windows: BTreeMap<u128, FailureWindow> = BTreeMap::new();
        let mut requests_per_window: BTreeMap<u128, u64> = BTreeMap::new();
        for outcome in &outcomes {
            let label = outcome.kind.label();
            *by_outcome.entry(label.clone()).or_insert(0) += 1;
            if let Some(target) = &outcome.target {
                *per_target
                    .entry(target.to_string())
                    .or_default()
                    .entry(label.clone())
                    .or_insert(0) += 1;
            }
            let slot = outcome.started.as_nanos() / window.as_nanos();
            *requests_per_window.entry(slot).or_insert(0) += 1;
            if outcome.kind.is_failure() {
                let start = nanos(slot.saturating_mul(window.as_nanos()));
                let entry = windows.entry(slot).or_insert_with(|| FailureWindow {
                    start,
                    end: start.saturating_add(window),
                    requests: 0,
                    failures: BTreeMap::new(),
                });
                *entry.failures.entry(label).or_insert(0) += 1;
            }
        }
        let failure_windows = windows
            .into_iter()
            .map(|(slot, mut w)| {
                w.requests = requests_per_window.get(&slot).copied().unwrap_or(0);
                w
            })
            .collect();
        Self {
            outcomes,
            by_outcome,
            per_target,
            failure_windows,
            window,
        }
    }

    pub fn total(&self) -> u64 {
        self.by_outcome.values().sum()
    }

    /// Requests with outcome `label` (`"200"`, `"502"`, …).
    pub fn count(&self, label: &str) -> u64 {
        self.by_outcome.get(label).copied().unwrap_or(0)
    }

    /// Requests that got a 5xx or no answer.
    pub fn failures(&self) -> u64 {
        self.outcomes.iter().filter(|o| o.kind.is_failure()).count() as u64
    }

    /// When the first and last failed requests started.
    pub fn failure_span(&self) -> Option<(Duration, Duration)> {
        let mut failed = self.outcomes.iter().filter(|o| o.kind.is_failure());
        let first = failed.next()?.started;
        let last = failed.next_back().map_or(first, |o| o.started);
        Some((first, last))
    }
}

impl fmt::Display for TrafficReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let span = match (self.outcomes.first(), self.outcomes.last()) {
            (Some(first), Some(last)) => format!(
                " from {:.1}s to {:.1}s",
                first.started.as_secs_f64(),
                last.started.as_secs_f64()
            ),
            _ => String::new(),
        };
        writeln!(
            f,
            "{} requests{span}, {} failed",
            self.total(),
            self.failures()
        )?;
        let counts: Vec<String> = self
            .by_outcome
            .iter()
            .map(|(label, n)| format!("{label}: {n}"))
            .collect();
        writeln!(f, "  by outcome: {}", counts.join(", "))?;
        if self.failure_windows.is_empty() {
            writeln!(f, "  no failures")?;
        } else {
            writeln!(
                f,
                "  failures per {:.1}s window:",
                self.window.as_secs_f64()
            )?;
            for w in &self.failure_windows {
                let detail: Vec<String> = w
                    .failures
                    .iter()
                    .map(|(label, n)| format!("{n}×{label}"))
                    .collect();
                let span = format!("{:.1}s–{:.1}s", w.start.as_secs_f64(), w.end.as_secs_f64());
                let ratio = format!("{}/{}", w.failed(), w.requests);
                writeln!(
                    f,
                    "    {span:<18} {ratio:>9} failed ({})",
                    detail.join(", ")
                )?;
            }
        }
        writeln!(f, "  per target:")?;
        for (target, counts) in &self.per_target {
            let detail: Vec<String> = counts
                .iter()
                .map(|(label, n)| format!("{label}: {n}"))
                .collect();
            writeln!(f, "    {target:<22} {}", detail.join(", "))?;
        }
        Ok(())
    }
}

fn nanos(n: u128) -> Duration {
    Duration::from_nanos(u64::try_from(n).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests;
