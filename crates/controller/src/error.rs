//! The controller's one error enum. Variant names are stable: they double as the `error` label
//! of `lbgate_reconciles_total` and as the reason of the Warning Event a failed pass emits.

use lbgate_elbv2::Elbv2Error;

/// Everything that can fail in the controller.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An object lacks metadata the controller needs (name, namespace, uid).
    #[error("{kind} is missing metadata.{field}")]
    MissingMetadata {
        kind: &'static str,
        field: &'static str,
    },
    /// Adding our finalizer to a binding failed.
    #[error("adding finalizer to {binding}: {source}")]
    AddFinalizer {
        binding: String,
        #[source]
        source: kube::Error,
    },
    /// Removing our finalizer from a binding failed.
    #[error("removing finalizer from {binding}: {source}")]
    RemoveFinalizer {
        binding: String,
        #[source]
        source: kube::Error,
    },
    /// Writing a binding's status failed.
    #[error("patching status of {binding}: {source}")]
    PatchBindingStatus {
        binding: String,
        #[source]
        source: kube::Error,
    },
    /// Writing a pod's readiness-gate condition failed.
    #[error("patching pods/status of {pod}: {source}")]
    PatchPodStatus {
        pod: String,
        #[source]
        source: kube::Error,
    },
    /// Reading or writing an ownership ledger ConfigMap failed.
    #[error("ledger ConfigMap {configmap}: {source}")]
    Ledger {
        configmap: String,
        #[source]
        source: kube::Error,
    },
    /// `DescribeTargetGroups` failed (other than "not found", which is a problem, not an error).
    #[error("DescribeTargetGroups {arn}: {source}")]
    DescribeTargetGroups {
        arn: String,
        #[source]
        source: Elbv2Error,
    },
    /// `DescribeTargetHealth` failed.
    #[error("DescribeTargetHealth {arn}: {source}")]
    DescribeTargetHealth {
        arn: String,
        #[source]
        source: Elbv2Error,
    },
    /// The target group disappeared between two calls of a pass; the next pass reports it.
    #[error("target group {arn} vanished during the pass")]
    TargetGroupVanished { arn: String },
    /// `RegisterTargets` failed for some chunk.
    #[error("RegisterTargets {arn}: {source}")]
    RegisterTargets {
        arn: String,
        #[source]
        source: Elbv2Error,
    },
    /// `DeregisterTargets` failed for some chunk.
    #[error("DeregisterTargets {arn}: {source}")]
    DeregisterTargets {
        arn: String,
        #[source]
        source: Elbv2Error,
    },
    /// A target's port does not fit AWS's port range.
    #[error("target {target} has a port outside 1..=65535")]
    InvalidTargetPort { target: String },
    /// A patch body could not be serialised.
    #[error("serialising a patch: {source}")]
    Serialize {
        #[source]
        source: serde_json::Error,
    },
    /// A metric could not be registered.
    #[error("registering metrics: {source}")]
    Metrics {
        #[source]
        source: prometheus::Error,
    },
    /// A store did not finish its first list in time.
    #[error("store {kind} not synced: {message}")]
    StoreSync { kind: &'static str, message: String },
    /// A command-line flag or environment variable was refused by the parser.
    #[error("{message}")]
    Flags { message: String, exit_code: i32 },
    /// A configuration value (flag, environment or file) is invalid.
    #[error("{message}")]
    Config { message: String },
    /// A certificate or key could not be generated, read or used.
    #[error("certificate: {message}")]
    Certificate { message: String },
    /// Reading or writing the certificate Secret or a webhook configuration failed.
    #[error("{object}: {source}")]
    CertificateStore {
        object: String,
        #[source]
        source: kube::Error,
    },
    /// A listener could not be bound or failed.
    #[error("{what}: {source}")]
    Serve {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// Reading or writing the leader Lease failed.
    #[error("Lease {lease}: {source}")]
    Lease {
        lease: String,
        #[source]
        source: kube::Error,
    },
    /// This replica lost the leader Lease.
    #[error("lost the leader Lease {lease}")]
    LeaseLost { lease: String },
    /// A task the process cannot run without ended.
    #[error("critical task {task} ended: {message}")]
    TaskEnded { task: &'static str, message: String },
    /// A Kubernetes API call did not answer within its timeout.
    #[error("{operation} timed out")]
    Timeout { operation: &'static str },
}

impl Error {
    /// The stable category: the variant name.
    pub fn category(&self) -> &'static str {
        match self {
            Self::MissingMetadata { .. } => "MissingMetadata",
            Self::AddFinalizer { .. } => "AddFinalizer",
            Self::RemoveFinalizer { .. } => "RemoveFinalizer",
            Self::PatchBindingStatus { .. } => "PatchBindingStatus",
            Self::PatchPodStatus { .. } => "PatchPodStatus",
            Self::Ledger { .. } => "Ledger",
            Self::DescribeTargetGroups { .. } => "DescribeTargetGroups",
            Self::DescribeTargetHealth { .. } => "DescribeTargetHealth",
            Self::TargetGroupVanished { .. } => "TargetGroupVanished",
            Self::RegisterTargets { .. } => "RegisterTargets",
            Self::DeregisterTargets { .. } => "DeregisterTargets",
            Self::InvalidTargetPort { .. } => "InvalidTargetPort",
            Self::Serialize { .. } => "Serialize",
            Self::Metrics { .. } => "Metrics",
            Self::StoreSync { .. } => "StoreSync",
            Self::Flags { .. } => "Flags",
            Self::Config { .. } => "Config",
            Self::Certificate { .. } => "Certificate",
            Self::CertificateStore { .. } => "CertificateStore",
            Self::Serve { .. } => "Serve",
            Self::Lease { .. } => "Lease",
            Self::LeaseLost { .. } => "LeaseLost",
            Self::TaskEnded { .. } => "TaskEnded",
            Self::Timeout { .. } => "Timeout",
        }
    }
}

/// Bounds a Kubernetes API call: the client's own read timeout covers a stalled body, this
/// covers everything else (connect, slow server).
pub(crate) async fn kube_call<T>(
    operation: &'static str,
    timeout: std::time::Duration,
    future: impl std::future::Future<Output = Result<T, kube::Error>>,
) -> Result<Result<T, kube::Error>, Error> {
    tokio::time::timeout(timeout, future)
        .await
        .map_err(|_| Error::Timeout { operation })
}

/// Whether the API answered 404.
pub(crate) fn is_not_found(error: &kube::Error) -> bool {
    matches!(error, kube::Error::Api(status) if status.code == 404)
}
