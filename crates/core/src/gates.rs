//! Pod readiness gates: the condition `target-health.elbv2.k8s.aws/<binding>` of a gated pod,
//! from its target's health, and the `pods/status` patch that writes it.
//!
//! [`decide_gate`] is the one place a pod's gate is decided: whether the pod carries it, what it
//! should say, and the condition to write. True only when the target is `healthy`; otherwise
//! False with AWS's reason and description verbatim, or `Elb.RegistrationInProgress` while the
//! target is not registered yet; True with its own reason when the binding is deleted.

use k8s_openapi::api::core::v1::{Pod, PodCondition};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use lbgate_api::consts::{
    GATE_MESSAGE_REGISTRATION_IN_PROGRESS, GATE_REASON_REGISTRATION_IN_PROGRESS,
    GATE_REASON_TARGET_GROUP_BINDING_DELETED,
};
use serde_json::{Value, json};

use crate::target::ObservedTarget;
pub use lbgate_api::consts::GATE_MESSAGE_TARGET_GROUP_BINDING_DELETED;

/// Status of a condition, as Kubernetes spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConditionStatus {
    /// `True`.
    True,
    /// `False`.
    False,
    /// `Unknown`.
    Unknown,
}

impl ConditionStatus {
    /// Kubernetes' spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::True => "True",
            Self::False => "False",
            Self::Unknown => "Unknown",
        }
    }

    /// `True` or `False`.
    pub const fn from_bool(value: bool) -> Self {
        if value { Self::True } else { Self::False }
    }
}

/// What a gate condition should say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GateCondition {
    /// Its status.
    pub status: ConditionStatus,
    /// Its reason; `None` writes none.
    pub reason: Option<String>,
    /// Its message; `None` writes none.
    pub message: Option<String>,
}

/// What a pass knows about the target behind a gated pod.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GateSource<'a> {
    /// This pass registers the target: whatever an earlier answer said, AWS does not have it.
    Registering,
    /// The target group's DescribeTargetHealth entry for the target; `None` when the answer does
    /// not list it.
    Observed(Option<&'a ObservedTarget>),
    /// The binding is being deleted and nothing succeeds it: the gate is released.
    BindingDeleted,
}

/// The decision about one pod's gate.
#[derive(Clone, Debug, PartialEq)]
pub struct GateDecision {
    /// What the condition should say.
    pub desired: GateCondition,
    /// The condition to write; `None` when the pod already says the same.
    pub write: Option<PodCondition>,
    /// The condition the pod carries now, if any.
    pub current: Option<PodCondition>,
}

impl GateDecision {
    /// Whether the gate should be True.
    pub fn is_true(&self) -> bool {
        self.desired.status == ConditionStatus::True
    }
}

/// Decides `pod`'s readiness-gate condition `gate` from what the pass knows about its target;
/// `None` when the pod does not carry the gate (nothing of ours to write).
pub fn decide_gate(
    pod: &Pod,
    gate: &str,
    source: GateSource<'_>,
    now: &Time,
) -> Option<GateDecision> {
    if !carries_gate(pod, gate) {
        return None;
    }
    let desired = match source {
        GateSource::Registering => desired_gate(None),
        GateSource::Observed(target) => desired_gate(target),
        GateSource::BindingDeleted => deleted_binding_gate(),
    };
    let current = current_condition(pod, gate);
    let write = gate_update(gate, current, &desired, now);
    Some(GateDecision {
        desired,
        write,
        current: current.cloned(),
    })
}

/// Whether `pod` lists `gate` among its readiness gates.
pub fn carries_gate(pod: &Pod, gate: &str) -> bool {
    pod.spec
        .as_ref()
        .and_then(|spec| spec.readiness_gates.as_deref())
        .unwrap_or_default()
        .iter()
        .any(|readiness_gate| readiness_gate.condition_type == gate)
}

/// The gate condition for a pod whose target AWS reports as `target` (`None`: not in the
/// target group yet).
pub fn desired_gate(target: Option<&ObservedTarget>) -> GateCondition {
    match target {
        Some(target) if target.is_healthy() => GateCondition {
            status: ConditionStatus::True,
            reason: non_empty(target.reason.as_deref()),
            message: non_empty(target.description.as_deref()),
        },
        // A draining or unknown-to-AWS target is registered (again) by this pass.
        Some(target) if target.is_registered() => GateCondition {
            status: ConditionStatus::False,
            reason: non_empty(target.reason.as_deref()),
            message: non_empty(target.description.as_deref()),
        },
        _ => GateCondition {
            status: ConditionStatus::False,
            reason: Some(GATE_REASON_REGISTRATION_IN_PROGRESS.to_owned()),
            message: Some(GATE_MESSAGE_REGISTRATION_IN_PROGRESS.to_owned()),
        },
    }
}

/// The gate condition that releases a pod whose binding was deleted and has no successor.
pub fn deleted_binding_gate() -> GateCondition {
    GateCondition {
        status: ConditionStatus::True,
        reason: Some(GATE_REASON_TARGET_GROUP_BINDING_DELETED.to_owned()),
        message: Some(GATE_MESSAGE_TARGET_GROUP_BINDING_DELETED.to_owned()),
    }
}

/// The pod's current condition of type `condition_type`, if any.
pub fn current_condition<'a>(pod: &'a Pod, condition_type: &str) -> Option<&'a PodCondition> {
    pod.status
        .as_ref()
        .and_then(|status| status.conditions.as_deref())
        .unwrap_or_default()
        .iter()
        .find(|condition| condition.type_ == condition_type)
}

/// The condition to write, or `None` when `existing` already says the same (status, reason and
/// message; an empty string and an absent field are the same). `lastTransitionTime` is `now`
/// when the status flips or the condition is new, and kept otherwise.
pub fn gate_update(
    condition_type: &str,
    existing: Option<&PodCondition>,
    desired: &GateCondition,
    now: &Time,
) -> Option<PodCondition> {
    let status = desired.status.as_str();
    let reason = non_empty(desired.reason.as_deref());
    let message = non_empty(desired.message.as_deref());
    let last_transition_time = match existing {
        Some(existing)
            if existing.status == status
                && non_empty(existing.reason.as_deref()) == reason
                && non_empty(existing.message.as_deref()) == message =>
        {
            return None;
        }
        Some(existing) if existing.status == status => existing
            .last_transition_time
            .clone()
            .unwrap_or_else(|| now.clone()),
        _ => now.clone(),
    };
    Some(PodCondition {
        type_: condition_type.to_owned(),
        status: status.to_owned(),
        reason,
        message,
        last_transition_time: Some(last_transition_time),
        ..PodCondition::default()
    })
}

/// The strategic-merge patch body for `pods/status` that writes only `condition`, with the pod
/// UID as precondition so a pod recreated under the same name is not touched. Conditions merge
/// by `type`, so the kubelet's conditions are kept; an absent reason or message is sent as
/// `null`, which clears a stale one.
///
/// # Errors
/// When the condition cannot be serialized (its time outside the RFC 3339 range).
pub fn pod_status_patch(
    pod_uid: &str,
    condition: &PodCondition,
) -> Result<Value, serde_json::Error> {
    let mut condition = serde_json::to_value(condition)?;
    if let Value::Object(fields) = &mut condition {
        fields.entry("reason").or_insert(Value::Null);
        fields.entry("message").or_insert(Value::Null);
    }
    Ok(json!({
        "metadata": { "uid": pod_uid },
        "status": { "conditions": [condition] },
    }))
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|value| !value.is_empty()).map(str::to_owned)
}

#[cfg(test)]
mod tests;
