//! Command-line flags. Every field is optional so that "not given" can be told apart from
//! "given the default": the file and the built-in defaults fill the gaps in [`super::resolve`].
//! clap reads each flag, then its `LBGATE_…` environment variable, which gives flag > env.

use std::time::Duration;

use clap::Parser;

/// Flags; LBC's names where LBC has the flag, so its manifests carry over.
#[derive(Debug, Clone, Default, Parser)]
#[command(name = "lbgate-controller", version, about)]
pub struct Flags {
    /// YAML configuration file; flags and environment win over it.
    #[arg(long, env = "LBGATE_CONFIG", value_name = "PATH")]
    pub config: Option<std::path::PathBuf>,
    /// Name of the Kubernetes cluster.
    #[arg(long, env = "LBGATE_CLUSTER_NAME")]
    pub cluster_name: Option<String>,
    /// Inject readiness gates into new pods of opted-in namespaces [default: true].
    #[arg(long, env = "LBGATE_ENABLE_POD_READINESS_GATE_INJECT", num_args = 0..=1,
          default_missing_value = "true", value_parser = clap::value_parser!(bool))]
    pub enable_pod_readiness_gate_inject: Option<bool>,
    /// Namespace to watch; repeat for several (default: all).
    #[arg(long, env = "LBGATE_WATCH_NAMESPACE", value_delimiter = ',')]
    pub watch_namespace: Vec<String>,
    /// Address of `/metrics` [default: :8080].
    #[arg(long, env = "LBGATE_METRICS_BIND_ADDR", value_parser = super::parse_bind_addr)]
    pub metrics_bind_addr: Option<std::net::SocketAddr>,
    /// Address of `/healthz` and `/readyz` [default: :61779].
    #[arg(long, env = "LBGATE_HEALTH_PROBE_BIND_ADDR", value_parser = super::parse_bind_addr)]
    pub health_probe_bind_addr: Option<std::net::SocketAddr>,
    /// HTTPS port of the webhooks [default: 9443].
    #[arg(long, env = "LBGATE_WEBHOOK_BIND_PORT",
          value_parser = clap::value_parser!(u16).range(1..))]
    pub webhook_bind_port: Option<u16>,
    /// IP address the webhooks listen on; the port is `--webhook-bind-port` [default: 0.0.0.0].
    #[arg(long, env = "LBGATE_WEBHOOK_BIND_ADDR", value_name = "IP")]
    pub webhook_bind_addr: Option<std::net::IpAddr>,
    /// Directory with `tls.crt` and `tls.key` (mode `dir`).
    #[arg(long, env = "LBGATE_WEBHOOK_CERT_DIR", value_name = "DIR")]
    pub webhook_cert_dir: Option<std::path::PathBuf>,
    /// Where the webhook certificate comes from [default: dir].
    #[arg(long, env = "LBGATE_WEBHOOK_CERT_MODE", value_enum)]
    pub webhook_cert_mode: Option<super::CertMode>,
    /// Self-managed mode: age of the serving certificate that starts a rotation [default: 720h].
    #[arg(long, env = "LBGATE_WEBHOOK_CERT_ROTATE_AFTER", value_parser = super::parse_duration)]
    pub webhook_cert_rotate_after: Option<Duration>,
    /// Self-managed mode: how long a new CA is in the caBundle before it signs the serving
    /// certificate [default: 1h].
    #[arg(long, env = "LBGATE_WEBHOOK_CERT_OVERLAP", value_parser = super::parse_duration)]
    pub webhook_cert_overlap: Option<Duration>,
    /// How often the certificate Secret (self-managed) or directory (dir) is re-read [default: 10s].
    #[arg(long, env = "LBGATE_WEBHOOK_CERT_REFRESH_INTERVAL", value_parser = super::parse_duration)]
    pub webhook_cert_refresh_interval: Option<Duration>,
    /// Service in front of the webhooks (self-managed certificates name it) [default: lbgate-webhook-service].
    #[arg(long, env = "LBGATE_WEBHOOK_SERVICE_NAME")]
    pub webhook_service_name: Option<String>,
    /// Namespace of that Service [default: kube-system].
    #[arg(long, env = "LBGATE_WEBHOOK_SERVICE_NAMESPACE")]
    pub webhook_service_namespace: Option<String>,
    /// Elect a leader through a Lease [default: true].
    #[arg(long, env = "LBGATE_ENABLE_LEADER_ELECTION", num_args = 0..=1,
          default_missing_value = "true", value_parser = clap::value_parser!(bool))]
    pub enable_leader_election: Option<bool>,
    /// Name of the Lease [default: aws-load-balancer-controller-leader].
    #[arg(long, env = "LBGATE_LEADER_ELECTION_ID")]
    pub leader_election_id: Option<String>,
    /// Namespace of the Lease [default: the pod's namespace, else kube-system].
    #[arg(long, env = "LBGATE_LEADER_ELECTION_NAMESPACE")]
    pub leader_election_namespace: Option<String>,
    /// How long a follower waits after the last renewal before it takes the Lease [default: 15s].
    #[arg(long, env = "LBGATE_LEADER_ELECTION_LEASE_DURATION", value_parser = super::parse_duration)]
    pub leader_election_lease_duration: Option<Duration>,
    /// How long the leader keeps trying to renew before it gives up leading [default: 10s].
    #[arg(long, env = "LBGATE_LEADER_ELECTION_RENEW_DEADLINE", value_parser = super::parse_duration)]
    pub leader_election_renew_deadline: Option<Duration>,
    /// How often the Lease is renewed or tried [default: 2s].
    #[arg(long, env = "LBGATE_LEADER_ELECTION_RETRY_PERIOD", value_parser = super::parse_duration)]
    pub leader_election_retry_period: Option<Duration>,
    /// AWS region (the SDK's chain decides when unset).
    #[arg(long, env = "LBGATE_AWS_REGION")]
    pub aws_region: Option<String>,
    /// Attempts of one AWS call [default: 10].
    #[arg(long, env = "LBGATE_AWS_MAX_RETRIES",
          value_parser = clap::value_parser!(u32).range(0..=100))]
    pub aws_max_retries: Option<u32>,
    /// Bindings reconciled at once [default: 3].
    #[arg(long, env = "LBGATE_TARGETGROUPBINDING_MAX_CONCURRENT_RECONCILES",
          value_parser = clap::value_parser!(u16).range(1..))]
    pub targetgroupbinding_max_concurrent_reconciles: Option<u16>,
    /// Cap of a binding's error backoff, e.g. `16m40s` [default: 16m40s].
    #[arg(long, env = "LBGATE_TARGETGROUPBINDING_MAX_EXPONENTIAL_BACKOFF_DELAY",
          value_parser = super::parse_duration)]
    pub targetgroupbinding_max_exponential_backoff_delay: Option<Duration>,
    /// Age up to which one DescribeTargetHealth answer is shared by a target group's passes
    /// while nothing can have changed it; `0s` turns reuse off [default: 3s].
    #[arg(long, env = "LBGATE_TARGET_HEALTH_MAX_AGE", value_parser = super::parse_duration)]
    pub target_health_max_age: Option<Duration>,
    /// Ingress class served [default: alb].
    #[arg(long, env = "LBGATE_INGRESS_CLASS")]
    pub ingress_class: Option<String>,
    /// Log level: error, warn, info, debug, trace [default: info].
    #[arg(long, env = "LBGATE_LOG_LEVEL", value_enum)]
    pub log_level: Option<super::LogLevel>,
    /// Print the resolved configuration and exit (validates flags, env and file).
    #[arg(long)]
    pub check_config: bool,
    /// Log format [default: json].
    #[arg(long, env = "LBGATE_LOG_FORMAT", value_enum)]
    pub log_format: Option<super::LogFormat>,
}
