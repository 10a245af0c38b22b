//! The pure statistics of the gate-lag benchmark: percentiles and target state transitions.

use std::collections::BTreeMap;

use serde::Serialize;

/// Pseudo-states for a target that is not (or no longer) in the target group.
pub const ABSENT: &str = "registering";
pub const GONE: &str = "gone";

/// p50, p99, max and mean of a set of samples, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    pub count: usize,
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

/// Nearest-rank percentile (the smallest sample with at least `p` % of the samples at or below
/// it): no interpolation, so every figure is a lag some pod really had. `None` when empty.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

/// The summary of `samples`, `None` when there are none.
pub fn summarize(samples: &[f64]) -> Option<Summary> {
    let mut sorted: Vec<f64> = samples.iter().copied().filter(|s| s.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    Some(Summary {
        count: sorted.len(),
        p50: percentile(&sorted, 50.0)?,
        p99: percentile(&sorted, 99.0)?,
        max: *sorted.last()?,
        mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
    })
}

/// One change of a target's DescribeTargetHealth state between two looks.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Transition {
    pub target: String,
    pub from: String,
    pub to: String,
}

impl Transition {
    /// `from→to`, the key transitions are counted by.
    pub fn kind(&self) -> String {
        format!("{}→{}", self.from, self.to)
    }
}

/// The state changes between two looks at a target group (`target` → state): a target that
/// appears comes from [`ABSENT`], one that disappears goes to [`GONE`].
pub fn transitions(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> Vec<Transition> {
    let mut out = Vec::new();
    for (target, state) in after {
        let from = before.get(target).map_or(ABSENT, String::as_str);
        if from != state {
            out.push(Transition {
                target: target.clone(),
                from: from.to_owned(),
                to: state.clone(),
            });
        }
    }
    for (target, state) in before {
        if !after.contains_key(target) {
            out.push(Transition {
                target: target.clone(),
                from: state.clone(),
                to: GONE.to_owned(),
            });
        }
    }
    out
}

/// Transitions counted by kind.
pub fn count_by_kind(all: &[Transition]) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for t in all {
        *counts.entry(t.kind()).or_insert(0) += 1;
    }
    counts
}

/// The median (nearest rank) of `samples`, `None` when there are none.
pub fn median(samples: &[f64]) -> Option<f64> {
    summarize(samples).map(|s| s.p50)
}

#[cfg(test)]
mod tests;
