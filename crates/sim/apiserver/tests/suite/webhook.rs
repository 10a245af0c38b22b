//! A test admission webhook served over TLS with `serve_tls`: it records every AdmissionReview it
//! receives and answers per path.
//!
//! - `/inject`: adds the readiness gate `target-health.elbv2.k8s.aws/tg-1` to a pod.
//! - `/label`: adds the label `injected-by=label-webhook` and a warning.
//! - `/deny`: refuses with code 403, reason `Forbidden` and a message; `/deny-bare` without status.
//! - `/slow`: answers after 3 s.
//! - `/bad-uid`: answers with another uid.
//! - `/move`: moves the object to namespace `elsewhere`.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::Uri;
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine as _;
use lbgate_sim_apiserver::KubeSimError;
use lbgate_sim_apiserver::tls::{self, ServingCert};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const GATE: &str = "target-health.elbv2.k8s.aws/tg-1";

/// One request the webhook received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub query: String,
    pub review: Value,
}

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<Received>>>);

pub struct WebhookServer {
    pub addr: SocketAddr,
    pub cert: ServingCert,
    log: Log,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), KubeSimError>>,
}

impl WebhookServer {
    /// Serves with a certificate for 127.0.0.1, localhost and `sans`.
    pub async fn start(sans: &[&str]) -> Self {
        let sans: Vec<String> = sans.iter().map(|s| (*s).to_owned()).collect();
        let cert = ServingCert::self_signed(&sans).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Log::default();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(tls::serve_tls(
            listener,
            cert.server_config().unwrap(),
            router(log.clone()),
            async move {
                let _ = stopped.await;
            },
        ));
        Self {
            addr,
            cert,
            log,
            stop,
            task,
        }
    }

    /// `https://127.0.0.1:PORT<path>`.
    pub fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.addr)
    }

    /// The `caBundle` that trusts this server.
    pub fn ca_bundle(&self) -> String {
        self.cert.ca_base64()
    }

    pub fn received(&self) -> Vec<Received> {
        self.log.0.lock().unwrap().clone()
    }

    pub fn calls_to(&self, path: &str) -> usize {
        self.received().iter().filter(|r| r.path == path).count()
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .expect("the webhook server stops within 5 s")
            .expect("the webhook server task does not panic")
            .expect("serve_tls ends without error");
    }
}

fn router(log: Log) -> Router {
    Router::new()
        .route("/inject", post(inject))
        .route("/label", post(label))
        .route("/deny", post(deny))
        .route("/deny-bare", post(deny_bare))
        .route("/slow", post(slow))
        .route("/bad-uid", post(bad_uid))
        .route("/move", post(move_namespace))
        .with_state(log)
}

fn record(log: &Log, uri: &Uri, review: &Value) -> Value {
    log.0.lock().unwrap().push(Received {
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        review: review.clone(),
    });
    review["request"]["uid"].clone()
}

fn answer(uid: Value, response: Value) -> Json<Value> {
    let mut response = response;
    response["uid"] = uid;
    Json(json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "response": response,
    }))
}

fn patched(uid: Value, patch: Value) -> Json<Value> {
    let patch = base64::engine::general_purpose::STANDARD.encode(patch.to_string());
    answer(
        uid,
        json!({"allowed": true, "patchType": "JSONPatch", "patch": patch}),
    )
}

async fn inject(State(log): State<Log>, uri: Uri, Json(review): Json<Value>) -> Json<Value> {
    let uid = record(&log, &uri, &review);
    let gate = json!({"conditionType": GATE});
    let patch = if review["request"]["object"]["spec"]["readinessGates"].is_array() {
        json!([{"op": "add", "path": "/spec/readinessGates/-", "value": gate}])
    } else {
        json!([{"op": "add", "path": "/spec/readinessGates", "value": [gate]}])
    };
    patched(uid, patch)
}

async fn label(State(log): State<Log>, uri: Uri, Json(review): Json<Value>) -> Json<Value> {
    let uid = record(&log, &uri, &review);
    let patch =
        json!([{"op": "add", "path": "/metadata/labels/injected-by", "value": "label-webhook"}]);
    let Json(mut body) = patched(uid, patch);
    body["response"]["warnings"] = json!(["label webhook was here"]);
    Json(body)
}

async fn deny(State(log): State<Log>, uri: Uri, Json(review): Json<Value>) -> Json<Value> {
    let uid = record(&log, &uri, &review);
    answer(
        uid,
        json!({"allowed": false, "status": {"code": 403, "reason": "Forbidden", "message": "pods are not welcome"}}),
    )
}

async fn deny_bare(State(log): State<Log>, uri: Uri, Json(review): Json<Value>) -> Json<Value> {
    let uid = record(&log, &uri, &review);
    answer(uid, json!({"allowed": false}))
}

async fn slow(State(log): State<Log>, uri: Uri, Json(review): Json<Value>) -> Json<Value> {
    let uid = record(&log, &uri, &review);
    tokio::time::sleep(Duration::from_secs(3)).await;
    answer(uid, json!({"allowed": true}))
}

async fn bad_uid(State(log): State<Log>, uri: Uri, Json(review): Json<Value>) -> Json<Value> {
    record(&log, &uri, &review);
    answer(json!("not-the-request-uid"), json!({"allowed": true}))
}

async fn move_namespace(
    State(log): State<Log>,
    uri: Uri,
    Json(review): Json<Value>,
) -> Json<Value> {
    let uid = record(&log, &uri, &review);
    patched(
        uid,
        json!([{"op": "replace", "path": "/metadata/namespace", "value": "elsewhere"}]),
    )
}
