//! Metrics of the runtime and the webhooks: leadership, admissions, escaped pods.

use lbgate_api::consts::METRIC_PREFIX;
use prometheus::{IntCounter, IntCounterVec, IntGauge, Opts, Registry};

use crate::error::Error;

/// Handles; cheap to clone.
#[derive(Clone, Debug)]
pub struct RuntimeMetrics {
    leader: IntGauge,
    admissions: IntCounterVec,
    fail_open: IntCounter,
    pods_missing_gate: IntGauge,
}

fn name(suffix: &str) -> String {
    format!("{METRIC_PREFIX}{suffix}")
}

impl RuntimeMetrics {
    /// Creates and registers the metrics.
    pub fn register(registry: &Registry) -> Result<Self, Error> {
        let metrics_err = |source| Error::Metrics { source };
        let leader = IntGauge::new(
            name("leader"),
            "1 while this replica holds the leader Lease",
        )
        .map_err(metrics_err)?;
        let admissions = IntCounterVec::new(
            Opts::new(
                name("webhook_admissions_total"),
                "Admission requests answered",
            ),
            &["webhook", "allowed"],
        )
        .map_err(metrics_err)?;
        let fail_open = IntCounter::new(
            name("webhook_fail_open_total"),
            "Pods admitted without gates because the webhook could not decide",
        )
        .map_err(metrics_err)?;
        let pods_missing_gate = IntGauge::new(
            name("pods_missing_gate"),
            "Pods in opted-in namespaces behind a binding but without its readiness gate",
        )
        .map_err(metrics_err)?;
        registry
            .register(Box::new(leader.clone()))
            .map_err(metrics_err)?;
        registry
            .register(Box::new(admissions.clone()))
            .map_err(metrics_err)?;
        registry
            .register(Box::new(fail_open.clone()))
            .map_err(metrics_err)?;
        registry
            .register(Box::new(pods_missing_gate.clone()))
            .map_err(metrics_err)?;
        Ok(Self {
            leader,
            admissions,
            fail_open,
            pods_missing_gate,
        })
    }

    pub fn set_leader(&self, leading: bool) {
        self.leader.set(i64::from(leading));
    }

    pub fn leader(&self) -> bool {
        self.leader.get() == 1
    }

    pub fn admission(&self, webhook: &str, allowed: bool) {
        self.admissions
            .with_label_values(&[webhook, if allowed { "true" } else { "false" }])
            .inc();
    }

    pub fn webhook_fail_open(&self) {
        self.fail_open.inc();
    }

    pub fn set_pods_missing_gate(&self, count: i64) {
        self.pods_missing_gate.set(count);
    }

    pub fn pods_missing_gate(&self) -> i64 {
        self.pods_missing_gate.get()
    }
}
