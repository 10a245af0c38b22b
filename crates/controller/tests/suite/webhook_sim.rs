//! The webhooks over TLS, called by the simulated API server with the caBundle our self-managed
//! certificates wrote: gate injection by namespace label, certificate rotation without a single
//! failed admission, and the TargetGroupBinding webhooks (defaulting from the target group,
//! refusal of an immutable change).

use std::collections::BTreeSet;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Pod, Secret, Service};
use kube::Api;
use kube::api::PostParams;
use lbgate_api::TargetGroupBinding;
use lbgate_testkit::objects::{self, readiness_gates as gates};
use lbgate_testkit::world::runtime::{self, ca_bundle, install_webhooks, namespace, wait_ready};
use lbgate_testkit::world::{ControllerWorld, eventually};
use serde_json::json;

async fn service(world: &ControllerWorld, ns: &str) {
    Api::<Service>::namespaced(world.client.clone(), ns)
        .create(
            &PostParams::default(),
            &objects::service("web", "web").build(),
        )
        .await
        .unwrap();
}

async fn binding(
    world: &ControllerWorld,
    ns: &str,
    name: &str,
    spec: serde_json::Value,
) -> Result<TargetGroupBinding, kube::Error> {
    Api::<TargetGroupBinding>::namespaced(world.client.clone(), ns)
        .create(
            &PostParams::default(),
            &objects::binding(name, spec).build(),
        )
        .await
}

async fn create_pod(world: &ControllerWorld, ns: &str, name: &str) -> Result<Pod, kube::Error> {
    let pod = objects::pod(name)
        .namespace(ns)
        .app("web")
        .gate("target-health.alb.ingress.k8s.aws/legacy");
    Api::<Pod>::namespaced(world.client.clone(), ns)
        .create(&PostParams::default(), &pod.build())
        .await
}

/// A world with namespaces `gated` (labelled) and `plain`, a Service and an ip binding in each,
/// the webhooks installed and one runtime serving them.
async fn setup(extra: &[&str]) -> (ControllerWorld, runtime::Instance, String) {
    let world = ControllerWorld::start().await;
    namespace(&world, "gated", true).await;
    namespace(&world, "plain", false).await;
    let arn = world.attached_group("web-tg").await;
    let config = runtime::config(&[&["--enable-leader-election=false"], extra].concat());
    let instance = runtime::start(runtime::parts(&world, config, "solo")).await;
    install_webhooks(&world, instance.running.webhook_addr).await;
    eventually("caBundle published", || async {
        ca_bundle(&world).await.filter(|b| !b.is_empty())
    })
    .await;
    for ns in ["gated", "plain"] {
        service(&world, ns).await;
        binding(
            &world,
            ns,
            "web",
            json!({"targetGroupARN": &arn, "targetType": "ip", "multiClusterTargetGroup": true,
                   "serviceRef": {"name": "web", "port": 80}}),
        )
        .await
        .unwrap();
    }
    wait_ready(&instance).await;
    // The webhook answers from its stores: wait until they hold both bindings.
    let stores = instance.running.stores.clone();
    eventually("bindings in the webhook's store", || {
        let n = stores.bindings.state().len();
        async move { (n == 2).then_some(()) }
    })
    .await;
    (world, instance, arn)
}

#[tokio::test]
async fn pod_gets_its_gate_over_tls_only_in_a_labelled_namespace() {
    let (world, instance, _) = setup(&[]).await;
    let gated = create_pod(&world, "gated", "p1").await.unwrap();
    assert_eq!(gates(&gated), ["target-health.elbv2.k8s.aws/web"]);
    let plain = create_pod(&world, "plain", "p1").await.unwrap();
    assert_eq!(gates(&plain), ["target-health.alb.ingress.k8s.aws/legacy"]);
    assert!(instance.counter("lbgate_webhook_admissions_total") >= 1.0);
    instance.shutdown.cancel();
    instance.running.wait().await.unwrap();
    world.shutdown().await;
}

#[tokio::test]
async fn injection_can_be_turned_off() {
    let (world, instance, _) = setup(&["--enable-pod-readiness-gate-inject=false"]).await;
    let gated = create_pod(&world, "gated", "p1").await.unwrap();
    assert_eq!(gates(&gated), ["target-health.alb.ingress.k8s.aws/legacy"]);
    instance.shutdown.cancel();
    instance.running.wait().await.unwrap();
    world.shutdown().await;
}

#[tokio::test]
async fn certificate_rotation_never_fails_admission() {
    let world = ControllerWorld::start().await;
    namespace(&world, "gated", true).await;
    let arn = world.attached_group("web-tg").await;
    let config = runtime::config(&["--enable-leader-election=false"]);
    let mut parts = runtime::parts(&world, config, "solo");
    parts.self_managed.rotate_after = Duration::from_millis(400);
    parts.self_managed.overlap = Duration::from_millis(300);
    let secret_name = parts.self_managed.secret_name.clone();
    let namespace_of_secret = parts.self_managed.service_namespace.clone();
    let instance = runtime::start(parts).await;
    install_webhooks(&world, instance.running.webhook_addr).await;
    eventually("caBundle published", || async {
        ca_bundle(&world).await.filter(|b| !b.is_empty())
    })
    .await;
    service(&world, "gated").await;
    binding(
        &world,
        "gated",
        "web",
        json!({"targetGroupARN": &arn, "targetType": "ip",
                                           "serviceRef": {"name": "web", "port": 80}}),
    )
    .await
    .unwrap();
    wait_ready(&instance).await;
    let stores = instance.running.stores.clone();
    eventually("binding in the store", || {
        let n = stores.bindings.state().len();
        async move { (n == 1).then_some(()) }
    })
    .await;

    let secrets: Api<Secret> = Api::namespaced(world.client.clone(), &namespace_of_secret);
    let mut serving_cas = BTreeSet::new();
    let until = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut created = 0;
    // Admit pods back to back while the certificates rotate under them; every one must pass.
    while serving_cas.len() < 3 {
        assert!(
            tokio::time::Instant::now() < until,
            "only {} CAs served",
            serving_cas.len()
        );
        let pod = create_pod(&world, "gated", &format!("p{created}"))
            .await
            .unwrap_or_else(|e| panic!("admission failed during rotation: {e}"));
        assert_eq!(gates(&pod), ["target-health.elbv2.k8s.aws/web"]);
        created += 1;
        let secret = secrets.get(&secret_name).await.unwrap();
        let name = secret.data.unwrap()["ca.name"].0.clone();
        serving_cas.insert(name);
    }
    assert!(created >= 3);
    instance.shutdown.cancel();
    instance.running.wait().await.unwrap();
    world.shutdown().await;
}

