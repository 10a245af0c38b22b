//! The controller's configuration: [`flags`] (command line and `LBGATE_…` environment) over
//! [`file`](mod@file) (YAML, `--config`) over built-in defaults. Every value is validated before anything
//! starts, and a bad one names the flag it came from.

pub mod file;
pub mod flags;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use serde::Deserialize;

pub use file::FileConfig;
pub use flags::Flags;

use crate::error::Error;

pub use lbgate_api::consts::DEFAULT_LEADER_ELECTION_ID;
/// Longest `--target-health-max-age` accepted.
const MAX_TARGET_HEALTH_MAX_AGE: Duration = Duration::from_secs(60);
/// controller-runtime's default certificate directory, which LBC's Helm chart mounts.
pub const DEFAULT_WEBHOOK_CERT_DIR: &str = "/tmp/k8s-webhook-server/serving-certs";
/// Self-managed certificates are rotated every 30 days...
pub const DEFAULT_CERT_ROTATE_AFTER: Duration = Duration::from_secs(30 * 24 * 3600);
/// ...after their CA has been in the caBundle for an hour.
pub const DEFAULT_CERT_OVERLAP: Duration = Duration::from_secs(3600);
/// The certificate Secret or directory is re-read this often.
pub const DEFAULT_CERT_REFRESH_INTERVAL: Duration = Duration::from_secs(10);
/// client-go's leader-election defaults, which LBC (controller-runtime) uses.
pub const DEFAULT_LEASE_DURATION: Duration = Duration::from_secs(15);
pub const DEFAULT_RENEW_DEADLINE: Duration = Duration::from_secs(10);
pub const DEFAULT_RETRY_PERIOD: Duration = Duration::from_secs(2);
const MIN_RETRY_PERIOD: Duration = Duration::from_millis(100);
/// Re-reading faster would only load the API server.
const MIN_CERT_REFRESH_INTERVAL: Duration = Duration::from_millis(100);
/// Validity of self-managed CAs and serving certificates.
pub const CERT_VALIDITY: Duration = Duration::from_secs(365 * 24 * 3600);

/// Where the webhook's serving certificate comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertMode {
    /// `tls.crt`/`tls.key` in `--webhook-cert-dir` (cert-manager or user-provided), hot-reloaded.
    Dir,
    /// A CA and serving certificate of our own, kept in a Secret and rotated.
    SelfManaged,
}

/// Log verbosity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warn => "warn",
            Self::Info => "info",
            Self::Debug => "debug",
            Self::Trace => "trace",
        }
    }
}

/// Log encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Text,
}

/// The resolved configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub cluster_name: String,
    pub enable_pod_readiness_gate_inject: bool,
    /// Empty: every namespace.
    pub watch_namespaces: Vec<String>,
    pub metrics_bind_addr: SocketAddr,
    pub health_probe_bind_addr: SocketAddr,
    pub webhook_bind_port: u16,
    /// The webhooks listen on this address and `webhook_bind_port`.
    pub webhook_bind_addr: IpAddr,
    pub webhook_cert_dir: PathBuf,
    pub webhook_cert_mode: CertMode,
    /// Self-managed mode: a rotation starts when the serving certificate is this old.
    pub webhook_cert_rotate_after: Duration,
    /// Self-managed mode: a new CA is published this long before it signs the certificate.
    pub webhook_cert_overlap: Duration,
    /// How often the certificate Secret or directory is re-read.
    pub webhook_cert_refresh_interval: Duration,
    pub webhook_service_name: String,
    pub webhook_service_namespace: String,
    pub enable_leader_election: bool,
    pub leader_election_id: String,
    /// `None`: the pod's namespace (`POD_NAMESPACE`), else `kube-system`.
    pub leader_election_namespace: Option<String>,
    /// A follower takes the Lease this long after its last renewal.
    pub leader_election_lease_duration: Duration,
    /// The leader stops leading when it could not renew for this long.
    pub leader_election_renew_deadline: Duration,
    /// Renewals and attempts happen this often.
    pub leader_election_retry_period: Duration,
    pub aws_region: Option<String>,
    pub aws_max_retries: u32,
    pub max_concurrent_reconciles: u16,
    pub max_exponential_backoff_delay: Duration,
    /// How old a shared DescribeTargetHealth answer may be when reused; zero: never reused.
    pub target_health_max_age: Duration,
    pub ingress_class: String,
    pub log_level: LogLevel,
    pub log_format: LogFormat,
}

