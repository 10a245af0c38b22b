//! `mpod.elbv2.k8s.aws`: readiness gates for new pods, decided by `lbgate_core::webhook` from
//! the reflector stores (never AWS, so admission never waits on AWS throttling).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Service;
use lbgate_core::webhook::{BindingView, plan_gates};
use serde_json::{Value, json};

use super::WebhookState;
use super::review::{AdmissionRequest, Verdict};

fn string_map(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|object| {
            object
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

fn existing_gates(pod: &Value) -> Option<Vec<String>> {
    let gates = pod.pointer("/spec/readinessGates")?.as_array()?;
    Some(
        gates
            .iter()
            .filter_map(|gate| gate.get("conditionType").and_then(Value::as_str))
            .map(str::to_owned)
            .collect(),
    )
}

/// Calls `decide` with the bindings of `namespace` as the core sees them, from the stores.
pub fn with_bindings<T>(
    state: &WebhookState,
    namespace: &str,
    decide: impl FnOnce(&[BindingView<'_>]) -> T,
) -> T {
    let mut bindings = state.stores.bindings.state();
    bindings.retain(|b| b.metadata.namespace.as_deref() == Some(namespace));
    // Store order is arbitrary; name order keeps the patch stable across replicas.
    bindings.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    let services: Vec<Option<std::sync::Arc<Service>>> = bindings
        .iter()
        .map(|b| state.stores.service(namespace, &b.spec.service_ref.name))
        .collect();
    let views: Vec<BindingView<'_>> = bindings
        .iter()
        .zip(&services)
        .filter_map(|(binding, service)| {
            Some(BindingView {
                name: binding.metadata.name.as_deref()?,
                target_type: binding.spec.target_type,
                deleting: binding.metadata.deletion_timestamp.is_some(),
                service_selector: service
                    .as_ref()
                    .and_then(|s| s.spec.as_ref())
                    .and_then(|spec| spec.selector.as_ref()),
            })
        })
        .collect();
    decide(&views)
}

/// The gates a pod of `namespace` with `labels` gets, from the stores.
pub fn plan_for(
    state: &WebhookState,
    namespace: &str,
    existing: &[String],
    labels: &BTreeMap<String, String>,
) -> Option<Vec<String>> {
    with_bindings(state, namespace, |views| {
        plan_gates(existing, labels, views)
    })
}

/// Answers one pod admission request.
pub fn admit(state: &WebhookState, request: &AdmissionRequest) -> Verdict {
    if request.operation != "CREATE" || !state.inject_gates {
        return Verdict::allow();
    }
    // With generateName the pod may not carry its namespace yet; the request always does.
    let Some(namespace) = request
        .namespace
        .as_deref()
        .or_else(|| request.object.pointer("/metadata/namespace")?.as_str())
    else {
        return Verdict::allow().with_warning("lbgate: pod without namespace; no readiness gates");
    };
    if !state.stores_ready() {
        state.metrics.webhook_fail_open();
        return Verdict::allow().with_warning(
            "lbgate: caches not synced yet; pod admitted without target-health readiness gates",
        );
    }
    let labels = string_map(request.object.pointer("/metadata/labels"));
    let existing = existing_gates(&request.object);
    let had_gates = existing.is_some();
    let existing = existing.unwrap_or_default();
    let Some(gates) = plan_for(state, namespace, &existing, &labels) else {
        return Verdict::allow();
    };
    let value: Vec<Value> = gates
        .iter()
        .map(|gate| json!({ "conditionType": gate }))
        .collect();
    let op = if had_gates { "replace" } else { "add" };
    Verdict::allow().with_patch(vec![json!({
        "op": op,
        "path": "/spec/readinessGates",
        "value": value,
    })])
}
