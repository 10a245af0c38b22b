//! Mutating admission webhooks called over TLS, as kube-apiserver calls them: a test webhook
//! (axum behind `serve_tls`, its own self-signed CA) injects a readiness gate into pods of
//! labelled namespaces; caBundle verification, failure policies, timeouts, denials, rule and
//! selector matching, service references and webhook ordering are checked on
//! `run_mutating_webhooks` directly.

mod matching;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use lbgate_sim_apiserver::admission::{
    AdmissionInput, AdmissionOperation, AdmissionRejection, ServiceAddresses, run_mutating_webhooks,
};
use lbgate_sim_apiserver::tls::ServingCert;
use lbgate_testkit::objects;
use serde_json::{Value, json};

use crate::webhook::{GATE, WebhookServer};

const INJECT_LABEL: &str = "elbv2.k8s.aws/pod-readiness-gate-inject";
const HOOK: &str = "mpod.elbv2.k8s.aws";

fn pod() -> Value {
    objects::pod("web-1")
        .namespace("apps")
        .label("app", "web")
        .into_json()
}

fn pod_input(operation: AdmissionOperation, namespace_labels: &[(&str, &str)]) -> AdmissionInput {
    AdmissionInput {
        operation,
        group: String::new(),
        version: "v1".to_owned(),
        resource: "pods".to_owned(),
        subresource: String::new(),
        kind: "Pod".to_owned(),
        namespace: Some("apps".to_owned()),
        name: "web-1".to_owned(),
        object: pod(),
        old_object: (operation == AdmissionOperation::Update).then(pod),
        namespace_labels: namespace_labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>(),
        dry_run: false,
    }
}

fn labelled() -> AdmissionInput {
    pod_input(AdmissionOperation::Create, &[(INJECT_LABEL, "enabled")])
}

fn configuration(name: &str, webhooks: Vec<Value>) -> Value {
    json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": name},
        "webhooks": webhooks,
    })
}

/// A pod CREATE webhook with the v1 defaults spelled out.
fn hook(name: &str, client_config: Value) -> Value {
    json!({
        "name": name,
        "clientConfig": client_config,
        "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                   "resources": ["pods"], "scope": "Namespaced"}],
        "failurePolicy": "Fail",
        "sideEffects": "None",
        "admissionReviewVersions": ["v1"],
        "timeoutSeconds": 10,
    })
}

fn set(mut value: Value, key: &str, field: Value) -> Value {
    value[key] = field;
    value
}

fn url_config(server: &WebhookServer, path: &str) -> Value {
    json!({"url": server.url(path), "caBundle": server.ca_bundle()})
}

/// The readiness-gate injector, for pods of namespaces labelled for injection.
fn gate_hook(client_config: Value) -> Value {
    set(
        hook(HOOK, client_config),
        "namespaceSelector",
        json!({"matchExpressions": [{"key": INJECT_LABEL, "operator": "In", "values": ["enabled"]}]}),
    )
}

async fn admit(
    configurations: &[Value],
    input: &AdmissionInput,
) -> Result<lbgate_sim_apiserver::admission::AdmissionOutcome, AdmissionRejection> {
    run_mutating_webhooks(configurations, input, &ServiceAddresses::new()).await
}

#[tokio::test]
async fn pod_in_labelled_namespace_gets_the_readiness_gate_and_others_do_not() {
    let server = WebhookServer::start(&[]).await;
    let configs = [configuration(
        "lbc",
        vec![gate_hook(url_config(&server, "/inject"))],
    )];

    let outcome = admit(&configs, &labelled()).await.unwrap();
    assert_eq!(
        outcome.object["spec"]["readinessGates"],
        json!([{"conditionType": GATE}])
    );
    assert_eq!(
        outcome.object["spec"]["containers"],
        pod()["spec"]["containers"]
    );
    assert!(outcome.warnings.is_empty());

    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].query, "timeout=10s");
    let review = &received[0].review;
    assert_eq!(review["apiVersion"], "admission.k8s.io/v1");
    assert_eq!(review["kind"], "AdmissionReview");
    let request = &review["request"];
    assert_eq!(request["uid"].as_str().unwrap().len(), 36);
    assert_eq!(
        request["kind"],
        json!({"group": "", "version": "v1", "kind": "Pod"})
    );
    assert_eq!(
        request["resource"],
        json!({"group": "", "version": "v1", "resource": "pods"})
    );
    assert_eq!(request["requestKind"], request["kind"]);
    assert_eq!(request["requestResource"], request["resource"]);
    assert!(request.get("subResource").is_none());
    assert_eq!(request["operation"], "CREATE");
    assert_eq!(request["namespace"], "apps");
    assert_eq!(request["name"], "web-1");
    assert_eq!(request["dryRun"], false);
    assert_eq!(request["options"]["kind"], "CreateOptions");
    assert_eq!(request["object"], pod());
    assert!(request["oldObject"].is_null());
    assert!(!request["userInfo"]["username"].as_str().unwrap().is_empty());

    let unlabelled = pod_input(AdmissionOperation::Create, &[("team", "web")]);
    let outcome = admit(&configs, &unlabelled).await.unwrap();
    assert_eq!(outcome.object, pod());
    let disabled = pod_input(AdmissionOperation::Create, &[(INJECT_LABEL, "disabled")]);
    assert_eq!(admit(&configs, &disabled).await.unwrap().object, pod());
    assert_eq!(
        server.received().len(),
        1,
        "unlabelled namespaces are not sent"
    );
    server.stop().await;
}

