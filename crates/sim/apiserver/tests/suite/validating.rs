//! Validating admission through the API server: a test webhook over TLS denies on a field and
//! allows otherwise; failurePolicy decides about a wrong caBundle, a forbidden patch and a
//! Service without endpoints; a Service without a static address resolves through its
//! EndpointSlices, and every ready endpoint gets calls.

mod setup;
mod validator;

use std::time::{Duration, Instant};

use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{Patch, PatchParams, PostParams};
use lbgate_sim_apiserver::tls::ServingCert;
use lbgate_sim_apiserver::{KubeSimConfig, ServiceAddresses};
use lbgate_testkit::objects;
use serde_json::{Value, json};

use crate::support;
use setup::{
    SERVICE_HOST, cert, configure, create_pod, hook, publish_service, service_config, unconfigure,
    url_config, webhooks_namespace,
};
use validator::{DENIAL, Validator};

#[tokio::test]
async fn a_denial_on_a_field_rejects_and_anything_else_is_allowed() {
    let cert = cert();
    let validator = Validator::start(&cert, "a").await;
    let labeller = crate::webhook::WebhookServer::start(&[]).await;
    let (sim, client) = support::start().await;
    // A mutating webhook adds a label first: validation sees the mutated object.
    let mutating: Api<MutatingWebhookConfiguration> = Api::all(client.clone());
    let label_hook = hook(
        "label.example.com",
        json!({"url": labeller.url("/label"), "caBundle": labeller.ca_bundle()}),
        "Fail",
    );
    mutating
        .create(
            &PostParams::default(),
            &serde_json::from_value(
                json!({"metadata": {"name": "label"}, "webhooks": [label_hook]}),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    configure(
        &client,
        "policy",
        vec![hook(
            "policy.example.com",
            url_config(&validator, "/validate", &cert),
            "Fail",
        )],
    )
    .await;

    let (code, message) = create_pod(
        &sim,
        objects::pod("denied").label("deny", "true").into_json(),
    )
    .await
    .unwrap_err();
    assert_eq!(code, 403);
    assert_eq!(
        message,
        format!("admission webhook \"policy.example.com\" denied the request: {DENIAL}")
    );
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    assert_eq!(
        support::api_error(pods.get("denied").await.unwrap_err()).0,
        404
    );

    // generateName: the webhook sees the name and UID the object is stored with.
    let mut body = objects::pod("").label("app", "web").into_json();
    body["metadata"]["generateName"] = json!("web-");
    let (created, warnings) = create_pod(&sim, body).await.unwrap();
    assert_eq!(
        warnings,
        [
            "label webhook was here".to_owned(),
            "checked by a".to_owned()
        ]
    );
    let seen = validator.requests("/validate").pop().unwrap();
    assert_eq!(seen["operation"], "CREATE");
    assert_eq!(seen["name"], created["metadata"]["name"]);
    assert!(
        created["metadata"]["name"]
            .as_str()
            .unwrap()
            .starts_with("web-")
    );
    assert_eq!(
        seen["object"]["metadata"]["uid"],
        created["metadata"]["uid"]
    );
    assert_eq!(
        seen["object"]["metadata"]["labels"]["injected-by"],
        "label-webhook"
    );
    // The next create draws a new identity: nothing the webhook was shown is reused.
    let mut body = objects::pod("").label("app", "web").into_json();
    body["metadata"]["generateName"] = json!("web-");
    let (second, _) = create_pod(&sim, body).await.unwrap();
    let seen_second = validator.requests("/validate").pop().unwrap();
    assert_eq!(
        seen_second["object"]["metadata"]["uid"],
        second["metadata"]["uid"]
    );
    assert_ne!(second["metadata"]["uid"], created["metadata"]["uid"]);
    assert_ne!(second["metadata"]["name"], created["metadata"]["name"]);
    let (plain, _) = create_pod(&sim, objects::pod("plain").into_json())
        .await
        .unwrap();
    assert_ne!(plain["metadata"]["uid"], second["metadata"]["uid"]);
    assert_ne!(plain["metadata"]["uid"], created["metadata"]["uid"]);

    // An UPDATE that sets the field is denied too, through the REST API.
    let name = created["metadata"]["name"].as_str().unwrap().to_owned();
    let error = pods
        .patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"deny": "true"}}})),
        )
        .await
        .unwrap_err();
    let (code, reason, message) = support::api_error(error);
    assert_eq!((code, reason.as_str()), (403, "Forbidden"), "{message}");
    let seen = validator.requests("/validate").pop().unwrap();
    assert_eq!(seen["operation"], "UPDATE");
    assert_eq!(seen["oldObject"]["metadata"]["labels"]["deny"], Value::Null);
    assert_eq!(
        pods.get(&name)
            .await
            .unwrap()
            .metadata
            .labels
            .unwrap()
            .get("deny"),
        None
    );
    sim.shutdown().await.unwrap();
    validator.stop().await;
    labeller.stop().await;
}

