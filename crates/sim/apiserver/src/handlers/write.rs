//! POST (create), PUT (replace), PATCH and DELETE.

use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde_json::Value;

use super::{Params, Shared, Target, ok, with_warnings};
use crate::ops::WriteOptions;
use crate::patch::PatchType;
use crate::schema::FieldValidation;
use crate::status::{self, ApiError, json_response};
use crate::store::{Addressed, DeleteOptions, Deleted, Subresource};

const PATCH_TYPES: &str = "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json";

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
}

/// A JSON request body (kubectl and kube-rs send JSON; YAML and protobuf bodies get 415).
fn json_body(headers: &HeaderMap, body: &[u8]) -> Result<Value, ApiError> {
    let media = content_type(headers);
    let base = media.split(';').next().unwrap_or_default().trim();
    if !matches!(base, "application/json" | "" | "*/*") {
        // No protobuf: typed client-go requests (e.g. `kubectl create namespace`) are refused.
        return Err(ApiError::unsupported_media_type(media, "application/json"));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the object provided is unrecognized: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "the object provided is not an object",
        ));
    }
    Ok(value)
}

fn write_options(params: &Params) -> WriteOptions {
    WriteOptions {
        dry_run: params.dry_run(),
        field_manager: params.get("fieldManager").map(str::to_owned),
        force: params.flag("force"),
        field_validation: FieldValidation::from_query(params.get("fieldValidation")),
    }
}

fn subresource(target: &Target) -> Subresource {
    if target.subresource.as_deref() == Some("status") {
        Subresource::Status
    } else {
        Subresource::Main
    }
}

/// The body's `apiVersion`/`kind`, when given, must be those of the URL.
fn check_kind(target: &Target, object: &Value) -> Result<(), ApiError> {
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if (!kind.is_empty() && kind != target.res.kind)
        || (!api_version.is_empty() && api_version != target.res.api_version())
    {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({api_version}) does not match the expected API version ({})",
            target.res.api_version()
        )));
    }
    Ok(())
}

pub async fn create(
    shared: &Arc<Shared>,
    target: &Target,
    params: &Params,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let object = json_body(headers, body)?;
    check_kind(target, &object)?;
    let written = shared
        .store
        .create(
            &target.res,
            target.namespace(),
            object,
            &write_options(params),
        )
        .await?;
    Ok(with_warnings(
        json_response(StatusCode::CREATED, &written.object),
        &written.warnings,
    ))
}

pub async fn replace(
    shared: &Arc<Shared>,
    target: &Target,
    params: &Params,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let object = json_body(headers, body)?;
    check_kind(target, &object)?;
    let name = target.name.as_deref().unwrap_or_default();
    let written = shared
        .store
        .replace(addressed(target, name), object, &write_options(params))
        .await?;
    Ok(with_warnings(ok(&written.object), &written.warnings))
}

pub async fn patch(
    shared: &Arc<Shared>,
    target: &Target,
    params: &Params,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let media = content_type(headers);
    let patch_type = PatchType::from_content_type(media)
        .ok_or_else(|| ApiError::unsupported_media_type(media, PATCH_TYPES))?;
    let name = target.name.as_deref().unwrap_or_default();
    let options = write_options(params);
    if patch_type == PatchType::Apply && options.field_manager.is_none() {
        return Err(ApiError::invalid(
            "PatchOptions",
            "meta.k8s.io",
            "",
            &[(
                "fieldManager".to_owned(),
                "Required value: is required for apply patch".to_owned(),
            )],
        ));
    }
    let existed = shared
        .store
        .get(&target.res, target.namespace(), name)
        .is_some();
    let written = shared
        .store
        .patch(addressed(target, name), patch_type, body, &options)
        .await?;
    let code = if existed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(with_warnings(
        json_response(code, &written.object),
        &written.warnings,
    ))
}