#[tokio::test]
async fn wrong_ca_bundle_fails_closed_or_is_skipped() {
    let server = WebhookServer::start(&[]).await;
    let stranger = ServingCert::self_signed(&[]).unwrap();
    let client_config = json!({"url": server.url("/inject"), "caBundle": stranger.ca_base64()});

    let fail = [configuration("lbc", vec![gate_hook(client_config.clone())])];
    let rejection = admit(&fail, &labelled()).await.unwrap_err();
    assert_eq!(
        rejection,
        AdmissionRejection {
            code: 500,
            reason: "InternalError".to_owned(),
            message: format!(
                "Internal error occurred: failed calling webhook \"{HOOK}\": failed to call webhook: \
                 Post \"{}?timeout=10s\": tls: failed to verify certificate: x509: certificate \
                 signed by unknown authority",
                server.url("/inject")
            ),
        }
    );

    let ignore = [configuration(
        "lbc",
        vec![set(
            gate_hook(client_config),
            "failurePolicy",
            json!("Ignore"),
        )],
    )];
    assert_eq!(admit(&ignore, &labelled()).await.unwrap().object, pod());

    // No caBundle at all trusts nothing either.
    let no_bundle = [configuration(
        "lbc",
        vec![gate_hook(json!({"url": server.url("/inject")}))],
    )];
    let rejection = admit(&no_bundle, &labelled()).await.unwrap_err();
    assert!(
        rejection
            .message
            .contains("certificate signed by unknown authority")
    );

    assert_eq!(
        server.received().len(),
        0,
        "no request got past the handshake"
    );
    server.stop().await;
}

#[tokio::test]
async fn denial_carries_the_webhooks_status_and_message() {
    let server = WebhookServer::start(&[]).await;
    let deny = [configuration(
        "deny",
        vec![hook("deny.example.com", url_config(&server, "/deny"))],
    )];
    assert_eq!(
        admit(&deny, &labelled()).await.unwrap_err(),
        AdmissionRejection {
            code: 403,
            reason: "Forbidden".to_owned(),
            message:
                "admission webhook \"deny.example.com\" denied the request: pods are not welcome"
                    .to_owned(),
        }
    );
    let bare = [configuration(
        "deny",
        vec![hook("bare.example.com", url_config(&server, "/deny-bare"))],
    )];
    assert_eq!(
        admit(&bare, &labelled()).await.unwrap_err(),
        AdmissionRejection {
            code: 400,
            reason: String::new(),
            message:
                "admission webhook \"bare.example.com\" denied the request without explanation"
                    .to_owned(),
        }
    );
    // A denial stops the chain: the injector after it is not called.
    let chain = [
        configuration(
            "a-deny",
            vec![hook("deny.example.com", url_config(&server, "/deny"))],
        ),
        configuration("b-lbc", vec![gate_hook(url_config(&server, "/inject"))]),
    ];
    assert_eq!(admit(&chain, &labelled()).await.unwrap_err().code, 403);
    assert_eq!(server.calls_to("/inject"), 0);
    server.stop().await;
}

#[tokio::test]
async fn slow_webhook_beyond_its_timeout_fails_per_policy() {
    let server = WebhookServer::start(&[]).await;
    let slow = set(
        hook("slow.example.com", url_config(&server, "/slow")),
        "timeoutSeconds",
        json!(1),
    );

    let started = Instant::now();
    let rejection = admit(&[configuration("slow", vec![slow.clone()])], &labelled())
        .await
        .unwrap_err();
    let waited = started.elapsed();
    assert_eq!(rejection.code, 500);
    assert_eq!(rejection.reason, "InternalError");
    assert_eq!(
        rejection.message,
        format!(
            "Internal error occurred: failed calling webhook \"slow.example.com\": failed to call \
             webhook: Post \"{}?timeout=1s\": context deadline exceeded",
            server.url("/slow")
        )
    );
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_millis(2500),
        "waited {waited:?}"
    );

    let ignore = set(slow, "failurePolicy", json!("Ignore"));
    let started = Instant::now();
    let outcome = admit(&[configuration("slow", vec![ignore])], &labelled())
        .await
        .unwrap();
    assert_eq!(outcome.object, pod());
    assert!(started.elapsed() < Duration::from_millis(2500));
    assert_eq!(server.calls_to("/slow"), 2);
    assert_eq!(server.received()[0].query, "timeout=1s");
    server.stop().await;
}

