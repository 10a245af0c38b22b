//! The status writes of a pass: a pod's readiness-gate condition (a strategic-merge patch of
//! `pods/status` that carries only our condition and the pod's UID, so a pod recreated under the
//! same name is not touched) and the binding's status (a merge patch of its status subresource).

use k8s_openapi::api::core::v1::{Pod, PodCondition};
use kube::Api;
use kube::api::{Patch, PatchParams};
use lbgate_api::consts::FIELD_MANAGER;
use lbgate_api::{TargetGroupBinding, TargetGroupBindingStatus};
use lbgate_core::endpoints::PodRef;
use lbgate_core::gates::pod_status_patch;
use serde_json::json;

use super::key::BindingKey;
use crate::context::Context;
use crate::error::{ReconcileError, kube_call};

/// What became of a gate write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GateWritten {
    /// The pod has the condition.
    Written,
    /// The pod is gone or was recreated (404, or the UID precondition failed).
    PodGone,
}

fn params() -> PatchParams {
    PatchParams {
        field_manager: Some(FIELD_MANAGER.to_owned()),
        ..PatchParams::default()
    }
}

/// Writes `condition` on `pod`.
pub(crate) async fn write_gate(
    ctx: &Context,
    pod: &PodRef,
    condition: &PodCondition,
) -> Result<GateWritten, ReconcileError> {
    if pod.uid.is_empty() {
        return Err(ReconcileError::MissingMetadata {
            kind: "Pod",
            field: "uid",
        });
    }
    let body = pod_status_patch(&pod.uid, condition)
        .map_err(|source| ReconcileError::Serialize { source })?;
    let api: Api<Pod> = Api::namespaced(ctx.client.clone(), &pod.namespace);
    let result = kube_call(
        "PatchPodStatus",
        ctx.config.kube_timeout,
        api.patch_status(&pod.name, &params(), &Patch::Strategic(&body)),
    )
    .await?;
    match result {
        Ok(_) => Ok(GateWritten::Written),
        Err(kube::Error::Api(status)) if status.code == 404 || status.code == 409 => {
            Ok(GateWritten::PodGone)
        }
        Err(source) => Err(ReconcileError::PatchPodStatus {
            pod: pod.key(),
            source,
        }),
    }
}

/// Writes the binding's status.
pub(crate) async fn write_status(
    ctx: &Context,
    key: &BindingKey,
    status: &TargetGroupBindingStatus,
) -> Result<(), ReconcileError> {
    let api: Api<TargetGroupBinding> = Api::namespaced(ctx.client.clone(), &key.namespace);
    let patch = json!({ "status": status });
    kube_call(
        "PatchBindingStatus",
        ctx.config.kube_timeout,
        api.patch_status(&key.name, &params(), &Patch::Merge(&patch)),
    )
    .await?
    .map(drop)
    .map_err(|source| ReconcileError::PatchBindingStatus {
        binding: key.id(),
        source,
    })
}