#[tokio::test]
async fn failure_policy_decides_about_a_wrong_ca_bundle() {
    let cert = cert();
    let stranger = ServingCert::self_signed(&[]).unwrap();
    let validator = Validator::start(&cert, "a").await;
    let (sim, client) = support::start().await;
    configure(
        &client,
        "strict",
        vec![hook(
            "strict.example.com",
            url_config(&validator, "/validate", &stranger),
            "Fail",
        )],
    )
    .await;
    let (code, message) = create_pod(&sim, objects::pod("refused").into_json())
        .await
        .unwrap_err();
    assert_eq!(code, 500, "{message}");
    assert_eq!(
        message,
        format!(
            "Internal error occurred: failed calling webhook \"strict.example.com\": failed to call webhook: Post \"{}?timeout=5s\": tls: failed to verify certificate: x509: certificate signed by unknown authority",
            validator.url("/validate")
        )
    );
    unconfigure(&client, "strict").await;
    configure(
        &client,
        "lenient",
        vec![hook(
            "lenient.example.com",
            url_config(&validator, "/validate", &stranger),
            "Ignore",
        )],
    )
    .await;
    // Even an object the webhook would deny passes: the call failed and is ignored.
    create_pod(
        &sim,
        objects::pod("ignored").label("deny", "true").into_json(),
    )
    .await
    .unwrap();
    assert_eq!(validator.calls(), 0);
    sim.shutdown().await.unwrap();
    validator.stop().await;
}

#[tokio::test]
async fn a_patch_from_a_validating_webhook_is_a_failed_call() {
    let cert = cert();
    let validator = Validator::start(&cert, "a").await;
    let (sim, client) = support::start().await;
    configure(
        &client,
        "patching",
        vec![
            hook(
                "fail.example.com",
                url_config(&validator, "/patching", &cert),
                "Fail",
            ),
            hook(
                "ignore.example.com",
                url_config(&validator, "/patching", &cert),
                "Ignore",
            ),
        ],
    )
    .await;
    let (code, message) = create_pod(&sim, objects::pod("patched").into_json())
        .await
        .unwrap_err();
    assert_eq!(code, 500);
    assert_eq!(
        message,
        "Internal error occurred: failed calling webhook \"fail.example.com\": received invalid webhook response: validating webhook may not return response.patch"
    );
    // Both were called, in parallel: the Ignore one failed open.
    assert_eq!(validator.requests("/patching").len(), 2);
    unconfigure(&client, "patching").await;
    configure(
        &client,
        "patching",
        vec![hook(
            "ignore.example.com",
            url_config(&validator, "/patching", &cert),
            "Ignore",
        )],
    )
    .await;
    let (created, _) = create_pod(
        &sim,
        objects::pod("unpatched").label("app", "web").into_json(),
    )
    .await
    .unwrap();
    assert_eq!(created["metadata"]["labels"], json!({"app": "web"}));
    sim.shutdown().await.unwrap();
    validator.stop().await;
}

#[tokio::test]
async fn every_matching_webhook_is_called_in_parallel_and_any_denial_rejects() {
    let cert = cert();
    let validator = Validator::start(&cert, "a").await;
    let (sim, client) = support::start().await;
    for name in ["a-slow", "b-slow"] {
        configure(
            &client,
            name,
            vec![hook(
                &format!("{name}.example.com"),
                url_config(&validator, "/slow", &cert),
                "Fail",
            )],
        )
        .await;
    }
    let started = Instant::now();
    create_pod(&sim, objects::pod("both").into_json())
        .await
        .unwrap();
    assert_eq!(validator.requests("/slow").len(), 2);
    // Each answers after 1 s; one after the other would take 2 s.
    assert!(
        started.elapsed() < Duration::from_millis(1800),
        "{:?}",
        started.elapsed()
    );
    unconfigure(&client, "a-slow").await;
    unconfigure(&client, "b-slow").await;

    // A denying webhook listed before or after an allowing one rejects all the same.
    for name in ["0-policy", "z-policy"] {
        configure(
            &client,
            name,
            vec![hook(
                &format!("{name}.example.com"),
                url_config(&validator, "/validate", &cert),
                "Fail",
            )],
        )
        .await;
        let (code, message) = create_pod(
            &sim,
            objects::pod("denied").label("deny", "true").into_json(),
        )
        .await
        .unwrap_err();
        assert_eq!(code, 403);
        assert!(
            message.contains(&format!("{name}.example.com")),
            "{message}"
        );
        unconfigure(&client, name).await;
    }
    sim.shutdown().await.unwrap();
    validator.stop().await;
}

