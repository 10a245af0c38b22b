//! AdmissionReview v1, only the fields the webhooks read and write. Objects stay JSON values:
//! the webhooks must answer for objects they cannot fully decode (an internal error never
//! denies a pod), so decoding is the handler's decision.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The request half of an AdmissionReview.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionRequest {
    pub uid: String,
    #[serde(default)]
    pub operation: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub object: Value,
    #[serde(default)]
    pub old_object: Value,
}

/// An incoming AdmissionReview.
#[derive(Debug, Clone, Deserialize)]
pub struct AdmissionReview {
    pub request: Option<AdmissionRequest>,
}

/// A webhook's answer before it is wrapped into a review.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Verdict {
    pub allowed: bool,
    pub message: Option<String>,
    pub patch: Option<Vec<Value>>,
    pub warnings: Vec<String>,
}

impl Verdict {
    pub fn allow() -> Self {
        Self {
            allowed: true,
            ..Self::default()
        }
    }

    pub fn deny(message: impl Into<String>) -> Self {
        Self {
            allowed: false,
            message: Some(message.into()),
            ..Self::default()
        }
    }

    pub fn with_patch(mut self, patch: Vec<Value>) -> Self {
        if !patch.is_empty() {
            self.patch = Some(patch);
        }
        self
    }

    pub fn with_warning(mut self, warning: impl Into<String>) -> Self {
        self.warnings.push(warning.into());
        self
    }

    /// The AdmissionReview v1 answer to request `uid`.
    pub fn into_review(self, uid: &str) -> Value {
        let mut response = serde_json::Map::new();
        response.insert("uid".to_owned(), json!(uid));
        response.insert("allowed".to_owned(), json!(self.allowed));
        if let Some(message) = self.message {
            // 403 with reason Forbidden is what kube-apiserver reports for a webhook denial.
            response.insert(
                "status".to_owned(),
                json!({ "code": 403, "reason": "Forbidden", "message": message }),
            );
        }
        if let Some(patch) = self.patch {
            let bytes = serde_json::to_vec(&patch).unwrap_or_default();
            response.insert("patchType".to_owned(), json!("JSONPatch"));
            response.insert(
                "patch".to_owned(),
                json!(base64::engine::general_purpose::STANDARD.encode(bytes)),
            );
        }
        if !self.warnings.is_empty() {
            response.insert("warnings".to_owned(), json!(self.warnings));
        }
        json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "response": response,
        })
    }
}