impl Config {
    /// Parses `args` (program name first), reads `--config` when given, and resolves.
    pub fn from_args<I, T>(args: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let flags = Flags::try_parse_from(args).map_err(|error| Error::Flags {
            message: error.render().to_string(),
            exit_code: error.exit_code(),
        })?;
        let file = match &flags.config {
            Some(path) => FileConfig::load(path)?,
            None => FileConfig::default(),
        };
        resolve(flags, file)
    }
}

fn any_port() -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0)
}

fn file_addr(value: Option<&str>, key: &str) -> Result<Option<SocketAddr>, Error> {
    value
        .map(|text| {
            parse_bind_addr(text).map_err(|message| Error::Config {
                message: format!("{key}: {message}"),
            })
        })
        .transpose()
}

fn invalid(flag: &str, message: impl std::fmt::Display) -> Error {
    Error::Config {
        message: format!("invalid value for --{flag}: {message}"),
    }
}

/// Flag (or env) > file > default, then validation.
pub fn resolve(flags: Flags, file: FileConfig) -> Result<Config, Error> {
    let metrics_file = file_addr(file.metrics_bind_addr.as_deref(), "metrics-bind-addr")?;
    let health_file = file_addr(
        file.health_probe_bind_addr.as_deref(),
        "health-probe-bind-addr",
    )?;
    let backoff_file = file.backoff_cap()?;
    let webhook_ip_file = file.webhook_ip()?;
    let (rotate_after_file, overlap_file, refresh_file) = file.cert_timings()?;
    let (lease_file, renew_file, retry_file) = file.lease_timings()?;
    let health_age_file = file.target_health_max_age()?;
    let with_port = |port| SocketAddr::new(any_port().ip(), port);
    let config = Config {
        cluster_name: flags.cluster_name.or(file.cluster_name).unwrap_or_default(),
        enable_pod_readiness_gate_inject: flags
            .enable_pod_readiness_gate_inject
            .or(file.enable_pod_readiness_gate_inject)
            .unwrap_or(true),
        watch_namespaces: if flags.watch_namespace.is_empty() {
            file.watch_namespace.unwrap_or_default()
        } else {
            flags.watch_namespace
        },
        metrics_bind_addr: flags
            .metrics_bind_addr
            .or(metrics_file)
            .unwrap_or_else(|| with_port(8080)),
        health_probe_bind_addr: flags
            .health_probe_bind_addr
            .or(health_file)
            .unwrap_or_else(|| with_port(61779)),
        webhook_bind_port: flags
            .webhook_bind_port
            .or(file.webhook_bind_port)
            .unwrap_or(9443),
        webhook_bind_addr: flags
            .webhook_bind_addr
            .or(webhook_ip_file)
            .unwrap_or(any_port().ip()),
        webhook_cert_dir: flags
            .webhook_cert_dir
            .or(file.webhook_cert_dir)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_WEBHOOK_CERT_DIR)),
        webhook_cert_mode: flags
            .webhook_cert_mode
            .or(file.webhook_cert_mode)
            .unwrap_or(CertMode::Dir),
        webhook_cert_rotate_after: flags
            .webhook_cert_rotate_after
            .or(rotate_after_file)
            .unwrap_or(DEFAULT_CERT_ROTATE_AFTER),
        webhook_cert_overlap: flags
            .webhook_cert_overlap
            .or(overlap_file)
            .unwrap_or(DEFAULT_CERT_OVERLAP),
        webhook_cert_refresh_interval: flags
            .webhook_cert_refresh_interval
            .or(refresh_file)
            .unwrap_or(DEFAULT_CERT_REFRESH_INTERVAL),
        webhook_service_name: flags
            .webhook_service_name
            .or(file.webhook_service_name)
            .unwrap_or_else(|| lbgate_api::consts::DEFAULT_WEBHOOK_SERVICE_NAME.to_owned()),
        webhook_service_namespace: flags
            .webhook_service_namespace
            .or(file.webhook_service_namespace)
            .unwrap_or_else(|| "kube-system".to_owned()),
        enable_leader_election: flags
            .enable_leader_election
            .or(file.enable_leader_election)
            .unwrap_or(true),
        leader_election_id: flags
            .leader_election_id
            .or(file.leader_election_id)
            .unwrap_or_else(|| DEFAULT_LEADER_ELECTION_ID.to_owned()),
        leader_election_lease_duration: flags
            .leader_election_lease_duration
            .or(lease_file)
            .unwrap_or(DEFAULT_LEASE_DURATION),
        leader_election_renew_deadline: flags
            .leader_election_renew_deadline
            .or(renew_file)
            .unwrap_or(DEFAULT_RENEW_DEADLINE),
        leader_election_retry_period: flags
            .leader_election_retry_period
            .or(retry_file)
            .unwrap_or(DEFAULT_RETRY_PERIOD),
        leader_election_namespace: flags
            .leader_election_namespace
            .or(file.leader_election_namespace)
            .filter(|namespace| !namespace.is_empty()),
        aws_region: flags
            .aws_region
            .or(file.aws_region)
            .filter(|region| !region.is_empty()),
        aws_max_retries: flags.aws_max_retries.or(file.aws_max_retries).unwrap_or(10),
        max_concurrent_reconciles: flags
            .targetgroupbinding_max_concurrent_reconciles
            .or(file.targetgroupbinding_max_concurrent_reconciles)
            .unwrap_or(3),
        max_exponential_backoff_delay: flags
            .targetgroupbinding_max_exponential_backoff_delay
            .or(backoff_file)
            .unwrap_or(Duration::from_secs(1000)),
        target_health_max_age: flags
            .target_health_max_age
            .or(health_age_file)
            .unwrap_or(lbgate_core::schedule::DEFAULT_HEALTH_MAX_AGE),
        ingress_class: flags
            .ingress_class
            .or(file.ingress_class)
            .unwrap_or_else(|| "alb".to_owned()),
        log_level: flags.log_level.or(file.log_level).unwrap_or(LogLevel::Info),
        log_format: flags
            .log_format
            .or(file.log_format)
            .unwrap_or(LogFormat::Json),
    };
    validate(&config)?;
    Ok(config)
}

