//! `lbgate_` metrics of the TargetGroupBinding controller, registered into a registry the caller
//! owns (the binary serves it on `/metrics`). AWS call metrics live in `lbgate-elbv2`.

use std::time::{Duration, Instant};

use lbgate_api::consts::METRIC_PREFIX;
use lbgate_api::v1beta1::TargetCounts;
use lbgate_core::binding::{GatePhase, PassKind};
use prometheus::{
    Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry,
};

use crate::error::Error;

const RECONCILE_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
const GATE_BUCKETS: &[f64] = &[
    0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0,
];

/// Age buckets of the pending-gates gauge, upper bounds in seconds (the last is open).
pub const PENDING_AGE_BUCKETS: [(&str, u64); 4] = [
    ("lt_30s", 30),
    ("30s_to_2m", 120),
    ("2m_to_10m", 600),
    ("ge_10m", u64::MAX),
];

/// How a pass ended, for `lbgate_tgb_reconciles_total{result}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReconcileResult {
    /// Synced (including a pass that only waits for health).
    Synced,
    /// Bad input reported on the binding; nothing touched in AWS.
    Invalid,
    /// Deletion cleanup done.
    Cleaned,
    /// Failed; retried with backoff.
    Error,
}

impl From<PassKind> for ReconcileResult {
    fn from(kind: PassKind) -> Self {
        match kind {
            PassKind::Synced => Self::Synced,
            PassKind::Invalid => Self::Invalid,
            PassKind::Cleaned => Self::Cleaned,
        }
    }
}

impl ReconcileResult {
    fn as_str(self) -> &'static str {
        match self {
            Self::Synced => "synced",
            Self::Invalid => "invalid",
            Self::Cleaned => "cleaned",
            Self::Error => "error",
        }
    }
}

/// Handles to the controller metrics; cheap to clone.
#[derive(Clone, Debug)]
pub struct Metrics {
    reconciles: IntCounterVec,
    duration: Histogram,
    gate_phases: HistogramVec,
    gates_pending: IntGaugeVec,
    targets: IntGaugeVec,
    breaker_trips: IntCounterVec,
    decode_failures: IntCounterVec,
    health_answers: IntCounterVec,
    events_dropped: prometheus::IntCounter,
}

fn name(suffix: &str) -> String {
    format!("{METRIC_PREFIX}{suffix}")
}

fn metrics_error(source: prometheus::Error) -> Error {
    Error::Metrics { source }
}

