//! The admission webhooks, served over HTTPS on every replica (leader or not):
//! [`pod`] (readiness-gate injection), [`tgb`] (TargetGroupBinding defaulting and validation),
//! [`escape`] (pods that escaped injection), [`tls`] (certificates: a directory with hot reload,
//! or [`selfmanaged`] CA and rotation) and [`serve`] (the TLS listener).

mod ca;
pub mod escape;
pub mod pod;
pub mod review;
pub mod selfmanaged;
pub mod serve;
pub mod tgb;
pub mod tls;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use lbgate_api::consts::{
    POD_MUTATING_WEBHOOK_PATH, TGB_MUTATING_WEBHOOK_PATH, TGB_VALIDATING_WEBHOOK_PATH,
};
use lbgate_elbv2::TargetsApi;
use serde_json::Value;

use crate::runtime::metrics::RuntimeMetrics;
use crate::stores::Stores;
use review::{AdmissionRequest, AdmissionReview, Verdict};

/// What the webhook handlers read.
#[derive(Clone)]
pub struct WebhookState {
    pub stores: Stores,
    pub elbv2: Arc<dyn TargetsApi>,
    pub inject_gates: bool,
    pub aws_timeout: Duration,
    pub metrics: RuntimeMetrics,
}

impl WebhookState {
    /// Whether the stores the pod webhook reads have finished their first list.
    pub fn stores_ready(&self) -> bool {
        // `wait_until_ready` resolves at once when ready; polling it without waiting tells.
        futures::FutureExt::now_or_never(self.stores.bindings.wait_until_ready())
            .is_some_and(|r| r.is_ok())
            && futures::FutureExt::now_or_never(self.stores.services.wait_until_ready())
                .is_some_and(|r| r.is_ok())
    }
}

/// The webhooks' routes.
pub fn router(state: WebhookState) -> Router {
    Router::new()
        .route(POD_MUTATING_WEBHOOK_PATH, post(pod_hook))
        .route(TGB_MUTATING_WEBHOOK_PATH, post(tgb_mutate_hook))
        .route(TGB_VALIDATING_WEBHOOK_PATH, post(tgb_validate_hook))
        .with_state(state)
}

fn unreadable(error: &serde_json::Error) -> Json<Value> {
    // No uid to answer to: the API server treats this as a failed call (its failurePolicy
    // decides), which is what an unreadable review deserves.
    Json(serde_json::json!({ "error": format!("unreadable AdmissionReview: {error}") }))
}

/// The request of a review, or the answer to give at once: an unreadable body fails the call, and a
/// review without a request gets `without_request`.
fn request_of(body: &[u8], without_request: Verdict) -> Result<AdmissionRequest, Json<Value>> {
    let review: AdmissionReview =
        serde_json::from_slice(body).map_err(|error| unreadable(&error))?;
    review
        .request
        .ok_or_else(|| Json(without_request.into_review("")))
}

/// Counts the verdict of `webhook` and answers the request with it.
fn answer(
    state: &WebhookState,
    webhook: &str,
    request: &AdmissionRequest,
    verdict: Verdict,
) -> Json<Value> {
    state.metrics.admission(webhook, verdict.allowed);
    Json(verdict.into_review(&request.uid))
}

async fn pod_hook(State(state): State<WebhookState>, body: axum::body::Bytes) -> Json<Value> {
    // A pod is never denied for our sake: even a malformed review without a request is allowed.
    match request_of(&body, Verdict::allow()) {
        Ok(request) => answer(&state, "pod", &request, pod::admit(&state, &request)),
        Err(answered) => answered,
    }
}

async fn tgb_mutate_hook(
    State(state): State<WebhookState>,
    body: axum::body::Bytes,
) -> Json<Value> {
    match request_of(&body, Verdict::deny("AdmissionReview without request")) {
        Ok(request) => {
            let verdict = tgb::mutate(&state, &request).await;
            answer(&state, "tgb_mutate", &request, verdict)
        }
        Err(answered) => answered,
    }
}

async fn tgb_validate_hook(
    State(state): State<WebhookState>,
    body: axum::body::Bytes,
) -> Json<Value> {
    match request_of(&body, Verdict::deny("AdmissionReview without request")) {
        Ok(request) => {
            let verdict = tgb::validate(&state, &request).await;
            answer(&state, "tgb_validate", &request, verdict)
        }
        Err(answered) => answered,
    }
}
