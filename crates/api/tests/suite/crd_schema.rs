//! The generated CRD: versions, columns, and a schema the API server accepts as structural and
//! that means what LBC's means.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinition, CustomResourceDefinitionVersion,
};
use kube_core::Resource;
use lbgate_api::consts;
use lbgate_api::crd::{MANIFEST_HEADER, crd_yaml, target_group_binding_crd};
use lbgate_api::{v1alpha1, v1beta1};
use serde_json::{Value, json};

fn crd() -> CustomResourceDefinition {
    target_group_binding_crd().unwrap()
}

fn version<'a>(
    crd: &'a CustomResourceDefinition,
    name: &str,
) -> &'a CustomResourceDefinitionVersion {
    crd.spec.versions.iter().find(|v| v.name == name).unwrap()
}

fn schema(crd: &CustomResourceDefinition, name: &str) -> Value {
    let props = version(crd, name)
        .schema
        .as_ref()
        .unwrap()
        .open_api_v3_schema
        .as_ref()
        .unwrap();
    serde_json::to_value(props).unwrap()
}

/// Follows `path` (property names; `[]` steps into array items).
fn at<'a>(schema: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(schema, |node, step| {
        let next = if *step == "[]" {
            &node["items"]
        } else {
            &node["properties"][*step]
        };
        assert!(!next.is_null(), "no schema at {path:?} (stuck at {step})");
        next
    })
}

#[test]
fn identity_names_and_scope() {
    let crd = crd();
    assert_eq!(crd.metadata.name.as_deref(), Some(consts::CRD_NAME));
    assert_eq!(crd.spec.group, consts::GROUP);
    assert_eq!(crd.spec.scope, "Namespaced");
    let names = &crd.spec.names;
    assert_eq!(names.kind, consts::KIND);
    assert_eq!(names.list_kind.as_deref(), Some(consts::LIST_KIND));
    assert_eq!(names.plural, consts::PLURAL);
    assert_eq!(names.singular.as_deref(), Some(consts::SINGULAR));
    assert_eq!(names.short_names, None);
    assert_eq!(names.categories, None);
    // No conversion webhook: the API server only rewrites apiVersion, as with LBC.
    let strategy = crd.spec.conversion.as_ref().map(|c| c.strategy.as_str());
    assert!(matches!(strategy, None | Some("None")), "{strategy:?}");
}

#[test]
fn rust_types_agree_with_the_constants() {
    assert_eq!(v1beta1::TargetGroupBinding::group(&()), consts::GROUP);
    assert_eq!(v1beta1::TargetGroupBinding::kind(&()), consts::KIND);
    assert_eq!(v1beta1::TargetGroupBinding::plural(&()), consts::PLURAL);
    assert_eq!(
        v1beta1::TargetGroupBinding::api_version(&()),
        consts::API_VERSION_V1BETA1
    );
    assert_eq!(
        v1alpha1::TargetGroupBinding::api_version(&()),
        consts::API_VERSION_V1ALPHA1
    );
    assert_eq!(v1alpha1::TargetGroupBinding::plural(&()), consts::PLURAL);
    assert_eq!(consts::STORAGE_VERSION, consts::VERSION_V1BETA1);
    assert_eq!(
        consts::CRD_NAME,
        format!("{}.{}", consts::PLURAL, consts::GROUP)
    );
}

#[test]
fn both_versions_served_v1beta1_stored_with_status_subresource() {
    let crd = crd();
    let names: Vec<&str> = crd.spec.versions.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, [consts::VERSION_V1ALPHA1, consts::VERSION_V1BETA1]);
    for v in &crd.spec.versions {
        assert!(v.served, "{} must be served", v.name);
        assert_eq!(
            v.storage,
            v.name == consts::STORAGE_VERSION,
            "storage flag of {}",
            v.name
        );
        let status = v.subresources.as_ref().and_then(|s| s.status.as_ref());
        assert!(status.is_some(), "{} needs the status subresource", v.name);
        assert!(v.subresources.as_ref().unwrap().scale.is_none());
        assert_eq!(v.deprecated, None);
    }
}

#[test]
fn printer_columns_in_order() {
    let crd = crd();
    let columns = |name| -> Vec<(String, String, String, i32)> {
        version(&crd, name)
            .additional_printer_columns
            .as_ref()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    c.json_path.clone(),
                    c.type_.clone(),
                    c.priority.unwrap_or(0),
                )
            })
            .collect()
    };
    let col = |name: &str, path: &str, type_: &str, priority| {
        (name.to_owned(), path.to_owned(), type_.to_owned(), priority)
    };
    let lbc = vec![
        col("SERVICE-NAME", ".spec.serviceRef.name", "string", 0),
        col("SERVICE-PORT", ".spec.serviceRef.port", "string", 0),
        col("TARGET-TYPE", ".spec.targetType", "string", 0),
        col("ARN", ".spec.targetGroupARN", "string", 1),
        col("NAME", ".spec.targetGroupName", "string", 2),
    ];
    let mut v1alpha1 = lbc.clone();
    v1alpha1.push(col("AGE", ".metadata.creationTimestamp", "date", 0));
    assert_eq!(columns("v1alpha1"), v1alpha1);

    let mut v1beta1 = lbc;
    v1beta1.push(col("READY", ".status.targets.desired", "integer", 0));
    v1beta1.push(col("HEALTHY", ".status.targets.healthy", "integer", 0));
    v1beta1.push(col("AGE", ".metadata.creationTimestamp", "date", 0));
    assert_eq!(columns("v1beta1"), v1beta1);
}

