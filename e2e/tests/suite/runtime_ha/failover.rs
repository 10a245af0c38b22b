//! Leadership changes: SIGKILL of the leader, and SIGTERM in the middle of an AWS batch.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::ConfigMap;
use kube::Api;
use lbgate_api::consts::{LEDGER_CONFIGMAP_PREFIX, LEDGER_DATA_KEY};
use lbgate_e2e::serve::AlbTargetGroup;
use serde_json::json;

use super::cluster::{GATE, HaCluster, condition_status, name, readiness_gates, wait_until};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_leader_hands_over_within_the_lease_without_losing_anything() {
    const REPLICAS: usize = 4;
    // Shorter Lease timings than the defaults (15/10/2 s) keep the scenario short; the rule
    // under test is the same: a follower takes over one lease duration after the last renewal.
    let mut cluster = HaCluster::start(
        "failover",
        Some(
            "leader-election-lease-duration: 6s\nleader-election-renew-deadline: 4s\n\
             leader-election-retry-period: 1s\n",
        ),
    )
    .await;
    let arn = cluster
        .elbv2
        .create_alb_target_group(&AlbTargetGroup::fast("fo-web", 8080))
        .await
        .unwrap();
    cluster.namespace("gated", true).await;
    cluster.service_and_binding("gated", &arn).await;
    cluster.deployment("gated", REPLICAS as i32).await;
    wait_until(
        "every gate True and every target healthy",
        Duration::from_secs(60),
        || cluster.logs(),
        || async {
            let pods = cluster.web_pods("gated").await;
            let all_true = pods.len() == REPLICAS
                && pods.iter().all(|p| {
                    readiness_gates(p) == [GATE] && condition_status(p, GATE) == Some("True")
                });
            let targets = cluster.elbv2.targets(&arn).await.unwrap();
            (all_true && targets.len() == REPLICAS && targets.iter().all(|t| t.state == "healthy"))
                .then_some(())
        },
    )
    .await;
    let leader = cluster.leader().await;
    let follower = 1 - leader;
    let follower_id = cluster.controllers[follower].identity().to_owned();
    let targets_before = cluster.elbv2.targets(&arn).await.unwrap();
    let calls_before = cluster.elbv2.calls().await.unwrap();
    let follower_passes = cluster.controllers[follower]
        .metric("lbgate_tgb_reconciles_total", &[])
        .await
        .unwrap();
    assert_eq!(
        follower_passes, 0.0,
        "the follower reconciled while not leading"
    );

    cluster.controllers[leader].kill().unwrap();
    let killed = Instant::now();
    // Gates are checked all along the hand-over.
    let check_gates = || async {
        let pods = cluster.web_pods("gated").await;
        assert_eq!(pods.len(), REPLICAS);
        for pod in &pods {
            assert_eq!(
                condition_status(pod, GATE),
                Some("True"),
                "gate of {} lost\n{}",
                name(pod),
                cluster.logs()
            );
        }
    };
    let took = wait_until(
        "the follower to take over",
        Duration::from_secs(30),
        || cluster.logs(),
        async || {
            check_gates().await;
            let holder = cluster.lease_holder().await;
            (holder.as_deref() == Some(follower_id.as_str())).then(|| killed.elapsed())
        },
    )
    .await;
    // Lease duration 6 s after the last renewal (at most one retry period, 1 s, before the kill),
    // plus polling slack; never before the lease has run out.
    assert!(
        took <= Duration::from_secs(6 + 1 + 1) && took >= Duration::from_millis(4_800),
        "take-over took {took:?}\n{}",
        cluster.logs()
    );
    eprintln!("take-over after {took:?}");
    // The new leader's first passes, and a few seconds more.
    wait_until(
        "the new leader's first pass",
        Duration::from_secs(15),
        || cluster.logs(),
        || async {
            let passes = cluster.controllers[follower]
                .metric("lbgate_tgb_reconciles_total", &[("result", "synced")])
                .await
                .ok()?;
            (passes >= 1.0).then_some(())
        },
    )
    .await;
    let settle = Instant::now();
    while settle.elapsed() < Duration::from_secs(3) {
        check_gates().await;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let calls_after = cluster.elbv2.calls().await.unwrap();
    for action in ["RegisterTargets", "DeregisterTargets"] {
        assert_eq!(
            calls_after.get(action),
            calls_before.get(action),
            "{action} called during the hand-over\n{}",
            cluster.logs()
        );
    }
    assert_eq!(cluster.elbv2.targets(&arn).await.unwrap(), targets_before);
    assert_eq!(
        cluster.controllers[follower]
            .metric("lbgate_leader", &[])
            .await
            .unwrap(),
        1.0
    );
    cluster.shutdown().await;
}

/// `id:port` entries of binding `web`'s ledger in `namespace`.
async fn ledger(cluster: &HaCluster, namespace: &str) -> BTreeSet<String> {
    let configmap = Api::<ConfigMap>::namespaced(cluster.client.clone(), namespace)
        .get_opt(&format!("{LEDGER_CONFIGMAP_PREFIX}web"))
        .await
        .unwrap();
    let text = configmap
        .and_then(|c| c.data)
        .and_then(|mut d| d.remove(LEDGER_DATA_KEY))
        .unwrap_or_default();
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    if let Some(header) = lines.next() {
        assert!(
            header.starts_with("lbgate-ledger "),
            "ledger header {header:?}"
        );
    }
    lines.map(str::to_owned).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_slow_batch_leaves_every_target_in_the_ledger() {
    const REPLICAS: usize = 40;
    let mut cluster = HaCluster::start("sigterm", None).await;
    let arn = cluster
        .elbv2
        .create_alb_target_group(&AlbTargetGroup::fast("term-web", 8080))
        .await
        .unwrap();
    cluster.namespace("gated", true).await;
    cluster.service_and_binding("gated", &arn).await;
    cluster.deployment("gated", 0).await;
    let leader = cluster.leader().await;
    let follower = 1 - leader;
    wait_until(
        "the leader's first pass",
        Duration::from_secs(20),
        || cluster.logs(),
        || async {
            let passes = cluster.controllers[leader]
                .metric("lbgate_tgb_reconciles_total", &[("result", "synced")])
                .await
                .ok()?;
            (passes >= 1.0).then_some(())
        },
    )
    .await;
    // Every RegisterTargets now takes 4 s in the simulator before it takes effect.
    cluster
        .elbv2
        .set_fault(&json!({"action": "RegisterTargets", "latency_ms": 4000}))
        .await
        .unwrap();
    // One large batch: the pods are created (every one through the webhook, with its gate),
    // then the leader is frozen until all of them have started, so that its next pass
    // registers them in one call.
    cluster.scale("gated", REPLICAS as i32).await;
    wait_until(
        "every pod created with its gate",
        Duration::from_secs(30),
        || cluster.logs(),
        || async {
            let pods = cluster.web_pods("gated").await;
            (pods.len() == REPLICAS && pods.iter().all(|p| readiness_gates(p) == [GATE]))
                .then_some(())
        },
    )
    .await;
    cluster.controllers[leader].pause().unwrap();
    wait_until(
        "every pod's containers ready",
        Duration::from_secs(20),
        || cluster.logs(),
        || async {
            let pods = cluster.web_pods("gated").await;
            pods.iter()
                .all(|p| condition_status(p, "ContainersReady") == Some("True"))
                .then_some(())
        },
    )
    .await;
    let registers = cluster.elbv2.call_count("RegisterTargets").await.unwrap();
    let registered_before = cluster.elbv2.targets(&arn).await.unwrap().len();
    cluster.controllers[leader].resume().unwrap();
    wait_until(
        "the large RegisterTargets batch in flight",
        Duration::from_secs(20),
        || cluster.logs(),
        || async {
            (cluster.elbv2.call_count("RegisterTargets").await.ok()? > registers).then_some(())
        },
    )
    .await;
    let in_flight_since = Instant::now();
    let ledger_at_signal = ledger(&cluster, "gated").await;
    cluster.controllers[leader].terminate().unwrap();
    let status = cluster.controllers[leader]
        .wait_exit(Duration::from_secs(35))
        .await
        .unwrap_or_else(|e| panic!("{e:#}\n{}", cluster.logs()));
    let stopped_after = in_flight_since.elapsed();
    assert_eq!(status.code(), Some(0), "{}", cluster.logs());
    // The batch was let finish (4 s of latency), within the 30 s grace.
    assert!(
        stopped_after >= Duration::from_secs(3) && stopped_after < Duration::from_secs(30),
        "stopped {stopped_after:?} after the batch started\n{}",
        cluster.logs()
    );
    assert!(
        cluster.controllers[leader]
            .log_events("controller did not stop in time; aborting in-flight passes")
            .is_empty(),
        "in-flight passes were cut off"
    );
    let held: BTreeSet<String> = cluster
        .elbv2
        .targets(&arn)
        .await
        .unwrap()
        .into_iter()
        .map(|t| format!("{}:{}", t.id, t.port))
        .collect();
    assert_eq!(
        cluster.elbv2.call_count("RegisterTargets").await.unwrap(),
        registers + 1,
        "more than the one interrupted batch"
    );
    let batch = held.len() - registered_before;
    assert!(
        batch >= REPLICAS / 2,
        "the interrupted batch held {batch} targets (ELBv2: {held:?})"
    );
    eprintln!(
        "SIGTERM: exit 0 {stopped_after:?} after a batch of {batch} went out; ELBv2 holds {} \
         targets, the ledger {}",
        held.len(),
        ledger_at_signal.len()
    );
    // Recorded before the call went out, so already at the signal.
    assert!(
        held.is_subset(&ledger_at_signal),
        "ELBv2 {held:?} vs ledger {ledger_at_signal:?}"
    );
    let recorded = ledger(&cluster, "gated").await;
    let unrecorded: Vec<&String> = held.difference(&recorded).collect();
    assert!(
        unrecorded.is_empty(),
        "targets in ELBv2 but not in the ledger: {unrecorded:?}"
    );

    // The successor takes the released Lease at once and finishes the job without
    // deregistering anything.
    cluster.elbv2.clear_faults().await.unwrap();
    let follower_id = cluster.controllers[follower].identity().to_owned();
    wait_until(
        "the successor leading",
        Duration::from_secs(10),
        || cluster.logs(),
        || async { (cluster.lease_holder().await? == follower_id).then_some(()) },
    )
    .await;
    wait_until(
        "every pod registered and recorded by the successor",
        Duration::from_secs(45),
        || cluster.logs(),
        || async {
            let targets = cluster.elbv2.targets(&arn).await.ok()?;
            let recorded = ledger(&cluster, "gated").await;
            let keys: BTreeSet<String> = targets
                .iter()
                .map(|t| format!("{}:{}", t.id, t.port))
                .collect();
            (keys.len() == REPLICAS && keys == recorded).then_some(())
        },
    )
    .await;
    assert_eq!(
        cluster.elbv2.call_count("DeregisterTargets").await.unwrap(),
        0
    );
    cluster.shutdown().await;
}
