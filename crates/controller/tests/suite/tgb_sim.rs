//! The TargetGroupBinding controller against the simulated Kubernetes API server and the
//! ELBv2 simulator. Each test plays kubelet and the EndpointSlice controller itself.

use std::time::Duration;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::Api;
use kube::api::DeleteParams;
use lbgate_testkit::metrics::Scrape;
use lbgate_testkit::world::{ControllerWorld, NS, eventually};

const GATE: &str = "target-health.elbv2.k8s.aws/web";

fn ips(rows: &[(String, u16, String)]) -> Vec<&str> {
    rows.iter().map(|(id, _, _)| id.as_str()).collect()
}

fn live(rows: &[(String, u16, String)]) -> Vec<&str> {
    rows.iter()
        .filter(|(_, _, state)| !state.contains("draining"))
        .map(|(id, _, _)| id.as_str())
        .collect()
}

#[tokio::test]
async fn targets_are_registered_and_gates_turn_true_only_once_healthy() {
    let mut world = ControllerWorld::start().await;
    world.node("node-1").await;
    world.service("web").await;
    let arn = world.attached_group("web-tg").await;
    let p1 = world.pod("web-1", "10.0.1.1", Some(GATE)).await;
    let p2 = world.pod("web-2", "10.0.1.2", Some(GATE)).await;
    let p3 = world.pod("web-3", "10.0.1.3", Some(GATE)).await;
    world.slice("web", &[&p1, &p2, &p3]).await;
    world.binding("web", "web", &arn).await;
    world.run_controller();

    let rows = eventually("three registered targets", || async {
        let rows = world.targets(&arn).await;
        (rows.len() == 3).then_some(rows)
    })
    .await;
    assert_eq!(ips(&rows), ["10.0.1.1", "10.0.1.2", "10.0.1.3"]);
    assert!(rows.iter().all(|(_, port, _)| *port == 8080));

    // The simulated clock has not moved: no target can be healthy, so no gate may be True.
    for pod in ["web-1", "web-2", "web-3"] {
        let (status, reason) =
            eventually("a False gate", || async { world.gate(pod, GATE).await }).await;
        assert_eq!(status, "False", "{pod}");
        let reason = reason.unwrap_or_default();
        assert!(
            reason == "Elb.RegistrationInProgress" || reason == "Elb.InitialHealthChecking",
            "{pod}: {reason}"
        );
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for pod in ["web-1", "web-2", "web-3"] {
        assert_eq!(world.gate(pod, GATE).await.unwrap().0, "False", "{pod}");
    }

    let binding = world.bindings().get("web").await.unwrap();
    assert!(
        binding
            .metadata
            .finalizers
            .unwrap_or_default()
            .contains(&"elbv2.k8s.aws/resources".to_owned())
    );
    let ledgers: Api<ConfigMap> = Api::namespaced(world.client.clone(), NS);
    let ledger = ledgers.get("lbgate-targets-web").await.unwrap();
    assert_eq!(
        ledger.data.unwrap()["targets"],
        "lbgate-ledger v1\n10.0.1.1:8080\n10.0.1.2:8080\n10.0.1.3:8080\n"
    );
    assert_eq!(ledger.metadata.owner_references.unwrap()[0].name, "web");

    // Interval 5 s × healthy threshold 2: healthy after 10 simulated seconds.
    world.clock.advance(Duration::from_secs(15));
    for pod in ["web-1", "web-2", "web-3"] {
        eventually("a True gate", || async {
            world.gate(pod, GATE).await.filter(|(s, _)| s == "True")
        })
        .await;
    }
    let rows = world.targets(&arn).await;
    assert!(
        rows.iter().all(|(_, _, state)| state == "healthy"),
        "{rows:?}"
    );

    eventually("status with three healthy targets", || async {
        let status = world.bindings().get("web").await.unwrap().status?;
        (status.targets?.healthy == Some(3)).then_some(())
    })
    .await;
    let binding = world.bindings().get("web").await.unwrap();
    let ready = binding.status.unwrap().condition("Ready").cloned().unwrap();
    assert_eq!(
        (ready.status.as_str(), ready.reason.as_str()),
        ("True", "Synced")
    );
    let events = world.events("web").await;
    assert!(
        events
            .iter()
            .any(|(reason, note)| reason == "RegisteredTargets" && note.contains("10.0.1.2:8080")),
        "{events:?}"
    );
    let scrape = Scrape::of(&world.registry);
    let gate_true = scrape.histogram_count(
        "lbgate_gate_phase_duration_seconds",
        &[("phase", "pending_to_gate_true")],
    );
    assert_eq!(gate_true, 3.0, "one observation per gate that turned True");
    let synced = scrape.sum("lbgate_tgb_reconciles_total", &[("result", "synced")]) as u64;
    assert!(synced >= 2, "{synced}");
    // One DescribeTargetGroups for the whole test: it is cached per binding.
    assert_eq!(world.calls().get("DescribeTargetGroups").copied(), Some(1));
    assert_eq!(world.calls().get("RegisterTargets").copied(), Some(1));
    world.shutdown().await;
}

#[tokio::test]
async fn scale_down_deregisters_exactly_the_removed_pod_and_never_a_foreign_target() {
    let mut world = ControllerWorld::start().await;
    world.node("node-1").await;
    world.service("web").await;
    let arn = world.attached_group("web-tg").await;
    world.register_foreign(&arn, "10.0.9.9", 8080).await;
    let p1 = world.pod("web-1", "10.0.1.1", None).await;
    let p2 = world.pod("web-2", "10.0.1.2", None).await;
    let p3 = world.pod("web-3", "10.0.1.3", None).await;
    world.slice("web", &[&p1, &p2, &p3]).await;
    world.binding("web", "web", &arn).await;
    world.run_controller();

    eventually("four targets", || async {
        (world.targets(&arn).await.len() == 4).then_some(())
    })
    .await;
    world.clock.advance(Duration::from_secs(15));
    eventually("all healthy", || async {
        let rows = world.targets(&arn).await;
        rows.iter().all(|(_, _, s)| s == "healthy").then_some(())
    })
    .await;

    world.slice("web", &[&p1, &p2]).await;
    world.delete_pod("web-3").await;
    let rows = eventually("web-3 deregistered", || async {
        let rows = world.targets(&arn).await;
        (!live(&rows).contains(&"10.0.1.3")).then_some(rows)
    })
    .await;
    assert_eq!(
        live(&rows),
        ["10.0.1.1", "10.0.1.2", "10.0.9.9"],
        "{rows:?}"
    );
    // Let a few more passes run: nothing else may be touched.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let rows = world.targets(&arn).await;
    assert_eq!(
        live(&rows),
        ["10.0.1.1", "10.0.1.2", "10.0.9.9"],
        "{rows:?}"
    );
    assert_eq!(world.calls().get("DeregisterTargets").copied(), Some(1));
    assert_eq!(
        world.calls().get("RegisterTargets").copied(),
        Some(2),
        "the foreign one and ours"
    );
    let events = world.events("web").await;
    assert!(
        events
            .iter()
            .any(|(reason, note)| reason == "DeregisteredTargets"
                && note.contains("10.0.1.3:8080")
                && !note.contains("10.0.9.9")),
        "{events:?}"
    );
    world.shutdown().await;
}

#[tokio::test]
async fn deletion_deregisters_owned_targets_releases_gates_and_removes_the_finalizer() {
    let mut world = ControllerWorld::start().await;
    world.node("node-1").await;
    world.service("web").await;
    let arn = world.attached_group("web-tg").await;
    world.register_foreign(&arn, "10.0.9.9", 8080).await;
    let p1 = world.pod("web-1", "10.0.1.1", Some(GATE)).await;
    let p2 = world.pod("web-2", "10.0.1.2", Some(GATE)).await;
    world.slice("web", &[&p1, &p2]).await;
    world.binding("web", "web", &arn).await;
    world.run_controller();
    eventually("three targets", || async {
        (world.targets(&arn).await.len() == 3).then_some(())
    })
    .await;
    eventually("the ledger", || async {
        let ledgers: Api<ConfigMap> = Api::namespaced(world.client.clone(), NS);
        ledgers.get_opt("lbgate-targets-web").await.unwrap()
    })
    .await;

    world
        .bindings()
        .delete("web", &DeleteParams::default())
        .await
        .unwrap();
    eventually("the binding gone", || async {
        world
            .bindings()
            .get_opt("web")
            .await
            .unwrap()
            .is_none()
            .then_some(())
    })
    .await;
    let rows = world.targets(&arn).await;
    assert_eq!(live(&rows), ["10.0.9.9"], "{rows:?}");
    for pod in ["web-1", "web-2"] {
        let (status, reason) = world.gate(pod, GATE).await.unwrap();
        assert_eq!(
            (status.as_str(), reason.as_deref()),
            ("True", Some("TargetGroupBindingDeleted")),
            "{pod}"
        );
    }
    let ledgers: Api<ConfigMap> = Api::namespaced(world.client.clone(), NS);
    assert!(
        ledgers
            .get_opt("lbgate-targets-web")
            .await
            .unwrap()
            .is_none()
    );
    world.shutdown().await;
}

#[tokio::test]
async fn a_restarted_controller_neither_registers_again_nor_deregisters() {
    let mut world = ControllerWorld::start().await;
    world.node("node-1").await;
    world.service("web").await;
    let arn = world.attached_group("web-tg").await;
    let p1 = world.pod("web-1", "10.0.1.1", Some(GATE)).await;
    let p2 = world.pod("web-2", "10.0.1.2", Some(GATE)).await;
    world.slice("web", &[&p1, &p2]).await;
    world.binding("web", "web", &arn).await;
    world.run_controller();
    eventually("two targets", || async {
        (world.targets(&arn).await.len() == 2).then_some(())
    })
    .await;
    world.stop_controller().await;

    world.clock.advance(Duration::from_secs(15));
    let before = world.calls();
    world.run_controller();
    for pod in ["web-1", "web-2"] {
        eventually("a True gate after the restart", || async {
            world.gate(pod, GATE).await.filter(|(s, _)| s == "True")
        })
        .await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = world.calls();
    assert_eq!(after.get("RegisterTargets"), before.get("RegisterTargets"));
    assert_eq!(after.get("DeregisterTargets").copied().unwrap_or(0), 0);
    assert!(after.get("DescribeTargetHealth") > before.get("DescribeTargetHealth"));
    let rows = world.targets(&arn).await;
    assert_eq!(live(&rows), ["10.0.1.1", "10.0.1.2"]);
    world.shutdown().await;
}

#[tokio::test]
async fn a_swapped_endpoint_set_is_make_before_break() {
    let mut world = ControllerWorld::start().await;
    world.node("node-1").await;
    world.service("web").await;
    let arn = world.attached_group("web-tg").await;
    let old1 = world.pod("old-1", "10.0.1.1", None).await;
    let old2 = world.pod("old-2", "10.0.1.2", None).await;
    world.slice("web", &[&old1, &old2]).await;
    world.binding("web", "web", &arn).await;
    world.run_controller();
    eventually("two targets", || async {
        (world.targets(&arn).await.len() == 2).then_some(())
    })
    .await;
    world.clock.advance(Duration::from_secs(15));
    eventually("old targets healthy", || async {
        let rows = world.targets(&arn).await;
        rows.iter().all(|(_, _, s)| s == "healthy").then_some(())
    })
    .await;

    // The selector moves to new pods while the old ones still serve.
    let new1 = world.pod("new-1", "10.0.1.3", Some(GATE)).await;
    let new2 = world.pod("new-2", "10.0.1.4", Some(GATE)).await;
    world.slice("web", &[&new1, &new2]).await;
    eventually("new targets registered", || async {
        (world.targets(&arn).await.len() == 4).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let rows = world.targets(&arn).await;
    assert_eq!(
        live(&rows),
        ["10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.4"],
        "old targets are held while the new ones are not healthy: {rows:?}"
    );
    assert_eq!(
        world.calls().get("DeregisterTargets").copied().unwrap_or(0),
        0
    );

    world.clock.advance(Duration::from_secs(15));
    let rows = eventually("old targets deregistered", || async {
        let rows = world.targets(&arn).await;
        (live(&rows) == ["10.0.1.3", "10.0.1.4"]).then_some(rows)
    })
    .await;
    assert!(
        rows.iter().filter(|(_, _, s)| s == "healthy").count() == 2,
        "{rows:?}"
    );
    world.shutdown().await;
}

#[tokio::test]
async fn the_circuit_breaker_spreads_a_large_scale_down_over_passes() {
    let mut world = ControllerWorld::start().await;
    world.node("node-1").await;
    world.service("web").await;
    let arn = world.attached_group("web-tg").await;
    let mut pods = Vec::new();
    for i in 1..=4 {
        pods.push(
            world
                .pod(&format!("web-{i}"), &format!("10.0.1.{i}"), None)
                .await,
        );
    }
    world.slice("web", &pods.iter().collect::<Vec<_>>()).await;
    world.binding("web", "web", &arn).await;
    world.run_controller();
    eventually("four targets", || async {
        (world.targets(&arn).await.len() == 4).then_some(())
    })
    .await;
    world.clock.advance(Duration::from_secs(15));
    eventually("all healthy", || async {
        let rows = world.targets(&arn).await;
        rows.iter().all(|(_, _, s)| s == "healthy").then_some(())
    })
    .await;

    // 4 → 1: three healthy targets leave, but one pass may take at most half of four.
    world.slice("web", &[&pods[0]]).await;
    eventually("only web-1 left", || async {
        (live(&world.targets(&arn).await) == ["10.0.1.1"]).then_some(())
    })
    .await;
    assert_eq!(world.calls().get("DeregisterTargets").copied(), Some(2));
    let events = world.events("web").await;
    assert!(
        events
            .iter()
            .any(|(reason, note)| reason == "CircuitBreakerTripped"
                && note.contains("deregistering 3 of 4 healthy targets")),
        "{events:?}"
    );
    eventually("the breaker condition back to False", || async {
        let status = world.bindings().get("web").await.unwrap().status?;
        (status.condition("CircuitBreakerTripped")?.status == "False").then_some(())
    })
    .await;
    world.shutdown().await;
}
