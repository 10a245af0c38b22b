use serde_json::{Value, json};

use super::*;

fn target(kind: &str) -> PatchTarget {
    PatchTarget {
        group: String::new(),
        kind: kind.to_owned(),
        custom: false,
    }
}

fn custom(kind: &str) -> PatchTarget {
    PatchTarget {
        group: "elbv2.k8s.aws".to_owned(),
        kind: kind.to_owned(),
        custom: true,
    }
}

fn run(patch_type: PatchType, target: &PatchTarget, current: &Value, patch: &Value) -> Value {
    let body = patch.to_string();
    match apply_patch(patch_type, target, current, body.as_bytes()) {
        Ok(value) => value,
        Err(err) => panic!("patch {patch} failed: {err:?}"),
    }
}

fn pod_with_conditions() -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web-0", "namespace": "default", "finalizers": ["a", "b"]},
        "spec": {
            "containers": [
                {"name": "app", "image": "app:1", "ports": [{"containerPort": 80}],
                 "env": [{"name": "A", "value": "1"}]},
                {"name": "sidecar", "image": "side:1"}
            ],
            "readinessGates": [{"conditionType": "example.com/gate-a"}]
        },
        "status": {
            "phase": "Running",
            "conditions": [
                {"type": "Initialized", "status": "True"},
                {"type": "Ready", "status": "False", "reason": "ContainersNotReady"},
                {"type": "ContainersReady", "status": "False"}
            ]
        }
    })
}

/// One strategic-merge case: patch → expected value at a JSON pointer.
struct SmpCase {
    name: &'static str,
    patch: Value,
    pointer: &'static str,
    expected: Value,
}

#[test]
fn strategic_merge_cases_on_a_pod() {
    let cases = [
        SmpCase {
            // The acceptance case: a status patch adds one condition, the others stay.
            name: "add one pod condition without touching the others",
            patch: json!({"status": {"conditions": [
                {"type": "example.com/gate-a", "status": "True"}
            ]}}),
            pointer: "/status/conditions",
            // kube-apiserver puts patch-only items before the live ones (mergeSortedSlice).
            expected: json!([
                {"type": "example.com/gate-a", "status": "True"},
                {"type": "Initialized", "status": "True"},
                {"type": "Ready", "status": "False", "reason": "ContainersNotReady"},
                {"type": "ContainersReady", "status": "False"}
            ]),
        },
        SmpCase {
            name: "replace one condition's status by type",
            patch: json!({"status": {"conditions": [
                {"type": "Ready", "status": "True", "reason": null}
            ]}}),
            pointer: "/status/conditions",
            expected: json!([
                {"type": "Initialized", "status": "True"},
                {"type": "Ready", "status": "True"},
                {"type": "ContainersReady", "status": "False"}
            ]),
        },
        SmpCase {
            name: "setElementOrder orders the merged conditions",
            patch: json!({"status": {
                "$setElementOrder/conditions": [
                    {"type": "Ready"}, {"type": "Initialized"}, {"type": "ContainersReady"}
                ],
                "conditions": [{"type": "Ready", "status": "True"}]
            }}),
            pointer: "/status/conditions",
            expected: json!([
                {"type": "Ready", "status": "True", "reason": "ContainersNotReady"},
                {"type": "Initialized", "status": "True"},
                {"type": "ContainersReady", "status": "False"}
            ]),
        },
        SmpCase {
            // `spec.readinessGates` is `+listType=atomic` with no patchStrategy in k8s.io/api.
            name: "readiness gates are replaced as a whole",
            patch: json!({"spec": {"readinessGates": [{"conditionType": "example.com/gate-b"}]}}),
            pointer: "/spec/readinessGates",
            expected: json!([{"conditionType": "example.com/gate-b"}]),
        },
        SmpCase {
            name: "containers merge by name",
            patch: json!({"spec": {"containers": [{"name": "app", "image": "app:2"}]}}),
            pointer: "/spec/containers",
            expected: json!([
                {"name": "app", "image": "app:2", "ports": [{"containerPort": 80}],
                 "env": [{"name": "A", "value": "1"}]},
                {"name": "sidecar", "image": "side:1"}
            ]),
        },
        SmpCase {
            name: "container env merges by name and ports by containerPort",
            patch: json!({"spec": {"containers": [{"name": "app",
                "env": [{"name": "A", "value": "2"}],
                "ports": [{"containerPort": 80, "name": "http"}]}]}}),
            pointer: "/spec/containers/0",
            expected: json!({"name": "app", "image": "app:1",
                "ports": [{"containerPort": 80, "name": "http"}],
                "env": [{"name": "A", "value": "2"}]}),
        },
        SmpCase {
            name: "$patch: delete removes a list item by key",
            patch: json!({"spec": {"containers": [{"name": "sidecar", "$patch": "delete"}]}}),
            pointer: "/spec/containers/1",
            expected: Value::Null,
        },
        SmpCase {
            name: "$patch: replace as a list item replaces the list",
            patch: json!({"status": {"conditions": [
                {"$patch": "replace"}, {"type": "Ready", "status": "True"}
            ]}}),
            pointer: "/status/conditions",
            expected: json!([{"type": "Ready", "status": "True"}]),
        },
        SmpCase {
            name: "$patch: replace on a map replaces it",
            patch: json!({"status": {"$patch": "replace", "phase": "Pending"}}),
            pointer: "/status",
            expected: json!({"phase": "Pending"}),
        },
        SmpCase {
            name: "$patch: delete on a map empties it",
            patch: json!({"status": {"$patch": "delete"}}),
            pointer: "/status",
            expected: json!({}),
        },
        SmpCase {
            name: "finalizers merge as a set",
            patch: json!({"metadata": {"finalizers": ["b", "c"]}}),
            pointer: "/metadata/finalizers",
            expected: json!(["a", "b", "c"]),
        },
        SmpCase {
            name: "finalizers delete with $deleteFromPrimitiveList",
            patch: json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}}),
            pointer: "/metadata/finalizers",
            expected: json!(["b"]),
        },
        SmpCase {
            name: "null deletes a field",
            patch: json!({"status": {"phase": null}}),
            pointer: "/status/phase",
            expected: Value::Null,
        },
        SmpCase {
            name: "the engine returns a renamed object as the patch says",
            patch: json!({"metadata": {"name": "other"}}),
            pointer: "/metadata/name",
            expected: json!("other"),
        },
    ];
    let pod = pod_with_conditions();
    for case in cases {
        let patched = run(PatchType::StrategicMerge, &target("Pod"), &pod, &case.patch);
        let got = patched
            .pointer(case.pointer)
            .cloned()
            .unwrap_or(Value::Null);
        assert_eq!(got, case.expected, "case: {}", case.name);
    }
}

