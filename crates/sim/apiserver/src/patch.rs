//! Patch engines: JSON patch (RFC 6902), JSON merge patch (RFC 7386), strategic merge patch with
//! the list merge keys Kubernetes uses, and server-side apply (good enough for status and
//! finalizers).
//!
//! Errors carry kube-apiserver's status codes and messages (`staging/src/k8s.io/apiserver/pkg/
//! endpoints/handlers/patch.go`): an undecodable body is 400 `BadRequest`; a JSON patch that does
//! not apply is 422 `Invalid` with the fixed message "the server rejected our request due to an
//! error in our request" (kube-apiserver drops the detail; we log it at debug level); strategic
//! merge on a custom resource is 415 `UnsupportedMediaType` naming the accepted patch types;
//! malformed strategic-merge directives are 400 or, where kube-apiserver returns a plain error,
//! 500 with reason `""` (Unknown). [`apply_patch_with_status`] returns that code and reason in a
//! [`PatchFailure`]; [`apply_patch`] folds them into [`PatchError`] (415 stays
//! `UnsupportedMediaType`, every other code becomes `Invalid`).
//!
//! The engines return exactly what the patch says, including changes to `metadata.name`,
//! `metadata.namespace`, `metadata.uid`, `kind` or `apiVersion`: refusing those is the server's
//! job.
//!
//! Server-side apply gaps (`application/apply-patch+yaml`): the configuration is deep-merged into
//! the live object (module `apply`) with no field ownership: no `managedFields`, no conflicts (so
//! `force` is meaningless), and fields a manager stops applying are never removed; an explicit
//! `null` is ignored; list keys come from the built-in types' `+listMapKey`s, so lists of custom
//! resources (other than `metadata.finalizers` / `ownerReferences`) are replaced as a whole
//! whatever their CRD schema says; the body must be JSON (kube-rs and kubectl send JSON), YAML
//! proper is refused with 400.

mod apply;
mod rules;
mod strategic;
#[cfg(test)]
mod tests;

use serde_json::{Map, Value};

use strategic::json_kind;

/// The patch types of the `Content-Type` header of a PATCH request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    /// `application/json-patch+json`
    Json,
    /// `application/merge-patch+json`
    Merge,
    /// `application/strategic-merge-patch+json`
    StrategicMerge,
    /// `application/apply-patch+yaml` (server-side apply)
    Apply,
}

impl PatchType {
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        let media = content_type.split(';').next().unwrap_or_default().trim();
        match media {
            "application/json-patch+json" => Some(Self::Json),
            "application/merge-patch+json" => Some(Self::Merge),
            "application/strategic-merge-patch+json" => Some(Self::StrategicMerge),
            "application/apply-patch+yaml" | "application/apply-patch+json" => Some(Self::Apply),
            _ => None,
        }
    }
}

/// What is being patched: strategic merge needs the kind's list merge keys, and is refused for
/// custom resources (as kube-apiserver does, with 415).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchTarget {
    pub group: String,
    pub kind: String,
    pub custom: bool,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PatchError {
    /// 415 UnsupportedMediaType (e.g. strategic merge on a custom resource).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 400 BadRequest / 422: the patch body does not parse or does not apply. The exact code and
    /// reason kube-apiserver uses are in [`PatchFailure`] ([`apply_patch_with_status`]).
    #[error("{0}")]
    Invalid(String),
}

/// A refused patch as kube-apiserver answers it: the `Status` code, reason and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchFailure {
    pub code: u16,
    /// The `Status` `reason`; `""` is kube-apiserver's StatusReasonUnknown (a plain error).
    pub reason: &'static str,
    pub message: String,
}

impl PatchFailure {
    fn unsupported_media_type(message: String) -> Self {
        Self {
            code: 415,
            reason: "UnsupportedMediaType",
            message,
        }
    }

    /// 400: the body does not decode, or a directive is malformed.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self {
            code: 400,
            reason: "BadRequest",
            message: message.into(),
        }
    }

    /// 422: well-formed, but does not apply.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self {
            code: 422,
            reason: "Invalid",
            message: message.into(),
        }
    }

    /// 500 with reason Unknown: kube-apiserver returns a plain error here.
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self {
            code: 500,
            reason: "",
            message: message.into(),
        }
    }
}

impl From<PatchFailure> for PatchError {
    fn from(failure: PatchFailure) -> Self {
        if failure.code == 415 {
            Self::UnsupportedMediaType(failure.message)
        } else {
            Self::Invalid(failure.message)
        }
    }
}

/// kube-apiserver's message for a JSON patch that fails to apply (`NewGenericServerResponse`
/// with 422 keeps no detail).
const UNPROCESSABLE: &str = "the server rejected our request due to an error in our request";

