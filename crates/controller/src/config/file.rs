//! The YAML configuration file (`--config`). Keys are the flag names without the dashes in
//! front, so one name works everywhere; unknown keys are refused so that a typo is not silently
//! ignored.

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::{CertMode, LogFormat, LogLevel};
use crate::error::Error;

/// Every key is optional; what is missing falls back to the built-in default.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct FileConfig {
    pub cluster_name: Option<String>,
    pub enable_pod_readiness_gate_inject: Option<bool>,
    pub watch_namespace: Option<Vec<String>>,
    pub metrics_bind_addr: Option<String>,
    pub health_probe_bind_addr: Option<String>,
    pub webhook_bind_port: Option<u16>,
    pub webhook_bind_addr: Option<String>,
    pub webhook_cert_dir: Option<std::path::PathBuf>,
    pub webhook_cert_mode: Option<CertMode>,
    pub webhook_cert_rotate_after: Option<String>,
    pub webhook_cert_overlap: Option<String>,
    pub webhook_cert_refresh_interval: Option<String>,
    pub webhook_service_name: Option<String>,
    pub webhook_service_namespace: Option<String>,
    pub enable_leader_election: Option<bool>,
    pub leader_election_id: Option<String>,
    pub leader_election_namespace: Option<String>,
    pub leader_election_lease_duration: Option<String>,
    pub leader_election_renew_deadline: Option<String>,
    pub leader_election_retry_period: Option<String>,
    pub aws_region: Option<String>,
    pub aws_max_retries: Option<u32>,
    pub targetgroupbinding_max_concurrent_reconciles: Option<u16>,
    pub targetgroupbinding_max_exponential_backoff_delay: Option<String>,
    pub target_health_max_age: Option<String>,
    pub ingress_class: Option<String>,
    pub log_level: Option<LogLevel>,
    pub log_format: Option<LogFormat>,
}

impl FileConfig {
    /// Parses YAML text; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, Error> {
        serde_saphyr::from_str(text).map_err(|source| Error::ConfigSyntax {
            origin: origin.to_owned(),
            source: Box::new(source),
        })
    }

    /// Reads and parses a file.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::ConfigFile {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &format!("--config {}", path.display()))
    }

    /// `target-health-max-age`, parsed (text such as `3s` or `500ms`).
    pub fn target_health_max_age(&self) -> Result<Option<Duration>, Error> {
        self.target_health_max_age
            .as_deref()
            .map(|text| {
                super::parse_duration(text).map_err(|message| Error::Config {
                    message: format!("target-health-max-age: {message}"),
                })
            })
            .transpose()
    }

    /// The backoff cap, parsed (the file holds it as text such as `16m40s`).
    pub fn backoff_cap(&self) -> Result<Option<Duration>, Error> {
        duration(
            self.targetgroupbinding_max_exponential_backoff_delay
                .as_deref(),
            "targetgroupbinding-max-exponential-backoff-delay",
        )
    }

    /// The self-managed rotation timings and the certificate refresh interval, parsed:
    /// (rotate-after, overlap, refresh-interval).
    pub fn cert_timings(&self) -> Result<CertTimings, Error> {
        Ok((
            duration(
                self.webhook_cert_rotate_after.as_deref(),
                "webhook-cert-rotate-after",
            )?,
            duration(self.webhook_cert_overlap.as_deref(), "webhook-cert-overlap")?,
            duration(
                self.webhook_cert_refresh_interval.as_deref(),
                "webhook-cert-refresh-interval",
            )?,
        ))
    }

    /// The Lease timings, parsed: (lease duration, renew deadline, retry period).
    pub fn lease_timings(&self) -> Result<LeaseTimings, Error> {
        Ok((
            duration(
                self.leader_election_lease_duration.as_deref(),
                "leader-election-lease-duration",
            )?,
            duration(
                self.leader_election_renew_deadline.as_deref(),
                "leader-election-renew-deadline",
            )?,
            duration(
                self.leader_election_retry_period.as_deref(),
                "leader-election-retry-period",
            )?,
        ))
    }

    /// The webhook listen address, parsed.
    pub fn webhook_ip(&self) -> Result<Option<IpAddr>, Error> {
        self.webhook_bind_addr
            .as_deref()
            .map(|text| {
                text.parse().map_err(|_| Error::Config {
                    message: format!(
                        "webhook-bind-addr: {text:?} is not an IP address such as 0.0.0.0 or 127.0.0.1"
                    ),
                })
            })
            .transpose()
    }
}

/// Durations of the file's certificate keys: rotate-after, overlap, refresh interval.
pub type CertTimings = (Option<Duration>, Option<Duration>, Option<Duration>);
/// Lease duration, renew deadline and retry period as a file states them.
pub type LeaseTimings = (Option<Duration>, Option<Duration>, Option<Duration>);

/// A Go-style duration held as text under `key`.
fn duration(text: Option<&str>, key: &str) -> Result<Option<Duration>, Error> {
    text.map(|text| {
        super::parse_duration(text).map_err(|message| Error::Config {
            message: format!("{key}: {message}"),
        })
    })
    .transpose()
}
