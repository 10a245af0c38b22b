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
use lbgate_elbv2::Elbv2Api;
use serde_json::Value;

use crate::runtime::metrics::RuntimeMetrics;
use crate::stores::Stores;
use review::{AdmissionReview, Verdict};

/// What the webhook handlers read.
#[derive(Clone)]
pub struct WebhookState {
    pub stores: Stores,
    pub elbv2: Arc<dyn Elbv2Api>,
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

async fn pod_hook(State(state): State<WebhookState>, body: axum::body::Bytes) -> Json<Value> {
    let review: AdmissionReview = match serde_json::from_slice(&body) {
        Ok(review) => review,
        Err(error) => return unreadable(&error),
    };
    let Some(request) = review.request else {
        return Json(Verdict::allow().into_review(""));
    };
    let verdict = pod::admit(&state, &request);
    state.metrics.admission("pod", verdict.allowed);
    Json(verdict.into_review(&request.uid))
}

async fn tgb_mutate_hook(
    State(state): State<WebhookState>,
    body: axum::body::Bytes,
) -> Json<Value> {
    let review: AdmissionReview = match serde_json::from_slice(&body) {
        Ok(review) => review,
        Err(error) => return unreadable(&error),
    };
    let Some(request) = review.request else {
        return Json(Verdict::deny("AdmissionReview without request").into_review(""));
    };
    let verdict = tgb::mutate(&state, &request).await;
    state.metrics.admission("tgb_mutate", verdict.allowed);
    Json(verdict.into_review(&request.uid))
}

async fn tgb_validate_hook(
    State(state): State<WebhookState>,
    body: axum::body::Bytes,
) -> Json<Value> {
    let review: AdmissionReview = match serde_json::from_slice(&body) {
        Ok(review) => review,
        Err(error) => return unreadable(&error),
    };
    let Some(request) = review.request else {
        return Json(Verdict::deny("AdmissionReview without request").into_review(""));
    };
    let verdict = tgb::validate(&state, &request).await;
    state.metrics.admission("tgb_validate", verdict.allowed);
    Json(verdict.into_review(&request.uid))
}
