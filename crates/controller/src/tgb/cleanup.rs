//! Deletion of a binding: deregister the targets it owns (no hold, no breaker), release its
//! gates on the pods that remain, delete its ledger, remove the finalizer. A target group that
//! no longer exists means there is nothing to deregister, never a stuck finalizer.

use std::collections::BTreeSet;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use kube::runtime::controller::Action;
use lbgate_api::TargetGroupBinding;
use lbgate_api::conditions::pod_condition_type;
use lbgate_core::diff::{DiffInput, plan_sync};
use lbgate_core::endpoints::carries_gate;
use lbgate_core::gates::deleted_binding_gate;

use super::inputs::pod_ips;
use super::reconcile::Pass;
use super::{BindingKey, finalizer, gates, ledger, publish_batch, sync};
use crate::context::Context;
use crate::error::Error;
use crate::metrics::ReconcileResult;

/// Cleans up a binding that has a deletionTimestamp.
pub(crate) async fn cleanup(
    ctx: &Context,
    binding: &TargetGroupBinding,
    key: &BindingKey,
) -> Result<Pass, Error> {
    let done = Pass {
        action: Action::await_change(),
        result: ReconcileResult::Cleaned,
        health_wait: None,
    };
    if !finalizer::has_finalizer(binding) {
        return Ok(done);
    }
    let id = key.id();
    let now = Timestamp::now();
    if let Some(arn) = binding.spec.arn() {
        deregister_owned(ctx, binding, key, arn, now).await?;
    }
    if let Ok(gate) = pod_condition_type(&key.name) {
        let release = deleted_binding_gate();
        let now_time = Time(now);
        for pod in ctx.stores.pods_in(&key.namespace) {
            if carries_gate(&pod, &gate) {
                gates::write_gate(ctx, &pod, &gate, &release, &now_time).await?;
            }
        }
    }
    ledger::delete(ctx, key).await?;
    finalizer::remove(ctx, binding, key).await?;
    ctx.forget(&id);
    ctx.metrics.forget_binding(&key.namespace, &key.name);
    ctx.metrics.set_pending_gates(ctx.pending_gate_ages(now));
    tracing::info!(binding = %id, "binding cleaned up");
    Ok(done)
}

async fn deregister_owned(
    ctx: &Context,
    binding: &TargetGroupBinding,
    key: &BindingKey,
    arn: &str,
    now: Timestamp,
) -> Result<(), Error> {
    let Some(observed) = sync::observe(ctx, arn, None).await? else {
        return Ok(());
    };
    let our_ledger = ledger::load(ctx, key).await?;
    let lbc_ledger = ledger::load_lbc(ctx, key).await?;
    let pods = ctx.stores.pods_in(&key.namespace);
    let mut own_addresses = pod_ips(&pods);
    let slices = ctx
        .stores
        .slices_of(&key.namespace, &binding.spec.service_ref.name);
    own_addresses.extend(
        slices
            .iter()
            .flat_map(|slice| slice.endpoints.iter())
            .filter_map(|endpoint| endpoint.addresses.first().cloned()),
    );
    let nothing = BTreeSet::new();
    let no_ids = BTreeSet::new();
    let plan = plan_sync(
        DiffInput {
            desired: &nothing,
            observed: &observed,
            ledger: &our_ledger,
            lbc_ledger: lbc_ledger.as_ref(),
            own_addresses: &own_addresses,
            serving_ids: &no_ids,
            multi_cluster: binding.spec.multi_cluster_target_group,
            deleting: true,
            hold_started: None,
            now,
        },
        ctx.config.diff,
    );
    if plan.deregister.is_empty() {
        return Ok(());
    }
    sync::deregister(ctx, arn, &plan.deregister).await?;
    publish_batch(
        ctx,
        binding,
        super::EVENT_REASON_DEREGISTERED_TARGETS,
        "Deregister",
        "binding deleted: deregistered",
        &plan.deregister,
    )
    .await;
    Ok(())
}
