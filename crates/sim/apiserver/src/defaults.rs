//! Defaulting of built-in kinds, as kube-apiserver's scheme defaulters fill fields clients leave
//! out (the later world controllers and kubectl's output rely on them). Only absent fields are
//! set; custom resources are defaulted from their CRD schema's `default:` values instead (`schema`).

use serde_json::{Map, Value, json};

use super::resources::ResourceInfo;

fn set_missing(object: &mut Map<String, Value>, field: &str, value: Value) {
    object.entry(field.to_owned()).or_insert(value);
}

fn object_at<'a>(value: &'a mut Value, pointer: &str) -> Option<&'a mut Map<String, Value>> {
    value.pointer_mut(pointer).and_then(Value::as_object_mut)
}

/// Fills the defaults of `res`'s kind into `object`.
pub fn apply_defaults(res: &ResourceInfo, object: &mut Value) {
    if res.custom {
        return;
    }
    match (res.group.as_str(), res.plural.as_str()) {
        ("", "pods") => pod_spec(object, "/spec"),
        ("", "services") => service(object),
        ("apps", "deployments") => {
            if let Some(spec) = object_at(object, "/spec") {
                set_missing(spec, "replicas", json!(1));
                set_missing(spec, "revisionHistoryLimit", json!(10));
                set_missing(spec, "progressDeadlineSeconds", json!(600));
                set_missing(
                    spec,
                    "strategy",
                    json!({"type": "RollingUpdate",
                           "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}),
                );
            }
            pod_spec(object, "/spec/template/spec");
        }
        ("apps", "replicasets") => {
            if let Some(spec) = object_at(object, "/spec") {
                set_missing(spec, "replicas", json!(1));
            }
            pod_spec(object, "/spec/template/spec");
        }
        ("", "namespaces") => {
            if let Some(spec) = object.as_object_mut() {
                set_missing(spec, "spec", json!({"finalizers": ["kubernetes"]}));
            }
        }
        _ => {}
    }
}

fn pod_spec(object: &mut Value, pointer: &str) {
    let Some(spec) = object_at(object, pointer) else {
        return;
    };
    set_missing(spec, "restartPolicy", json!("Always"));
    set_missing(spec, "terminationGracePeriodSeconds", json!(30));
    set_missing(spec, "dnsPolicy", json!("ClusterFirst"));
    set_missing(spec, "schedulerName", json!("default-scheduler"));
    set_missing(spec, "securityContext", json!({}));
    set_missing(spec, "enableServiceLinks", json!(true));
    set_missing(spec, "preemptionPolicy", json!("PreemptLowerPriority"));
    set_missing(spec, "priority", json!(0));
    for list in ["containers", "initContainers"] {
        let Some(containers) = spec.get_mut(list).and_then(Value::as_array_mut) else {
            continue;
        };
        for container in containers.iter_mut().filter_map(Value::as_object_mut) {
            container_defaults(container);
        }
    }
}

fn container_defaults(container: &mut Map<String, Value>) {
    let image = container
        .get("image")
        .and_then(Value::as_str)
        .unwrap_or_default();
    // `:latest` or no tag pulls always; a tag or digest pulls if not present.
    let last = image.rsplit('/').next().unwrap_or_default();
    let pinned = last.contains('@') || last.split(':').nth(1).is_some_and(|tag| tag != "latest");
    let policy = if pinned { "IfNotPresent" } else { "Always" };
    set_missing(container, "imagePullPolicy", json!(policy));
    set_missing(
        container,
        "terminationMessagePath",
        json!("/dev/termination-log"),
    );
    set_missing(container, "terminationMessagePolicy", json!("File"));
    set_missing(container, "resources", json!({}));
    if let Some(ports) = container.get_mut("ports").and_then(Value::as_array_mut) {
        for port in ports.iter_mut().filter_map(Value::as_object_mut) {
            set_missing(port, "protocol", json!("TCP"));
        }
    }
    for probe in ["readinessProbe", "livenessProbe", "startupProbe"] {
        if let Some(probe) = container.get_mut(probe).and_then(Value::as_object_mut) {
            set_missing(probe, "timeoutSeconds", json!(1));
            set_missing(probe, "periodSeconds", json!(10));
            set_missing(probe, "successThreshold", json!(1));
            set_missing(probe, "failureThreshold", json!(3));
            if let Some(get) = probe.get_mut("httpGet").and_then(Value::as_object_mut) {
                set_missing(get, "path", json!("/"));
                set_missing(get, "scheme", json!("HTTP"));
            }
        }
    }
}

fn service(object: &mut Value) {
    let Some(spec) = object_at(object, "/spec") else {
        return;
    };
    set_missing(spec, "type", json!("ClusterIP"));
    set_missing(spec, "sessionAffinity", json!("None"));
    let external_name = spec.get("type").and_then(Value::as_str) == Some("ExternalName");
    if !external_name {
        set_missing(spec, "internalTrafficPolicy", json!("Cluster"));
        set_missing(spec, "ipFamilies", json!(["IPv4"]));
        set_missing(spec, "ipFamilyPolicy", json!("SingleStack"));
    }
    if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
        for port in ports.iter_mut().filter_map(Value::as_object_mut) {
            set_missing(port, "protocol", json!("TCP"));
            if let Some(number) = port.get("port").cloned() {
                set_missing(port, "targetPort", number);
            }
        }
    }
}

#[cfg(test)]
mod tests;