#[tokio::test]
async fn binding_webhooks_default_from_the_target_group_and_refuse_immutable_changes() {
    let (world, instance, arn) = setup(&[]).await;
    // Only the name: the ARN and every defaulted field come from DescribeTargetGroups.
    let created = binding(
        &world,
        "gated",
        "by-name",
        json!({"targetGroupName": "web-tg", "multiClusterTargetGroup": true,
                                                       "serviceRef": {"name": "web", "port": 80}}),
    )
    .await
    .unwrap();
    assert_eq!(created.spec.target_group_arn, arn);
    assert_eq!(created.spec.target_type.map(|t| t.as_str()), Some("ip"));
    assert_eq!(
        created.spec.ip_address_type.map(|t| t.as_str()),
        Some("ipv4")
    );
    assert_eq!(
        created.spec.target_group_protocol.map(|p| p.as_str()),
        Some("HTTP")
    );
    assert_eq!(created.spec.vpc_id, world.elb.default_vpc_id());

    let missing = binding(
        &world,
        "gated",
        "nothing",
        json!({"serviceRef": {"name": "web", "port": 80}}),
    )
    .await
    .unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("must provide either TargetGroupARN or TargetGroupName"),
        "{missing}"
    );

    let wrong_vpc = binding(
        &world,
        "gated",
        "wrong-vpc",
        json!({"targetGroupARN": &arn, "targetType": "ip", "multiClusterTargetGroup": true,
               "vpcID": "vpc-0123abcd", "serviceRef": {"name": "web", "port": 80}}),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        wrong_vpc.contains("invalid VpcID vpc-0123abcd doesnt match VpcID from TargetGroup"),
        "{wrong_vpc}"
    );

    let api: Api<TargetGroupBinding> = Api::namespaced(world.client.clone(), "gated");
    let mut changed = api.get("by-name").await.unwrap();
    changed.spec.target_type = Some(lbgate_api::v1beta1::TargetType::Instance);
    let refused = api
        .replace("by-name", &PostParams::default(), &changed)
        .await
        .unwrap_err();
    let message = refused.to_string();
    assert!(
        message.contains(
            "TargetGroupBinding update may not change these immutable fields: spec.targetType"
        ),
        "{message}"
    );
    // An allowed change (nil → ipv4 is not a change of family) still passes.
    let mut fine = api.get("by-name").await.unwrap();
    fine.metadata.labels = Some([("team".to_owned(), "a".to_owned())].into());
    api.replace("by-name", &PostParams::default(), &fine)
        .await
        .unwrap();
    instance.shutdown.cancel();
    instance.running.wait().await.unwrap();
    world.shutdown().await;
}

#[tokio::test]
async fn a_pod_that_escaped_the_webhook_is_counted_and_gets_an_event() {
    let world = ControllerWorld::start().await;
    namespace(&world, "gated", true).await;
    namespace(&world, "plain", false).await;
    let arn = world.attached_group("web-tg").await;
    for ns in ["gated", "plain"] {
        service(&world, ns).await;
        binding(
            &world,
            ns,
            "web",
            json!({"targetGroupARN": &arn, "targetType": "ip", "multiClusterTargetGroup": true,
                   "serviceRef": {"name": "web", "port": 80}}),
        )
        .await
        .unwrap();
    }
    // No webhook configuration yet: these pods are admitted without gates.
    create_pod(&world, "gated", "escaped").await.unwrap();
    create_pod(&world, "plain", "not-opted-in").await.unwrap();
    let config = runtime::config(&["--enable-leader-election=false"]);
    let instance = runtime::start(runtime::parts(&world, config, "solo")).await;
    let metrics = instance.running.metrics.clone();
    eventually("lbgate_pods_missing_gate = 1", || {
        let n = metrics.pods_missing_gate();
        async move { (n == 1).then_some(()) }
    })
    .await;
    let events: Api<k8s_openapi::api::events::v1::Event> =
        Api::namespaced(world.client.clone(), "gated");
    let event = eventually("a MissingReadinessGate Event", || {
        let events = events.clone();
        async move {
            events
                .list(&Default::default())
                .await
                .ok()?
                .items
                .into_iter()
                .find(|e| e.reason.as_deref() == Some("MissingReadinessGate"))
        }
    })
    .await;
    assert_eq!(
        event.regarding.and_then(|r| r.name).as_deref(),
        Some("escaped")
    );
    assert!(
        event
            .note
            .unwrap_or_default()
            .contains("target-health.elbv2.k8s.aws/web")
    );
    instance.shutdown.cancel();
    instance.running.wait().await.unwrap();
    world.shutdown().await;
}
