//! The crate's one error type.

use std::net::SocketAddr;

/// Errors from starting, running or stopping the ELBv2 simulator. Errors the simulator answers
/// over the wire are [`ApiError`](crate::errors::ApiError)s, not these.
#[derive(Debug, thiserror::Error)]
pub enum Elbv2SimError {
    /// A [`SimConfig`](crate::SimConfig) value is out of range.
    #[error("invalid configuration: {message}")]
    Config { message: String },
    /// The listen address could not be bound.
    #[error("binding {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// The bound socket could not report its local address.
    #[error("reading the local address: {source}")]
    LocalAddr {
        #[source]
        source: std::io::Error,
    },
    /// The HTTP server stopped with an error.
    #[error("serving HTTP: {source}")]
    Serve {
        #[source]
        source: std::io::Error,
    },
    /// The server task did not finish within the shutdown deadline.
    #[error("the server did not stop within {seconds} s")]
    ShutdownTimeout { seconds: u64 },
    /// The server task panicked or was cancelled.
    #[error("the server task failed: {source}")]
    Join {
        #[source]
        source: tokio::task::JoinError,
    },
}