/// kube-apiserver's cap on the operations of one JSON patch.
const MAX_JSON_PATCH_OPERATIONS: usize = 10_000;

/// The patch types a custom resource accepts, in kube-apiserver's order.
const CUSTOM_RESOURCE_PATCH_TYPES: &str =
    "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";

/// Applies `patch` (the raw request body) to `current` and returns the patched object. For
/// server-side apply of an object that does not exist yet, pass `Value::Null` as `current`.
pub fn apply_patch(
    patch_type: PatchType,
    target: &PatchTarget,
    current: &Value,
    patch: &[u8],
) -> Result<Value, PatchError> {
    apply_patch_with_status(patch_type, target, current, patch).map_err(PatchError::from)
}

/// [`apply_patch`] with kube-apiserver's exact status code and reason on failure.
pub fn apply_patch_with_status(
    patch_type: PatchType,
    target: &PatchTarget,
    current: &Value,
    patch: &[u8],
) -> Result<Value, PatchFailure> {
    match patch_type {
        PatchType::Json => json_patch_apply(current, patch),
        PatchType::Merge => merge_patch(current, patch),
        PatchType::StrategicMerge => {
            if target.custom {
                return Err(PatchFailure::unsupported_media_type(format!(
                    "the body of the request was in an unknown format - accepted media types include: {CUSTOM_RESOURCE_PATCH_TYPES}"
                )));
            }
            let patch = decode_object(patch, PatchFailure::bad_request)?;
            strategic::strategic_merge(&target.kind, current.clone(), patch)
        }
        PatchType::Apply => {
            let config = decode_object(patch, |err| {
                PatchFailure::bad_request(format!("error decoding YAML: {err}"))
            })?;
            Ok(apply::apply_config(&target.kind, current.clone(), config))
        }
    }
}

fn json_patch_apply(current: &Value, body: &[u8]) -> Result<Value, PatchFailure> {
    let parsed: Value =
        serde_json::from_slice(body).map_err(|err| PatchFailure::bad_request(err.to_string()))?;
    let operations = match parsed {
        Value::Array(operations) => operations,
        // Go decodes `null` into an empty patch.
        Value::Null => Vec::new(),
        other => {
            return Err(PatchFailure::bad_request(format!(
                "json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
                json_kind(&other)
            )));
        }
    };
    if let Some(bad) = operations.iter().find(|op| !op.is_object()) {
        return Err(PatchFailure::bad_request(format!(
            "json: cannot unmarshal {} into Go value of type jsonpatch.Operation",
            json_kind(bad)
        )));
    }
    if operations.len() > MAX_JSON_PATCH_OPERATIONS {
        return Err(PatchFailure {
            code: 413,
            reason: "RequestEntityTooLarge",
            message: format!(
                "Request entity too large: The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, got {}",
                operations.len()
            ),
        });
    }
    let operations: json_patch::Patch =
        serde_json::from_value(Value::Array(operations)).map_err(|err| {
            tracing::debug!(error = %err, "JSON patch operation does not decode");
            PatchFailure::invalid(UNPROCESSABLE.to_owned())
        })?;
    let mut document = current.clone();
    json_patch::patch(&mut document, &operations).map_err(|err| {
        tracing::debug!(error = %err, "JSON patch does not apply");
        PatchFailure::invalid(UNPROCESSABLE.to_owned())
    })?;
    Ok(document)
}

fn merge_patch(current: &Value, body: &[u8]) -> Result<Value, PatchFailure> {
    let bad = || PatchFailure::bad_request("Invalid JSON Patch".to_owned());
    let patch: Value = serde_json::from_slice(body).map_err(|_| bad())?;
    // evanphx/json-patch v4 refuses `null` and scalars; an array replaces the whole document,
    // which then fails to decode as the kind.
    if !patch.is_object() && !patch.is_array() {
        return Err(bad());
    }
    let mut document = current.clone();
    json_patch::merge(&mut document, &patch);
    if !document.is_object() {
        return Err(PatchFailure::invalid(format!(
            " \"\" is invalid: patch: Invalid value: {:?}: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            document.to_string(),
            json_kind(&document)
        )));
    }
    Ok(document)
}

/// Decodes a body that must be a JSON object; `wrap` turns a decoding error into the answer.
fn decode_object(
    body: &[u8],
    wrap: impl Fn(String) -> PatchFailure,
) -> Result<Map<String, Value>, PatchFailure> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(other) => Err(wrap(format!(
            "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(&other)
        ))),
        Err(err) => Err(wrap(err.to_string())),
    }
}
