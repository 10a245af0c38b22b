use super::*;
use serde_json::json;

#[test]
fn only_ready_endpoints_on_the_named_port_count() {
    let slice: EndpointSlice = serde_json::from_value(json!({
            "addressType": "IPv4",
            "metadata": {"name": "web-abc"},
            "ports": [{"name": "http", "port": 8080}, {"name": "admin", "port": 9000}],
            "endpoints": [
                {"addresses": ["10.0.1.5"], "conditions": {"ready": true}},
                {"addresses": ["10.0.1.6"], "conditions": {"ready": false, "serving": true, "terminating": true}},
                {"addresses": ["10.0.1.7"], "conditions": {}},
            ],
        }))
        .unwrap();
    let targets = ready_targets(std::slice::from_ref(&slice), "http");
    assert_eq!(targets, BTreeSet::from([("10.0.1.5".to_owned(), 8080)]));
    let admin = ready_targets(std::slice::from_ref(&slice), "admin");
    assert_eq!(admin, BTreeSet::from([("10.0.1.5".to_owned(), 9000)]));
    assert!(ready_targets(&[slice], "metrics").is_empty());
}

#[test]
fn bindings_are_a_set() {
    let bindings = RegistrarBindings::new();
    let binding = RegistrarBinding {
        namespace: "default".into(),
        service: "web".into(),
        port: 80,
        target_group_arn: "arn".into(),
    };
    bindings.add(binding.clone());
    bindings.add(binding.clone());
    assert_eq!(bindings.list(), std::slice::from_ref(&binding));
    bindings.remove(&binding);
    assert!(bindings.list().is_empty());
}
