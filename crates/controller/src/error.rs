//! The controller's errors, in two enums: [`ReconcileError`] for what can fail in one pass of one
//! binding (retried with that binding's backoff; nothing else is affected), and [`Error`] for
//! what stops the process from starting or running (flags, configuration, listeners,
//! certificates, the leader Lease). Variant names are stable: a pass's variant is the `error`
//! label of `lbgate_tgb_reconciles_total` and the reason of its Warning Event, derived from the
//! name rather than kept by hand.

use lbgate_elbv2::Elbv2Error;

/// What can fail in one pass of one binding.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr)]
pub enum ReconcileError {
    /// An object lacks metadata the controller needs (name, namespace, uid).
    #[error("{kind} is missing metadata.{field}")]
    MissingMetadata {
        kind: &'static str,
        field: &'static str,
    },
    /// A store did not finish its first list in time.
    #[error("store {kind} not synced: {message}")]
    StoreSync { kind: &'static str, message: String },
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
    /// A Kubernetes API call did not answer within its timeout.
    #[error("{operation} timed out")]
    Timeout { operation: &'static str },
}

impl ReconcileError {
    /// The stable category: the variant name.
    pub fn category(&self) -> &'static str {
        self.into()
    }
}

/// What stops the process from starting or running.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr)]
pub enum Error {
    /// A metric could not be registered.
    #[error("registering metrics: {source}")]
    Metrics {
        #[source]
        source: prometheus::Error,
    },
    /// A command-line flag or environment variable was refused by the parser.
    #[error("{message}")]
    Flags { message: String, exit_code: i32 },
    /// A configuration value (flag, environment or file) is invalid.
    #[error("{message}")]
    Config { message: String },
    /// The configuration file could not be read.
    #[error("--config {path}: {source}")]
    ConfigFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The configuration file is not the YAML the controller reads.
    #[error("{origin}: {source}")]
    ConfigSyntax {
        origin: String,
        #[source]
        source: Box<serde_saphyr::Error>,
    },
    /// The Kubernetes client could not be built (no KUBECONFIG and not in a cluster).
    #[error("building the Kubernetes client (KUBECONFIG or in-cluster): {source}")]
    KubeClient {
        #[source]
        source: kube::Error,
    },
    /// The AWS call metrics could not be registered.
    #[error("registering AWS metrics: {source}")]
    AwsMetrics {
        #[source]
        source: Elbv2Error,
    },
    /// A certificate or key could not be generated, read or used.
    #[error("certificate: {what}: {source}")]
    Certificate {
        what: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A certificate or key is not where it should be.
    #[error("certificate: {what}")]
    CertificateMissing { what: String },
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
        self.into()
    }
}

/// A Kubernetes API call that did not answer in time.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TimedOut {
    operation: &'static str,
}

impl From<TimedOut> for ReconcileError {
    fn from(timed_out: TimedOut) -> Self {
        Self::Timeout {
            operation: timed_out.operation,
        }
    }
}

impl From<TimedOut> for Error {
    fn from(timed_out: TimedOut) -> Self {
        Self::Timeout {
            operation: timed_out.operation,
        }
    }
}

/// Bounds a Kubernetes API call: the client's own read timeout covers a stalled body, this
/// covers everything else (connect, slow server).
pub(crate) async fn kube_call<T>(
    operation: &'static str,
    timeout: std::time::Duration,
    future: impl std::future::Future<Output = Result<T, kube::Error>>,
) -> Result<Result<T, kube::Error>, TimedOut> {
    tokio::time::timeout(timeout, future)
        .await
        .map_err(|_| TimedOut { operation })
}

/// Whether the API answered 404.
pub(crate) fn is_not_found(error: &kube::Error) -> bool {
    matches!(error, kube::Error::Api(status) if status.code == 404)
}

#[cfg(test)]
mod tests;
