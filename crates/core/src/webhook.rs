//! The pod webhook's decisions: which readiness gates a new pod gets, and which gates a pod that
//! is already running lacks (a pod admitted while the webhook was down or skipped).
//!
//! Matching follows LBC: only `ip` bindings, the Service's selector as an equality set against
//! the pod's labels, and an empty or missing selector matches nothing. Unlike LBC, a binding
//! being deleted is skipped: its gate would be released at once by the clean-up anyway, and a
//! new pod must not wait on a binding that is going away.

use std::collections::BTreeMap;

use lbgate_api::consts::{LEGACY_TARGET_HEALTH_CONDITION_PREFIX, TARGET_HEALTH_CONDITION_PREFIX};
use lbgate_api::v1beta1::TargetType;

/// What the webhook knows of one binding in the pod's namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingView<'a> {
    pub name: &'a str,
    pub target_type: Option<TargetType>,
    pub deleting: bool,
    /// The selector of the binding's Service; `None` when the Service is not cached.
    pub service_selector: Option<&'a BTreeMap<String, String>>,
}

/// The readiness-gate condition type of a binding.
pub fn gate_type(binding: &str) -> String {
    format!("{TARGET_HEALTH_CONDITION_PREFIX}{binding}")
}

fn selects(selector: Option<&BTreeMap<String, String>>, labels: &BTreeMap<String, String>) -> bool {
    selector.is_some_and(|selector| {
        !selector.is_empty()
            && selector
                .iter()
                .all(|(key, value)| labels.get(key) == Some(value))
    })
}

/// Gates of the bindings that select a pod with `labels`, in binding order, without repeats.
pub fn matching_gates(
    labels: &BTreeMap<String, String>,
    bindings: &[BindingView<'_>],
) -> Vec<String> {
    let mut gates: Vec<String> = Vec::new();
    for binding in bindings {
        if binding.target_type != Some(TargetType::Ip) || binding.deleting {
            continue;
        }
        if selects(binding.service_selector, labels) {
            let gate = gate_type(binding.name);
            if !gates.contains(&gate) {
                gates.push(gate);
            }
        }
    }
    gates
}

/// The pod's readiness-gate condition types after admission, or `None` when nothing changes.
///
/// When at least one binding matches, legacy `target-health.alb.ingress.k8s.aws/*` gates are
/// dropped (as LBC does; with no match the pod is left alone) and the new gates are appended
/// after the existing ones.
pub fn plan_gates(
    existing: &[String],
    labels: &BTreeMap<String, String>,
    bindings: &[BindingView<'_>],
) -> Option<Vec<String>> {
    let matched = matching_gates(labels, bindings);
    if matched.is_empty() {
        return None;
    }
    let mut gates: Vec<String> = existing
        .iter()
        .filter(|gate| !gate.starts_with(LEGACY_TARGET_HEALTH_CONDITION_PREFIX))
        .cloned()
        .collect();
    for gate in matched {
        if !gates.contains(&gate) {
            gates.push(gate);
        }
    }
    (gates != existing).then_some(gates)
}

/// Gates a running pod should carry but does not: it escaped the webhook.
pub fn missing_gates(
    existing: &[String],
    labels: &BTreeMap<String, String>,
    bindings: &[BindingView<'_>],
) -> Vec<String> {
    matching_gates(labels, bindings)
        .into_iter()
        .filter(|gate| !existing.contains(gate))
        .collect()
}

#[cfg(test)]
mod tests;
