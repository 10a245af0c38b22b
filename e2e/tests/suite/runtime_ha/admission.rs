//! Admission over TLS from both replicas, and certificate rotation under admission traffic.

use std::time::{Duration, Instant};

use kube::api::{Patch, PatchParams, PostParams};
use lbgate_api::consts::{
    POD_MUTATING_WEBHOOK_PATH, SECRET_KEY_CA_CERT, TGB_VALIDATING_WEBHOOK_NAME,
};
use lbgate_e2e::serve::AlbTargetGroup;
use lbgate_testkit::objects;
use serde_json::json;

use super::cluster::{GATE, HaCluster, WEBHOOK_HOST, name, readiness_gates, wait_until};
use super::tls;

/// Pod admissions a replica has answered.
async fn pod_admissions(cluster: &HaCluster, index: usize) -> f64 {
    cluster.controllers[index]
        .metric("lbgate_webhook_admissions_total", &[("webhook", "pod")])
        .await
        .unwrap()
}

/// Binding validations a replica has answered.
async fn validations(cluster: &HaCluster, index: usize) -> f64 {
    cluster.controllers[index]
        .metric(
            "lbgate_webhook_admissions_total",
            &[("webhook", "tgb_validate")],
        )
        .await
        .unwrap()
}

/// Waits until replica `index` would inject the gate into a pod of `namespace` (its stores
/// hold the binding), asking it directly over TLS with `bundle` as the only trust; returns the
/// certificate it served.
async fn replica_injects(
    cluster: &HaCluster,
    index: usize,
    namespace: &str,
    bundle: &[u8],
) -> Vec<u8> {
    let addr = cluster.controllers[index].webhook_addr;
    wait_until(
        &format!("replica {index} injecting the gate"),
        Duration::from_secs(15),
        || cluster.logs(),
        || async {
            let review = tls::pod_review("probe", namespace, &json!({"app": "web"}));
            let answer = tls::post(
                addr,
                WEBHOOK_HOST,
                bundle,
                POD_MUTATING_WEBHOOK_PATH,
                &review,
            )
            .await
            .unwrap_or_else(|e| panic!("replica {index} over TLS: {e:#}\n{}", cluster.logs()));
            assert_eq!(answer.status, 200, "{:?}", answer.body);
            let patch = tls::patch_of(&answer.body)
                .iter()
                .any(|op| op.to_string().contains(GATE));
            patch.then_some(answer.certificate)
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_answer_over_tls_from_both_replicas() {
    let cluster = HaCluster::start("admission", None).await;
    let gated_arn = cluster
        .elbv2
        .create_alb_target_group(&AlbTargetGroup::fast("adm-gated", 8080))
        .await
        .unwrap();
    let plain_arn = cluster
        .elbv2
        .create_alb_target_group(&AlbTargetGroup::fast("adm-plain", 8080))
        .await
        .unwrap();
    cluster.namespace("gated", true).await;
    cluster.namespace("plain", false).await;
    // Both bindings pass the Fail-policy TGB webhooks over TLS.
    let binding = cluster.service_and_binding("gated", &gated_arn).await;
    cluster.service_and_binding("plain", &plain_arn).await;
    // The mutating TGB webhook defaulted what the target group says.
    assert_eq!(
        binding.spec.vpc_id, cluster.sim.banner.default_vpc,
        "vpcID not defaulted by the mutating webhook"
    );

    let bundle = cluster.ca_bundle().await;
    for index in 0..2 {
        replica_injects(&cluster, index, "gated", &bundle).await;
        // Starting together, the replicas raced on the Secret and the caBundle: the loser
        // re-reads at once instead of staying unready for a refresh interval.
        let controller = &cluster.controllers[index];
        let late = controller.log_events("self-managed certificate not ready yet; retrying");
        assert!(late.is_empty(), "{}: {late:?}", controller.identity());
    }
    let before = [
        pod_admissions(&cluster, 0).await,
        pod_admissions(&cluster, 1).await,
    ];

    const GATED_PODS: usize = 16;
    for i in 0..GATED_PODS {
        let pod = cluster
            .create_pod("gated", &format!("gated-{i}"))
            .await
            .unwrap();
        assert_eq!(
            readiness_gates(&pod),
            [GATE],
            "pod {}\n{}",
            name(&pod),
            cluster.logs()
        );
    }
    for i in 0..4 {
        let pod = cluster
            .create_pod("plain", &format!("plain-{i}"))
            .await
            .unwrap();
        assert!(
            readiness_gates(&pod).is_empty(),
            "pod {} got {:?}",
            name(&pod),
            readiness_gates(&pod)
        );
    }
    let after = [
        pod_admissions(&cluster, 0).await,
        pod_admissions(&cluster, 1).await,
    ];
    let answered = [after[0] - before[0], after[1] - before[1]];
    eprintln!("pod admissions per replica: {answered:?}");
    // The API server called the webhook for the opted-in namespace only, and spread the calls
    // over both endpoints of the Service.
    assert_eq!(answered[0] + answered[1], GATED_PODS as f64, "{answered:?}");
    assert!(
        answered.iter().all(|n| *n >= 1.0),
        "one replica got no admission: {answered:?}"
    );

    // Immutable fields: refused by the validating webhook with the fields named.
    let bindings = cluster.bindings("gated");
    let current = bindings.get("web").await.unwrap();
    let mut moved = current.clone();
    moved.spec.target_group_arn = plain_arn.clone();
    let refused = bindings
        .replace("web", &PostParams::default(), &moved)
        .await
        .unwrap_err();
    let text = refused.to_string();
    assert!(
        text.contains(&format!(
            "admission webhook \"{TGB_VALIDATING_WEBHOOK_NAME}\" denied the request"
        )) && text.contains("may not change these immutable fields: spec.targetGroupARN"),
        "{text}"
    );
    let mut retyped = current.clone();
    retyped.spec.target_type = Some(lbgate_api::v1beta1::TargetType::Instance);
    let text = bindings
        .replace("web", &PostParams::default(), &retyped)
        .await
        .unwrap_err()
        .to_string();
    assert!(text.contains("immutable fields: spec.targetType"), "{text}");
    // A mutable change goes through the same webhooks.
    bindings
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"team": "web"}}})),
        )
        .await
        .unwrap();
    let stored = bindings.get("web").await.unwrap();
    assert_eq!(stored.spec.target_group_arn, gated_arn);
    assert_eq!(
        stored.spec.target_type,
        Some(lbgate_api::v1beta1::TargetType::Ip)
    );
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_rotation_under_admission_traffic_fails_nothing() {
    // A full rotation every ~8 s instead of every 30 days.
    let config = "webhook-cert-rotate-after: 6s\n\
                  webhook-cert-overlap: 2s\n\
                  webhook-cert-refresh-interval: 500ms\n";
    let cluster = HaCluster::start("rotation", Some(config)).await;
    let arn = cluster
        .elbv2
        .create_alb_target_group(&AlbTargetGroup::fast("rot-web", 8080))
        .await
        .unwrap();
    cluster.namespace("gated", true).await;
    cluster.service_and_binding("gated", &arn).await;
    let first_bundle = cluster.ca_bundle().await;
    let first_ca = cluster.certificate_secret().await[SECRET_KEY_CA_CERT].clone();
    let mut first_certs = Vec::new();
    for index in 0..2 {
        first_certs.push(replica_injects(&cluster, index, "gated", &first_bundle).await);
    }
    // Only the API server calls the validating webhook (the probes here call the pod one).
    let before = [
        validations(&cluster, 0).await,
        validations(&cluster, 1).await,
    ];

    // Admission traffic until the CA has changed and both replicas serve a certificate the new
    // CA alone verifies, then a little longer.
    let pods = cluster.pods("gated");
    let bindings = cluster.bindings("gated");
    let dry_run = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    let deadline = Instant::now() + Duration::from_secs(40);
    let mut switched_at: Option<(usize, Instant)> = None;
    let mut new_ca = Vec::new();
    let mut requests = 0;
    for i in 0.. {
        // Pods: mostly dry-run (same admission path, no pod to run); every fourth is real.
        let pod = objects::pod(&format!("rot-{i}")).app("web").build();
        let params = if i % 4 == 0 {
            PostParams::default()
        } else {
            dry_run.clone()
        };
        let created = pods
            .create(&params, &pod)
            .await
            .unwrap_or_else(|e| panic!("pod rot-{i} refused: {e}\n{}", cluster.logs()));
        assert_eq!(
            readiness_gates(&created),
            [GATE],
            "pod rot-{i} lost its gate\n{}",
            cluster.logs()
        );
        // Bindings: failurePolicy Fail, so a TLS failure would refuse the update.
        bindings
            .patch(
                "web",
                &PatchParams::default(),
                &Patch::Merge(json!({"metadata": {"annotations": {"e2e/tick": i.to_string()}}})),
            )
            .await
            .unwrap_or_else(|e| panic!("binding update {i} refused: {e}\n{}", cluster.logs()));
        requests += 2;
        if switched_at.is_none() {
            let ca = cluster.certificate_secret().await[SECRET_KEY_CA_CERT].clone();
            if ca != first_ca {
                let mut serving_new = true;
                for controller in &cluster.controllers {
                    let review = tls::pod_review("rotated", "gated", &json!({"app": "web"}));
                    let probe = tls::post(
                        controller.webhook_addr,
                        WEBHOOK_HOST,
                        &ca,
                        POD_MUTATING_WEBHOOK_PATH,
                        &review,
                    )
                    .await;
                    serving_new &= probe.is_ok();
                }
                if serving_new {
                    switched_at = Some((i, Instant::now()));
                    new_ca = ca;
                }
            }
        }
        if let Some((index, at)) = switched_at
            && i >= index + 5
            && at.elapsed() >= Duration::from_secs(1)
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no completed rotation within 40 s (CA changed: {})\n{}",
            cluster.certificate_secret().await[SECRET_KEY_CA_CERT] != first_ca,
            cluster.logs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (switch_index, _) = switched_at.unwrap();
    assert!(
        switch_index >= 1,
        "the rotation finished before any traffic"
    );
    eprintln!(
        "rotation complete after request pair {switch_index}; {requests} requests, none failed"
    );

    // The new CA is what the configurations trust now, next to (at most) the previous one.
    let bundle = cluster.ca_bundle().await;
    assert_ne!(bundle, first_bundle, "caBundle never changed");
    let new_pem = String::from_utf8(new_ca.clone()).unwrap();
    let bundle = String::from_utf8(bundle).unwrap();
    assert!(bundle.contains(new_pem.trim()), "new CA not published");
    let first_pem = String::from_utf8(first_ca.clone()).unwrap();
    eprintln!(
        "caBundle now holds {} certificates; the first CA {}",
        bundle.matches("BEGIN CERTIFICATE").count(),
        if bundle.contains(first_pem.trim()) {
            "still in it"
        } else {
            "gone"
        }
    );
    for (index, first) in first_certs.iter().enumerate() {
        let review = tls::pod_review("after", "gated", &json!({"app": "web"}));
        let answer = tls::post(
            cluster.controllers[index].webhook_addr,
            WEBHOOK_HOST,
            &new_ca,
            POD_MUTATING_WEBHOOK_PATH,
            &review,
        )
        .await
        .unwrap();
        assert_ne!(
            &answer.certificate, first,
            "replica {index} still serves its first certificate"
        );
    }
    let after = [
        validations(&cluster, 0).await,
        validations(&cluster, 1).await,
    ];
    assert!(
        after[0] > before[0] && after[1] > before[1],
        "both replicas answer during the rotation: {before:?} -> {after:?}"
    );
    assert!(requests >= 20, "too little traffic: {requests} requests");
    cluster.shutdown().await;
}
