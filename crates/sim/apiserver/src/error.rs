//! The crate's one error type.

use std::net::SocketAddr;

/// Errors from starting, running or stopping the API server (or a TLS listener of
/// [`serve_tls`](crate::tls::serve_tls)). What the server answers its clients is an
/// [`ApiError`](crate::ApiError), not one of these.
#[derive(Debug, thiserror::Error)]
pub enum KubeSimError {
    /// A listen address could not be bound.
    #[error("binding {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// A bound socket could not report its local address.
    #[error("reading the local address: {source}")]
    LocalAddr {
        #[source]
        source: std::io::Error,
    },
    /// A listener stopped with an error.
    #[error("serving HTTP: {source}")]
    Serve {
        #[source]
        source: std::io::Error,
    },
    /// A listener task did not finish within the shutdown deadline.
    #[error("the server did not stop within {seconds} s")]
    ShutdownTimeout { seconds: u64 },
    /// A listener task panicked or was cancelled.
    #[error("the server task failed: {source}")]
    Join {
        #[source]
        source: tokio::task::JoinError,
    },
    /// A configuration value is out of range, the serving certificate or a kubeconfig could not
    /// be made, or a client could not be built.
    #[error("invalid configuration: {message}")]
    Config { message: String },
}
