//! The crate's one error type.

/// Errors of the world: its configuration, scenarios, the traffic generator, and the two API
/// servers (whose errors pass through unchanged).
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// A configuration value is out of range.
    #[error("invalid configuration: {message}")]
    Config { message: String },
    /// A scenario could not be read, a step failed or a wait missed its deadline.
    #[error("{message}")]
    Scenario { message: String },
    /// The traffic generator's task panicked or was cancelled.
    #[error("the server task failed: {source}")]
    Traffic {
        #[source]
        source: tokio::task::JoinError,
    },
    /// The Kubernetes API server failed to start or stop, or a client of it could not be built.
    #[error(transparent)]
    ApiServer {
        #[from]
        source: lbgate_sim_apiserver::KubeSimError,
    },
    /// The ELBv2 simulator failed to start or stop.
    #[error(transparent)]
    Elbv2 {
        #[from]
        source: lbgate_sim_elbv2::Elbv2SimError,
    },
}