impl Metrics {
    /// Creates the metrics and registers them into `registry`.
    pub fn register(registry: &Registry) -> Result<Self, Error> {
        let reconciles = IntCounterVec::new(
            Opts::new(
                name("tgb_reconciles_total"),
                "TargetGroupBinding reconcile passes by result and error category (requeues are not errors).",
            ),
            &["result", "error"],
        )
        .map_err(metrics_error)?;
        let duration = Histogram::with_opts(
            HistogramOpts::new(
                name("tgb_reconcile_duration_seconds"),
                "Wall time of one TargetGroupBinding reconcile pass.",
            )
            .buckets(RECONCILE_BUCKETS.to_vec()),
        )
        .map_err(metrics_error)?;
        let gate_phases = HistogramVec::new(
            HistogramOpts::new(
                name("gate_phase_duration_seconds"),
                "Time a pod's readiness gate spends in each phase, as far as the controller sees it.",
            )
            .buckets(GATE_BUCKETS.to_vec()),
            &["phase"],
        )
        .map_err(metrics_error)?;
        let gates_pending = IntGaugeVec::new(
            Opts::new(
                name("gates_pending"),
                "Readiness gates written False and not yet True, by age since they went False.",
            ),
            &["age"],
        )
        .map_err(metrics_error)?;
        let targets = IntGaugeVec::new(
            Opts::new(
                name("tgb_targets"),
                "Targets of each binding by state, as of its last pass.",
            ),
            &["namespace", "binding", "state"],
        )
        .map_err(metrics_error)?;
        let breaker_trips = IntCounterVec::new(
            Opts::new(
                name("circuit_breaker_trips_total"),
                "Passes in which the circuit breaker held back deregistrations.",
            ),
            &["namespace", "binding"],
        )
        .map_err(metrics_error)?;
        let decode_failures = IntCounterVec::new(
            Opts::new(
                name("watch_decode_failures_total"),
                "Watched objects skipped because they did not decode.",
            ),
            &["kind"],
        )
        .map_err(metrics_error)?;
        let health_answers = IntCounterVec::new(
            Opts::new(
                name("target_health_answers_total"),
                "Target health a pass used, by source: a DescribeTargetHealth call (aws) or the group's held answer (reused).",
            ),
            &["source"],
        )
        .map_err(metrics_error)?;
        let events_dropped = prometheus::IntCounter::with_opts(Opts::new(
            name("events_dropped_total"),
            "Events on bindings not published because the Event queue was full.",
        ))
        .map_err(metrics_error)?;
        for collector in [
            Box::new(reconciles.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(duration.clone()),
            Box::new(gate_phases.clone()),
            Box::new(gates_pending.clone()),
            Box::new(targets.clone()),
            Box::new(breaker_trips.clone()),
            Box::new(decode_failures.clone()),
            Box::new(health_answers.clone()),
            Box::new(events_dropped.clone()),
        ] {
            registry.register(collector).map_err(metrics_error)?;
        }
        Ok(Self {
            reconciles,
            duration,
            gate_phases,
            gates_pending,
            targets,
            breaker_trips,
            decode_failures,
            health_answers,
            events_dropped,
        })
    }

    /// Records one finished pass; `error` is the failed pass's category.
    pub fn reconciled(
        &self,
        result: ReconcileResult,
        error: Option<&'static str>,
        started: Instant,
    ) {
        let category = error.unwrap_or_default();
        self.reconciles
            .with_label_values(&[result.as_str(), category])
            .inc();
        self.duration.observe(started.elapsed().as_secs_f64());
    }

    /// Counts an Event dropped by a full queue.
    pub fn event_dropped(&self) {
        self.events_dropped.inc();
    }

    /// Records a gate phase.
    pub fn gate_phase(&self, phase: GatePhase, took: Duration) {
        self.gate_phases
            .with_label_values(&[phase.as_str()])
            .observe(took.as_secs_f64());
    }

    /// Replaces the pending-gates gauge with these ages.
    pub fn set_pending_gates(&self, ages: impl IntoIterator<Item = Duration>) {
        let mut counts = [0_i64; PENDING_AGE_BUCKETS.len()];
        for age in ages {
            let seconds = age.as_secs();
            let slot = PENDING_AGE_BUCKETS
                .iter()
                .position(|(_, bound)| seconds < *bound)
                .unwrap_or(PENDING_AGE_BUCKETS.len().saturating_sub(1));
            if let Some(count) = counts.get_mut(slot) {
                *count += 1;
            }
        }
        for ((label, _), count) in PENDING_AGE_BUCKETS.iter().zip(counts) {
            self.gates_pending.with_label_values(&[*label]).set(count);
        }
    }

    /// Sets a binding's target counts.
    pub fn set_targets(&self, namespace: &str, binding: &str, counts: &TargetCounts) {
        let states = [
            ("desired", counts.desired),
            ("registered", counts.registered),
            ("healthy", counts.healthy),
            ("initial", counts.initial),
            ("unhealthy", counts.unhealthy),
            ("draining", counts.draining),
            ("unused", counts.unused),
            ("unavailable", counts.unavailable),
        ];
        for (state, count) in states {
            self.targets
                .with_label_values(&[namespace, binding, state])
                .set(i64::from(count.unwrap_or(0)));
        }
    }

    /// Forgets a deleted binding's series.
    pub fn forget_binding(&self, namespace: &str, binding: &str) {
        for state in [
            "desired",
            "registered",
            "healthy",
            "initial",
            "unhealthy",
            "draining",
            "unused",
            "unavailable",
        ] {
            let _ = self
                .targets
                .remove_label_values(&[namespace, binding, state]);
        }
        let _ = self
            .breaker_trips
            .remove_label_values(&[namespace, binding]);
    }

    /// Counts a circuit-breaker trip.
    pub fn breaker_tripped(&self, namespace: &str, binding: &str) {
        self.breaker_trips
            .with_label_values(&[namespace, binding])
            .inc();
    }

    /// Counts an object skipped by a watch.
    pub fn decode_failure(&self, kind: &str) {
        self.decode_failures.with_label_values(&[kind]).inc();
    }

    /// One pass used target health from AWS (`reused` false) or from the group's held answer.
    pub fn health_answer(&self, reused: bool) {
        let source = if reused { "reused" } else { "aws" };
        self.health_answers.with_label_values(&[source]).inc();
    }

    /// How many passes took their target health from `source` (`aws` or `reused`).
    pub fn health_answers(&self, source: &str) -> u64 {
        self.health_answers.with_label_values(&[source]).get()
    }
}
