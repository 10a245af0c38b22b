//! Ownership ledgers in the cluster: ours (`lbgate-targets-<binding>`), owned by the binding so
//! the garbage collector removes it with the binding, and LBC's multi-cluster ledger
//! (`aws-lbc-targets-<binding>`), read once so a switch-over from LBC neither leaks nor steals.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::Api;
use kube::api::{ObjectMeta, Patch, PatchParams, PostParams};
use lbgate_api::consts::{
    API_VERSION_V1BETA1, FIELD_MANAGER, KIND, LBC_LEDGER_CONFIGMAP_PREFIX, LBC_LEDGER_DATA_KEY,
    LEDGER_CONFIGMAP_PREFIX, LEDGER_DATA_KEY, MANAGED_BY_LABEL, MANAGED_BY_VALUE,
};
use lbgate_core::ledger::{decode_lbc_ledger, decode_ledger, encode_ledger};
use lbgate_core::target::TargetKey;
use serde_json::json;

use super::key::BindingKey;
use crate::context::Context;
use crate::error::{ReconcileError, is_not_found, kube_call};

/// Name of our ledger ConfigMap.
pub(crate) fn ledger_name(key: &BindingKey) -> String {
    format!("{LEDGER_CONFIGMAP_PREFIX}{}", key.name)
}

fn ledger_error(configmap: String) -> impl FnOnce(kube::Error) -> ReconcileError {
    move |source| ReconcileError::Ledger { configmap, source }
}

async fn read(
    ctx: &Context,
    namespace: &str,
    name: &str,
) -> Result<Option<ConfigMap>, ReconcileError> {
    let api: Api<ConfigMap> = Api::namespaced(ctx.client.clone(), namespace);
    kube_call("GetLedger", ctx.config.kube_timeout, api.get_opt(name))
        .await?
        .map_err(ledger_error(format!("{namespace}/{name}")))
}

/// Our ledger; empty when the ConfigMap does not exist yet.
pub(crate) async fn load(
    ctx: &Context,
    key: &BindingKey,
) -> Result<BTreeSet<TargetKey>, ReconcileError> {
    let name = ledger_name(key);
    let text = read(ctx, &key.namespace, &name)
        .await?
        .and_then(|cm| cm.data)
        .and_then(|mut data| data.remove(LEDGER_DATA_KEY))
        .unwrap_or_default();
    let decoded = decode_ledger(&text);
    for problem in &decoded.problems {
        tracing::warn!(?problem, "part of the ledger was not read");
    }
    Ok(decoded.targets)
}

/// LBC's multi-cluster ledger, when its ConfigMap exists.
pub(crate) async fn load_lbc(
    ctx: &Context,
    key: &BindingKey,
) -> Result<Option<BTreeSet<TargetKey>>, ReconcileError> {
    let name = format!("{LBC_LEDGER_CONFIGMAP_PREFIX}{}", key.name);
    let Some(configmap) = read(ctx, &key.namespace, &name).await? else {
        return Ok(None);
    };
    let csv = configmap
        .data
        .and_then(|mut data| data.remove(LBC_LEDGER_DATA_KEY))
        .unwrap_or_default();
    let decoded = decode_lbc_ledger(&csv);
    for problem in &decoded.problems {
        tracing::warn!(?problem, "part of LBC's ledger was not read");
    }
    Ok(Some(decoded.targets))
}

/// Writes our ledger, creating the ConfigMap on first use.
pub(crate) async fn store(
    ctx: &Context,
    key: &BindingKey,
    targets: &BTreeSet<TargetKey>,
) -> Result<(), ReconcileError> {
    let name = ledger_name(key);
    let api: Api<ConfigMap> = Api::namespaced(ctx.client.clone(), &key.namespace);
    let text = encode_ledger(targets);
    let patch = json!({ "data": { LEDGER_DATA_KEY: text } });
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.to_owned()),
        ..PatchParams::default()
    };
    let timeout = ctx.config.kube_timeout;
    let id = format!("{}/{name}", key.namespace);
    let patched = kube_call(
        "PatchLedger",
        timeout,
        api.patch(&name, &params, &Patch::Merge(&patch)),
    )
    .await?;
    match patched {
        Ok(_) => return Ok(()),
        Err(error) if is_not_found(&error) => {}
        Err(error) => return Err(ledger_error(id)(error)),
    }
    let configmap = ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(key.namespace.clone()),
            labels: Some(BTreeMap::from([(
                MANAGED_BY_LABEL.to_owned(),
                MANAGED_BY_VALUE.to_owned(),
            )])),
            owner_references: Some(vec![OwnerReference {
                api_version: API_VERSION_V1BETA1.to_owned(),
                kind: KIND.to_owned(),
                name: key.name.clone(),
                uid: key.uid.clone(),
                controller: Some(true),
                block_owner_deletion: None,
            }]),
            ..ObjectMeta::default()
        },
        data: Some(BTreeMap::from([(LEDGER_DATA_KEY.to_owned(), text)])),
        ..ConfigMap::default()
    };
    let post = PostParams {
        field_manager: Some(FIELD_MANAGER.to_owned()),
        ..PostParams::default()
    };
    kube_call("CreateLedger", timeout, api.create(&post, &configmap))
        .await?
        .map(drop)
        .map_err(ledger_error(id))
}

/// Deletes our ledger; already gone is fine.
pub(crate) async fn delete(ctx: &Context, key: &BindingKey) -> Result<(), ReconcileError> {
    let name = ledger_name(key);
    let api: Api<ConfigMap> = Api::namespaced(ctx.client.clone(), &key.namespace);
    let deleted = kube_call(
        "DeleteLedger",
        ctx.config.kube_timeout,
        api.delete(&name, &Default::default()),
    )
    .await?;
    match deleted {
        Err(error) if !is_not_found(&error) => {
            Err(ledger_error(format!("{}/{name}", key.namespace))(error))
        }
        _ => Ok(()),
    }
}