#[test]
fn strategic_merge_uses_pod_rules_inside_a_deployment_template() {
    let deployment = json!({"kind": "Deployment", "spec": {"template": {"spec": {"containers": [
        {"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}
    ]}}}});
    let patch = json!({"spec": {"template": {"spec": {"containers": [
        {"name": "b", "image": "b:2"}
    ]}}}});
    let patched = run(
        PatchType::StrategicMerge,
        &target("Deployment"),
        &deployment,
        &patch,
    );
    assert_eq!(
        patched.pointer("/spec/template/spec/containers"),
        Some(&json!([{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:2"}]))
    );
}

#[test]
fn strategic_merge_retain_keys_clears_other_fields() {
    let deployment = json!({"spec": {"strategy": {
        "type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}
    }}});
    let patch = json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}});
    let patched = run(
        PatchType::StrategicMerge,
        &target("Deployment"),
        &deployment,
        &patch,
    );
    assert_eq!(
        patched.pointer("/spec/strategy"),
        Some(&json!({"type": "Recreate"}))
    );
}

#[test]
fn strategic_merge_errors() {
    let pod = pod_with_conditions();
    let cases: [(&str, &[u8], u16); 4] = [
        ("not json", b"{", 400),
        ("not an object", b"[1]", 400),
        (
            "list item without its merge key",
            br#"{"status":{"conditions":[{"status":"True"}]}}"#,
            500,
        ),
        (
            "a key outside $retainKeys",
            br#"{"status":{"$retainKeys":["phase"],"reason":"x"}}"#,
            400,
        ),
    ];
    for (name, body, code) in cases {
        let err = apply_patch_with_status(PatchType::StrategicMerge, &target("Pod"), &pod, body)
            .expect_err(name);
        assert_eq!(err.code, code, "case: {name}: {err:?}");
    }
}

#[test]
fn strategic_merge_on_a_custom_resource_is_refused() {
    let err = apply_patch_with_status(
        PatchType::StrategicMerge,
        &custom("TargetGroupBinding"),
        &json!({"spec": {}}),
        b"{}",
    )
    .expect_err("SMP on a custom resource");
    assert_eq!(err.code, 415);
    assert_eq!(err.reason, "UnsupportedMediaType");
    assert_eq!(
        err.message,
        "the body of the request was in an unknown format - accepted media types include: \
         application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
    );
}

#[test]
fn apply_patch_folds_failures_into_the_two_variants() {
    let refused = apply_patch(
        PatchType::StrategicMerge,
        &custom("TargetGroupBinding"),
        &json!({}),
        b"{}",
    );
    assert!(matches!(refused, Err(PatchError::UnsupportedMediaType(_))));
    let undecodable = apply_patch(PatchType::Json, &target("Pod"), &json!({}), b"{");
    assert!(matches!(undecodable, Err(PatchError::Invalid(_))));
}

#[test]
fn merge_patch_null_deletes_objects_merge_arrays_replace() {
    let current = json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"list": [1, 2]}});
    let patch = json!({"metadata": {"labels": {"a": null, "c": "3"}}, "spec": {"list": [3]}});
    let patched = run(PatchType::Merge, &custom("Thing"), &current, &patch);
    assert_eq!(
        patched,
        json!({"metadata": {"labels": {"b": "2", "c": "3"}}, "spec": {"list": [3]}})
    );
    let err = apply_patch_with_status(PatchType::Merge, &target("Pod"), &current, b"nope")
        .expect_err("bad");
    assert_eq!(
        (err.code, err.message.as_str()),
        (400, "Invalid JSON Patch")
    );
}