/// Rules a value parser cannot express, or that values from the file must also pass.
fn validate(config: &Config) -> Result<(), Error> {
    for namespace in &config.watch_namespaces {
        if !is_dns_label(namespace) {
            return Err(invalid(
                "watch-namespace",
                format!("{namespace:?} is not a namespace name"),
            ));
        }
    }
    if !is_dns_subdomain(&config.leader_election_id) {
        return Err(invalid(
            "leader-election-id",
            format!("{:?} is not a Lease name", config.leader_election_id),
        ));
    }
    if let Some(namespace) = &config.leader_election_namespace
        && !is_dns_label(namespace)
    {
        return Err(invalid(
            "leader-election-namespace",
            format!("{namespace:?} is not a namespace name"),
        ));
    }
    if config.webhook_bind_port == 0 {
        return Err(invalid("webhook-bind-port", "must be 1..=65535"));
    }
    if config.max_concurrent_reconciles == 0 {
        return Err(invalid(
            "targetgroupbinding-max-concurrent-reconciles",
            "must be at least 1",
        ));
    }
    if config.max_exponential_backoff_delay < Duration::from_secs(1) {
        return Err(invalid(
            "targetgroupbinding-max-exponential-backoff-delay",
            "must be at least 1s",
        ));
    }
    if config.target_health_max_age > MAX_TARGET_HEALTH_MAX_AGE {
        return Err(invalid(
            "target-health-max-age",
            "must be at most 1m (it is how late a pass may see an unexpected health change)",
        ));
    }
    if config.aws_max_retries > 100 {
        return Err(invalid("aws-max-retries", "must be 0..=100"));
    }
    if config.ingress_class.is_empty() {
        return Err(invalid("ingress-class", "must not be empty"));
    }
    if config.webhook_cert_refresh_interval < MIN_CERT_REFRESH_INTERVAL {
        return Err(invalid(
            "webhook-cert-refresh-interval",
            format!("must be at least {MIN_CERT_REFRESH_INTERVAL:?}"),
        ));
    }
    // client-go's rules: the leader must give up before a follower may take over, and must
    // get more than one renewal attempt (with jitter) before it gives up.
    if config.leader_election_retry_period < MIN_RETRY_PERIOD {
        return Err(invalid(
            "leader-election-retry-period",
            format!("must be at least {MIN_RETRY_PERIOD:?}"),
        ));
    }
    if config.leader_election_renew_deadline.as_secs_f64()
        <= config.leader_election_retry_period.as_secs_f64() * 1.2
    {
        return Err(invalid(
            "leader-election-renew-deadline",
            "must be more than 1.2 x --leader-election-retry-period",
        ));
    }
    if config.leader_election_lease_duration <= config.leader_election_renew_deadline {
        return Err(invalid(
            "leader-election-lease-duration",
            "must be more than --leader-election-renew-deadline",
        ));
    }
    if config.webhook_cert_rotate_after.is_zero() {
        return Err(invalid("webhook-cert-rotate-after", "must be more than 0s"));
    }
    // A replica that read the Secret just before a new CA was added may publish the older
    // bundle once more; the switch must wait until its next refresh has put the new CA back.
    if config.webhook_cert_overlap < config.webhook_cert_refresh_interval.saturating_mul(2) {
        return Err(invalid(
            "webhook-cert-overlap",
            "must be at least twice --webhook-cert-refresh-interval",
        ));
    }
    // Every CA must outlive the two rotations it takes part in.
    let cycle = config
        .webhook_cert_rotate_after
        .saturating_add(config.webhook_cert_overlap);
    if cycle.saturating_mul(2) >= CERT_VALIDITY {
        return Err(invalid(
            "webhook-cert-rotate-after",
            "rotate-after plus overlap must be under half the certificates' validity (365 days)",
        ));
    }
    if config.webhook_cert_mode == CertMode::SelfManaged {
        if !is_dns_label(&config.webhook_service_name) {
            return Err(invalid("webhook-service-name", "is not a Service name"));
        }
        if !is_dns_label(&config.webhook_service_namespace) {
            return Err(invalid(
                "webhook-service-namespace",
                "is not a namespace name",
            ));
        }
    }
    Ok(())
}

