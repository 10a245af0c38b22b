//! Bad input against the simulated world: every problem becomes a condition and an Event and
//! touches nothing in AWS; an object that does not decode does not blind the controller; instance
//! mode reads nodes and the node port.

use std::time::Duration;

use kube::Api;
use kube::api::PostParams;
use lbgate_testkit::metrics::sum_registry;
use lbgate_testkit::objects;
use lbgate_testkit::world::{ControllerWorld, NS, eventually};
use serde_json::json;

async fn bad_binding(world: &ControllerWorld, name: &str, service: &str, port: i32, arn: &str) {
    bad_binding_with(world, name, json!({"targetGroupARN": arn, "targetType": "ip", "serviceRef": {"name": service, "port": port}})).await;
}

async fn bad_binding_with(world: &ControllerWorld, name: &str, spec: serde_json::Value) {
    let binding = objects::binding(name, spec).namespace(NS).build();
    world
        .bindings()
        .create(&PostParams::default(), &binding)
        .await
        .unwrap();
}

#[tokio::test]
async fn bad_input_yields_condition_and_event_without_touching_aws() {
    let mut world = ControllerWorld::start().await;
    world.node("node-1").await;
    world.service("web").await;
    let arn = world.attached_group("web-tg").await;
    let p1 = world.pod("web-1", "10.0.1.1", None).await;
    world.slice("web", &[&p1]).await;
    let unknown =
        "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/nope/0123456789abcdef";
    bad_binding(&world, "unknown-arn", "web", 80, unknown).await;
    bad_binding(&world, "no-service", "missing", 80, &arn).await;
    bad_binding(&world, "no-port", "web", 81, &arn).await;
    let service_ref = json!({"name": "web", "port": 80});
    bad_binding_with(
        &world,
        "wrong-type",
        json!({"targetGroupARN": &arn, "targetType": "instance", "serviceRef": service_ref}),
    )
    .await;
    bad_binding_with(&world, "wrong-family", json!({"targetGroupARN": &arn, "targetType": "ip", "ipAddressType": "ipv6", "serviceRef": service_ref})).await;
    let long_name = "a".repeat(64);
    bad_binding_with(
        &world,
        &long_name,
        json!({"targetGroupARN": &arn, "targetType": "ip", "serviceRef": service_ref}),
    )
    .await;
    world.run_controller();

    for (binding, condition, reason) in [
        ("unknown-arn", "TargetGroupFound", "TargetGroupNotFound"),
        ("no-service", "ServiceFound", "ServiceNotFound"),
        ("no-port", "PortResolved", "PortNotFound"),
        ("wrong-type", "Ready", "TargetTypeMismatch"),
        ("wrong-family", "Ready", "IpAddressTypeMismatch"),
        (long_name.as_str(), "Ready", "InvalidBindingName"),
    ] {
        eventually("the problem condition", || async {
            let status = world.bindings().get(binding).await.unwrap().status?;
            let found = status.condition(condition)?;
            (found.status == "False" && found.reason == reason).then_some(())
        })
        .await;
        let ready = world
            .bindings()
            .get(binding)
            .await
            .unwrap()
            .status
            .unwrap()
            .condition("Ready")
            .cloned()
            .unwrap();
        assert_eq!(ready.status, "False", "{binding}");
        eventually("the problem Event", || async {
            let events = world.events(binding).await;
            events.iter().any(|(r, _)| r == reason).then_some(())
        })
        .await;
    }
    // Five bindings share one ARN without multiClusterTargetGroup: all but the senior conflict.
    let mut conflicted = 0;
    for binding in [
        "no-service",
        "no-port",
        "wrong-type",
        "wrong-family",
        long_name.as_str(),
    ] {
        let status = world.bindings().get(binding).await.unwrap().status.unwrap();
        let conflict = status.condition("Conflict").cloned().unwrap();
        if conflict.status == "True" {
            assert_eq!(conflict.reason, "ConflictingBinding");
            conflicted += 1;
        }
    }
    assert_eq!(conflicted, 4);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(world.mutations(), 0, "{:?}", world.calls());
    assert!(world.targets(&arn).await.is_empty());
    world.shutdown().await;
}

