//! HTTPS for the webhooks: an axum server on a TLS listener. Handshakes run in their own tasks so
//! a client that stalls its handshake holds one task, never the accept loop.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::serve::Listener;
use rustls::ServerConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::error::Error;

/// The API server gives a webhook 10 s by default; a handshake must not take longer.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
const BACKLOG: usize = 64;
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(ready) => ready,
            // The accept loop only ends when the server is shutting down; axum stops calling
            // accept once graceful shutdown starts, so waiting forever here is harmless.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    ready: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::debug!(%error, "webhook accept failed");
                tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let handed = ready.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    let _ = handed.send((tls, peer)).await;
                }
                Ok(Err(error)) => tracing::debug!(%peer, %error, "webhook TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "webhook TLS handshake timed out"),
            }
        });
        if ready.is_closed() {
            return;
        }
    }
}

/// A bound webhook listener.
pub struct WebhookServer {
    listener: TcpListener,
    local: SocketAddr,
}

impl WebhookServer {
    /// Binds `addr` (port 0 picks one).
    pub async fn bind(addr: SocketAddr) -> Result<Self, Error> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Serve {
                what: "binding the webhook port",
                source,
            })?;
        let local = listener.local_addr().map_err(|source| Error::Serve {
            what: "webhook listener address",
            source,
        })?;
        Ok(Self { listener, local })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Serves until `shutdown`, then lets open requests finish.
    pub async fn serve(
        self,
        config: Arc<ServerConfig>,
        router: Router,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        let (ready_tx, ready_rx) = mpsc::channel(BACKLOG);
        let accept = tokio::spawn(accept_loop(
            self.listener,
            TlsAcceptor::from(config),
            ready_tx,
        ));
        tracing::info!(addr = %self.local, "serving webhooks over TLS");
        let result = axum::serve(
            TlsListener {
                ready: ready_rx,
                local: self.local,
            },
            router,
        )
        .with_graceful_shutdown(shutdown)
        .await;
        accept.abort();
        result.map_err(|source| Error::Serve {
            what: "webhook server",
            source,
        })
    }
}
