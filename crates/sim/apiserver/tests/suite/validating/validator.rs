//! A test validating webhook served over TLS: it records every AdmissionReview and answers per
//! path.
//!
//! - `/validate`: refuses an object labelled `deny=true` (code 403, reason `Forbidden`), allows
//!   anything else with the warning `checked by <tag>`.
//! - `/patching`: allows, but with a JSON patch (which validating webhooks may not return).
//! - `/slow`: allows after 1 s.

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

pub const DENIAL: &str = "label deny=true is not allowed";

#[derive(Clone)]
struct Shared {
    tag: String,
    log: Arc<Mutex<Vec<(String, Value)>>>,
}

pub struct Validator {
    pub addr: SocketAddr,
    shared: Shared,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), KubeSimError>>,
}

impl Validator {
    /// Serves `cert` on a fresh port; `tag` names this replica in its warnings.
    pub async fn start(cert: &ServingCert, tag: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Shared {
            tag: tag.to_owned(),
            log: Arc::default(),
        };
        let router = Router::new()
            .route("/validate", post(validate))
            .route("/patching", post(patching))
            .route("/slow", post(slow))
            .with_state(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(tls::serve_tls(
            listener,
            cert.server_config().unwrap(),
            router,
            async move {
                let _ = stopped.await;
            },
        ));
        Self {
            addr,
            shared,
            stop,
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.addr)
    }

    /// The AdmissionReview requests received on `path`.
    pub fn requests(&self, path: &str) -> Vec<Value> {
        self.shared
            .log
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, review)| review["request"].clone())
            .collect()
    }

    pub fn calls(&self) -> usize {
        self.shared.log.lock().unwrap().len()
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

fn record(shared: &Shared, uri: &Uri, review: &Value) -> Value {
    shared
        .log
        .lock()
        .unwrap()
        .push((uri.path().to_owned(), review.clone()));
    review["request"]["uid"].clone()
}

fn answer(uid: Value, mut response: Value) -> Json<Value> {
    response["uid"] = uid;
    Json(
        json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response}),
    )
}

async fn validate(
    State(shared): State<Shared>,
    uri: Uri,
    Json(review): Json<Value>,
) -> Json<Value> {
    let uid = record(&shared, &uri, &review);
    if review["request"]["object"]["metadata"]["labels"]["deny"] == "true" {
        return answer(
            uid,
            json!({"allowed": false, "status": {"code": 403, "reason": "Forbidden", "message": DENIAL}}),
        );
    }
    answer(
        uid,
        json!({"allowed": true, "warnings": [format!("checked by {}", shared.tag)]}),
    )
}

async fn patching(
    State(shared): State<Shared>,
    uri: Uri,
    Json(review): Json<Value>,
) -> Json<Value> {
    let uid = record(&shared, &uri, &review);
    let patch = json!([{"op": "add", "path": "/metadata/labels/patched", "value": "yes"}]);
    let patch = base64::engine::general_purpose::STANDARD.encode(patch.to_string());
    answer(
        uid,
        json!({"allowed": true, "patchType": "JSONPatch", "patch": patch}),
    )
}

async fn slow(State(shared): State<Shared>, uri: Uri, Json(review): Json<Value>) -> Json<Value> {
    let uid = record(&shared, &uri, &review);
    tokio::time::sleep(Duration::from_secs(1)).await;
    answer(uid, json!({"allowed": true}))
}
