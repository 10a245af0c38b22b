use serde_json::json;

use super::*;

#[test]
fn a_gated_scheduled_pod_with_a_port_decodes_as_a_pod() {
    let pod = pod("web-1")
        .namespace("apps")
        .app("web")
        .node("node-1")
        .gate("target-health.elbv2.k8s.aws/web")
        .gate("example.com/other")
        .container_port()
        .image("web:v2")
        .build();
    assert_eq!(pod.metadata.name.as_deref(), Some("web-1"));
    assert_eq!(pod.metadata.namespace.as_deref(), Some("apps"));
    assert_eq!(pod.metadata.labels.unwrap()["app"], "web");
    assert_eq!(
        readiness_gates(&pod_with_gates()),
        ["target-health.elbv2.k8s.aws/web"]
    );
    let spec = pod.spec.unwrap();
    assert_eq!(spec.node_name.as_deref(), Some("node-1"));
    let gates: Vec<_> = spec
        .readiness_gates
        .unwrap()
        .into_iter()
        .map(|g| g.condition_type)
        .collect();
    assert_eq!(
        gates,
        ["target-health.elbv2.k8s.aws/web", "example.com/other"]
    );
    let container = &spec.containers[0];
    assert_eq!(container.image.as_deref(), Some("web:v2"));
    let port = &container.ports.as_ref().unwrap()[0];
    assert_eq!(
        (port.name.as_deref(), port.container_port),
        (Some("http"), 8080)
    );
}

fn pod_with_gates() -> Pod {
    pod("p").gate("target-health.elbv2.k8s.aws/web").build()
}

#[test]
fn a_plain_pod_is_one_container_and_nothing_else() {
    assert_eq!(
        pod("p").json(),
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {}},
               "spec": {"containers": [{"name": "app", "image": "web:v1"}]}})
    );
    assert!(readiness_gates(&pod("p").build()).is_empty());
}

#[test]
fn a_running_status_carries_the_ip_and_both_conditions() {
    let mut pod = pod("p").build();
    let patch = running_status("10.0.1.1", true, false);
    pod.status = Some(serde_json::from_value(patch["status"].clone()).unwrap());
    let status = pod.status.as_ref().unwrap();
    assert_eq!(status.phase.as_deref(), Some("Running"));
    assert_eq!(status.pod_ip.as_deref(), Some("10.0.1.1"));
    assert_eq!(status.pod_ips.as_ref().unwrap()[0].ip, "10.0.1.1");
    assert_eq!(pod_condition(&pod, "ContainersReady"), Some("True"));
    assert_eq!(pod_condition(&pod, "Ready"), Some("False"));
    assert_eq!(pod_condition(&pod, "example.com/gate"), None);
    assert_eq!(
        condition_patch("example.com/gate", true),
        json!({"status": {"conditions": [{"type": "example.com/gate", "status": "True"}]}})
    );
}

#[test]
fn a_slice_lists_pods_as_the_endpoint_controller_would() {
    let mut ready = pod("ready").namespace("default").node("node-1").build();
    ready.metadata.uid = Some("uid-1".to_owned());
    ready.status = Some(
        serde_json::from_value(running_status("10.0.1.1", true, true)["status"].clone()).unwrap(),
    );
    let mut waiting = pod("waiting").namespace("default").node("node-2").build();
    waiting.status = Some(
        serde_json::from_value(running_status("10.0.1.2", true, false)["status"].clone()).unwrap(),
    );
    let slice = endpoint_slice("web-abc", "web")
        .namespace("default")
        .port("http", 8080)
        .pod_endpoint(&ready)
        .pod_endpoint(&waiting)
        .build();
    assert_eq!(slice.address_type, "IPv4");
    assert_eq!(
        slice.metadata.labels.unwrap()["kubernetes.io/service-name"],
        "web"
    );
    let port = &slice.ports.unwrap()[0];
    assert_eq!(
        (port.name.as_deref(), port.port, port.protocol.as_deref()),
        (Some("http"), Some(8080), Some("TCP"))
    );
    let [first, second] = &slice.endpoints[..] else {
        panic!("two endpoints: {:?}", slice.endpoints)
    };
    assert_eq!(first.addresses, ["10.0.1.1"]);
    let conditions = first.conditions.clone().unwrap();
    assert_eq!(
        (conditions.ready, conditions.serving, conditions.terminating),
        (Some(true), Some(true), Some(false))
    );
    assert_eq!(first.node_name.as_deref(), Some("node-1"));
    let target = first.target_ref.clone().unwrap();
    assert_eq!(
        (
            target.kind.as_deref(),
            target.name.as_deref(),
            target.uid.as_deref()
        ),
        (Some("Pod"), Some("ready"), Some("uid-1"))
    );
    assert_eq!(second.conditions.clone().unwrap().ready, Some(false));
    assert_eq!(second.node_name.as_deref(), Some("node-2"));
}

