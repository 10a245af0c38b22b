#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use super::*;
use k8s_openapi::api::apps::v1::Deployment;
use lbgate_sim::scenario::apply::parse_documents;

#[test]
fn the_manifests_parse_with_the_gate_prestop_and_grace() {
    let value = parse_documents(&deployment_yaml("blue", "web-blue", 3, true)).unwrap();
    let deployment: Deployment = serde_json::from_value(value[0].clone()).unwrap();
    let spec = deployment.spec.unwrap().template.spec.unwrap();
    assert_eq!(spec.readiness_gates.unwrap()[0].condition_type, GATE);
    assert_eq!(
        lbgate_api::conditions::pod_condition_type(BINDING).unwrap(),
        GATE
    );
    assert_eq!(spec.termination_grace_period_seconds, Some(30));
    let hook = spec.containers[0]
        .lifecycle
        .clone()
        .unwrap()
        .pre_stop
        .unwrap();
    assert_eq!(hook.sleep.unwrap().seconds, 10);
    let plain = parse_documents(&deployment_yaml("blue", "web-blue", 3, false)).unwrap();
    assert!(
        plain[0]
            .pointer("/spec/template/spec/readinessGates")
            .is_none()
    );
    let binding = parse_documents(&binding_yaml("web")).unwrap();
    assert_eq!(
        binding[0].pointer("/spec/targetGroupARN").unwrap(),
        "${targetGroupArn:web}"
    );
    let service = parse_documents(&service_yaml("web", "web-blue")).unwrap();
    assert_eq!(
        service[0].pointer("/spec/ports/0/targetPort").unwrap(),
        8080
    );
}
