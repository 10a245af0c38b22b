//! Mutating admission through the API server: a pod CREATE in a labelled namespace is mutated by
//! a webhook over TLS; a webhook with a wrong caBundle is refused (failurePolicy Fail) or skipped
//! (Ignore); webhook warnings reach the client as `Warning` headers.

use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::Api;
use kube::api::PostParams;
use lbgate_testkit::objects;
use serde_json::{Value, json};

use crate::support::{api_error, start};
use crate::webhook::{GATE, WebhookServer};

const INJECT_LABEL: &str = "elbv2.k8s.aws/pod-readiness-gate-inject";

fn configuration(
    name: &str,
    url: &str,
    ca_bundle: &str,
    failure_policy: &str,
) -> MutatingWebhookConfiguration {
    serde_json::from_value(json!({
        "metadata": {"name": name},
        "webhooks": [{
            "name": format!("{name}.example.com"),
            "admissionReviewVersions": ["v1"],
            "sideEffects": "None",
            "failurePolicy": failure_policy,
            "timeoutSeconds": 5,
            "clientConfig": {"url": url, "caBundle": ca_bundle},
            "namespaceSelector": {"matchLabels": {INJECT_LABEL: "enabled"}},
            "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"]}],
        }],
    }))
    .unwrap()
}

async fn labelled_namespace(client: &kube::Client, name: &str) {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let ns: Namespace = serde_json::from_value(
        json!({"metadata": {"name": name, "labels": {INJECT_LABEL: "enabled"}}}),
    )
    .unwrap();
    namespaces
        .create(&PostParams::default(), &ns)
        .await
        .unwrap();
}

fn gates(pod: &Pod) -> Vec<String> {
    pod.spec
        .as_ref()
        .and_then(|s| s.readiness_gates.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|g| g.condition_type)
        .collect()
}

#[tokio::test]
async fn a_pod_in_a_labelled_namespace_is_mutated_over_tls() {
    let hook = WebhookServer::start(&[]).await;
    let (sim, client) = start().await;
    labelled_namespace(&client, "apps").await;
    let configs: Api<MutatingWebhookConfiguration> = Api::all(client.clone());
    configs
        .create(
            &PostParams::default(),
            &configuration("inject", &hook.url("/inject"), &hook.ca_bundle(), "Fail"),
        )
        .await
        .unwrap();

    let pods: Api<Pod> = Api::namespaced(client.clone(), "apps");
    let created = pods
        .create(&PostParams::default(), &objects::pod("gated").build())
        .await
        .unwrap();
    assert_eq!(gates(&created), [GATE]);
    let review = &hook.received()[0].review["request"];
    assert_eq!(review["operation"], "CREATE");
    assert_eq!(review["namespace"], "apps");

    // The namespace selector leaves `default` alone.
    let plain: Api<Pod> = Api::namespaced(client, "default");
    let created = plain
        .create(&PostParams::default(), &objects::pod("plain").build())
        .await
        .unwrap();
    assert!(gates(&created).is_empty());
    assert_eq!(hook.calls_to("/inject"), 1);
    sim.shutdown().await.unwrap();
    hook.stop().await;
}

#[tokio::test]
async fn a_wrong_ca_bundle_refuses_or_skips_by_failure_policy() {
    let hook = WebhookServer::start(&[]).await;
    let stranger = lbgate_sim_apiserver::tls::ServingCert::self_signed(&[]).unwrap();
    let (sim, client) = start().await;
    labelled_namespace(&client, "apps").await;
    let configs: Api<MutatingWebhookConfiguration> = Api::all(client.clone());
    configs
        .create(
            &PostParams::default(),
            &configuration(
                "strict",
                &hook.url("/inject"),
                &stranger.ca_base64(),
                "Fail",
            ),
        )
        .await
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "apps");
    let error = pods
        .create(&PostParams::default(), &objects::pod("refused").build())
        .await
        .unwrap_err();
    let (code, _, message) = api_error(error);
    assert_eq!(code, 500, "{message}");
    assert!(message.contains("failed calling webhook"), "{message}");
    assert_eq!(api_error(pods.get("refused").await.unwrap_err()).0, 404);

    configs.delete("strict", &Default::default()).await.unwrap();
    configs
        .create(
            &PostParams::default(),
            &configuration(
                "lenient",
                &hook.url("/inject"),
                &stranger.ca_base64(),
                "Ignore",
            ),
        )
        .await
        .unwrap();
    let created = pods
        .create(&PostParams::default(), &objects::pod("skipped").build())
        .await
        .unwrap();
    assert!(gates(&created).is_empty());
    sim.shutdown().await.unwrap();
    hook.stop().await;
}

#[tokio::test]
async fn webhook_warnings_become_warning_headers() {
    let hook = WebhookServer::start(&[]).await;
    let (sim, client) = start().await;
    labelled_namespace(&client, "apps").await;
    let configs: Api<MutatingWebhookConfiguration> = Api::all(client);
    configs
        .create(
            &PostParams::default(),
            &configuration("label", &hook.url("/label"), &hook.ca_bundle(), "Fail"),
        )
        .await
        .unwrap();
    let body = serde_json::to_string(&objects::pod("warned").build()).unwrap();
    let response = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap()
        .post(format!("{}/api/v1/namespaces/apps/pods", sim.url()))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let warnings: Vec<String> = response
        .headers()
        .get_all("Warning")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("299 - \""), "{warnings:?}");
    let created: Value = response.json().await.unwrap();
    assert_eq!(
        created["metadata"]["labels"]["injected-by"],
        "label-webhook"
    );
    sim.shutdown().await.unwrap();
    hook.stop().await;
}
