use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::age::{human_duration, parse_rfc3339};
use super::*;

/// 2026-11-21T08:00:00Z
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_795_248_000)
}

fn column_names(table: &Value) -> Vec<(String, i64)> {
    table["columnDefinitions"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().expect("name").to_owned(),
                c["priority"].as_i64().expect("priority"),
            )
        })
        .collect()
}

fn gated_pod() -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web-0", "namespace": "default", "uid": "u1",
                     "creationTimestamp": "2026-11-21T07:57:00Z"},
        "spec": {
            "nodeName": "node-1",
            "containers": [{"name": "app"}, {"name": "side"}],
            "readinessGates": [{"conditionType": "elbv2.k8s.aws/gate-a"},
                               {"conditionType": "elbv2.k8s.aws/gate-b"}]
        },
        "status": {
            "phase": "Running",
            "podIPs": [{"ip": "10.0.0.7"}],
            "conditions": [
                {"type": "elbv2.k8s.aws/gate-a", "status": "True"},
                {"type": "elbv2.k8s.aws/gate-b", "status": "False"},
                {"type": "Ready", "status": "False"}
            ],
            "containerStatuses": [
                {"name": "app", "ready": true, "restartCount": 1, "state": {"running": {}},
                 "lastState": {"terminated": {"finishedAt": "2026-11-21T07:58:00Z"}}},
                {"name": "side", "ready": false, "restartCount": 0, "state": {"running": {}}}
            ]
        }
    })
}

#[test]
fn pod_rows_carry_the_readiness_gates_column() {
    let table = render_table_at(
        "Pod",
        &[gated_pod()],
        None,
        opts(IncludeObject::Metadata, "42"),
        now(),
    );
    assert_eq!(table["kind"], "Table");
    assert_eq!(table["apiVersion"], "meta.k8s.io/v1");
    assert_eq!(table["metadata"]["resourceVersion"], "42");
    assert_eq!(
        column_names(&table),
        [
            ("Name", 0),
            ("Ready", 0),
            ("Status", 0),
            ("Restarts", 0),
            ("Age", 0),
            ("IP", 1),
            ("Node", 1),
            ("Nominated Node", 1),
            ("Readiness Gates", 1)
        ]
        .map(|(n, p)| (n.to_owned(), p))
    );
    assert_eq!(
        table["rows"][0]["cells"],
        json!([
            "web-0",
            "1/2",
            "Running",
            "1 (2m ago)",
            "3m",
            "10.0.0.7",
            "node-1",
            "<none>",
            "1/2"
        ])
    );
    assert_eq!(
        table["rows"][0]["object"],
        json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
               "metadata": gated_pod()["metadata"]})
    );
}

#[test]
fn pod_status_reasons() {
    let mut terminating = gated_pod();
    terminating["metadata"]["deletionTimestamp"] = json!("2026-11-21T07:59:00Z");
    let mut waiting = gated_pod();
    waiting["status"]["containerStatuses"][1]["state"] =
        json!({"waiting": {"reason": "CrashLoopBackOff"}});
    let mut pending = gated_pod();
    pending["status"] = json!({"phase": "Pending"});
    pending["spec"]["readinessGates"] = json!([]);
    let cases = [
        (terminating, "Terminating"),
        (waiting, "CrashLoopBackOff"),
        (pending, "Pending"),
    ];
    for (pod, status) in cases {
        let table = render_table_at("Pod", &[pod], None, opts(IncludeObject::None, "1"), now());
        assert_eq!(table["rows"][0]["cells"][2], status);
    }
}

#[test]
fn include_object_modes() {
    let pod = gated_pod();
    let full = render_table_at(
        "Pod",
        std::slice::from_ref(&pod),
        None,
        opts(IncludeObject::Object, "1"),
        now(),
    );
    assert_eq!(full["rows"][0]["object"], pod);
    let none = render_table_at("Pod", &[pod], None, opts(IncludeObject::None, "1"), now());
    assert!(none["rows"][0].get("object").is_none());
    assert!(none["rows"][0].get("cells").is_some());
}

#[test]
fn crd_printer_columns() {
    let columns = [
        ("SERVICE-NAME", "string", 0, ".spec.serviceRef.name"),
        ("SERVICE-PORT", "string", 0, ".spec.serviceRef.port"),
        ("ARN", "string", 1, ".spec.targetGroupARN"),
        ("DESIRED", "integer", 0, ".status.targets.desired"),
        ("FIRST", "string", 0, ".status.conditions[0].type"),
        (
            "READY",
            "string",
            0,
            ".status.conditions[?(@.type==\"Ready\")].status",
        ),
        ("ALL", "string", 0, ".status.conditions[*].reason"),
        ("AGE", "date", 0, ".metadata.creationTimestamp"),
    ]
    .map(|(name, type_, priority, path)| PrinterColumn {
        name: name.to_owned(),
        type_: type_.to_owned(),
        format: None,
        description: None,
        priority,
        json_path: path.to_owned(),
    });
    let binding = json!({
        "metadata": {"name": "tgb", "creationTimestamp": "2026-11-19T06:00:00Z"},
        "spec": {"serviceRef": {"name": "web", "port": 80}},
        "status": {"targets": {"desired": 3},
                   "conditions": [{"type": "Synced", "status": "True", "reason": "A"},
                                  {"type": "Ready", "status": "False", "reason": "B"}]}
    });
    let table = render_table_at(
        "TargetGroupBinding",
        &[binding],
        Some(&columns),
        opts(IncludeObject::Metadata, "7"),
        now(),
    );
    assert_eq!(
        column_names(&table),
        [
            ("Name", 0),
            ("SERVICE-NAME", 0),
            ("SERVICE-PORT", 0),
            ("ARN", 1),
            ("DESIRED", 0),
            ("FIRST", 0),
            ("READY", 0),
            ("ALL", 0),
            ("AGE", 0)
        ]
        .map(|(n, p)| (n.to_owned(), p))
    );
    assert_eq!(
        table["rows"][0]["cells"],
        json!(["tgb", "web", "80", null, 3, "Synced", "False", "A", "2d2h"])
    );
}

