//! Applying manifests: multi-document YAML, any kind the API server serves (found through
//! discovery), created or replaced, with `${targetGroupArn:<name>}` placeholders resolved first.

use kube::api::{Api, DynamicObject, GroupVersionKind, PostParams};
use kube::discovery::{Scope, pinned_kind};
use kube::{Client, ResourceExt};
use serde::Serialize;

use crate::SimError;
use crate::controllers::runtime::call;

/// The placeholder a manifest uses for a target group's ARN: `${targetGroupArn:<name>}`.
pub const TARGET_GROUP_PLACEHOLDER: &str = "${targetGroupArn:";

/// One object applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    /// Whether it existed and was replaced rather than created.
    pub replaced: bool,
}

/// Replaces every `${targetGroupArn:<name>}` in `text` with `resolve(name)`.
pub fn substitute(
    text: &str,
    resolve: impl Fn(&str) -> Option<String>,
) -> Result<String, SimError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(TARGET_GROUP_PLACEHOLDER) {
        let (before, tail) = rest.split_at(start);
        out.push_str(before);
        let after = tail
            .get(TARGET_GROUP_PLACEHOLDER.len()..)
            .unwrap_or_default();
        let Some(end) = after.find('}') else {
            return Err(super::failure(format!(
                "unterminated {TARGET_GROUP_PLACEHOLDER}…}} placeholder"
            )));
        };
        let name = after.get(..end).unwrap_or_default().trim();
        let arn = resolve(name)
            .ok_or_else(|| super::failure(format!("no target group named {name:?}")))?;
        out.push_str(&arn);
        rest = after.get(end + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    Ok(out)
}

/// Parses a multi-document YAML string into JSON objects (empty documents skipped).
pub fn parse_documents(text: &str) -> Result<Vec<serde_json::Value>, SimError> {
    let documents: Vec<serde_json::Value> = serde_saphyr::from_multiple(text)
        .map_err(|e| super::failure(format!("parsing manifests: {e}")))?;
    Ok(documents.into_iter().filter(|d| !d.is_null()).collect())
}

/// Substitutes placeholders, parses and applies every document in order.
pub async fn apply_manifests(
    client: &Client,
    text: &str,
    resolve: impl Fn(&str) -> Option<String>,
) -> Result<Vec<Applied>, SimError> {
    let text = substitute(text, resolve)?;
    let mut applied = Vec::new();
    for document in parse_documents(&text)? {
        applied.push(apply_object(client, document).await?);
    }
    Ok(applied)
}

/// Creates one object, or replaces it when it already exists.
pub async fn apply_object(
    client: &Client,
    document: serde_json::Value,
) -> Result<Applied, SimError> {
    let object: DynamicObject = serde_json::from_value(document)
        .map_err(|e| super::failure(format!("reading a manifest: {e}")))?;
    let types = object
        .types
        .clone()
        .ok_or_else(|| super::failure("a manifest without apiVersion or kind".to_owned()))?;
    let (group, version) = match types.api_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", types.api_version.as_str()),
    };
    let gvk = GroupVersionKind::gvk(group, version, &types.kind);
    let name = object.name_any();
    let what = format!("{} {name}", types.kind);
    let (resource, capabilities) = call(pinned_kind(client, &gvk))
        .await
        .map_err(|e| super::failure(format!("discovering {}: {e}", types.kind)))?;
    let namespace = match capabilities.scope {
        Scope::Cluster => None,
        Scope::Namespaced => Some(object.namespace().unwrap_or_else(|| "default".to_owned())),
    };
    let api: Api<DynamicObject> = match &namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &resource),
        None => Api::all_with(client.clone(), &resource),
    };
    let params = PostParams::default();
    let replaced = match call(api.create(&params, &object)).await {
        Ok(_) => false,
        Err(kube::Error::Api(status)) if status.code == 409 => {
            replace(&api, object, &what).await?;
            true
        }
        Err(e) => return Err(super::failure(format!("creating {what}: {e}"))),
    };
    Ok(Applied {
        api_version: types.api_version,
        kind: types.kind,
        namespace,
        name,
        replaced,
    })
}

/// Replaces an existing object at its current resourceVersion; controllers write status
/// concurrently, so a conflict is retried with the newer version.
async fn replace(
    api: &Api<DynamicObject>,
    mut object: DynamicObject,
    what: &str,
) -> Result<(), SimError> {
    let name = object.name_any();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let existing = call(api.get(&name))
            .await
            .map_err(|e| super::failure(format!("reading {what}: {e}")))?;
        object.metadata.resource_version = existing.metadata.resource_version;
        match call(api.replace(&name, &PostParams::default(), &object)).await {
            Ok(_) => return Ok(()),
            Err(kube::Error::Api(status)) if status.code == 409 && attempts < REPLACE_ATTEMPTS => {}
            Err(e) => return Err(super::failure(format!("replacing {what}: {e}"))),
        }
    }
}

/// Tries at replacing an object that keeps changing under us.
const REPLACE_ATTEMPTS: u32 = 10;

#[cfg(test)]
mod tests;
