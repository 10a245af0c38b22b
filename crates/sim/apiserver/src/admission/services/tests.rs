use serde_json::json;

use super::*;

fn service(kind: &str) -> Value {
    json!({"spec": {"type": kind, "ports": [
            {"name": "https", "port": 443, "targetPort": "webhook"},
            {"name": "metrics", "port": 8080}]}})
}

fn slice(service: &str, port_name: &str, port: i64, endpoints: Value) -> Value {
    json!({"metadata": {"labels": {SERVICE_NAME_LABEL: service}},
               "ports": [{"name": port_name, "port": port}], "endpoints": endpoints})
}

#[test]
fn specs_parse_and_accumulate() {
    let mut map = ServiceAddresses::new();
    map.insert_spec("kube-system/hook=127.0.0.1:9443").unwrap();
    map.insert_spec("kube-system/hook=127.0.0.1:9444").unwrap();
    map.insert_spec("kube-system/hook=127.0.0.1:9444").unwrap();
    assert_eq!(map.get("kube-system/hook").unwrap().len(), 2);
    assert!(parse_spec("hook=127.0.0.1:1").is_err());
    assert!(parse_spec("a/b=localhost").is_err());
    assert!(parse_spec("a/b").is_err());
    assert_eq!(
        map.candidates("x", "hook", 443).unwrap_err(),
        "service \"hook\" not found"
    );
}

#[test]
fn ready_endpoints_with_the_named_port() {
    let slices = [
        slice(
            "hook",
            "https",
            9443,
            json!([{"addresses": ["10.0.1.5"], "conditions": {"ready": true}},
                       {"addresses": ["10.0.1.6"], "conditions": {"ready": false}},
                       {"addresses": ["10.0.1.7"]}]),
        ),
        slice("hook", "https", 9444, json!([{"addresses": ["127.0.0.1"]}])),
        slice(
            "hook",
            "metrics",
            8080,
            json!([{"addresses": ["10.0.1.8"]}]),
        ),
        slice("other", "https", 9443, json!([{"addresses": ["10.0.1.9"]}])),
    ];
    let found = endpoints_of("hook", Some(&service("ClusterIP")), &slices, 443).unwrap();
    let shown: Vec<String> = found.iter().map(ToString::to_string).collect();
    assert_eq!(shown, ["10.0.1.5:9443", "10.0.1.7:9443", "127.0.0.1:9444"]);
}

#[test]
fn failures_say_what_kube_apiserver_says() {
    let svc = service("ClusterIP");
    assert_eq!(
        endpoints_of("hook", None, &[], 443).unwrap_err(),
        "service \"hook\" not found"
    );
    assert_eq!(
        endpoints_of("hook", Some(&service("ExternalName")), &[], 443).unwrap_err(),
        "unsupported service type \"ExternalName\""
    );
    assert_eq!(
        endpoints_of("hook", Some(&svc), &[], 444).unwrap_err(),
        "no service port 444 found for service \"hook\""
    );
    let unready = [slice(
        "hook",
        "https",
        9443,
        json!([{"addresses": ["10.0.1.5"], "conditions": {"ready": false}}]),
    )];
    assert_eq!(
        endpoints_of("hook", Some(&svc), &unready, 443).unwrap_err(),
        "no endpoints available for service \"hook\""
    );
}
