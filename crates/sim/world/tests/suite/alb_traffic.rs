//! The traffic generator: a bounded run at a fixed rate in simulated time, and its report of a
//! pod that disappears while its target is still healthy.

use std::time::{Duration, Instant};

use lbgate_sim::alb::{DataPlaneConfig, Traffic, TrafficConfig};
use lbgate_sim::controllers::AppPhase;

use crate::alb_support::{AlbWorld, INTERVAL};

const A: &str = "10.0.4.1";
const B: &str = "10.0.4.2";

/// Moves the manual clock in small steps until the traffic task ends, calling `at` once the clock
/// passes each of its instants.
async fn drive(
    world: &AlbWorld,
    traffic: &Traffic,
    step: f64,
    mut at: Vec<(Duration, Box<dyn FnMut()>)>,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !traffic.is_finished() {
        assert!(Instant::now() < deadline, "traffic never finished");
        world.advance(step);
        for (when, action) in at.iter_mut() {
            if *when <= world.now() {
                action();
                *when = Duration::MAX;
            }
        }
        // Let the generator and the requests see the new time.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::test]
async fn a_run_counts_every_request_and_reports_the_502_window() {
    let world = AlbWorld::start(DataPlaneConfig {
        request_duration: Duration::from_millis(50),
        ..DataPlaneConfig::default()
    })
    .await;
    world.healthy_targets(&[A, B]);
    let start = world.now();

    let config = TrafficConfig {
        start_at: Some(start),
        ..TrafficConfig::new("web-alb", 80, 10.0, Duration::from_secs(30))
    };
    let traffic = Traffic::start(world.plane.clone(), config).unwrap();
    let gone_at = start + Duration::from_secs(8);
    let apps = world.apps.clone();
    let kill_a: Box<dyn FnMut()> = Box::new(move || {
        apps.set_phase(A.parse().unwrap(), AppPhase::Gone);
    });
    drive(&world, &traffic, 0.1, vec![(gone_at, kill_a)]).await;
    let report = traffic.finish(Duration::from_secs(5)).await.unwrap();
    println!("{report}");

    assert_eq!(report.total(), 300, "10 per second for 30 s");
    let failed = report.count("502");
    assert_eq!(report.failures(), failed as u64, "only 502s: {report}");
    // A keeps its share until two failed checks (5 s apart) mark it unhealthy.
    assert!((10..=60).contains(&failed), "{failed} 502s: {report}");
    let (first, last) = report.failure_span().unwrap();
    assert!(first >= gone_at, "first failure at {first:?}");
    assert!(
        last <= gone_at + Duration::from_secs(2 * INTERVAL),
        "last failure at {last:?}"
    );
    let a_counts = &report.per_target[&format!("{A}:8080")];
    assert_eq!(a_counts.get("502").copied().unwrap_or(0), failed);
    assert!(report.per_target[&format!("{B}:8080")]["200"] > 150);
    assert!(!report.failure_windows.is_empty());
    assert!(
        report
            .failure_windows
            .iter()
            .all(|w| w.end > gone_at && w.start <= gone_at + Duration::from_secs(2 * INTERVAL)),
        "{report}"
    );
    let text = report.to_string();
    assert!(text.contains("300 requests"), "{text}");
    assert!(text.contains("failures per 1.0s window"), "{text}");
    world.shutdown().await;
}

#[tokio::test]
async fn a_run_stops_by_itself_after_max_requests_or_when_stopped() {
    let world = AlbWorld::start(DataPlaneConfig {
        request_duration: Duration::ZERO,
        ..DataPlaneConfig::default()
    })
    .await;
    world.healthy_targets(&[A]);
    let mut config = TrafficConfig::new("web-alb", 80, 100.0, Duration::from_secs(3600));
    config.max_requests = Some(25);
    let traffic = Traffic::start(world.plane.clone(), config).unwrap();
    drive(&world, &traffic, 0.05, Vec::new()).await;
    let report = traffic.finish(Duration::from_secs(5)).await.unwrap();
    assert_eq!((report.total(), report.count("200")), (25, 25), "{report}");
    assert!(report.failure_windows.is_empty());

    let config = TrafficConfig {
        start_at: Some(world.now()),
        ..TrafficConfig::new("web-alb", 80, 1.0, Duration::from_secs(3600))
    };
    let stopped = Traffic::start(world.plane.clone(), config).unwrap();
    world.advance(2.5);
    // Requests due at 0, 1 and 2 s go out as soon as the generator sees the clock.
    let deadline = Instant::now() + Duration::from_secs(5);
    while stopped.sent() < 3 {
        assert!(Instant::now() < deadline, "the due requests never went out");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    stopped.stop();
    let report = stopped.finish(Duration::from_secs(5)).await.unwrap();
    assert_eq!(report.total(), 3, "sent at 0, 1 and 2 s: {report}");

    let unbounded = TrafficConfig {
        duration: None,
        ..TrafficConfig::new("web-alb", 80, 1.0, Duration::ZERO)
    };
    assert!(Traffic::start(world.plane.clone(), unbounded).is_err());
    world.shutdown().await;
}
