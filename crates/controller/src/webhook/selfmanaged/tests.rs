use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
use lbgate_sim_apiserver::{KubeSim, KubeSimConfig};
use serde_json::json;

use super::*;

const CONFIGURATION: &str = "hooks";

async fn cluster() -> (KubeSim, Client) {
    lbgate_testkit::install_crypto();
    let kube = KubeSim::start(KubeSimConfig::default()).await.unwrap();
    let client = kube.client().unwrap();
    let configuration: MutatingWebhookConfiguration = serde_json::from_value(json!({
        "metadata": {"name": CONFIGURATION},
        "webhooks": [{
            "name": "mpod.example.com",
            "admissionReviewVersions": ["v1"],
            "sideEffects": "None",
            "clientConfig": {"service": {"name": "hook", "namespace": "default", "path": "/p"}},
        }],
    }))
    .unwrap();
    Api::<MutatingWebhookConfiguration>::all(client.clone())
        .create(&PostParams::default(), &configuration)
        .await
        .unwrap();
    (kube, client)
}

fn replica(client: &Client, service: &str) -> SelfManaged {
    let mut config = SelfManagedConfig::new(service, "default");
    config.mutating_configurations = vec![CONFIGURATION.to_owned()];
    config.validating_configurations = Vec::new();
    SelfManaged::new(client.clone(), config, CertSlot::default())
}

/// Two replicas starting together race on the Secret and on the caBundle; both must come out
/// of their first sync serving, not one of them a refresh interval later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_starting_together_both_serve_after_their_first_sync() {
    let (kube, client) = cluster().await;
    for round in 0..8 {
        // A new Service each round: a new Secret to create and a new bundle to publish.
        let service = format!("hook-{round}");
        let (a, b) = (replica(&client, &service), replica(&client, &service));
        let now = Timestamp::now();
        let (first, second) = tokio::join!(a.sync(now), b.sync(now));
        first.unwrap_or_else(|e| panic!("round {round}, first replica: {e}"));
        second.unwrap_or_else(|e| panic!("round {round}, second replica: {e}"));
        assert!(a.slot.loaded() && b.slot.loaded(), "round {round}");
        let secret = a.secrets().get(&format!("{service}-tls")).await.unwrap();
        let bundle = secret.data.unwrap()[BUNDLE].clone();
        let published = Api::<MutatingWebhookConfiguration>::all(client.clone())
            .get(CONFIGURATION)
            .await
            .unwrap();
        let hook = &published.webhooks.unwrap()[0];
        assert_eq!(
            hook.client_config.ca_bundle.as_ref(),
            Some(&bundle),
            "round {round}"
        );
    }
    kube.shutdown().await.unwrap();
}

#[test]
fn only_write_conflicts_are_retried() {
    let status = |code| {
        kube::Error::Api(
            kube::core::Status::failure("changed", "Conflict")
                .with_code(code)
                .boxed(),
        )
    };
    let store = |code| Error::CertificateStore {
        object: "Secret default/hook-tls".to_owned(),
        source: status(code),
    };
    assert!(is_conflict(&store(409)));
    assert!(!is_conflict(&store(404)));
    assert!(!is_conflict(&Error::Config {
        message: "x".to_owned()
    }));
}