#[test]
fn services_deployments_nodes_namespaces_and_bindings_decode() {
    let service = service("web", "web-blue").namespace("apps").build();
    let spec = service.spec.unwrap();
    assert_eq!(spec.selector.unwrap()["app"], "web-blue");
    let port = &spec.ports.unwrap()[0];
    assert_eq!((port.name.as_deref(), port.port), (Some("http"), 80));

    let deployment = deployment("web", "web", 3)
        .image("web:v2")
        .gate("target-health.elbv2.k8s.aws/web")
        .build();
    let spec = deployment.spec.unwrap();
    assert_eq!(spec.replicas, Some(3));
    assert_eq!(spec.selector.match_labels.unwrap()["app"], "web");
    let template = spec.template.spec.unwrap();
    assert_eq!(template.containers[0].image.as_deref(), Some("web:v2"));
    assert_eq!(
        template.readiness_gates.unwrap()[0].condition_type,
        "target-health.elbv2.k8s.aws/web"
    );

    let node = node("node-1", "i-0123456789abcdef0").build();
    assert_eq!(
        node.spec.unwrap().provider_id.as_deref(),
        Some("aws:///us-west-2a/i-0123456789abcdef0")
    );
    assert_eq!(
        node_ready_status(),
        json!({"status": {"conditions": [{"type": "Ready", "status": "True"}]}})
    );

    let opted_in = namespace("gated").gate_injection(true).build();
    assert_eq!(
        opted_in.metadata.labels.unwrap()["elbv2.k8s.aws/pod-readiness-gate-inject"],
        "enabled"
    );
    assert!(
        namespace("plain")
            .gate_injection(false)
            .build()
            .metadata
            .labels
            .is_none()
    );

    let binding = ip_binding("web", "web-svc", "arn:tg")
        .namespace("apps")
        .build();
    assert_eq!(binding.spec.target_group_arn, "arn:tg");
    assert_eq!(binding.spec.service_ref.name, "web-svc");
    assert_eq!(binding.spec.target_type.map(|t| t.as_str()), Some("ip"));
}

#[test]
fn merge_follows_rfc_7386() {
    let merged = service("web", "web")
        .merge(json!({"metadata": {"labels": {"team": "a"}},
                      "spec": {"publishNotReadyAddresses": true,
                               "ports": [{"port": 80, "targetPort": "http"}]}}))
        .merge(json!({"spec": {"selector": null}}))
        .json();
    assert_eq!(
        merged["metadata"],
        json!({"name": "web", "labels": {"team": "a"}})
    );
    assert_eq!(
        merged["spec"],
        json!({"publishNotReadyAddresses": true, "ports": [{"port": 80, "targetPort": "http"}]})
    );
}

#[test]
#[should_panic(expected = "does not decode")]
fn an_object_its_type_refuses_fails_the_test() {
    pod("p")
        .merge(json!({"spec": {"containers": "none"}}))
        .build();
}
