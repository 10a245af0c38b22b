//! The built-in kinds' columns and cells as kube-apiserver's printers produce them
//! (`pkg/printers/internalversion/printers.go`; the server always prints the wide columns, which
//! carry priority 1 and kubectl shows only with `-o wide`).

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::Column;
use super::age::age;
use super::cells::{Row, age_of, at, int_at, list, name, str_at, text};

pub(super) type Printer = fn(&Value, i64) -> Row;

/// The columns and the row printer of a built-in kind kube-apiserver has a printer for.
pub(super) fn printer(kind: &str) -> Option<(Vec<Column>, Printer)> {
    let columns = super::columns::columns(kind)?;
    let print: Printer = match kind {
        "Pod" => super::pod::pod_row,
        "Service" => service_row,
        "Deployment" => deployment_row,
        "ReplicaSet" => replica_set_row,
        "Node" => node_row,
        "Namespace" => |o, now| vec![name(o), text(o, "status.phase"), age_of(o, now)].into(),
        "EndpointSlice" => endpoint_slice_row,
        "Ingress" => ingress_row,
        "IngressClass" => ingress_class_row,
        "Lease" => |o, now| vec![name(o), text(o, "spec.holderIdentity"), age_of(o, now)].into(),
        "Event" => event_row,
        _ => |o, now| {
            let webhooks = list(o, "webhooks").len();
            vec![name(o), json!(webhooks), age_of(o, now)].into()
        },
    };
    Some((columns, print))
}

fn or_none(text: &str) -> String {
    if text.is_empty() {
        "<none>".to_owned()
    } else {
        text.to_owned()
    }
}

/// `a=b,c=d` as `labels.FormatLabels` / `LabelSelector.String()` print them (sorted by key).
fn format_labels(map: Option<&Value>) -> String {
    let pairs: Vec<String> = map
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    if pairs.is_empty() {
        "<none>".to_owned()
    } else {
        pairs.join(",")
    }
}

fn format_selector(selector: Option<&Value>) -> String {
    let Some(selector) = selector else {
        return "<none>".to_owned();
    };
    let mut parts: Vec<(String, String)> = selector
        .get("matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), format!("{k}={}", v.as_str().unwrap_or_default())))
                .collect()
        })
        .unwrap_or_default();
    for expression in list(selector, "matchExpressions") {
        let key = str_at(expression, "key");
        let values: BTreeSet<&str> = list(expression, "values")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let values = values.into_iter().collect::<Vec<_>>().join(",");
        let rendered = match str_at(expression, "operator") {
            "In" => format!("{key} in ({values})"),
            "NotIn" => format!("{key} notin ({values})"),
            "Exists" => key.to_owned(),
            "DoesNotExist" => format!("!{key}"),
            other => format!("{key} {other} ({values})"),
        };
        parts.push((key.to_owned(), rendered));
    }
    parts.sort_by(|a, b| a.0.cmp(&b.0));
    if parts.is_empty() {
        return "<none>".to_owned();
    }
    parts
        .into_iter()
        .map(|(_, part)| part)
        .collect::<Vec<_>>()
        .join(",")
}

fn template_containers(object: &Value) -> (Value, Value) {
    let containers = list(object, "spec.template.spec.containers");
    let names: Vec<&str> = containers.iter().map(|c| str_at(c, "name")).collect();
    let images: Vec<&str> = containers.iter().map(|c| str_at(c, "image")).collect();
    (json!(names.join(",")), json!(images.join(",")))
}

fn service_row(object: &Value, now: i64) -> Row {
    let service_type = str_at(object, "spec.type");
    let cluster_ip = list(object, "spec.clusterIPs")
        .first()
        .and_then(Value::as_str)
        .map_or_else(|| "<none>".to_owned(), str::to_owned);
    let external: Vec<&str> = list(object, "spec.externalIPs")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let external_ip = match service_type {
        "ClusterIP" | "NodePort" if !external.is_empty() => external.join(","),
        "ClusterIP" | "NodePort" => "<none>".to_owned(),
        "LoadBalancer" => {
            let mut all: Vec<String> =
                load_balancer_addresses(object, "status.loadBalancer.ingress");
            all.extend(external.iter().map(|s| (*s).to_owned()));
            if all.is_empty() {
                "<pending>".to_owned()
            } else {
                all.join(",")
            }
        }
        "ExternalName" => str_at(object, "spec.externalName").to_owned(),
        _ => "<unknown>".to_owned(),
    };
    let ports: Vec<String> = list(object, "spec.ports")
        .iter()
        .map(|port| {
            let number = int_at(port, "port");
            let protocol = str_at(port, "protocol");
            match int_at(port, "nodePort") {
                0 => format!("{number}/{protocol}"),
                node_port => format!("{number}:{node_port}/{protocol}"),
            }
        })
        .collect();
    vec![
        name(object),
        json!(service_type),
        json!(cluster_ip),
        json!(external_ip),
        json!(or_none(&ports.join(","))),
        age_of(object, now),
        json!(format_labels(at(object, "spec.selector"))),
    ]
    .into()
}