fn is_dns_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

fn is_dns_subdomain(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(is_dns_label)
}

/// A listen address as LBC writes it: `:8080` means every interface.
pub fn parse_bind_addr(text: &str) -> Result<SocketAddr, String> {
    let full = if text.starts_with(':') {
        format!("0.0.0.0{text}")
    } else {
        text.to_owned()
    };
    full.parse()
        .map_err(|_| format!("{text:?} is not an address such as :8080 or 127.0.0.1:8080"))
}

/// A Go-style duration (`16m40s`, `1h`, `500ms`, `30s`), as LBC's flags take them.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("{text:?} is not a duration such as 30s, 5m or 16m40s");
    if text.is_empty() {
        return Err(bad());
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (number, tail) = rest.split_at(digits);
        let value: u64 = number.parse().map_err(|_| bad())?;
        let unit_len = tail.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (unit, tail) = tail.split_at(unit_len);
        let part = match unit {
            "ms" => Duration::from_millis(value),
            "s" => Duration::from_secs(value),
            "m" => Duration::from_secs(value.saturating_mul(60)),
            "h" => Duration::from_secs(value.saturating_mul(3600)),
            _ => return Err(bad()),
        };
        total = total.saturating_add(part);
        rest = tail;
    }
    Ok(total)
}

#[cfg(test)]
mod tests;
