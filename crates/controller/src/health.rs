//! `/healthz` (the process answers) and `/readyz` (stores synced and a webhook certificate
//! loaded). Readiness is independent of leadership: followers serve the webhooks, so they must
//! receive traffic.

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use tokio::net::TcpListener;

use crate::error::Error;

/// What `/readyz` checks, by name.
pub type ReadyCheck = Arc<dyn Fn() -> Vec<(&'static str, bool)> + Send + Sync>;

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(check): State<ReadyCheck>) -> (StatusCode, String) {
    let results = check();
    let mut body = String::new();
    for (name, ok) in &results {
        body.push_str(&format!("[{}] {name}\n", if *ok { "+" } else { "-" }));
    }
    if results.iter().all(|(_, ok)| *ok) {
        (StatusCode::OK, body)
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, body)
    }
}

/// Serves the probes on `listener` until `shutdown`.
pub async fn serve_probes(
    listener: TcpListener,
    check: ReadyCheck,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(check);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|source| Error::Serve {
            what: "health probe server",
            source,
        })
}
