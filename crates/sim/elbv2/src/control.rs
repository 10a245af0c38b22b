//! The `/_sim/…` control API (documented in the crate docs).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::faults::Fault;
use super::health::HealthMode;
use super::model::vpc::Cidr;
use super::service::Shared;

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/health", post(set_health))
        .route("/health/default", post(set_default_health))
        .route("/faults", post(set_fault).delete(clear_faults))
        .route("/throttle", post(set_throttle))
        .route("/calls", get(calls))
        .route("/vpcs", post(add_vpc))
        .route("/state", get(state))
        .route("/time", get(time))
}

#[derive(Debug, Deserialize)]
struct HealthRequest {
    ip: Option<IpAddr>,
    id: Option<String>,
    port: Option<u16>,
    mode: HealthMode,
}

#[derive(Debug, Deserialize)]
struct DefaultHealthRequest {
    mode: HealthMode,
}

#[derive(Debug, Deserialize)]
struct FaultRequest {
    #[serde(default = "any_action")]
    action: String,
    #[serde(default)]
    error_rate: f64,
    code: Option<String>,
    http_status: Option<u16>,
    message: Option<String>,
    #[serde(default)]
    latency_ms: u64,
}

#[derive(Debug, Deserialize)]
struct ThrottleRequest {
    #[serde(default = "any_action")]
    action: String,
    rate: f64,
}

#[derive(Debug, Deserialize)]
struct SubnetRequest {
    cidr: String,
    availability_zone: Option<String>,
}

#[derive(Debug, Deserialize)]
struct VpcRequest {
    cidrs: Vec<String>,
    #[serde(default)]
    subnets: Vec<SubnetRequest>,
}

fn any_action() -> String {
    super::faults::ANY_ACTION.to_owned()
}

fn bad_request(message: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": message.into() })),
    )
        .into_response()
}

fn ok() -> Response {
    Json(json!({ "ok": true })).into_response()
}

async fn set_health(
    State(shared): State<Arc<Shared>>,
    Json(request): Json<HealthRequest>,
) -> Response {
    let id = match (request.ip, request.id) {
        (Some(ip), _) => ip.to_string(),
        (None, Some(id)) => id,
        (None, None) => return bad_request("one of `ip` or `id` is required"),
    };
    shared.state.set_health(&id, request.port, request.mode);
    ok()
}

async fn set_default_health(
    State(shared): State<Arc<Shared>>,
    Json(request): Json<DefaultHealthRequest>,
) -> Response {
    shared.state.set_default_health(request.mode);
    ok()
}

async fn set_fault(
    State(shared): State<Arc<Shared>>,
    Json(request): Json<FaultRequest>,
) -> Response {
    if !(0.0..=1.0).contains(&request.error_rate) {
        return bad_request("`error_rate` must be within [0, 1]");
    }
    let defaults = Fault::default();
    let fault = Fault {
        error_rate: request.error_rate,
        code: request.code.unwrap_or(defaults.code),
        http_status: request.http_status.unwrap_or(defaults.http_status),
        message: request.message.unwrap_or(defaults.message),
        latency: Duration::from_millis(request.latency_ms),
    };
    shared.faults().set_fault(&request.action, fault);
    ok()
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    shared.faults().clear();
    ok()
}

async fn set_throttle(
    State(shared): State<Arc<Shared>>,
    Json(request): Json<ThrottleRequest>,
) -> Response {
    if !(0.0..=1.0).contains(&request.rate) {
        return bad_request("`rate` must be within [0, 1]");
    }
    shared
        .faults()
        .set_throttle_rate(&request.action, request.rate);
    ok()
}

async fn calls(State(shared): State<Arc<Shared>>) -> Json<BTreeMap<String, u64>> {
    Json(shared.call_counts())
}

async fn add_vpc(State(shared): State<Arc<Shared>>, Json(request): Json<VpcRequest>) -> Response {
    let mut cidrs = Vec::new();
    for text in &request.cidrs {
        match Cidr::parse(text) {
            Some(cidr) => cidrs.push(cidr),
            None => return bad_request(format!("`{text}` is not a CIDR block")),
        }
    }
    if cidrs.is_empty() {
        return bad_request("`cidrs` must name at least one CIDR block");
    }
    let mut subnets = Vec::new();
    for subnet in &request.subnets {
        match Cidr::parse(&subnet.cidr) {
            Some(cidr) => subnets.push((cidr, subnet.availability_zone.clone())),
            None => return bad_request(format!("`{}` is not a CIDR block", subnet.cidr)),
        }
    }
    if subnets.is_empty() {
        subnets = cidrs.iter().map(|c| (*c, None)).collect();
    }
    let vpc_id = shared
        .state
        .with_model(|model, _| model.add_vpc(cidrs, subnets));
    Json(json!({ "vpc_id": vpc_id })).into_response()
}

async fn state(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.state.snapshot()).into_response()
}

async fn time(State(shared): State<Arc<Shared>>) -> Response {
    Json(json!({ "now_seconds": shared.state.now().as_secs_f64() })).into_response()
}
