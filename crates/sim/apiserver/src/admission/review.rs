//! The AdmissionReview exchange: the request kube-apiserver sends a webhook and the checks it
//! makes on the answer before trusting it.

use std::hash::{BuildHasher, Hasher};

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};

use super::AdmissionInput;
use super::AdmissionOperation;
use super::matching::{is_namespace_object, operation_name};

/// The identity the simulated API server admits every request as (it does not authenticate).
const USERNAME: &str = "system:admin";
const GROUPS: [&str; 2] = ["system:masters", "system:authenticated"];

/// A request for one webhook call.
pub(super) struct Review {
    pub uid: String,
    pub body: Value,
}

/// What a webhook answered, once verified.
#[derive(Debug, Default)]
pub(super) struct Verdict {
    pub allowed: bool,
    pub status: Option<ResultStatus>,
    /// The decoded `patch` bytes (JSON text), empty when there is none.
    pub patch: Vec<u8>,
    pub patch_type: String,
    pub warnings: Vec<String>,
}

/// The `response.status` of a rejection (a `metav1.Status`).
#[derive(Debug, Default, Clone, Deserialize)]
pub(super) struct ResultStatus {
    #[serde(default)]
    pub code: Option<i64>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// Builds the AdmissionReview for `input` whose object is now `object`, in `version`
/// (`v1` or `v1beta1`, which share one JSON shape).
pub(super) fn build(input: &AdmissionInput, object: &Value, version: &str) -> Review {
    let uid = random_uid();
    let kind = json!({"group": input.group, "version": input.version, "kind": input.kind});
    let resource =
        json!({"group": input.group, "version": input.version, "resource": input.resource});
    let mut request = json!({
        "uid": uid,
        "kind": kind,
        "resource": resource,
        "requestKind": kind,
        "requestResource": resource,
        "operation": operation_name(input.operation),
        "userInfo": {"username": USERNAME, "groups": GROUPS},
        "object": object,
        "oldObject": input.old_object.clone().unwrap_or(Value::Null),
        "dryRun": input.dry_run,
        "options": options(input.operation, input.dry_run),
    });
    if let Some(fields) = request.as_object_mut() {
        // Go leaves empty strings out of these (`omitempty`).
        if !input.subresource.is_empty() {
            fields.insert("subResource".into(), input.subresource.clone().into());
            fields.insert(
                "requestSubResource".into(),
                input.subresource.clone().into(),
            );
        }
        if !input.name.is_empty() {
            fields.insert("name".into(), input.name.clone().into());
        }
        // For the Namespace object itself the request's namespace is its own name.
        let namespace = match input.namespace.as_deref() {
            Some(ns) if !ns.is_empty() => ns,
            _ if is_namespace_object(input) => input.name.as_str(),
            _ => "",
        };
        if !namespace.is_empty() {
            fields.insert("namespace".into(), namespace.into());
        }
    }
    let body = json!({
        "kind": "AdmissionReview",
        "apiVersion": format!("admission.k8s.io/{version}"),
        "request": request,
    });
    Review { uid, body }
}

/// The operation's options object (`CreateOptions`, …), as the webhook receives it.
fn options(operation: AdmissionOperation, dry_run: bool) -> Value {
    let kind = match operation {
        AdmissionOperation::Create => "CreateOptions",
        AdmissionOperation::Update => "UpdateOptions",
        AdmissionOperation::Delete => "DeleteOptions",
        AdmissionOperation::Connect => return Value::Null,
    };
    let mut options = json!({"kind": kind, "apiVersion": "meta.k8s.io/v1"});
    if dry_run && let Some(fields) = options.as_object_mut() {
        fields.insert("dryRun".into(), json!(["All"]));
    }
    options
}

/// A random RFC 4122 version 4 UUID; std's `RandomState` is seeded from the OS.
fn random_uid() -> String {
    let mut bytes = [0u8; 16];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_usize(i);
        chunk.copy_from_slice(&hasher.finish().to_le_bytes());
    }
    if let Some(b) = bytes.get_mut(6) {
        *b = (*b & 0x0f) | 0x40;
    }
    if let Some(b) = bytes.get_mut(8) {
        *b = (*b & 0x3f) | 0x80;
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        hex.get(0..8).unwrap_or_default(),
        hex.get(8..12).unwrap_or_default(),
        hex.get(12..16).unwrap_or_default(),
        hex.get(16..20).unwrap_or_default(),
        hex.get(20..32).unwrap_or_default()
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReviewBody {
    #[serde(default)]
    api_version: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    response: Option<ResponseBody>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResponseBody {
    #[serde(default)]
    uid: Option<String>,
    #[serde(default)]
    allowed: bool,
    #[serde(default)]
    status: Option<ResultStatus>,
    #[serde(default)]
    patch: Option<String>,
    #[serde(default)]
    patch_type: Option<String>,
    #[serde(default)]
    warnings: Option<Vec<String>>,
}

/// Decodes and verifies a webhook's answer. `Err` is the reason of a failed call (the webhook's
/// failure policy applies), worded as kube-apiserver words it. A validating webhook's v1 answer
/// must not carry a patch; a v1beta1 one was never checked, and its patch is ignored.
pub(super) fn verify(
    review: &Review,
    version: &str,
    body: &[u8],
    mutating: bool,
) -> Result<Verdict, String> {
    let decoded: ReviewBody = serde_json::from_slice(body)
        .map_err(|e| format!("failed to call webhook: decoding the AdmissionReview: {e}"))?;
    let Some(response) = decoded.response else {
        return Err("received invalid webhook response: webhook response was absent".to_owned());
    };
    let patch = match response.patch.as_deref() {
        None | Some("") => Vec::new(),
        Some(text) => base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| format!("failed to call webhook: response.patch: {e}"))?,
    };
    let invalid = |message: String| format!("received invalid webhook response: {message}");
    let mut patch_type = response.patch_type.clone().unwrap_or_default();
    if version == "v1" {
        let got_uid = response.uid.clone().unwrap_or_default();
        if got_uid != review.uid {
            return Err(invalid(format!(
                "expected response.uid={:?}, got {got_uid:?}",
                review.uid
            )));
        }
        let (group_version, kind) = (
            decoded.api_version.unwrap_or_default(),
            decoded.kind.unwrap_or_default(),
        );
        if group_version != "admission.k8s.io/v1" || kind != "AdmissionReview" {
            let shown = if group_version.contains('/') {
                group_version
            } else {
                format!("/{group_version}")
            };
            return Err(invalid(format!(
                "expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got {shown}, Kind={kind}"
            )));
        }
        if !mutating {
            if !patch.is_empty() {
                return Err(invalid(
                    "validating webhook may not return response.patch".to_owned(),
                ));
            }
            if response.patch_type.is_some() {
                return Err(invalid(
                    "validating webhook may not return response.patchType".to_owned(),
                ));
            }
        }
        if !patch.is_empty() && response.patch_type.is_none() {
            return Err(invalid(
                "webhook returned response.patch but not response.patchType".to_owned(),
            ));
        }
        if patch.is_empty() && response.patch_type.is_some() {
            return Err(invalid(
                "webhook returned response.patchType but not response.patch".to_owned(),
            ));
        }
        if response.patch_type.as_deref() == Some("") {
            return Err(invalid(
                "webhook returned invalid response.patchType of \"\"".to_owned(),
            ));
        }
    } else {
        // v1beta1 answers were never checked for uid or patchType; a patch is a JSON patch.
        if !patch.is_empty() {
            patch_type = "JSONPatch".to_owned();
        }
    }
    let (patch, patch_type) = if mutating {
        (patch, patch_type)
    } else {
        (Vec::new(), String::new())
    };
    Ok(Verdict {
        allowed: response.allowed,
        status: response.status,
        patch,
        patch_type,
        warnings: response.warnings.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests;
