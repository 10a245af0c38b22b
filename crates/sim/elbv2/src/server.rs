//! HTTP routing: `POST /` (and `GET /?…`) is the Query API, `/_sim/…` the control API.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::control;
use super::query::Params;
use super::service::Shared;
use super::xml;

/// The simulator's routes.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(query).post(query))
        .nest("/_sim", control::router())
        .with_state(shared)
}

async fn query(State(shared): State<Arc<Shared>>, uri: Uri, body: Bytes) -> Response {
    let mut params = Params::parse(&body);
    params.merge_missing(Params::parse(uri.query().unwrap_or_default().as_bytes()));
    let request_id = shared.next_request_id();
    match shared.handle(&params).await {
        Ok((action, result)) => {
            tracing::debug!(%action, %request_id, "answered");
            xml_response(
                StatusCode::OK,
                xml::response(&action, &result, &request_id),
                &request_id,
            )
        }
        Err(error) => {
            tracing::debug!(code = %error.code, message = %error.message, %request_id, "error answer");
            let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
            xml_response(status, error.to_xml(&request_id), &request_id)
        }
    }
}

fn xml_response(status: StatusCode, body: String, request_id: &str) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-RequestId", value);
    }
    response
}