#[tokio::test]
async fn service_reference_goes_to_the_mapped_address_and_verifies_the_service_name() {
    let server = WebhookServer::start(&["lbc-webhook.kube-system.svc"]).await;
    let service = |namespace: &str, name: &str| {
        json!({"service": {"namespace": namespace, "name": name, "path": "/inject", "port": 443},
               "caBundle": server.ca_bundle()})
    };
    let mut services = ServiceAddresses::new();
    services.insert("kube-system/lbc-webhook".to_owned(), server.addr);
    services.insert("other/lbc-webhook".to_owned(), server.addr);

    let configs = [configuration(
        "lbc",
        vec![gate_hook(service("kube-system", "lbc-webhook"))],
    )];
    let outcome = run_mutating_webhooks(&configs, &labelled(), &services)
        .await
        .unwrap();
    assert_eq!(
        outcome.object["spec"]["readinessGates"][0]["conditionType"],
        GATE
    );
    assert_eq!(server.calls_to("/inject"), 1);
    assert_eq!(server.received()[0].query, "timeout=10s");

    // Same address, but the certificate is not valid for lbc-webhook.other.svc.
    let configs = [configuration(
        "lbc",
        vec![gate_hook(service("other", "lbc-webhook"))],
    )];
    let rejection = run_mutating_webhooks(&configs, &labelled(), &services)
        .await
        .unwrap_err();
    assert_eq!(rejection.code, 500);
    assert!(
        rejection.message.contains(
            "Post \"https://lbc-webhook.other.svc:443/inject?timeout=10s\": tls: failed to verify \
             certificate: x509: certificate is not valid for lbc-webhook.other.svc"
        ),
        "{}",
        rejection.message
    );

    let configs = [configuration(
        "lbc",
        vec![gate_hook(service("kube-system", "nowhere"))],
    )];
    let rejection = run_mutating_webhooks(&configs, &labelled(), &services)
        .await
        .unwrap_err();
    assert!(
        rejection
            .message
            .ends_with(": service \"nowhere\" not found"),
        "{}",
        rejection.message
    );
    assert_eq!(server.calls_to("/inject"), 1);
    server.stop().await;
}

#[tokio::test]
async fn dry_run_is_refused_by_webhooks_with_side_effects() {
    let server = WebhookServer::start(&[]).await;
    let mut input = labelled();
    input.dry_run = true;

    let unsafe_hook = set(
        gate_hook(url_config(&server, "/inject")),
        "sideEffects",
        json!("Some"),
    );
    let rejection = admit(&[configuration("lbc", vec![unsafe_hook])], &input)
        .await
        .unwrap_err();
    assert_eq!(
        rejection,
        AdmissionRejection {
            code: 400,
            reason: "BadRequest".to_owned(),
            message: format!("admission webhook \"{HOOK}\" does not support dry run"),
        }
    );
    assert_eq!(server.received().len(), 0);

    let safe_hook = set(
        gate_hook(url_config(&server, "/inject")),
        "sideEffects",
        json!("NoneOnDryRun"),
    );
    let outcome = admit(&[configuration("lbc", vec![safe_hook])], &input)
        .await
        .unwrap();
    assert_eq!(
        outcome.object["spec"]["readinessGates"][0]["conditionType"],
        GATE
    );
    let request = &server.received()[0].review["request"];
    assert_eq!(request["dryRun"], true);
    assert_eq!(request["options"]["dryRun"], json!(["All"]));
    server.stop().await;
}

#[tokio::test]
async fn invalid_answers_and_identity_changes_are_refused() {
    let server = WebhookServer::start(&[]).await;
    let one = |hook: Value| [configuration("c", vec![hook])];

    let bad_uid = hook("uid.example.com", url_config(&server, "/bad-uid"));
    let rejection = admit(&one(bad_uid.clone()), &labelled()).await.unwrap_err();
    assert_eq!(rejection.code, 500);
    assert!(rejection.message.contains(
        "failed calling webhook \"uid.example.com\": received invalid webhook response: expected response.uid="
    ));
    let ignored = set(bad_uid, "failurePolicy", json!("Ignore"));
    assert_eq!(
        admit(&one(ignored), &labelled()).await.unwrap().object,
        pod()
    );

    let mover = hook("move.example.com", url_config(&server, "/move"));
    assert_eq!(
        admit(&one(mover), &labelled()).await.unwrap_err(),
        AdmissionRejection {
            code: 400,
            reason: "BadRequest".to_owned(),
            message: "the namespace of the provided object does not match the namespace sent on the request"
                .to_owned(),
        }
    );

    let old_reviews = set(
        hook("old.example.com", url_config(&server, "/inject")),
        "admissionReviewVersions",
        json!(["v1alpha9"]),
    );
    let rejection = admit(&one(old_reviews), &labelled()).await.unwrap_err();
    assert!(
        rejection
            .message
            .contains("webhook does not accept known AdmissionReview versions (v1, v1beta1)"),
        "{}",
        rejection.message
    );
    assert_eq!(server.calls_to("/inject"), 0);
    server.stop().await;
}
