//! Serving an axum router over TLS.
//!
//! Handshakes run in their own tasks, off axum's accept loop: a client that stalls or fails its
//! handshake (wrong CA, plain HTTP on the TLS port) costs one task and a debug log line, never the
//! server or the other clients.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::serve::Listener;
use rustls::ServerConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::KubeSimError;

/// A client has this long to complete its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Completed handshakes waiting for axum to pick them up.
const READY_BACKLOG: usize = 64;

/// After an accept error other than a per-connection one (e.g. out of file descriptors), wait
/// this long before accepting again instead of spinning.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(200);

/// Serves `router` over TLS on `listener` until `shutdown` completes, then stops accepting and
/// waits for open connections to finish (the caller bounds that wait, e.g. with a timeout and
/// an abort, since a watch stream only ends when its handler ends it).
pub async fn serve_tls<F>(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    router: Router,
    shutdown: F,
) -> Result<(), KubeSimError>
where
    F: Future<Output = ()> + Send + 'static,
{
    let local_addr = listener
        .local_addr()
        .map_err(|source| KubeSimError::LocalAddr { source })?;
    let (ready_tx, ready_rx) = mpsc::channel(READY_BACKLOG);
    let (stop_tx, stop_rx) = watch::channel(false);
    let _acceptor = AbortOnDrop(tokio::spawn(accept_loop(
        listener,
        TlsAcceptor::from(config),
        ready_tx,
        stop_rx,
    )));
    let tls_listener = TlsListener {
        ready: ready_rx,
        local_addr,
    };
    axum::serve(tls_listener, router)
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        })
        .await
        .map_err(|source| KubeSimError::Serve { source })
}

/// Stops the accept loop however `serve_tls` ends, including when its future is dropped.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

type Ready = (TlsStream<TcpStream>, SocketAddr);

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    ready: mpsc::Sender<Ready>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            // A closed channel also means stop: the server is gone.
            _ = stop.changed() => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((tcp, peer)) => {
                // Watch events are small writes; do not let Nagle hold them back.
                let _ = tcp.set_nodelay(true);
                tokio::spawn(handshake(acceptor.clone(), tcp, peer, ready.clone()));
            }
            Err(error) if is_connection_error(&error) => {
                tracing::debug!(%error, "accept failed for one connection");
            }
            Err(error) => {
                tracing::warn!(%error, "accept failed; pausing");
                tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
            }
        }
    }
}

async fn handshake(
    acceptor: TlsAcceptor,
    tcp: TcpStream,
    peer: SocketAddr,
    ready: mpsc::Sender<Ready>,
) {
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
        Ok(Ok(stream)) => {
            // A closed channel means the server stopped; the connection is dropped.
            let _ = ready.send((stream, peer)).await;
        }
        Ok(Err(error)) => tracing::debug!(%peer, %error, "TLS handshake failed"),
        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
    }
}

fn is_connection_error(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

/// Hands axum the connections whose handshake completed.
struct TlsListener {
    ready: mpsc::Receiver<Ready>,
    local_addr: SocketAddr,
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // Only after the accept loop ended, i.e. during shutdown: nothing more will come.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local_addr)
    }
}
