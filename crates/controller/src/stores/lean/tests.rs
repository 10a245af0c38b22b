use k8s_openapi::api::core::v1::Pod;
use lbgate_core::endpoints::{is_being_deleted, serving_pod_ips};
use lbgate_core::gates::carries_gate;
use serde_json::json;

use super::*;

fn full_pod() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "web-1", "namespace": "shop", "uid": "u-1", "resourceVersion": "7",
            "labels": {"app": "web"},
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "x".repeat(4000)},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-abc", "uid": "rs"}],
            "deletionTimestamp": "2026-11-21T10:00:00Z",
        },
        "spec": {
            "nodeName": "node-1",
            "readinessGates": [{"conditionType": "target-health.elbv2.k8s.aws/web"}],
            "containers": [{"name": "app", "image": "web:v1",
                            "env": [{"name": "A", "value": "y".repeat(4000)}],
                            "ports": [{"name": "http", "containerPort": 8080}]}],
            "volumes": [{"name": "data", "emptyDir": {}}],
        },
        "status": {
            "phase": "Running",
            "podIP": "10.0.1.5",
            "podIPs": [{"ip": "10.0.1.5"}],
            "hostIP": "10.0.0.10",
            "conditions": [{"type": "ContainersReady", "status": "True"},
                           {"type": "target-health.elbv2.k8s.aws/web", "status": "False"}],
            "containerStatuses": [{"name": "app", "image": "web:v1", "imageID": "sha",
                                   "ready": true, "restartCount": 0,
                                   "state": {"running": {"startedAt": "2026-11-21T09:00:00Z"}}}],
        },
    })
}

#[test]
fn a_lean_pod_keeps_what_is_read_and_drops_the_rest() {
    let full: Pod = serde_json::from_value(full_pod()).unwrap();
    let mut object: DynamicObject = serde_json::from_value(full_pod()).unwrap();
    let before = serde_json::to_string(&object).unwrap().len();
    lean_pod(&mut object);
    let after = serde_json::to_string(&object).unwrap().len();
    assert!(after * 10 < before, "{before} -> {after} bytes");
    let lean: Pod = serde_json::from_value(serde_json::to_value(&object).unwrap()).unwrap();

    assert_eq!(lean.metadata.name, full.metadata.name);
    assert_eq!(lean.metadata.uid, full.metadata.uid);
    assert_eq!(lean.metadata.labels, full.metadata.labels);
    assert_eq!(
        lean.metadata.resource_version,
        full.metadata.resource_version
    );
    assert_eq!(lean.metadata.annotations, None);
    let gate = "target-health.elbv2.k8s.aws/web";
    assert_eq!(carries_gate(&lean, gate), carries_gate(&full, gate));
    assert!(carries_gate(&lean, gate));
    assert_eq!(is_being_deleted(&lean), is_being_deleted(&full));
    assert_eq!(
        serving_pod_ips(std::slice::from_ref(&lean)),
        serving_pod_ips(std::slice::from_ref(&full))
    );
    let (spec, full_spec) = (lean.spec.unwrap(), full.spec.unwrap());
    assert_eq!(spec.node_name, full_spec.node_name);
    assert!(spec.containers.is_empty() && spec.volumes.is_none());
    let (status, full_status) = (lean.status.unwrap(), full.status.unwrap());
    assert_eq!(status.conditions, full_status.conditions);
    assert_eq!(status.pod_ips, full_status.pod_ips);
    assert_eq!(status.host_ip, full_status.host_ip);
    assert_eq!(status.phase, full_status.phase);
    assert_eq!(status.container_statuses, None);
}

#[test]
fn a_pod_without_status_stays_without() {
    let mut object: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p", "namespace": "n"},
        "spec": {"containers": [{"name": "c", "image": "i"}]},
    }))
    .unwrap();
    lean_pod(&mut object);
    assert_eq!(object.data, json!({"spec": {"containers": []}}));
    let pod: Pod = serde_json::from_value(serde_json::to_value(&object).unwrap()).unwrap();
    assert!(pod.status.is_none());
}
