//! Custom resources held to their CRD's schema, through the HTTP API: the real
//! TargetGroupBinding CRD rejects a bad `targetType` and a missing required field with
//! kube-apiserver's `Invalid` wording, prunes unknown fields (a warning by default, a failure
//! under `fieldValidation=Strict`), validates status writes against the status schema; a small
//! CRD of this test's own shows per-version schemas and `default:`; kubectl prints the server's
//! message.

use std::path::Path;
use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{ApiResource, DynamicObject, Patch, PatchParams, PostParams};
use kube::{Api, Client};
use lbgate_api::crd::target_group_binding_crd;
use lbgate_sim_apiserver::KubeSim;
use serde_json::{Value, json};

use crate::support::{DEADLINE, start, within};

const ARN: &str =
    "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/web/0123456789abcdef";
const BINDINGS: &str = "/apis/elbv2.k8s.aws/v1beta1/namespaces/default/targetgroupbindings";

fn binding(name: &str, spec: Value) -> Value {
    json!({"apiVersion": "elbv2.k8s.aws/v1beta1", "kind": "TargetGroupBinding",
           "metadata": {"name": name}, "spec": spec})
}

fn good_spec() -> Value {
    json!({"targetGroupARN": ARN, "targetType": "ip", "serviceRef": {"name": "web", "port": 80}})
}

fn tgb_resource() -> ApiResource {
    ApiResource {
        group: "elbv2.k8s.aws".into(),
        version: "v1beta1".into(),
        api_version: "elbv2.k8s.aws/v1beta1".into(),
        kind: "TargetGroupBinding".into(),
        plural: "targetgroupbindings".into(),
    }
}

async fn with_tgb_crd() -> (KubeSim, Client) {
    let (sim, client) = start().await;
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    crds.create(&PostParams::default(), &target_group_binding_crd().unwrap())
        .await
        .unwrap();
    (sim, client)
}