/// The IPs (or hostnames) of a load balancer status, sorted and deduplicated.
fn load_balancer_addresses(object: &Value, path: &str) -> Vec<String> {
    let set: BTreeSet<String> = list(object, path)
        .iter()
        .filter_map(|entry| {
            [str_at(entry, "ip"), str_at(entry, "hostname")]
                .into_iter()
                .find(|s| !s.is_empty())
                .map(str::to_owned)
        })
        .collect();
    set.into_iter().collect()
}

fn deployment_row(object: &Value, now: i64) -> Row {
    let desired = at(object, "spec.replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let (containers, images) = template_containers(object);
    vec![
        name(object),
        json!(format!(
            "{}/{desired}",
            int_at(object, "status.readyReplicas")
        )),
        json!(int_at(object, "status.updatedReplicas")),
        json!(int_at(object, "status.availableReplicas")),
        age_of(object, now),
        containers,
        images,
        json!(format_selector(at(object, "spec.selector"))),
    ]
    .into()
}

fn replica_set_row(object: &Value, now: i64) -> Row {
    let desired = at(object, "spec.replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let (containers, images) = template_containers(object);
    vec![
        name(object),
        json!(desired),
        json!(int_at(object, "status.replicas")),
        json!(int_at(object, "status.readyReplicas")),
        age_of(object, now),
        containers,
        images,
        json!(format_selector(at(object, "spec.selector"))),
    ]
    .into()
}

fn node_row(object: &Value, now: i64) -> Row {
    let mut status: Vec<&str> = list(object, "status.conditions")
        .iter()
        .rev()
        .find(|c| str_at(c, "type") == "Ready")
        .map(|c| {
            if str_at(c, "status") == "True" {
                "Ready"
            } else {
                "NotReady"
            }
        })
        .into_iter()
        .collect();
    if status.is_empty() {
        status.push("Unknown");
    }
    if at(object, "spec.unschedulable").and_then(Value::as_bool) == Some(true) {
        status.push("SchedulingDisabled");
    }
    let roles: BTreeSet<String> = at(object, "metadata.labels")
        .and_then(Value::as_object)
        .map(|labels| {
            labels
                .iter()
                .filter_map(|(key, value)| {
                    if let Some(role) = key.strip_prefix("node-role.kubernetes.io/") {
                        return (!role.is_empty()).then(|| role.to_owned());
                    }
                    let value = value.as_str().unwrap_or_default();
                    (key == "kubernetes.io/role" && !value.is_empty()).then(|| value.to_owned())
                })
                .collect()
        })
        .unwrap_or_default();
    let roles = roles.into_iter().collect::<Vec<_>>().join(",");
    let address = |kind: &str| {
        list(object, "status.addresses")
            .iter()
            .find(|a| str_at(a, "type") == kind)
            .map_or_else(|| "<none>".to_owned(), |a| str_at(a, "address").to_owned())
    };
    let info = |field: &str| {
        let value = str_at(object, &format!("status.nodeInfo.{field}"));
        if value.is_empty() {
            "<unknown>".to_owned()
        } else {
            value.to_owned()
        }
    };
    vec![
        name(object),
        json!(status.join(",")),
        json!(or_none(&roles)),
        age_of(object, now),
        text(object, "status.nodeInfo.kubeletVersion"),
        json!(address("InternalIP")),
        json!(address("ExternalIP")),
        json!(info("osImage")),
        json!(info("kernelVersion")),
        json!(info("containerRuntimeVersion")),
    ]
    .into()
}

/// Up to three items, then `+ N more...`; `<unset>` when empty (`listWithMoreString`).
fn first_three(items: Vec<String>) -> String {
    let count = items.len();
    if count == 0 {
        return "<unset>".to_owned();
    }
    let shown: Vec<String> = items.into_iter().take(3).collect();
    if count > 3 {
        format!("{} + {} more...", shown.join(","), count - 3)
    } else {
        shown.join(",")
    }
}

fn endpoint_slice_row(object: &Value, now: i64) -> Row {
    let ports = list(object, "ports")
        .iter()
        .map(
            |port| match (at(port, "port").and_then(Value::as_i64), at(port, "name")) {
                (Some(number), _) => number.to_string(),
                (None, Some(Value::String(name))) => name.clone(),
                _ => "*".to_owned(),
            },
        )
        .collect();
    let addresses = list(object, "endpoints")
        .iter()
        .flat_map(|endpoint| list(endpoint, "addresses"))
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    vec![
        name(object),
        text(object, "addressType"),
        json!(first_three(ports)),
        json!(first_three(addresses)),
        age_of(object, now),
    ]
    .into()
}

fn ingress_row(object: &Value, now: i64) -> Row {
    let rules = list(object, "spec.rules");
    let hosts: Vec<&str> = rules
        .iter()
        .map(|rule| str_at(rule, "host"))
        .filter(|host| !host.is_empty())
        .take(3)
        .collect();
    let hosts = match (hosts.is_empty(), rules.len() > 3) {
        (true, _) => "*".to_owned(),
        (false, true) => format!("{} + {} more...", hosts.join(","), rules.len() - 3),
        (false, false) => hosts.join(","),
    };
    let ports = if list(object, "spec.tls").is_empty() {
        "80"
    } else {
        "80, 443"
    };
    vec![
        name(object),
        json!(or_none(str_at(object, "spec.ingressClassName"))),
        json!(hosts),
        json!(load_balancer_addresses(object, "status.loadBalancer.ingress").join(",")),
        json!(ports),
        age_of(object, now),
    ]
    .into()
}

fn ingress_class_row(object: &Value, now: i64) -> Row {
    let parameters = match at(object, "spec.parameters") {
        Some(p) => {
            let group = str_at(p, "apiGroup");
            let kind = str_at(p, "kind");
            let kind = if group.is_empty() {
                kind.to_owned()
            } else {
                format!("{kind}.{group}")
            };
            format!("{kind}/{}", str_at(p, "name"))
        }
        None => "<none>".to_owned(),
    };
    vec![
        name(object),
        text(object, "spec.controller"),
        json!(parameters),
        age_of(object, now),
    ]
    .into()
}

/// Core `v1` and `events.k8s.io/v1` events share one printer in kube-apiserver.
fn event_row(object: &Value, now: i64) -> Row {
    let first_of = |paths: &[&str]| -> Option<&str> {
        paths
            .iter()
            .filter_map(|path| at(object, path).and_then(Value::as_str))
            .find(|s| !s.is_empty())
    };
    let first_seen = match first_of(&["firstTimestamp", "deprecatedFirstTimestamp"]) {
        Some(t) => age(Some(t), now),
        None => age(first_of(&["eventTime"]), now),
    };
    let mut last_seen = match first_of(&["lastTimestamp", "deprecatedLastTimestamp"]) {
        Some(t) => age(Some(t), now),
        None => first_seen.clone(),
    };
    let mut count = [at(object, "count"), at(object, "deprecatedCount")]
        .into_iter()
        .flatten()
        .find_map(Value::as_i64)
        .unwrap_or(0);
    if let Some(series) = at(object, "series") {
        last_seen = age(at(series, "lastObservedTime").and_then(Value::as_str), now);
        count = int_at(series, "count");
    } else if count == 0 {
        count = 1;
    }
    let involved = at(object, "involvedObject").or_else(|| at(object, "regarding"));
    let kind = involved
        .map(|o| str_at(o, "kind"))
        .unwrap_or_default()
        .to_lowercase();
    let target = match involved.map(|o| str_at(o, "name")).unwrap_or_default() {
        "" => kind,
        name => format!("{kind}/{name}"),
    };
    let component = first_of(&[
        "source.component",
        "deprecatedSource.component",
        "reportingComponent",
        "reportingController",
    ])
    .unwrap_or_default();
    let instance = first_of(&["source.host", "deprecatedSource.host", "reportingInstance"])
        .unwrap_or_default();
    let source = if instance.is_empty() {
        component.to_owned()
    } else {
        format!("{component}, {instance}")
    };
    let message = first_of(&["message", "note"]).unwrap_or_default().trim();
    vec![
        json!(last_seen),
        text(object, "type"),
        text(object, "reason"),
        json!(target),
        json!(involved.map(|o| str_at(o, "fieldPath")).unwrap_or_default()),
        json!(source),
        json!(message),
        json!(first_seen),
        json!(count),
        name(object),
    ]
    .into()
}
