//! The ALB data plane against the ELBv2 simulator on a manual clock: which targets get requests
//! and how each request ends (200, 502, 503, 504).

use std::time::{Duration, Instant};

use lbgate_sim::alb::{Balancing, DataPlaneConfig, OutcomeKind, RouterConfig};
use lbgate_sim::controllers::AppPhase;

use crate::alb_support::{AlbWorld, INTERVAL, count, to};

const A: &str = "10.0.1.10";
const B: &str = "10.0.1.11";
const C: &str = "10.0.1.12";
const HOST: &str = "app.example.com";

fn instant() -> DataPlaneConfig {
    DataPlaneConfig {
        request_duration: Duration::ZERO,
        ..DataPlaneConfig::default()
    }
}

#[tokio::test]
async fn healthy_targets_share_requests_and_answer_200() {
    let world = AlbWorld::start(instant()).await;
    world.healthy_targets(&[A, B]);
    let outcomes = world.send(10, HOST, "/").await;
    assert_eq!(count(&outcomes, A, 200), 5, "{outcomes:#?}");
    assert_eq!(count(&outcomes, B, 200), 5, "{outcomes:#?}");
    assert!(outcomes.iter().all(|o| !o.fail_open));
    assert_eq!(outcomes[0].pod.as_deref(), Some("default/pod-10.0.1.10"));
    world.shutdown().await;
}

#[tokio::test]
async fn a_gone_app_gets_502_until_health_checks_mark_it_unhealthy() {
    let world = AlbWorld::start(instant()).await;
    world.healthy_targets(&[A, B]);
    world.app(A, AppPhase::Gone);
    let gone_at = world.now();
    world.advance(1.0);
    assert_eq!(world.state(&world.tg, A), Some("healthy"));
    let outcomes = world.send(4, HOST, "/").await;
    assert_eq!(count(&outcomes, A, 502), 2, "{outcomes:#?}");
    assert_eq!(count(&outcomes, B, 200), 2, "{outcomes:#?}");

    // Two failed checks, 5 s apart, take A out: at most 2 intervals after it went away.
    let mut steps = 0;
    while world.state(&world.tg, A) != Some("unhealthy") {
        steps += 1;
        assert!(steps < 30, "A never became unhealthy");
        world.advance(0.5);
        let outcomes = world.send(2, HOST, "/").await;
        assert!(outcomes.iter().all(|o| o.target.is_some()));
    }
    let took = world.now() - gone_at;
    assert!(
        took > Duration::from_secs(INTERVAL) && took <= Duration::from_secs(2 * INTERVAL),
        "unhealthy after {took:?}"
    );
    let outcomes = world.send(6, HOST, "/").await;
    assert_eq!(count(&outcomes, B, 200), 6, "{outcomes:#?}");
    world.shutdown().await;
}

#[tokio::test]
async fn a_draining_target_gets_new_requests_only_during_the_propagation_lag() {
    let config = DataPlaneConfig {
        router: RouterConfig {
            propagation_lag: Duration::from_secs(5),
            ..RouterConfig::default()
        },
        ..instant()
    };
    let world = AlbWorld::start(config).await;
    world.healthy_targets(&[A, B]);
    world.deregister(&world.tg, A);
    assert_eq!(world.state(&world.tg, A), Some("draining"));

    world.advance(1.0);
    let early = world.send(6, HOST, "/").await;
    assert_eq!(count(&early, A, 200), 3, "{early:#?}");
    assert_eq!(count(&early, B, 200), 3, "{early:#?}");

    world.advance(3.5);
    let late_in_lag = world.send(4, HOST, "/").await;
    assert_eq!(to(&late_in_lag, A), 2, "{late_in_lag:#?}");

    world.advance(0.5);
    assert_eq!(world.state(&world.tg, A), Some("draining"));
    let after = world.send(6, HOST, "/").await;
    assert_eq!(to(&after, A), 0, "{after:#?}");
    assert_eq!(count(&after, B, 200), 6, "{after:#?}");
    world.shutdown().await;
}

#[tokio::test]
async fn no_registered_target_answers_503() {
    let world = AlbWorld::start(instant()).await;
    let outcomes = world.send(2, HOST, "/").await;
    assert!(
        outcomes
            .iter()
            .all(|o| o.kind == OutcomeKind::ServiceUnavailable && o.target.is_none()),
        "{outcomes:#?}"
    );

    // The last target leaving: served during the lag, 503 after it.
    world.healthy_targets(&[A]);
    world.deregister(&world.tg, A);
    assert_eq!(world.send(1, HOST, "/").await[0].status(), Some(200));
    world.advance(6.0);
    assert_eq!(world.send(1, HOST, "/").await[0].status(), Some(503));
    world.shutdown().await;
}

