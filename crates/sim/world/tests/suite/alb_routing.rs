//! Rule selection (priority, path and host conditions, fixed responses) and weighted forwarding.

use std::collections::BTreeMap;
use std::time::Duration;

use lbgate_sim::alb::{DataPlane, DataPlaneConfig, HttpRequest, OutcomeKind, Route, RouterConfig};
use lbgate_sim::controllers::AppPhase;

use crate::alb_support::{AlbWorld, condition, fixed, forward, weighted};

fn instant() -> DataPlaneConfig {
    DataPlaneConfig {
        request_duration: Duration::ZERO,
        ..DataPlaneConfig::default()
    }
}

#[tokio::test]
async fn rules_route_by_priority_path_and_host() {
    let world = AlbWorld::start(instant()).await;
    let api = world.target_group("api");
    let admin = world.target_group("admin");
    world.rule(
        10,
        vec![condition("path-pattern", &["/api/*"])],
        forward(&api),
    );
    world.rule(
        5,
        vec![condition("host-header", &["admin.*.com"])],
        forward(&admin),
    );
    world.rule(
        20,
        vec![condition("path-pattern", &["/static/?.css"])],
        fixed(404),
    );
    for (tg, ip) in [
        (&world.tg, "10.0.2.1"),
        (&api, "10.0.2.2"),
        (&admin, "10.0.2.3"),
    ] {
        world.app(ip, AppPhase::Serving);
        world.register(tg, ip);
    }
    world.advance(10.0);

    let cases = [
        ("app.example.com", "/api/users?page=2", Some("10.0.2.2")),
        ("ADMIN.example.com:443", "/api/users", Some("10.0.2.3")),
        ("app.example.com", "/", Some("10.0.2.1")),
        ("app.example.com", "/API/users", Some("10.0.2.1")),
        ("app.example.com", "/static/a.css", None),
        ("app.example.com", "/static/ab.css", Some("10.0.2.1")),
    ];
    for (host, path, expected) in cases {
        let outcome = world.plane.request("web-alb", 80, host, path).await;
        match expected {
            Some(ip) => {
                assert_eq!(outcome.status(), Some(200), "{host}{path}: {outcome:#?}");
                assert_eq!(
                    outcome.target.as_ref().map(|t| t.id.as_str()),
                    Some(ip),
                    "{host}{path}"
                );
            }
            None => {
                assert_eq!(outcome.kind, OutcomeKind::Fixed(404), "{host}{path}");
                assert!(outcome.target.is_none());
            }
        }
    }

    let elsewhere = world.plane.request("web-alb", 8080, "h", "/").await;
    assert_eq!(elsewhere.kind, OutcomeKind::Unreachable);
    assert!(elsewhere.kind.is_failure());
    world.shutdown().await;
}

#[tokio::test]
async fn weighted_forward_splits_by_weight_reproducibly() {
    let world = AlbWorld::start(instant()).await;
    let blue = world.target_group("blue");
    let green = world.target_group("green");
    let split_lb = world.load_balancer("split");
    world.listener(&split_lb, 80, vec![weighted(&[(&blue, 3), (&green, 1)])]);
    world.app("10.0.3.1", AppPhase::Serving);
    world.app("10.0.3.2", AppPhase::Serving);
    world.register(&blue, "10.0.3.1");
    world.register(&green, "10.0.3.2");
    world.advance(10.0);

    let run = |seed: u64| {
        let plane = DataPlane::new(
            &world.sim,
            world.apps.clone(),
            DataPlaneConfig {
                router: RouterConfig {
                    seed,
                    ..RouterConfig::default()
                },
                ..instant()
            },
        );
        let request = HttpRequest::get("h", "/");
        (0..4000)
            .map(|_| match plane.route("split", 80, &request) {
                Route::Target { target, .. } => target.target_group_arn,
                other => panic!("unexpected route {other:?}"),
            })
            .collect::<Vec<_>>()
    };
    let first = run(42);
    let mut by_group: BTreeMap<&str, usize> = BTreeMap::new();
    for arn in &first {
        *by_group.entry(arn.as_str()).or_default() += 1;
    }
    let blue_share = by_group[blue.as_str()];
    let green_share = by_group[green.as_str()];
    assert_eq!(blue_share + green_share, 4000);
    assert!(
        (2850..=3150).contains(&blue_share),
        "3:1 split gave {blue_share}/{green_share}"
    );
    assert_eq!(run(42), first, "same seed, same choices");
    assert_ne!(run(43), first, "another seed, other choices");

    // A weight of zero takes a group out; all zero leaves nothing to route to.
    let only_green = world.load_balancer("only-green");
    let solo = world.target_group("solo");
    world.listener(&only_green, 80, vec![weighted(&[(&solo, 0)])]);
    let outcome = world.plane.request("only-green", 80, "h", "/").await;
    assert_eq!(outcome.kind, OutcomeKind::ServiceUnavailable);
    world.shutdown().await;
}