#[test]
fn json_patch_operations() {
    let current = json!({"metadata": {"labels": {"a": "1"}}, "spec": {"items": ["x"]}});
    let cases = [
        (
            json!([{"op": "test", "path": "/metadata/labels/a", "value": "1"},
                   {"op": "replace", "path": "/metadata/labels/a", "value": "2"}]),
            json!({"metadata": {"labels": {"a": "2"}}, "spec": {"items": ["x"]}}),
        ),
        (
            json!([{"op": "add", "path": "/spec/items/-", "value": "y"}]),
            json!({"metadata": {"labels": {"a": "1"}}, "spec": {"items": ["x", "y"]}}),
        ),
        (
            json!([{"op": "remove", "path": "/metadata/labels/a"}]),
            json!({"metadata": {"labels": {}}, "spec": {"items": ["x"]}}),
        ),
    ];
    for (patch, expected) in cases {
        assert_eq!(
            run(PatchType::Json, &target("Pod"), &current, &patch),
            expected,
            "patch {patch}"
        );
    }
}

#[test]
fn json_patch_failures() {
    let current = json!({"metadata": {"labels": {"a": "1"}}});
    let failed_test = json!([{"op": "test", "path": "/metadata/labels/a", "value": "2"},
                             {"op": "remove", "path": "/metadata/labels/a"}]);
    let err = apply_patch_with_status(
        PatchType::Json,
        &target("Pod"),
        &current,
        failed_test.to_string().as_bytes(),
    )
    .expect_err("failing test op");
    assert_eq!(err.code, 422);
    assert_eq!(
        err.message,
        "the server rejected our request due to an error in our request"
    );
    let too_many = serde_json::to_vec(&vec![
        json!({"op": "test", "path": "", "value": {}});
        10_001
    ])
    .expect("encode");
    let err = apply_patch_with_status(PatchType::Json, &target("Pod"), &current, &too_many)
        .expect_err("too many operations");
    assert_eq!((err.code, err.reason), (413, "RequestEntityTooLarge"));
    let cases: [(&[u8], u16); 4] = [
        (br#"{"op":"add"}"#, 400),
        (b"[1]", 400),
        (br#"[{"op":"frobnicate","path":"/a"}]"#, 422),
        (br#"[{"op":"remove","path":"/missing"}]"#, 422),
    ];
    for (body, code) in cases {
        let err = apply_patch_with_status(PatchType::Json, &target("Pod"), &current, body)
            .expect_err("must fail");
        assert_eq!(err.code, code, "body {}", String::from_utf8_lossy(body));
    }
}

#[test]
fn apply_merges_status_and_finalizers_without_deleting() {
    let pod = pod_with_conditions();
    let config = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web-0", "finalizers": ["c"]},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]}
    });
    let patched = run(PatchType::Apply, &target("Pod"), &pod, &config);
    assert_eq!(
        patched.pointer("/metadata/finalizers"),
        Some(&json!(["a", "b", "c"]))
    );
    assert_eq!(
        patched.pointer("/status/conditions/1"),
        Some(&json!({"type": "Ready", "status": "True", "reason": "ContainersNotReady"}))
    );
    assert_eq!(patched.pointer("/status/phase"), Some(&json!("Running")));
    assert_eq!(
        patched.pointer("/spec/containers/1/name"),
        Some(&json!("sidecar"))
    );
    // Apply creates from nothing (the server passes Null when the object does not exist).
    let created = run(PatchType::Apply, &custom("Thing"), &Value::Null, &config);
    assert_eq!(created.pointer("/metadata/finalizers"), Some(&json!(["c"])));
}

#[test]
fn patch_type_from_content_type() {
    let cases = [
        ("application/json-patch+json", Some(PatchType::Json)),
        (
            "application/merge-patch+json; charset=utf-8",
            Some(PatchType::Merge),
        ),
        (
            "application/strategic-merge-patch+json",
            Some(PatchType::StrategicMerge),
        ),
        ("application/apply-patch+yaml", Some(PatchType::Apply)),
        ("application/json", None),
    ];
    for (header, expected) in cases {
        assert_eq!(PatchType::from_content_type(header), expected, "{header}");
    }
}