#[test]
fn spec_fields_enums_and_required_as_lbc() {
    let crd = crd();
    let beta = schema(&crd, "v1beta1");
    let alpha = schema(&crd, "v1alpha1");

    let keys = |node: &Value| -> Vec<String> {
        node["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(
        keys(at(&beta, &["spec"])),
        [
            "assumeRoleExternalId",
            "iamRoleArnToAssume",
            "ipAddressType",
            "multiClusterTargetGroup",
            "networking",
            "nodeSelector",
            "serviceRef",
            "targetGroupARN",
            "targetGroupName",
            "targetGroupProtocol",
            "targetType",
            "vpcID",
        ]
    );
    assert_eq!(
        keys(at(&alpha, &["spec"])),
        [
            "assumeRoleExternalId",
            "iamRoleArnToAssume",
            "multiClusterTargetGroup",
            "networking",
            "serviceRef",
            "targetGroupARN",
            "targetGroupName",
            "targetType",
        ]
    );
    assert_eq!(
        keys(at(&beta, &["status"])),
        [
            "conditions",
            "lastSyncTime",
            "observedGeneration",
            "targets"
        ]
    );
    assert_eq!(keys(at(&alpha, &["status"])), ["observedGeneration"]);

    for root in [&beta, &alpha] {
        assert_eq!(
            root.get("required"),
            None,
            "LBC does not require spec at the root"
        );
        assert_eq!(at(root, &["spec"])["required"], json!(["serviceRef"]));
        assert_eq!(
            at(root, &["spec", "serviceRef"])["required"],
            json!(["name", "port"])
        );
        assert_eq!(
            at(root, &["spec", "targetType"])["enum"],
            json!(["instance", "ip"])
        );
        let rule = at(root, &["spec", "networking", "ingress", "[]"]);
        assert_eq!(rule["required"], json!(["from", "ports"]));
        assert_eq!(
            at(rule, &["from", "[]", "ipBlock"])["required"],
            json!(["cidr"])
        );
        assert_eq!(
            at(rule, &["from", "[]", "securityGroup"])["required"],
            json!(["groupID"])
        );
        assert_eq!(
            at(rule, &["ports", "[]", "protocol"])["enum"],
            json!(["TCP", "UDP"])
        );
        assert_eq!(
            at(root, &["spec", "multiClusterTargetGroup"])["type"],
            "boolean"
        );
        assert_eq!(
            at(root, &["status", "observedGeneration"])["format"],
            "int64"
        );
    }
    assert_eq!(
        at(&beta, &["spec", "ipAddressType"])["enum"],
        json!(["ipv4", "ipv6"])
    );
    assert_eq!(
        at(&beta, &["spec", "targetGroupProtocol"])["enum"],
        json!([
            "HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", "QUIC", "TCP_QUIC"
        ])
    );

    let selector = at(&beta, &["spec", "nodeSelector"]);
    assert_eq!(selector["x-kubernetes-map-type"], "atomic");
    assert_eq!(
        at(selector, &["matchExpressions"])["x-kubernetes-list-type"],
        "atomic"
    );
    assert_eq!(
        at(selector, &["matchExpressions", "[]"])["required"],
        json!(["key", "operator"])
    );
    assert_eq!(
        at(selector, &["matchLabels"])["additionalProperties"],
        json!({"type": "string"})
    );
}

#[test]
fn status_extensions() {
    let beta = schema(&crd(), "v1beta1");
    let conditions = at(&beta, &["status", "conditions"]);
    assert_eq!(conditions["x-kubernetes-list-type"], "map");
    assert_eq!(conditions["x-kubernetes-list-map-keys"], json!(["type"]));
    assert_eq!(
        conditions["items"]["required"],
        json!(["lastTransitionTime", "message", "reason", "status", "type"])
    );
    assert_eq!(
        at(conditions, &["[]", "status"])["enum"],
        json!(["True", "False", "Unknown"])
    );
    assert_eq!(
        at(&beta, &["status", "lastSyncTime"])["format"],
        "date-time"
    );
    let targets = at(&beta, &["status", "targets"]);
    let counts: Vec<&String> = targets["properties"].as_object().unwrap().keys().collect();
    assert_eq!(
        counts,
        [
            "desired",
            "draining",
            "healthy",
            "initial",
            "registered",
            "unavailable",
            "unhealthy",
            "unused"
        ]
    );
    for (name, count) in targets["properties"].as_object().unwrap() {
        assert_eq!(
            (&count["type"], &count["format"]),
            (&json!("integer"), &json!("int32")),
            "{name}"
        );
    }
    assert_eq!(targets.get("required"), None);
}

#[test]
fn int_or_string_fields_are_marked() {
    let crd = crd();
    for name in ["v1alpha1", "v1beta1"] {
        let root = schema(&crd, name);
        for path in [
            &["spec", "serviceRef", "port"][..],
            &["spec", "networking", "ingress", "[]", "ports", "[]", "port"][..],
        ] {
            let node = at(&root, path);
            assert_eq!(node["x-kubernetes-int-or-string"], true, "{name} {path:?}");
            assert_eq!(
                node["anyOf"],
                json!([{"type": "integer"}, {"type": "string"}]),
                "{name} {path:?}"
            );
            assert_eq!(node.get("type"), None, "{name} {path:?}");
        }
    }
}

/// The rules of a structural schema that a derived schema can break, plus LBC's choices:
/// no defaults, no CEL, no `nullable`.
fn check_structural(node: &Value, path: &str, problems: &mut Vec<String>) {
    let Some(obj) = node.as_object() else {
        problems.push(format!("{path}: not an object"));
        return;
    };
    let int_or_string = obj.get("x-kubernetes-int-or-string") == Some(&json!(true));
    let preserve = obj.get("x-kubernetes-preserve-unknown-fields") == Some(&json!(true));
    if !obj.contains_key("type") && !int_or_string && !preserve {
        problems.push(format!("{path}: no type"));
    }
    if obj.contains_key("properties") && obj.get("type") != Some(&json!("object")) {
        problems.push(format!("{path}: properties without type object"));
    }
    if obj.contains_key("items") && obj.get("type") != Some(&json!("array")) {
        problems.push(format!("{path}: items without type array"));
    }
    for banned in [
        "$ref",
        "oneOf",
        "allOf",
        "not",
        "nullable",
        "default",
        "x-kubernetes-validations",
        "title",
    ] {
        if obj.contains_key(banned) {
            problems.push(format!("{path}: has {banned}"));
        }
    }
    if let Some(any_of) = obj.get("anyOf")
        && (!int_or_string || any_of != &json!([{"type": "integer"}, {"type": "string"}]))
    {
        problems.push(format!("{path}: anyOf other than int-or-string"));
    }
    if let Some(values) = obj.get("enum").and_then(Value::as_array)
        && values.iter().any(Value::is_null)
    {
        problems.push(format!("{path}: null in enum"));
    }
    if let Some(properties) = obj.get("properties").and_then(Value::as_object) {
        for (name, child) in properties {
            check_structural(child, &format!("{path}.{name}"), problems);
        }
    }
    if let Some(items) = obj.get("items") {
        check_structural(items, &format!("{path}[]"), problems);
    }
    if let Some(additional) = obj.get("additionalProperties").filter(|v| v.is_object()) {
        check_structural(additional, &format!("{path}{{}}"), problems);
    }
}

#[test]
fn schemas_are_structural() {
    let crd = crd();
    for name in ["v1alpha1", "v1beta1"] {
        let root = schema(&crd, name);
        assert_eq!(root["type"], "object");
        for meta in ["apiVersion", "kind"] {
            assert_eq!(at(&root, &[meta])["type"], "string");
        }
        assert_eq!(at(&root, &["metadata"])["type"], "object");
        let mut problems = Vec::new();
        check_structural(&root, name, &mut problems);
        assert!(
            problems.is_empty(),
            "{name} is not structural:\n{}",
            problems.join("\n")
        );
    }
}

#[test]
fn structural_check_catches_what_it_claims_to() {
    let bad = json!({
        "type": "object",
        "properties": {
            "a": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            "b": {"type": "string", "nullable": true},
            "c": {"$ref": "#/x"},
            "d": {"properties": {}},
        },
    });
    let mut problems = Vec::new();
    check_structural(&bad, "bad", &mut problems);
    for expected in [
        "bad.a: no type",
        "bad.a: anyOf",
        "bad.b: has nullable",
        "bad.c: has $ref",
        "bad.d: properties without",
    ] {
        assert!(
            problems.iter().any(|p| p.starts_with(expected)),
            "missing {expected:?} in {problems:?}"
        );
    }
}

#[test]
fn yaml_parses_back_into_the_same_crd() {
    let yaml = crd_yaml().unwrap();
    assert!(yaml.starts_with(MANIFEST_HEADER));
    assert!(yaml.starts_with("# Generated"));
    let parsed: CustomResourceDefinition = serde_saphyr::from_str(&yaml).unwrap();
    assert_eq!(parsed, crd());
}
