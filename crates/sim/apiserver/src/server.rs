//! The HTTP router: health and OpenAPI endpoints, everything else through the resource
//! dispatcher (`handlers`).

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::handlers::{self, Shared, ok};
use super::openapi;
use super::status::ApiError;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/healthz", get(healthy))
        .route("/livez", get(healthy))
        .route("/readyz", get(healthy))
        .route("/openapi/v3", get(openapi_index))
        .route("/openapi/v3/{*path}", get(openapi_document))
        .fallback(handlers::handle)
        .with_state(shared)
}

async fn healthy() -> Response {
    (StatusCode::OK, "ok").into_response()
}

/// The documents change with the CRDs; the store's version is a good enough cache key.
async fn openapi_index(State(shared): State<Arc<Shared>>) -> Response {
    let hash = format!("{:016X}", shared.store.current_resource_version());
    ok(&openapi::index(&shared.store.registry(), &hash))
}

async fn openapi_document(State(shared): State<Arc<Shared>>, Path(path): Path<String>) -> Response {
    match openapi::group_version_document(&shared.store.registry(), &path) {
        Some(document) => ok(&document),
        None => ApiError::no_route().into_response(),
    }
}