#[tokio::test]
async fn an_undecodable_binding_does_not_blind_the_controller() {
    let mut world = ControllerWorld::start().await;
    world.node("node-1").await;
    world.service("web").await;
    let arn = world.attached_group("web-tg").await;
    // No serviceRef: valid JSON, but not a TargetGroupBinding this build can read. The API
    // server refuses it now (the CRD requires serviceRef), so it is put in storage directly, as
    // an object kept from before its CRD's schema said so.
    let store = world.kube.store();
    let resource = store
        .resource_for_kind("elbv2.k8s.aws/v1beta1", "TargetGroupBinding")
        .unwrap();
    let broken = json!({
        "apiVersion": "elbv2.k8s.aws/v1beta1",
        "kind": "TargetGroupBinding",
        "metadata": {"name": "broken", "namespace": NS},
        "spec": {"targetGroupARN": &arn},
    });
    store.commit_create(&resource, NS, broken, false).unwrap();
    let p1 = world.pod("web-1", "10.0.1.1", None).await;
    world.slice("web", &[&p1]).await;
    world.binding("web", "web", &arn).await;
    world.run_controller();
    eventually("the good binding's target", || async {
        (world.targets(&arn).await.len() == 1).then_some(())
    })
    .await;
    let skipped = sum_registry(&world.registry, "lbgate_watch_decode_failures_total", &[]);
    assert!(skipped >= 1.0, "the broken binding is counted");
    world.shutdown().await;
}

#[tokio::test]
async fn instance_mode_registers_ready_nodes_on_the_node_port() {
    use k8s_openapi::api::core::v1::Service;
    let mut world = ControllerWorld::start().await;
    world
        .node_with_instance("node-a", "i-0123456789abcdef0")
        .await;
    world
        .node_with_instance("node-b", "i-0123456789abcdef1")
        .await;
    let services: Api<Service> = Api::namespaced(world.client.clone(), NS);
    let service: Service = serde_json::from_value(json!({
        "metadata": {"name": "web"},
        "spec": {"type": "NodePort", "selector": {"app": "web"},
                 "ports": [{"name": "http", "port": 80, "targetPort": 8080, "nodePort": 30080}]},
    }))
    .unwrap();
    services
        .create(&PostParams::default(), &service)
        .await
        .unwrap();
    let arn = world
        .attached_group_of("web-tg", lbgate_elbv2::TargetType::Instance)
        .await;
    bad_binding_with(
        &world,
        "web",
        json!({"targetGroupARN": &arn, "targetType": "instance", "serviceRef": {"name": "web", "port": 80}}),
    )
    .await;
    world.run_controller();
    let rows = eventually("both nodes registered", || async {
        let rows = world.targets(&arn).await;
        (rows.len() == 2).then_some(rows)
    })
    .await;
    let targets: Vec<(&str, u16)> = rows
        .iter()
        .map(|(id, port, _)| (id.as_str(), *port))
        .collect();
    assert_eq!(
        targets,
        [
            ("i-0123456789abcdef0", 30080),
            ("i-0123456789abcdef1", 30080)
        ]
    );
    // A new node wakes the binding through the node mapper.
    world
        .node_with_instance("node-c", "i-0123456789abcdef2")
        .await;
    eventually("the new node registered", || async {
        (world.targets(&arn).await.len() == 3).then_some(())
    })
    .await;
    world.shutdown().await;
}

#[tokio::test]
async fn pods_reach_the_store_cut_down_to_what_is_read() {
    use futures::StreamExt;
    let world = ControllerWorld::start().await;
    let gate = "target-health.elbv2.k8s.aws/web";
    world.pod("web-1", "10.0.1.1", Some(gate)).await;
    let (stores, streams) = lbgate_controller::stores::reflectors(
        &world.client,
        &lbgate_controller::WatchScope::default(),
        std::sync::Arc::new(|_| {}),
    );
    let drive = tokio::spawn(streams.pods.for_each(|_| async {}));
    let pod = eventually("the pod in the store", || async {
        stores.pods.state().into_iter().next()
    })
    .await;
    drive.abort();
    let spec = pod.spec.clone().unwrap();
    assert!(spec.containers.is_empty(), "containers kept: {spec:?}");
    assert_eq!(spec.node_name.as_deref(), Some("node-1"));
    assert_eq!(spec.readiness_gates.unwrap()[0].condition_type, gate);
    let status = pod.status.clone().unwrap();
    assert_eq!(status.pod_ip.as_deref(), Some("10.0.1.1"));
    assert!(
        status
            .conditions
            .unwrap()
            .iter()
            .any(|c| c.type_ == "ContainersReady" && c.status == "True")
    );
    assert_eq!(pod.metadata.labels.clone().unwrap()["app"], "web");
    world.shutdown().await;
}
