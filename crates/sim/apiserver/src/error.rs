//! The crate's one error type.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::tls::TlsError;

/// Errors from starting, running or stopping the API server (or a TLS listener of
/// [`serve_tls`](crate::tls::serve_tls)), writing its kubeconfig or building a client of it.
/// What the server answers its clients is an [`ApiError`](crate::ApiError), not one of these.
#[derive(Debug, thiserror::Error)]
pub enum KubeSimError {
    /// A [`KubeSimConfig`](crate::KubeSimConfig) value is out of range.
    #[error("invalid configuration: {message}")]
    Config { message: String },
    /// The HTTP or HTTPS listen address could not be bound.
    #[error("binding {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// A bound listener could not report its local address.
    #[error("reading the local address: {source}")]
    LocalAddr {
        #[source]
        source: std::io::Error,
    },
    /// The self-signed serving certificate for HTTPS could not be generated.
    #[error("invalid configuration: creating the serving certificate: {source}")]
    ServingCertificate {
        #[source]
        source: TlsError,
    },
    /// The serving certificate did not make a rustls server configuration.
    #[error("invalid configuration: configuring TLS: {source}")]
    TlsConfig {
        #[source]
        source: TlsError,
    },
    /// A listener stopped with an error.
    #[error("serving HTTP: {source}")]
    Serve {
        #[source]
        source: std::io::Error,
    },
    /// The listeners did not finish within the shutdown deadline.
    #[error("the server did not stop within {seconds} s")]
    ShutdownTimeout { seconds: u64 },
    /// A listener task panicked or was cancelled.
    #[error("the server task failed: {source}")]
    Join {
        #[source]
        source: tokio::task::JoinError,
    },
    /// The kubeconfig could not be written.
    #[error("invalid configuration: writing {}: {source}", path.display())]
    WriteKubeconfig {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The server's URL did not parse as a URI for the client.
    #[cfg(feature = "client")]
    #[error("invalid configuration: API server URL {url}: {source}")]
    ClientUrl {
        url: String,
        #[source]
        source: axum::http::uri::InvalidUri,
    },
    /// kube-rs could not build a client.
    #[cfg(feature = "client")]
    #[error("invalid configuration: building a client: {source}")]
    Client {
        #[source]
        source: kube::Error,
    },
}
