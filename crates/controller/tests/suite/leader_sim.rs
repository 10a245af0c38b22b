//! Leader election with two in-process replicas against the simulated API server: only the
//! leader reconciles while both stay ready (warm standby); a crashed leader is replaced within
//! the Lease duration; a clean stop hands over at once; a stolen Lease ends the process with an
//! error after its controller stopped.

use std::time::Duration;

use k8s_openapi::api::coordination::v1::Lease;
use kube::Api;
use lbgate_controller::Error;
use lbgate_testkit::world::runtime::{self, Instance, LEASE, http_status, steal_lease, wait_ready};
use lbgate_testkit::world::{ControllerWorld, eventually};

/// A binding the leader has something to do for.
async fn world_with_binding() -> ControllerWorld {
    let world = ControllerWorld::start().await;
    world.node("node-1").await;
    world.service("web").await;
    let arn = world.attached_group("web-tg").await;
    let pod = world.pod("web-1", "10.0.1.1", None).await;
    world.slice("web", &[&pod]).await;
    world.binding("web", "web", &arn).await;
    world
}

async fn replica(world: &ControllerWorld, identity: &str) -> Instance {
    runtime::start(runtime::parts(world, runtime::config(&[]), identity)).await
}

async fn wait_leader(instance: &Instance) {
    let metrics = instance.running.metrics.clone();
    eventually("leadership", || {
        let leading = metrics.leader();
        async move { leading.then_some(()) }
    })
    .await;
}

async fn holder(world: &ControllerWorld) -> Option<String> {
    let leases: Api<Lease> = Api::namespaced(world.client.clone(), "default");
    leases.get(LEASE).await.ok()?.spec?.holder_identity
}

#[tokio::test]
async fn only_the_leader_reconciles_and_a_follower_takes_over_after_a_crash() {
    let world = world_with_binding().await;
    let a = replica(&world, "a").await;
    wait_leader(&a).await;
    let b = replica(&world, "b").await;
    // Warm standby: the follower is ready (stores synced, certificate loaded) without leading.
    wait_ready(&b).await;
    eventually("the leader reconciles", || {
        let n = a.reconciles();
        async move { (n > 0.0).then_some(()) }
    })
    .await;
    // Over several renewals the follower neither leads nor reconciles.
    let window = tokio::time::Instant::now() + Duration::from_secs(1);
    while tokio::time::Instant::now() < window {
        assert!(!b.running.metrics.leader());
        assert_eq!(b.reconciles(), 0.0);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(holder(&world).await.as_deref(), Some("a"));
    assert_eq!(
        http_status(b.running.health_addr, "/healthz").await,
        Some(200)
    );

    // A crash: every task of the leader stops at once and the Lease is not released.
    a.running.abort();
    let crashed = tokio::time::Instant::now();
    wait_leader(&b).await;
    let takeover = crashed.elapsed();
    // Lease duration 2 s, plus one retry period and scheduling slack.
    assert!(takeover <= Duration::from_millis(3000), "took {takeover:?}");
    eventually("the new leader reconciles", || {
        let n = b.reconciles();
        async move { (n > 0.0).then_some(()) }
    })
    .await;
    assert_eq!(holder(&world).await.as_deref(), Some("b"));
    b.shutdown.cancel();
    b.running.wait().await.unwrap();
    world.shutdown().await;
}

#[tokio::test]
async fn a_clean_stop_releases_the_lease_and_hands_over_at_once() {
    let world = world_with_binding().await;
    let a = replica(&world, "a").await;
    wait_leader(&a).await;
    let b = replica(&world, "b").await;
    wait_ready(&b).await;
    let a_metrics = a.running.metrics.clone();
    let stopped = tokio::time::Instant::now();
    a.shutdown.cancel();
    a.running.wait().await.unwrap();
    assert!(!a_metrics.leader());
    wait_leader(&b).await;
    // Released, not expired: well under the 2 s Lease duration.
    assert!(
        stopped.elapsed() < Duration::from_millis(1500),
        "{:?}",
        stopped.elapsed()
    );
    b.shutdown.cancel();
    b.running.wait().await.unwrap();
    world.shutdown().await;
}

#[tokio::test]
async fn a_stolen_lease_stops_the_controller_and_fails_the_process() {
    let world = world_with_binding().await;
    let a = replica(&world, "a").await;
    wait_leader(&a).await;
    let leases: Api<Lease> = Api::namespaced(world.client.clone(), "default");
    steal_lease(&leases, LEASE).await;
    let metrics = a.running.metrics.clone();
    let outcome = tokio::time::timeout(Duration::from_secs(10), a.running.wait())
        .await
        .unwrap();
    assert!(
        matches!(outcome, Err(Error::LeaseLost { .. })),
        "{outcome:?}"
    );
    assert!(!metrics.leader());
    world.shutdown().await;
}
