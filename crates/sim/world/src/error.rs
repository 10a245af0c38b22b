//! The crate's one error type.

/// Errors of the world: its configuration, its tasks, scenarios, and the two API servers.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// A task of the world (the traffic generator) panicked or was cancelled.
    #[error("the server task failed: {source}")]
    Join {
        #[source]
        source: tokio::task::JoinError,
    },
    /// A configuration value is out of range.
    #[error("invalid configuration: {message}")]
    Config { message: String },
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
    /// A scenario could not be read, a step failed or a wait missed its deadline.
    #[error("{message}")]
    Scenario { message: String },
}
