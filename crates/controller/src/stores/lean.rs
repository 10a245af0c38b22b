//! Pods are the one kind watched cluster-wide whose objects are mostly of no use here: their
//! containers (images, env, volume mounts, probes), volumes and container statuses are most of
//! a Pod's size, and a cluster has far more pods than bindings. Before a pod reaches the store
//! it is cut down to what the controller and the webhook read: identity and labels, deletion,
//! node, readiness gates, phase, addresses and conditions.

use kube::api::DynamicObject;
use serde_json::{Map, Value};

/// `spec` fields kept.
const SPEC: &[&str] = &["nodeName", "readinessGates"];
/// `status` fields kept.
const STATUS: &[&str] = &["phase", "podIP", "podIPs", "hostIP", "conditions"];

/// Cuts `pod` down to the fields the controller reads. `spec.containers` stays as an empty
/// list: the typed Pod requires it.
pub(super) fn lean_pod(pod: &mut DynamicObject) {
    pod.metadata.annotations = None;
    pod.metadata.owner_references = None;
    let Some(data) = pod.data.as_object_mut() else {
        return;
    };
    let mut spec = keep(data.get("spec"), SPEC);
    spec.insert("containers".to_owned(), Value::Array(Vec::new()));
    data.insert("spec".to_owned(), Value::Object(spec));
    if data.contains_key("status") {
        let status = keep(data.get("status"), STATUS);
        data.insert("status".to_owned(), Value::Object(status));
    }
    data.retain(|key, _| key == "spec" || key == "status");
}

fn keep(section: Option<&Value>, fields: &[&str]) -> Map<String, Value> {
    section
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .filter(|(key, _)| fields.contains(&key.as_str()))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
