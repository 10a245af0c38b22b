//! [`ScenarioReport`]: what a scenario did and what its users saw — requests by outcome and
//! failure windows, every pod's timeline, ELBv2 API calls by operation, and derived figures.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::timeline::{Moment, PodTimeline};
use crate::alb::TrafficReport;

/// One step as it ran, in simulated seconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepRecord {
    pub index: usize,
    /// The step, as text.
    pub step: String,
    pub started: f64,
    pub ended: f64,
}

/// One window of simulated time with failed requests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowSummary {
    /// Simulated seconds.
    pub start: f64,
    pub end: f64,
    pub requests: u64,
    /// Failures by outcome label (`502`, `503`, `504`, `unreachable`, …).
    pub failures: BTreeMap<String, u64>,
}

/// Serialisable figures of a traffic run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrafficSummary {
    pub requests: u64,
    pub failures: u64,
    /// Requests by outcome label.
    pub by_outcome: BTreeMap<String, u64>,
    /// When the first and the last failed request started (simulated seconds).
    pub failure_span: Option<(f64, f64)>,
    pub window_seconds: f64,
    pub failure_windows: Vec<WindowSummary>,
}

impl TrafficSummary {
    pub fn of(report: &TrafficReport) -> Self {
        Self {
            requests: report.total(),
            failures: report.failures(),
            by_outcome: report.by_outcome.clone(),
            failure_span: report
                .failure_span()
                .map(|(a, b)| (a.as_secs_f64(), b.as_secs_f64())),
            window_seconds: report.window.as_secs_f64(),
            failure_windows: report
                .failure_windows
                .iter()
                .map(|w| WindowSummary {
                    start: w.start.as_secs_f64(),
                    end: w.end.as_secs_f64(),
                    requests: w.requests,
                    failures: w.failures.clone(),
                })
                .collect(),
        }
    }
}

/// Everything a scenario run produced.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioReport {
    pub name: String,
    /// Simulated seconds at the first and after the last step.
    pub started: f64,
    pub ended: f64,
    pub wall_seconds: f64,
    pub steps: Vec<StepRecord>,
    pub traffic: Option<TrafficSummary>,
    /// Every request, for assertions on single outcomes (not serialised).
    #[serde(skip)]
    pub traffic_report: Option<TrafficReport>,
    pub pods: Vec<PodTimeline>,
    /// ELBv2 API calls during the scenario, by operation (throttled and failed ones included).
    pub api_calls: BTreeMap<String, u64>,
    /// Per pod (`namespace/name`), gate True − healthy in simulated seconds.
    pub gate_lags: BTreeMap<String, f64>,
    pub max_gate_lag: Option<f64>,
}

impl ScenarioReport {
    /// Derives the per-pod figures from `pods`.
    pub fn derive(mut self) -> Self {
        self.gate_lags = self
            .pods
            .iter()
            .filter_map(|p| Some((format!("{}/{}", p.namespace, p.name), p.gate_lag()?)))
            .collect();
        self.max_gate_lag = self.gate_lags.values().copied().reduce(f64::max);
        self
    }

    /// The step whose text starts with `prefix` (e.g. `"set image"`).
    pub fn step(&self, prefix: &str) -> Option<&StepRecord> {
        self.steps.iter().find(|s| s.step.starts_with(prefix))
    }

    /// Failed requests that started in `[from, to)` simulated seconds.
    pub fn failures_between(&self, from: f64, to: f64) -> u64 {
        self.traffic_report.as_ref().map_or(0, |report| {
            report
                .outcomes
                .iter()
                .filter(|o| o.kind.is_failure())
                .filter(|o| (from..to).contains(&o.started.as_secs_f64()))
                .count() as u64
        })
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

fn at(moment: Option<Moment>) -> String {
    moment.map_or_else(|| "-".to_owned(), |m| format!("{:.1}", m.sim))
}

fn seconds(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:+.1}"))
}

impl fmt::Display for ScenarioReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "scenario {}: {:.1}s to {:.1}s simulated ({:.1}s wall)",
            self.name, self.started, self.ended, self.wall_seconds
        )?;
        writeln!(f, "steps:")?;
        for s in &self.steps {
            writeln!(
                f,
                "  {:>2}. [{:>7.1}s → {:>7.1}s] {}",
                s.index + 1,
                s.started,
                s.ended,
                s.step
            )?;
        }
        match &self.traffic {
            None => writeln!(f, "traffic: none")?,
            Some(t) => {
                let outcomes: Vec<String> = t
                    .by_outcome
                    .iter()
                    .map(|(k, v)| format!("{k} ×{v}"))
                    .collect();
                writeln!(
                    f,
                    "traffic: {} requests ({}), {} failed",
                    t.requests,
                    outcomes.join(", "),
                    t.failures
                )?;
                if let Some((first, last)) = t.failure_span {
                    writeln!(f, "  failures from {first:.1}s to {last:.1}s")?;
                }
                for w in &t.failure_windows {
                    let kinds: Vec<String> = w
                        .failures
                        .iter()
                        .map(|(k, v)| format!("{k} ×{v}"))
                        .collect();
                    writeln!(
                        f,
                        "  [{:>7.1}s, {:>7.1}s) {:>4} of {:>4} failed: {}",
                        w.start,
                        w.end,
                        w.failures.values().sum::<u64>(),
                        w.requests,
                        kinds.join(", ")
                    )?;
                }
            }
        }
        writeln!(
            f,
            "pods (simulated seconds; Δ = healthy − Ready, lag = gate True − healthy):"
        )?;
        writeln!(
            f,
            "  {:<28} {:<10} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>6} {:>6}",
            "pod",
            "image",
            "created",
            "ctrs",
            "ready",
            "reg",
            "healthy",
            "gate",
            "term",
            "dereg",
            "gone",
            "Δ",
            "lag"
        )?;
        for p in &self.pods {
            writeln!(
                f,
                "  {:<28} {:<10} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>6} {:>6}",
                p.name,
                p.image.as_deref().unwrap_or("-"),
                at(p.created),
                at(p.containers_ready),
                at(p.ready),
                at(p.registered),
                at(p.healthy),
                at(p.gate_true),
                at(p.terminating),
                at(p.deregistered),
                at(p.gone),
                seconds(p.ready_before_healthy()),
                seconds(p.gate_lag()),
            )?;
        }
        let calls: Vec<String> = self
            .api_calls
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        writeln!(
            f,
            "ELBv2 API calls: {}",
            if calls.is_empty() {
                "none".to_owned()
            } else {
                calls.join(", ")
            }
        )?;
        match self.max_gate_lag {
            Some(lag) => writeln!(f, "max gate lag: {lag:.1}s"),
            None => writeln!(f, "max gate lag: - (no readiness gate turned True)"),
        }
    }
}

#[cfg(test)]
mod tests;
