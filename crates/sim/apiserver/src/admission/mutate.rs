//! Applying a webhook's JSON patch to the object the next webhook (and finally the store) sees.

use serde_json::Value;

use super::review::Verdict;
use super::{AdmissionInput, AdmissionOperation, AdmissionRejection, HookFailure, internal_error};

/// The patched object, or `None` when the webhook changed nothing.
pub(super) fn apply(
    hook_name: &str,
    input: &AdmissionInput,
    object: &Value,
    verdict: &Verdict,
) -> Result<Option<Value>, HookFailure> {
    if verdict.patch.is_empty() {
        return Ok(None);
    }
    let patch: json_patch::Patch = serde_json::from_slice(&verdict.patch).map_err(|e| {
        HookFailure::Calling(format!(
            "received undecodable patch in webhook response: {e}"
        ))
    })?;
    if patch.0.is_empty() {
        return Ok(None);
    }
    if object.is_null() {
        return Err(HookFailure::Rejected(internal_error(format!(
            "admission webhook {hook_name:?} attempted to modify the object, which is not supported for this operation"
        ))));
    }
    if verdict.patch_type != "JSONPatch" {
        return Err(HookFailure::Calling(format!(
            "unsupported patch type {:?}",
            verdict.patch_type
        )));
    }
    let mut patched = object.clone();
    json_patch::patch(&mut patched, &patch.0)
        .map_err(|e| HookFailure::Rejected(internal_error(e)))?;
    keep_identity(input, object, &mut patched).map_err(HookFailure::Rejected)?;
    Ok(Some(patched))
}

/// What the API server does with identity fields a webhook touched: the type is fixed by the
/// request (the patched JSON is decoded into it), an emptied namespace is filled from the
/// request and a different one refused, and the name of an existing object cannot change.
fn keep_identity(
    input: &AdmissionInput,
    original: &Value,
    patched: &mut Value,
) -> Result<(), AdmissionRejection> {
    let Some(fields) = patched.as_object_mut() else {
        return Err(internal_error(format!(
            "the patched {} is not a JSON object",
            input.kind
        )));
    };
    for key in ["apiVersion", "kind"] {
        match original.get(key) {
            Some(value) => {
                fields.insert(key.to_owned(), value.clone());
            }
            None => {
                fields.remove(key);
            }
        }
    }
    let Some(metadata) = fields.get_mut("metadata").and_then(Value::as_object_mut) else {
        return Err(internal_error(format!(
            "the patched {} has no metadata",
            input.kind
        )));
    };
    if let Some(namespace) = input.namespace.as_deref().filter(|n| !n.is_empty()) {
        match metadata.get("namespace").and_then(Value::as_str) {
            None | Some("") => {
                metadata.insert("namespace".to_owned(), namespace.into());
            }
            Some(other) if other != namespace => {
                return Err(AdmissionRejection {
                    code: 400,
                    reason: "BadRequest".to_owned(),
                    message: "the namespace of the provided object does not match the namespace sent on the request".to_owned(),
                });
            }
            Some(_) => {}
        }
    }
    if input.operation == AdmissionOperation::Update {
        let new_name = metadata
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if new_name != input.name {
            let qualified_kind = if input.group.is_empty() {
                input.kind.clone()
            } else {
                format!("{}.{}", input.kind, input.group)
            };
            return Err(AdmissionRejection {
                code: 422,
                reason: "Invalid".to_owned(),
                message: format!(
                    "{qualified_kind} {:?} is invalid: metadata.name: Invalid value: {new_name:?}: field is immutable",
                    input.name
                ),
            });
        }
    }
    Ok(())
}
