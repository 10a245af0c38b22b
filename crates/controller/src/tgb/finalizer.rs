//! Our finalizer `elbv2.k8s.aws/resources` (LBC's, so a switch-over keeps working). Written
//! with a merge patch carrying the resourceVersion: a concurrent writer makes it fail with 409
//! instead of losing someone else's finalizer.

use kube::Api;
use kube::api::{Patch, PatchParams};
use lbgate_api::TargetGroupBinding;
use lbgate_api::consts::FINALIZER;
use serde_json::json;

use lbgate_core::binding::has_finalizer;

use super::key::BindingKey;
use crate::context::Context;
use crate::error::{ReconcileError, is_not_found, kube_call};

/// Adds the finalizer when missing.
pub(crate) async fn ensure(
    ctx: &Context,
    binding: &TargetGroupBinding,
    key: &BindingKey,
) -> Result<(), ReconcileError> {
    if has_finalizer(binding) {
        return Ok(());
    }
    let mut finalizers = binding.metadata.finalizers.clone().unwrap_or_default();
    finalizers.push(FINALIZER.to_owned());
    write(ctx, binding, key, finalizers)
        .await?
        .map_err(|source| ReconcileError::AddFinalizer {
            binding: key.id(),
            source,
        })
}

/// Removes the finalizer; a binding already gone is fine.
pub(crate) async fn remove(
    ctx: &Context,
    binding: &TargetGroupBinding,
    key: &BindingKey,
) -> Result<(), ReconcileError> {
    let finalizers: Vec<String> = binding
        .metadata
        .finalizers
        .iter()
        .flatten()
        .filter(|f| *f != FINALIZER)
        .cloned()
        .collect();
    match write(ctx, binding, key, finalizers).await? {
        Err(source) if !is_not_found(&source) => Err(ReconcileError::RemoveFinalizer {
            binding: key.id(),
            source,
        }),
        _ => Ok(()),
    }
}

async fn write(
    ctx: &Context,
    binding: &TargetGroupBinding,
    key: &BindingKey,
    finalizers: Vec<String>,
) -> Result<Result<(), kube::Error>, ReconcileError> {
    let api: Api<TargetGroupBinding> = Api::namespaced(ctx.client.clone(), &key.namespace);
    let patch = json!({
        "metadata": {
            "finalizers": finalizers,
            "resourceVersion": binding.metadata.resource_version,
        }
    });
    let params = PatchParams::default();
    let result = kube_call(
        "PatchFinalizers",
        ctx.config.kube_timeout,
        api.patch(&key.name, &params, &Patch::Merge(&patch)),
    )
    .await?;
    Ok(result.map(drop))
}
