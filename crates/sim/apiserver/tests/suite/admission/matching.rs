//! Which webhooks a request reaches, and in which order: rules (operations, resources,
//! subresources, scope), selectors on objects patched by earlier webhooks, and the exemption of
//! admission configuration objects.

use std::collections::BTreeMap;

use lbgate_sim_apiserver::admission::{AdmissionInput, AdmissionOperation};
use serde_json::{Value, json};

use super::{admit, configuration, gate_hook, hook, labelled, pod, pod_input, set, url_config};
use crate::webhook::{GATE, WebhookServer};

#[tokio::test]
async fn rules_decide_which_requests_are_sent() {
    let server = WebhookServer::start(&[]).await;
    let with_rule = |rule: Value| {
        [configuration(
            "rules",
            vec![set(
                hook("rules.example.com", url_config(&server, "/label")),
                "rules",
                json!([rule]),
            )],
        )]
    };
    let rule = |operations: Value, resources: Value, scope: &str| {
        json!({"operations": operations, "apiGroups": [""], "apiVersions": ["v1"],
               "resources": resources, "scope": scope})
    };
    let create = labelled();
    let update = pod_input(AdmissionOperation::Update, &[]);
    let mut status_update = pod_input(AdmissionOperation::Update, &[]);
    status_update.subresource = "status".to_owned();

    let cases = [
        (
            rule(json!(["UPDATE"]), json!(["pods"]), "*"),
            &create,
            false,
        ),
        (rule(json!(["UPDATE"]), json!(["pods"]), "*"), &update, true),
        (rule(json!(["*"]), json!(["pods"]), "*"), &create, true),
        (rule(json!(["*"]), json!(["services"]), "*"), &create, false),
        (
            rule(json!(["*"]), json!(["pods"]), "Cluster"),
            &create,
            false,
        ),
        (
            rule(json!(["*"]), json!(["pods"]), "Namespaced"),
            &create,
            true,
        ),
        (
            rule(json!(["UPDATE"]), json!(["pods"]), "*"),
            &status_update,
            false,
        ),
        (
            rule(json!(["UPDATE"]), json!(["pods/status"]), "*"),
            &status_update,
            true,
        ),
        (
            rule(json!(["UPDATE"]), json!(["*/status"]), "*"),
            &status_update,
            true,
        ),
        (
            rule(json!(["UPDATE"]), json!(["*"]), "*"),
            &status_update,
            false,
        ),
        (
            rule(json!(["UPDATE"]), json!(["*/*"]), "*"),
            &status_update,
            true,
        ),
    ];
    for (i, (rule, input, expected)) in cases.into_iter().enumerate() {
        let before = server.calls_to("/label");
        let outcome = admit(&with_rule(rule.clone()), input).await.unwrap();
        let called = server.calls_to("/label") > before;
        assert_eq!(
            called, expected,
            "case {i}: {rule} for {:?}",
            input.operation
        );
        let labelled = outcome.object["metadata"]["labels"]["injected-by"] == "label-webhook";
        assert_eq!(labelled, expected, "case {i}");
    }
    let update_review = server
        .received()
        .into_iter()
        .find(|r| r.review["request"]["operation"] == "UPDATE")
        .unwrap();
    assert_eq!(update_review.review["request"]["oldObject"], pod());
    assert_eq!(
        update_review.review["request"]["options"]["kind"],
        "UpdateOptions"
    );
    let status_review = server
        .received()
        .into_iter()
        .find(|r| r.review["request"]["subResource"] == "status")
        .unwrap();
    assert_eq!(
        status_review.review["request"]["requestSubResource"],
        "status"
    );
    server.stop().await;
}

#[tokio::test]
async fn webhooks_run_in_name_order_and_see_earlier_patches() {
    let server = WebhookServer::start(&[]).await;
    // Listed out of order: kube-apiserver sorts configurations by name.
    let configs = [
        configuration(
            "b-inject",
            vec![set(
                gate_hook(url_config(&server, "/inject")),
                "objectSelector",
                json!({"matchLabels": {"injected-by": "label-webhook"}}),
            )],
        ),
        configuration(
            "a-label",
            vec![hook("label.example.com", url_config(&server, "/label"))],
        ),
    ];
    let outcome = admit(&configs, &labelled()).await.unwrap();
    assert_eq!(
        outcome.object["metadata"]["labels"]["injected-by"],
        "label-webhook"
    );
    assert_eq!(
        outcome.object["spec"]["readinessGates"][0]["conditionType"],
        GATE
    );
    assert_eq!(outcome.warnings, vec!["label webhook was here".to_owned()]);
    let received = server.received();
    let paths: Vec<&str> = received.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/label", "/inject"]);
    assert_eq!(
        received[1].review["request"]["object"]["metadata"]["labels"]["injected-by"],
        "label-webhook"
    );
    server.stop().await;
}

#[tokio::test]
async fn admission_configuration_objects_are_never_sent_to_webhooks() {
    let server = WebhookServer::start(&[]).await;
    let catch_all = set(
        hook("all.example.com", url_config(&server, "/label")),
        "rules",
        json!([{"operations": ["*"], "apiGroups": ["*"], "apiVersions": ["*"], "resources": ["*/*"], "scope": "*"}]),
    );
    let configs = [configuration("all", vec![catch_all])];
    let own = configuration("all", vec![]);
    let input = AdmissionInput {
        operation: AdmissionOperation::Update,
        group: "admissionregistration.k8s.io".to_owned(),
        version: "v1".to_owned(),
        resource: "mutatingwebhookconfigurations".to_owned(),
        subresource: String::new(),
        kind: "MutatingWebhookConfiguration".to_owned(),
        namespace: None,
        name: "all".to_owned(),
        object: own.clone(),
        old_object: Some(own.clone()),
        namespace_labels: BTreeMap::new(),
        dry_run: false,
    };
    assert_eq!(admit(&configs, &input).await.unwrap().object, own);
    assert_eq!(server.received().len(), 0);

    // The same catch-all rule does reach a cluster-scoped object of another kind.
    let mut node = input.clone();
    node.group = String::new();
    node.resource = "nodes".to_owned();
    node.kind = "Node".to_owned();
    node.name = "n1".to_owned();
    node.object =
        json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "labels": {}}});
    node.old_object = Some(node.object.clone());
    let outcome = admit(&configs, &node).await.unwrap();
    assert_eq!(
        outcome.object["metadata"]["labels"]["injected-by"],
        "label-webhook"
    );
    server.stop().await;
}