#[test]
fn crd_without_printer_columns_gets_age_and_unknown_kinds_get_the_default_table() {
    let object = json!({"metadata": {"name": "x", "creationTimestamp": "2026-11-21T07:59:55Z"}});
    let custom = render_table_at(
        "Thing",
        std::slice::from_ref(&object),
        Some(&[]),
        opts(IncludeObject::None, "1"),
        now(),
    );
    assert_eq!(
        column_names(&custom),
        [("Name".to_owned(), 0), ("Age".to_owned(), 0)]
    );
    assert_eq!(custom["rows"][0]["cells"], json!(["x", "5s"]));
    let crd = render_table_at(
        "CustomResourceDefinition",
        &[object],
        None,
        opts(IncludeObject::None, "1"),
        now(),
    );
    assert_eq!(
        column_names(&crd),
        [("Name".to_owned(), 0), ("Created At".to_owned(), 0)]
    );
    assert_eq!(crd["columnDefinitions"][1]["type"], "date");
    assert_eq!(
        crd["rows"][0]["cells"],
        json!(["x", "2026-11-21T07:59:55Z"])
    );
}

#[test]
fn other_builtin_kinds() {
    let deployment = json!({"metadata": {"name": "web", "creationTimestamp": "2026-11-21T07:00:00Z"},
        "spec": {"replicas": 5, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"spec": {"containers": [{"name": "app", "image": "app:2"}]}}},
        "status": {"readyReplicas": 4, "updatedReplicas": 2, "availableReplicas": 4}});
    let node = json!({"metadata": {"name": "n1", "labels": {"node-role.kubernetes.io/worker": ""}},
        "spec": {"unschedulable": true},
        "status": {"conditions": [{"type": "Ready", "status": "True"}],
                   "addresses": [{"type": "InternalIP", "address": "10.0.0.1"}],
                   "nodeInfo": {"kubeletVersion": "v1.33.0"}}});
    let service = json!({"metadata": {"name": "web"},
        "spec": {"type": "ClusterIP", "clusterIPs": ["10.96.0.10"],
                 "ports": [{"port": 80, "protocol": "TCP"}], "selector": {"app": "web"}}});
    let slice = json!({"metadata": {"name": "web-abc"}, "addressType": "IPv4",
        "ports": [{"port": 8080}],
        "endpoints": [{"addresses": ["10.0.0.1"]}, {"addresses": ["10.0.0.2"]},
                      {"addresses": ["10.0.0.3"]}, {"addresses": ["10.0.0.4"]}]});
    let webhook =
        json!({"metadata": {"name": "lbgate"}, "webhooks": [{"name": "a"}, {"name": "b"}]});
    let cases = [
        (
            "Deployment",
            deployment,
            json!(["web", "4/5", 2, 4, "60m", "app", "app:2", "app=web"]),
        ),
        (
            "Node",
            node,
            json!([
                "n1",
                "Ready,SchedulingDisabled",
                "worker",
                "<unknown>",
                "v1.33.0",
                "10.0.0.1",
                "<none>",
                "<unknown>",
                "<unknown>",
                "<unknown>"
            ]),
        ),
        (
            "Service",
            service,
            json!([
                "web",
                "ClusterIP",
                "10.96.0.10",
                "<none>",
                "80/TCP",
                "<unknown>",
                "app=web"
            ]),
        ),
        (
            "EndpointSlice",
            slice,
            json!([
                "web-abc",
                "IPv4",
                "8080",
                "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...",
                "<unknown>"
            ]),
        ),
        (
            "MutatingWebhookConfiguration",
            webhook,
            json!(["lbgate", 2, "<unknown>"]),
        ),
    ];
    for (kind, object, cells) in cases {
        let table = render_table_at(kind, &[object], None, opts(IncludeObject::None, "1"), now());
        assert_eq!(table["rows"][0]["cells"], cells, "{kind}");
        let width = table["columnDefinitions"].as_array().map(Vec::len);
        assert_eq!(width, cells.as_array().map(Vec::len), "{kind} column count");
    }
}

#[test]
fn human_durations_match_kubectl() {
    let cases = [
        (-5, "<invalid>"),
        (-1, "0s"),
        (5, "5s"),
        (119, "119s"),
        (200, "3m20s"),
        (180, "3m"),
        (11 * 60, "11m"),
        (3 * 3600 + 60, "3h1m"),
        (10 * 3600, "10h"),
        (2 * 86_400 + 4 * 3600, "2d4h"),
        (30 * 86_400, "30d"),
        (3 * 365 * 86_400 + 10 * 86_400, "3y10d"),
        (9 * 365 * 86_400, "9y"),
    ];
    for (seconds, text) in cases {
        assert_eq!(human_duration(seconds), text, "{seconds}s");
    }
    assert_eq!(parse_rfc3339("1970-01-01T00:01:00Z"), Some(60));
    assert_eq!(
        parse_rfc3339("2026-11-21T08:00:00.123+01:00"),
        Some(1_795_244_400)
    );
    assert_eq!(parse_rfc3339("yesterday"), None);
}

fn opts(include: IncludeObject, list_resource_version: &str) -> TableOptions<'_> {
    TableOptions {
        include,
        list_resource_version,
    }
}