fn status_of(error: kube::Error) -> kube::core::Status {
    match error {
        kube::Error::Api(status) => *status,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// A raw request, for what kube-rs does not show (the `Warning` headers, query options).
async fn send(
    sim: &KubeSim,
    method: reqwest::Method,
    path: &str,
    content_type: &str,
    body: &Value,
) -> (u16, Vec<String>, Value) {
    let http = reqwest::Client::builder()
        .timeout(DEADLINE)
        .build()
        .unwrap();
    let response = http
        .request(method, format!("{}{path}", sim.url()))
        .header("content-type", content_type)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let code = response.status().as_u16();
    let warnings = response
        .headers()
        .get_all("warning")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    (code, warnings, response.json().await.unwrap())
}

#[tokio::test]
async fn an_invalid_target_type_is_rejected_with_the_api_servers_message() {
    let (_sim, client) = with_tgb_crd().await;
    let bindings: Api<DynamicObject> = Api::namespaced_with(client, "default", &tgb_resource());
    let mut spec = good_spec();
    spec["targetType"] = json!("foo");
    let object: DynamicObject = serde_json::from_value(binding("x", spec)).unwrap();
    let status = status_of(
        bindings
            .create(&PostParams::default(), &object)
            .await
            .unwrap_err(),
    );
    assert_eq!((status.code, status.reason.as_str()), (422, "Invalid"));
    assert_eq!(
        status.message,
        r#"TargetGroupBinding.elbv2.k8s.aws "x" is invalid: spec.targetType: Unsupported value: "foo": supported values: "instance", "ip""#
    );
    let details = status.details.unwrap();
    assert_eq!(details.group, "elbv2.k8s.aws");
    assert_eq!(details.kind, "TargetGroupBinding");
    let cause = &details.causes[0];
    assert_eq!(cause.reason, "FieldValueNotSupported");
    assert_eq!(cause.field, "spec.targetType");
    assert_eq!(
        cause.message,
        r#"Unsupported value: "foo": supported values: "instance", "ip""#
    );
    // Nothing was stored; a valid binding is.
    assert!(bindings.get_opt("x").await.unwrap().is_none());
    let good: DynamicObject = serde_json::from_value(binding("x", good_spec())).unwrap();
    bindings
        .create(&PostParams::default(), &good)
        .await
        .unwrap();

    // A patch is validated on its result.
    let patch = json!({"spec": {"targetType": "pod"}});
    let status = status_of(
        bindings
            .patch("x", &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        status.message,
        r#"TargetGroupBinding.elbv2.k8s.aws "x" is invalid: spec.targetType: Unsupported value: "pod": supported values: "instance", "ip""#
    );
}

#[tokio::test]
async fn a_missing_required_field_is_rejected() {
    let (sim, _client) = with_tgb_crd().await;
    let spec = json!({"targetGroupARN": ARN, "serviceRef": {"port": "http"}});
    let (code, _, status) = send(
        &sim,
        reqwest::Method::POST,
        BINDINGS,
        "application/json",
        &binding("nameless", spec),
    )
    .await;
    assert_eq!(code, 422);
    assert_eq!(
        status["message"],
        r#"TargetGroupBinding.elbv2.k8s.aws "nameless" is invalid: spec.serviceRef.name: Required value"#
    );
    assert_eq!(
        status["details"]["causes"],
        json!([{"reason": "FieldValueRequired", "message": "Required value",
                "field": "spec.serviceRef.name"}])
    );
    // Two problems are listed together.
    let spec = json!({"targetType": 7});
    let (code, _, status) = send(
        &sim,
        reqwest::Method::POST,
        BINDINGS,
        "application/json",
        &binding("two", spec),
    )
    .await;
    assert_eq!(code, 422);
    assert_eq!(
        status["message"],
        r#"TargetGroupBinding.elbv2.k8s.aws "two" is invalid: [spec.targetType: Invalid value: "integer": spec.targetType in body must be of type string: "integer", spec.targetType: Unsupported value: 7: supported values: "instance", "ip", spec.serviceRef: Required value]"#
    );
}

#[tokio::test]
async fn unknown_fields_are_pruned_with_a_warning_or_refused_when_strict() {
    let (sim, _client) = with_tgb_crd().await;
    let mut spec = good_spec();
    spec["foo"] = json!("bar");
    let mut object = binding("warned", spec.clone());
    object["metadata"]["colour"] = json!("red");
    let (code, warnings, stored) = send(
        &sim,
        reqwest::Method::POST,
        BINDINGS,
        "application/json",
        &object,
    )
    .await;
    assert_eq!(code, 201, "{stored}");
    assert_eq!(
        warnings,
        [
            r#"299 - "unknown field \"metadata.colour\"""#,
            r#"299 - "unknown field \"spec.foo\"""#
        ]
    );
    assert!(stored["spec"].get("foo").is_none());
    assert!(stored["metadata"].get("colour").is_none());
    assert_eq!(stored["spec"]["targetType"], "ip");

    let strict = format!("{BINDINGS}?fieldValidation=Strict");
    let (code, _, status) = send(
        &sim,
        reqwest::Method::POST,
        &strict,
        "application/json",
        &binding("strict", spec.clone()),
    )
    .await;
    assert_eq!((code, status["reason"].as_str()), (400, Some("BadRequest")));
    assert_eq!(
        status["message"],
        r#"TargetGroupBinding in version "v1beta1" cannot be handled as a TargetGroupBinding: strict decoding error: unknown field "spec.foo""#
    );

    let ignore = format!("{BINDINGS}?fieldValidation=Ignore");
    let (code, warnings, _) = send(
        &sim,
        reqwest::Method::POST,
        &ignore,
        "application/json",
        &binding("ignored", spec),
    )
    .await;
    assert_eq!((code, warnings.len()), (201, 0));

    // A merge patch that adds an unknown field: pruned with a warning, or 422 when strict.
    let patch = json!({"spec": {"bar": 1}});
    let path = format!("{BINDINGS}/warned");
    let (code, warnings, patched) = send(
        &sim,
        reqwest::Method::PATCH,
        &path,
        "application/merge-patch+json",
        &patch,
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(warnings, [r#"299 - "unknown field \"spec.bar\"""#]);
    assert!(patched["spec"].get("bar").is_none());
    let (code, _, status) = send(
        &sim,
        reqwest::Method::PATCH,
        &format!("{path}?fieldValidation=Strict"),
        "application/merge-patch+json",
        &patch,
    )
    .await;
    assert_eq!(code, 422);
    let message = status["message"].as_str().unwrap();
    assert!(
        message.starts_with(r#" "" is invalid: patch: Invalid value: "{"#),
        "{message}"
    );
    assert!(
        message.ends_with(r#"": strict decoding error: unknown field "spec.bar""#),
        "{message}"
    );
}

#[tokio::test]
async fn status_writes_are_validated_against_the_status_schema() {
    let (_sim, client) = with_tgb_crd().await;
    let bindings: Api<DynamicObject> = Api::namespaced_with(client, "default", &tgb_resource());
    let object: DynamicObject = serde_json::from_value(binding("web", good_spec())).unwrap();
    bindings
        .create(&PostParams::default(), &object)
        .await
        .unwrap();
    let condition = |reason: &str| {
        json!({"status": {"conditions": [{"type": "Ready", "status": "False", "reason": reason,
            "message": "", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}})
    };
    // An AWS reason code copied verbatim is not a valid condition reason.
    let status = status_of(
        bindings
            .patch_status(
                "web",
                &PatchParams::default(),
                &Patch::Merge(&condition("Elb.InitialHealthChecking")),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(
        status.message,
        r#"TargetGroupBinding.elbv2.k8s.aws "web" is invalid: status.conditions[0].reason: Invalid value: "Elb.InitialHealthChecking": conditions[0].reason in body should match '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$'"#
    );
    let written = bindings
        .patch_status(
            "web",
            &PatchParams::default(),
            &Patch::Merge(&condition("InitialHealthChecking")),
        )
        .await
        .unwrap();
    assert_eq!(
        written.data["status"]["conditions"][0]["reason"],
        "InitialHealthChecking"
    );
}

fn widget_crd() -> Value {
    let version = |name: &str, storage: bool, spec: Value| {
        json!({"name": name, "served": true, "storage": storage,
               "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": spec}}}})
    };
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [
                version("v1", true, json!({"type": "object", "properties": {
                    "replicas": {"type": "integer", "default": 1},
                    "size": {"type": "string", "default": "small",
                             "enum": ["small", "large"]}}})),
                version("v2", false, json!({"type": "object", "required": ["size"],
                    "properties": {"size": {"type": "integer", "minimum": 1}}})),
            ]},
    })
}

#[tokio::test]
async fn defaults_and_rules_come_from_the_schema_of_the_requested_version() {
    let (sim, _client) = start().await;
    let crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    let (code, _, _) = send(
        &sim,
        reqwest::Method::POST,
        crds,
        "application/json",
        &widget_crd(),
    )
    .await;
    assert_eq!(code, 201);
    let widget = |version: &str, name: &str, spec: Value| {
        json!({"apiVersion": format!("example.com/{version}"), "kind": "Widget",
               "metadata": {"name": name}, "spec": spec})
    };
    let v1 = "/apis/example.com/v1/namespaces/default/widgets";
    let (code, _, stored) = send(
        &sim,
        reqwest::Method::POST,
        v1,
        "application/json",
        &widget("v1", "a", json!({})),
    )
    .await;
    assert_eq!(code, 201);
    assert_eq!(stored["spec"], json!({"replicas": 1, "size": "small"}));

    let v2 = "/apis/example.com/v2/namespaces/default/widgets";
    let (code, _, status) = send(
        &sim,
        reqwest::Method::POST,
        v2,
        "application/json",
        &widget("v2", "b", json!({})),
    )
    .await;
    assert_eq!(code, 422);
    assert_eq!(
        status["message"],
        r#"Widget.example.com "b" is invalid: spec.size: Required value"#
    );
    let (code, _, status) = send(
        &sim,
        reqwest::Method::POST,
        v2,
        "application/json",
        &widget("v2", "b", json!({"size": 0})),
    )
    .await;
    assert_eq!(code, 422);
    assert_eq!(
        status["message"],
        r#"Widget.example.com "b" is invalid: spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1"#
    );
}

const KUBECTL: &str = "/usr/bin/kubectl";

#[tokio::test]
async fn kubectl_apply_prints_the_api_servers_message() {
    if !Path::new(KUBECTL).exists() {
        println!("skipped: {KUBECTL} is not installed");
        return;
    }
    let (sim, _client) = with_tgb_crd().await;
    let dir = std::env::temp_dir().join(format!("lbgate-crd-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let kubeconfig = dir.join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig).unwrap();
    let apply = |name: &str, manifest: &str| {
        let file = dir.join(format!("{name}.yaml"));
        std::fs::write(&file, manifest).unwrap();
        let mut command = tokio::process::Command::new(KUBECTL);
        command
            .args(["apply", "-f"])
            .arg(&file)
            .env("KUBECONFIG", &kubeconfig)
            .env("HOME", &dir)
            .kill_on_drop(true);
        command
    };
    let manifest = |extra: &str| {
        format!(
            "apiVersion: elbv2.k8s.aws/v1beta1\nkind: TargetGroupBinding\nmetadata:\n  name: web\n  namespace: default\nspec:\n  targetGroupARN: {ARN}\n  serviceRef:\n    name: web\n    port: 80\n{extra}"
        )
    };
    let output = within(
        "kubectl apply",
        apply("bad-type", &manifest("  targetType: foo\n")).output(),
    )
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    // kubectl words an Invalid status from its details: kind, name, then each cause.
    assert!(
        stderr.contains(
            r#"The TargetGroupBinding "web" is invalid: spec.targetType: Unsupported value: "foo": supported values: "instance", "ip""#
        ),
        "{stderr}"
    );
    // kubectl validates strictly by default: an unknown field fails the apply.
    let output = within(
        "kubectl apply",
        apply("unknown", &manifest("  foo: bar\n")).output(),
    )
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains(r#"strict decoding error: unknown field "spec.foo""#),
        "{stderr}"
    );
    let output = within(
        "kubectl apply",
        apply("good", &manifest("  targetType: ip\n")).output(),
    )
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
    tokio::time::timeout(Duration::from_secs(10), sim.shutdown())
        .await
        .unwrap()
        .unwrap();
}