/// `DeleteOptions` from the query and the (optional) body.
fn delete_options(params: &Params, body: &[u8]) -> Result<DeleteOptions, ApiError> {
    let doc: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!("the body of the request is not DeleteOptions: {e}"))
        })?
    };
    let grace = params
        .get("gracePeriodSeconds")
        .and_then(|g| g.parse::<i64>().ok())
        .or_else(|| doc.get("gracePeriodSeconds").and_then(Value::as_i64));
    let dry_run = params.dry_run()
        || doc
            .get("dryRun")
            .and_then(Value::as_array)
            .is_some_and(|d| d.iter().any(|v| v == "All"));
    let precondition = |field: &str| {
        doc.pointer(&format!("/preconditions/{field}"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let orphan = doc.get("orphanDependents").and_then(Value::as_bool);
    let policy = params
        .get("propagationPolicy")
        .map(str::to_owned)
        .or_else(|| {
            doc.get("propagationPolicy")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .or_else(|| orphan.map(|o| if o { "Orphan" } else { "Background" }.to_owned()));
    if let Some(text) = policy.as_deref()
        && !matches!(text, "Orphan" | "Background" | "Foreground")
    {
        return Err(ApiError::invalid(
            "DeleteOptions",
            "meta.k8s.io",
            "",
            &[(
                "propagationPolicy".to_owned(),
                format!(
                    "Unsupported value: \"{text}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
                ),
            )],
        ));
    }
    Ok(DeleteOptions {
        propagation_policy: policy,
        grace_period_seconds: grace,
        uid: precondition("uid"),
        resource_version: precondition("resourceVersion"),
        dry_run,
    })
}

pub async fn delete(
    shared: &Arc<Shared>,
    target: &Target,
    params: &Params,
    body: &[u8],
) -> Result<Response, ApiError> {
    let options = delete_options(params, body)?;
    let name = target.name.as_deref().unwrap_or_default();
    let res = &target.res;
    match shared
        .store
        .delete(res, target.namespace(), name, &options)
        .await?
    {
        Deleted::Pending(object) => Ok(ok(&object)),
        // Like kube-apiserver's registries: pods, service accounts and custom resources answer
        // with the deleted object, everything else with a success Status.
        Deleted::Gone(object)
            if res.custom
                || (res.group.is_empty()
                    && matches!(res.plural.as_str(), "pods" | "serviceaccounts")) =>
        {
            Ok(ok(&object))
        }
        Deleted::Gone(object) => {
            let uid = crate::meta::meta_str(&object, "uid");
            Ok(ok(&status::success(&res.group, &res.plural, name, uid)))
        }
    }
}

/// DELETE of a collection: every object matching the selectors, answered with the list of what
/// was deleted (or is now being deleted).
pub async fn delete_collection(
    shared: &Arc<Shared>,
    target: &Target,
    params: &Params,
    body: &[u8],
) -> Result<Response, ApiError> {
    let options = delete_options(params, body)?;
    let filter = super::read::filter(target, params)?;
    let res = &target.res;
    let (items, _) = shared.store.list(res, target.namespace.as_deref());
    let mut deleted = Vec::new();
    for ((_, namespace, name), object) in items {
        if !filter.matches(&object) {
            continue;
        }
        match shared.store.delete(res, &namespace, &name, &options).await {
            Ok(Deleted::Gone(object) | Deleted::Pending(object)) => deleted.push(object),
            // Deleted by someone else in the meantime.
            Err(error) if error.code == 404 => {}
            Err(error) => return Err(error),
        }
    }
    let version = shared.store.current_resource_version().to_string();
    Ok(ok(&serde_json::json!({
        "kind": res.list_kind(),
        "apiVersion": res.api_version(),
        "metadata": {"resourceVersion": version},
        "items": deleted,
    })))
}

/// The object `target` names, as the store's writes address it.
fn addressed<'a>(target: &'a Target, name: &'a str) -> Addressed<'a> {
    Addressed {
        res: &target.res,
        namespace: target.namespace(),
        name,
        subresource: subresource(target),
    }
}
