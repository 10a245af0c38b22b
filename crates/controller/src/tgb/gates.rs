//! Writing a pod's readiness-gate condition: a strategic-merge patch of `pods/status` that
//! carries only our condition and the pod's UID (so a pod recreated under the same name is not
//! touched); nothing is sent when the condition already says the same.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Pod, PodCondition};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use kube::Api;
use kube::api::{Patch, PatchParams};
use lbgate_api::consts::FIELD_MANAGER;
use lbgate_core::diff::SyncPlan;
use lbgate_core::gates::{GateCondition, current_condition, gate_update, pod_status_patch};
use lbgate_core::target::{ObservedTarget, TargetKey};

use super::BindingKey;
use super::inputs::Desired;

use crate::context::Context;
use crate::error::{Error, kube_call};
use crate::metrics::GatePhase;

/// What happened to one gate.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum GateWrite {
    /// The pod already carried this condition.
    Unchanged,
    /// Written; the condition the pod had before, if any.
    Written { previous: Option<PodCondition> },
    /// The pod is gone or was recreated (404, or the UID precondition failed).
    PodGone,
}

/// Brings `pod`'s condition `condition_type` to `desired`.
pub(crate) async fn write_gate(
    ctx: &Context,
    pod: &Pod,
    condition_type: &str,
    desired: &GateCondition,
    now: &Time,
) -> Result<GateWrite, Error> {
    let existing = current_condition(pod, condition_type);
    let Some(condition) = gate_update(condition_type, existing, desired, now) else {
        return Ok(GateWrite::Unchanged);
    };
    let missing = |field| Error::MissingMetadata { kind: "Pod", field };
    let name = pod.metadata.name.as_deref().ok_or(missing("name"))?;
    let namespace = pod
        .metadata
        .namespace
        .as_deref()
        .ok_or(missing("namespace"))?;
    let uid = pod.metadata.uid.as_deref().ok_or(missing("uid"))?;
    let body = pod_status_patch(uid, &condition).map_err(|source| Error::Serialize { source })?;
    let api: Api<Pod> = Api::namespaced(ctx.client.clone(), namespace);
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.to_owned()),
        ..PatchParams::default()
    };
    let result = kube_call(
        "PatchPodStatus",
        ctx.config.kube_timeout,
        api.patch_status(name, &params, &Patch::Strategic(&body)),
    )
    .await?;
    match result {
        Ok(_) => Ok(GateWrite::Written {
            previous: existing.cloned(),
        }),
        Err(kube::Error::Api(status)) if status.code == 404 || status.code == 409 => {
            Ok(GateWrite::PodGone)
        }
        Err(source) => Err(Error::PatchPodStatus {
            pod: format!("{namespace}/{name}"),
            source,
        }),
    }
}

/// Writes the gate of every gated pod behind a desired target, and records pending gates and
/// gate phase durations.
pub(crate) async fn write_gates(
    ctx: &Context,
    key: &BindingKey,
    gate: &str,
    found: &Desired,
    plan: &SyncPlan,
    observed: &BTreeMap<&TargetKey, &ObservedTarget>,
    now: Timestamp,
) -> Result<(), Error> {
    let id = key.id();
    let now_time = Time(now);
    let pods: BTreeMap<(&str, &str), &k8s_openapi::api::core::v1::Pod> = found
        .pods
        .iter()
        .filter_map(|pod| {
            Some((
                (
                    pod.metadata.name.as_deref()?,
                    pod.metadata.uid.as_deref().unwrap_or_default(),
                ),
                pod,
            ))
        })
        .collect();
    let mut pending = BTreeMap::new();
    for (target, pod_ref) in &found.targets {
        let Some(pod_ref) = pod_ref else { continue };
        let Some(pod) = pods.get(&(pod_ref.name.as_str(), pod_ref.uid.as_str())) else {
            continue;
        };
        if !lbgate_core::endpoints::carries_gate(pod, gate) {
            continue;
        }
        let seen = if plan.register.contains(target) {
            None
        } else {
            observed.get(target).copied()
        };
        if seen.is_some_and(ObservedTarget::is_healthy) {
            let registered = ctx.state(&id).registered_at.get(target).copied();
            let first_healthy = ctx.update_state(&id, |state| {
                state.healthy_at.insert(target.clone(), now).is_none()
            });
            if first_healthy && let Some(registered) = registered {
                ctx.metrics
                    .gate_phase(GatePhase::RegisteredToHealthy, elapsed(registered, now));
            }
        }
        let desired = lbgate_core::gates::desired_gate(seen);
        let pod_key = format!("{}/{}", pod_ref.namespace, pod_ref.name);
        let write = write_gate(ctx, pod, gate, &desired, &now_time).await?;
        let is_true = desired.status == lbgate_core::gates::ConditionStatus::True;
        if let GateWrite::Written { previous } = &write
            && is_true
        {
            let was_pending_since = previous
                .as_ref()
                .filter(|p| p.status != "True")
                .and_then(|p| p.last_transition_time.as_ref())
                .map(|t| t.0);
            if let Some(since) = was_pending_since {
                ctx.metrics
                    .gate_phase(GatePhase::PendingToGateTrue, elapsed(since, now));
            }
            if let Some(healthy) = ctx.state(&id).healthy_at.get(target) {
                ctx.metrics
                    .gate_phase(GatePhase::HealthyToGateTrue, elapsed(*healthy, now));
            }
        }
        if !is_true && write != GateWrite::PodGone {
            let since = lbgate_core::gates::current_condition(pod, gate)
                .filter(|c| c.status != "True")
                .and_then(|c| c.last_transition_time.as_ref())
                .map_or(now, |t| t.0);
            pending.insert(pod_key, since);
        }
    }
    ctx.update_state(&id, |state| state.pending_gates = pending);
    ctx.metrics.set_pending_gates(ctx.pending_gate_ages(now));
    Ok(())
}

pub(crate) fn elapsed(from: Timestamp, to: Timestamp) -> Duration {
    let millis = to.as_millisecond().saturating_sub(from.as_millisecond());
    Duration::from_millis(u64::try_from(millis).unwrap_or(0))
}
