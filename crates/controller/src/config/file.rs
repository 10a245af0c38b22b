//! The YAML configuration file (`--config`). Keys are the flag names without the dashes in
//! front, so one name works everywhere; unknown keys are refused so that a typo is not silently
//! ignored.

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
    pub webhook_cert_dir: Option<std::path::PathBuf>,
    pub webhook_cert_mode: Option<CertMode>,
    pub webhook_service_name: Option<String>,
    pub webhook_service_namespace: Option<String>,
    pub enable_leader_election: Option<bool>,
    pub leader_election_id: Option<String>,
    pub leader_election_namespace: Option<String>,
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
        serde_saphyr::from_str(text).map_err(|error| Error::Config {
            message: format!("{origin}: {error}"),
        })
    }

    /// Reads and parses a file.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|error| Error::Config {
            message: format!("--config {}: {error}", path.display()),
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
        self.targetgroupbinding_max_exponential_backoff_delay
            .as_deref()
            .map(|text| {
                super::parse_duration(text).map_err(|message| Error::Config {
                    message: format!("targetgroupbinding-max-exponential-backoff-delay: {message}"),
                })
            })
            .transpose()
    }
}