#[tokio::test]
async fn a_service_resolves_through_its_endpoint_slices() {
    let cert = cert();
    let first = Validator::start(&cert, "first").await;
    let second = Validator::start(&cert, "second").await;
    let (sim, client) = support::start().await;
    webhooks_namespace(&client).await;
    configure(
        &client,
        "policy",
        vec![hook("policy.example.com", service_config(&cert), "Fail")],
    )
    .await;

    // No Service yet: the dial fails with the lister's NotFound.
    let (code, message) = create_pod(&sim, objects::pod("early").into_json())
        .await
        .unwrap_err();
    assert_eq!(code, 500);
    assert!(
        message.ends_with(&format!(
            "Post \"https://{SERVICE_HOST}:443/validate?timeout=5s\": service \"validator\" not found"
        )),
        "{message}"
    );

    publish_service(&client, &[&first, &second], true).await;
    for i in 0..24 {
        create_pod(&sim, objects::pod(&format!("pod-{i}")).into_json())
            .await
            .unwrap();
    }
    assert_eq!(first.calls() + second.calls(), 24);
    assert!(
        first.calls() >= 3 && second.calls() >= 3,
        "{} / {}",
        first.calls(),
        second.calls()
    );
    // The certificate was verified for the Service's name, not the address dialled.
    let (code, message) = create_pod(
        &sim,
        objects::pod("denied").label("deny", "true").into_json(),
    )
    .await
    .unwrap_err();
    assert_eq!((code, message.contains(DENIAL)), (403, true), "{message}");

    // No ready endpoint: the call fails, and failurePolicy decides.
    publish_service(&client, &[&first, &second], false).await;
    let before = first.calls() + second.calls();
    let (code, message) = create_pod(&sim, objects::pod("unserved").into_json())
        .await
        .unwrap_err();
    assert_eq!(code, 500);
    assert_eq!(
        message,
        format!(
            "Internal error occurred: failed calling webhook \"policy.example.com\": failed to call webhook: Post \"https://{SERVICE_HOST}:443/validate?timeout=5s\": no endpoints available for service \"validator\""
        )
    );
    unconfigure(&client, "policy").await;
    configure(
        &client,
        "policy",
        vec![hook("policy.example.com", service_config(&cert), "Ignore")],
    )
    .await;
    create_pod(
        &sim,
        objects::pod("unchecked").label("deny", "true").into_json(),
    )
    .await
    .unwrap();
    assert_eq!(first.calls() + second.calls(), before);
    sim.shutdown().await.unwrap();
    first.stop().await;
    second.stop().await;
}

#[tokio::test]
async fn a_static_service_with_two_addresses_spreads_calls() {
    let cert = cert();
    let first = Validator::start(&cert, "first").await;
    let second = Validator::start(&cert, "second").await;
    let mut services = ServiceAddresses::new();
    services.insert("webhooks/validator", first.addr);
    services.insert("webhooks/validator", second.addr);
    let (sim, client) = support::start_with(KubeSimConfig {
        services,
        ..KubeSimConfig::default()
    })
    .await;
    configure(
        &client,
        "policy",
        vec![hook("policy.example.com", service_config(&cert), "Fail")],
    )
    .await;
    for i in 0..24 {
        create_pod(&sim, objects::pod(&format!("pod-{i}")).into_json())
            .await
            .unwrap();
    }
    assert_eq!(first.calls() + second.calls(), 24);
    assert!(
        first.calls() >= 3 && second.calls() >= 3,
        "{} / {}",
        first.calls(),
        second.calls()
    );
    sim.shutdown().await.unwrap();
    first.stop().await;
    second.stop().await;
}