#[tokio::test]
async fn all_unhealthy_fails_open_to_every_target() {
    let world = AlbWorld::start(instant()).await;
    // Shutting-down apps fail health checks (503) but still serve requests.
    for ip in [A, B] {
        world.app(ip, AppPhase::ShuttingDown);
        world.register(&world.tg, ip);
    }
    world.advance((2 * INTERVAL) as f64);
    assert_eq!(world.state(&world.tg, A), Some("unhealthy"));
    assert_eq!(world.state(&world.tg, B), Some("unhealthy"));
    let outcomes = world.send(6, HOST, "/").await;
    assert_eq!(count(&outcomes, A, 200), 3, "{outcomes:#?}");
    assert_eq!(count(&outcomes, B, 200), 3, "{outcomes:#?}");
    assert!(outcomes.iter().all(|o| o.fail_open));

    // One recovers: only it gets requests again.
    world.app(B, AppPhase::Serving);
    world.advance((2 * INTERVAL) as f64);
    assert_eq!(world.state(&world.tg, B), Some("healthy"));
    let outcomes = world.send(4, HOST, "/").await;
    assert_eq!(count(&outcomes, B, 200), 4, "{outcomes:#?}");
    assert!(outcomes.iter().all(|o| !o.fail_open));
    world.shutdown().await;
}

#[tokio::test]
async fn initial_targets_wait_while_another_is_healthy_and_refusing_apps_give_502() {
    let world = AlbWorld::start(instant()).await;
    world.healthy_targets(&[A]);
    world.app(C, AppPhase::Starting);
    world.register(&world.tg, C);
    assert_eq!(world.state(&world.tg, C), Some("initial"));
    let outcomes = world.send(4, HOST, "/").await;
    assert_eq!(count(&outcomes, A, 200), 4, "{outcomes:#?}");

    // With A gone and unhealthy, nothing is healthy: fail-open reaches C, still starting.
    world.app(A, AppPhase::Gone);
    world.advance((2 * INTERVAL) as f64);
    assert_eq!(world.state(&world.tg, A), Some("unhealthy"));
    let outcomes = world.send(4, HOST, "/").await;
    assert_eq!(count(&outcomes, A, 502), 2, "{outcomes:#?}");
    assert_eq!(count(&outcomes, C, 502), 2, "{outcomes:#?}");
    assert!(outcomes.iter().all(|o| o.fail_open));
    world.shutdown().await;
}

#[tokio::test]
async fn a_request_in_flight_when_its_app_goes_gone_gets_504() {
    let config = DataPlaneConfig {
        request_duration: Duration::from_secs(1),
        ..DataPlaneConfig::default()
    };
    let world = AlbWorld::start(config).await;
    world.healthy_targets(&[A, B]);

    let plane = world.plane.clone();
    let to_a = tokio::spawn(async move { plane.request("web-alb", 80, HOST, "/").await });
    wait_for_in_flight(&world, 1).await;
    let plane = world.plane.clone();
    let to_b = tokio::spawn(async move { plane.request("web-alb", 80, HOST, "/").await });
    wait_for_in_flight(&world, 2).await;

    // A vanishes before the clock reaches the end of its request (its request ends at once,
    // unanswered); B stays up and finishes when the clock gets there.
    world.app(A, AppPhase::Gone);
    wait_for_in_flight_to_drop(&world, 1).await;
    world.advance(2.0);
    let (a, b) = (to_a.await.unwrap(), to_b.await.unwrap());
    assert_eq!(a.target.as_ref().unwrap().id, A);
    assert_eq!(a.kind, OutcomeKind::GatewayTimeout, "{a:#?}");
    assert_eq!(b.target.as_ref().unwrap().id, B);
    assert_eq!(b.kind, OutcomeKind::Ok, "{b:#?}");
    assert!(b.finished >= b.started + Duration::from_secs(1));
    assert_eq!(world.plane.in_flight(), 0);
    world.shutdown().await;
}

#[tokio::test]
async fn least_outstanding_requests_avoids_a_busy_target() {
    let config = DataPlaneConfig {
        request_duration: Duration::from_secs(1),
        router: RouterConfig {
            balancing: Balancing::LeastOutstandingRequests,
            ..RouterConfig::default()
        },
        ..DataPlaneConfig::default()
    };
    let world = AlbWorld::start(config).await;
    world.healthy_targets(&[A, B]);
    let plane = world.plane.clone();
    let busy = tokio::spawn(async move { plane.request("web-alb", 80, HOST, "/").await });
    wait_for_in_flight(&world, 1).await;
    // Round robin would alternate; with A busy, B is chosen every time.
    let request = lbgate_sim::alb::HttpRequest::get(HOST, "/");
    for _ in 0..3 {
        match world.plane.route("web-alb", 80, &request) {
            lbgate_sim::alb::Route::Target { target, .. } => assert_eq!(target.id, B),
            other => panic!("unexpected route {other:?}"),
        }
    }
    world.advance(1.0);
    assert_eq!(busy.await.unwrap().target.unwrap().id, A);
    world.shutdown().await;
}

async fn wait_for_in_flight(world: &AlbWorld, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while world.plane.in_flight() < n {
        assert!(Instant::now() < deadline, "requests never got in flight");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

async fn wait_for_in_flight_to_drop(world: &AlbWorld, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while world.plane.in_flight() > n {
        assert!(Instant::now() < deadline, "requests stayed in flight");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}
