//! Target lifecycle on the model: health checks, usage, draining, lags, consistency.

use super::test_world::*;
use crate::health::HealthMode;
use crate::model::Model;
use crate::model::target_group::{TargetGroupChanges, TargetGroupInput};
use crate::model::target_groups::TargetGroupFilter;

#[test]
fn alb_target_goes_initial_then_healthy_after_threshold_checks() {
    let mut w = World::new();
    let tg = w.http_tg("web", secs(0));
    let lb = w.load_balancer("edge", "application", secs(0));
    w.listener(&lb, ("HTTP", 80), &tg, secs(0));
    w.register(&tg, "10.0.1.5", secs(10));
    // Checks at 15, 20, 25 s.
    let cases = [
        (10, "initial", REGISTRATION),
        (14, "initial", REGISTRATION),
        (15, "initial", INITIAL_CHECKS),
        (24, "initial", INITIAL_CHECKS),
        (25, "healthy", None),
        (3_600, "healthy", None),
    ];
    for (at, state, reason) in cases {
        assert_eq!(w.one(&tg, secs(at)), (state, reason), "at {at} s");
    }
}

#[test]
fn unused_target_group_reports_not_in_use_and_attaching_starts_the_clock() {
    let mut w = World::new();
    let tg = w.http_tg("web", secs(0));
    w.register(&tg, "10.0.1.5", secs(0));
    assert_eq!(w.one(&tg, secs(100)), ("unused", Some("Target.NotInUse")));
    let lb = w.load_balancer("edge", "application", secs(100));
    w.listener(&lb, ("HTTP", 80), &tg, secs(100));
    assert_eq!(w.one(&tg, secs(104)), ("initial", REGISTRATION));
    assert_eq!(w.one(&tg, secs(105)), ("initial", INITIAL_CHECKS));
    assert_eq!(w.one(&tg, secs(115)), ("healthy", None));
    assert_eq!(w.model.load_balancers_using(&tg), vec![lb]);
}

#[test]
fn a_rule_alone_puts_a_target_group_in_use_and_deleting_it_stops_checks() {
    let mut w = World::new();
    let default_tg = w.http_tg("default", secs(0));
    let tg = w.http_tg("api", secs(0));
    let lb = w.load_balancer("edge", "application", secs(0));
    let listener = w.listener(&lb, ("HTTP", 80), &default_tg, secs(0));
    w.register(&tg, "10.0.1.6", secs(0));
    let condition = crate::model::rules::Condition {
        field: "path-pattern".into(),
        values: vec!["/api/*".into()],
        http_header_name: None,
    };
    let rule = w
        .model
        .create_rule(
            &listener,
            crate::model::rules::RuleInput {
                priority: 10,
                conditions: vec![condition],
                actions: vec![forward(&tg)],
            },
            &[],
            secs(20),
        )
        .unwrap();
    assert_eq!(w.one(&tg, secs(40)), ("healthy", None));
    let error = w.model.delete_target_group(&tg, secs(41)).unwrap_err();
    assert_eq!(error.code, "ResourceInUse");
    assert!(
        error
            .message
            .ends_with("is currently in use by a listener or a rule")
    );
    w.model.delete_rule(&rule.arn, secs(42)).unwrap();
    assert_eq!(w.one(&tg, secs(43)), ("unused", Some("Target.NotInUse")));
    w.model.delete_target_group(&tg, secs(44)).unwrap();
    // Deleting it again is not an error.
    w.model.delete_target_group(&tg, secs(45)).unwrap();
}

#[test]
fn draining_lasts_the_deregistration_delay_then_the_target_is_gone() {
    let mut w = World::new();
    let tg = w.http_tg("web", secs(0));
    let lb = w.load_balancer("edge", "application", secs(0));
    w.listener(&lb, ("HTTP", 80), &tg, secs(0));
    w.model
        .modify_target_group_attributes(
            &tg,
            &[("deregistration_delay.timeout_seconds".into(), "60".into())],
            secs(0),
        )
        .unwrap();
    w.register(&tg, "10.0.1.5", secs(0));
    w.model
        .deregister_targets(&tg, &[target("10.0.1.5", None)], secs(100))
        .unwrap();
    assert_eq!(
        w.one(&tg, secs(100)),
        ("draining", Some("Target.DeregistrationInProgress"))
    );
    assert_eq!(
        w.one(&tg, secs(159)),
        ("draining", Some("Target.DeregistrationInProgress"))
    );
    assert!(
        w.health(&tg, secs(160)).is_empty(),
        "gone from the unfiltered listing"
    );
    let asked = w
        .model
        .describe_target_health(&tg, &[target("10.0.1.5", None)], secs(160))
        .unwrap();
    assert_eq!(asked[0].health.state.as_str(), "unused");
    assert_eq!(asked[0].health.reason, Some("Target.NotRegistered"));
    assert_eq!(
        asked[0].health.description.as_deref(),
        Some("Target is not registered to the target group")
    );
}

#[test]
fn reregistering_a_draining_target_starts_over() {
    let mut w = World::new();
    let tg = w.http_tg("web", secs(0));
    let lb = w.load_balancer("edge", "application", secs(0));
    w.listener(&lb, ("HTTP", 80), &tg, secs(0));
    w.register(&tg, "10.0.1.5", secs(0));
    w.model
        .deregister_targets(&tg, &[target("10.0.1.5", None)], secs(50))
        .unwrap();
    w.register(&tg, "10.0.1.5", secs(60));
    assert_eq!(w.one(&tg, secs(60)), ("initial", REGISTRATION));
    assert_eq!(w.one(&tg, secs(75)), ("healthy", None));
    // Registering a live target again changes nothing.
    w.register(&tg, "10.0.1.5", secs(80));
    assert_eq!(w.one(&tg, secs(80)), ("healthy", None));
}

#[test]
fn unused_group_drops_deregistered_targets_at_once_and_detaching_drops_draining_ones() {
    let mut w = World::new();
    let tg = w.http_tg("web", secs(0));
    w.register(&tg, "10.0.1.5", secs(0));
    w.model
        .deregister_targets(&tg, &[target("10.0.1.5", None)], secs(1))
        .unwrap();
    assert!(w.health(&tg, secs(1)).is_empty());

    let lb = w.load_balancer("edge", "application", secs(2));
    let listener = w.listener(&lb, ("HTTP", 80), &tg, secs(2));
    w.register(&tg, "10.0.1.6", secs(2));
    w.model
        .deregister_targets(&tg, &[target("10.0.1.6", None)], secs(30))
        .unwrap();
    assert_eq!(w.one(&tg, secs(31)).0, "draining");
    w.model.delete_listener(&listener, secs(32)).unwrap();
    assert!(w.health(&tg, secs(32)).is_empty());
}

#[test]
fn nlb_targets_wait_for_the_registration_lag() {
    let mut w = World::new();
    let tg = w.tcp_tg("tcp", secs(0));
    let lb = w.load_balancer("net", "network", secs(0));
    w.listener(&lb, ("TCP", 443), &tg, secs(0));
    w.register(&tg, "10.0.1.5", secs(0));
    // Lag 30 s, then checks every 10 s: first at 40, healthy (2 checks) at 50.
    assert_eq!(w.one(&tg, secs(39)), ("initial", REGISTRATION));
    assert_eq!(w.one(&tg, secs(40)), ("initial", INITIAL_CHECKS));
    assert_eq!(w.one(&tg, secs(50)), ("healthy", None));
}

#[test]
fn failing_targets_turn_unhealthy_with_the_mode_reason_and_recover() {
    let cases = [
        (HealthMode::Refusing, "Target.FailedHealthChecks"),
        (HealthMode::Timeout, "Target.Timeout"),
        (HealthMode::ResponseCode(500), "Target.ResponseCodeMismatch"),
    ];
    for (mode, reason) in cases {
        let mut w = World::new();
        let tg = w.http_tg("web", secs(0));
        let lb = w.load_balancer("edge", "application", secs(0));
        w.listener(&lb, ("HTTP", 80), &tg, secs(0));
        w.model.set_health("10.0.1.5", None, mode, secs(0));
        w.register(&tg, "10.0.1.5", secs(0));
        assert_eq!(w.one(&tg, secs(5)), ("initial", INITIAL_CHECKS), "{mode:?}");
        assert_eq!(
            w.one(&tg, secs(10)),
            ("unhealthy", Some(reason)),
            "{mode:?}"
        );
        w.model
            .set_health("10.0.1.5", Some(8080), HealthMode::Answering, secs(12));
        // Checks at 15, 20 and 25 s succeed: three in a row.
        assert_eq!(
            w.one(&tg, secs(24)),
            ("unhealthy", Some(reason)),
            "{mode:?}"
        );
        assert_eq!(w.one(&tg, secs(25)), ("healthy", None), "{mode:?}");
    }
}

#[test]
fn modified_interval_applies_from_the_next_check() {
    let mut w = World::new();
    let tg = w.http_tg("web", secs(0));
    let lb = w.load_balancer("edge", "application", secs(0));
    w.listener(&lb, ("HTTP", 80), &tg, secs(0));
    w.register(&tg, "10.0.1.5", secs(0));
    let slower = TargetGroupChanges {
        health_check_interval_seconds: Some(60),
        ..Default::default()
    };
    w.model.modify_target_group(&tg, &slower, secs(6)).unwrap();
    // One check ran at 5 s; the next is still due at 10 s, then every 60 s: 70 s.
    assert_eq!(w.one(&tg, secs(69)), ("initial", INITIAL_CHECKS));
    assert_eq!(w.one(&tg, secs(70)), ("healthy", None));
}

#[test]
fn eventual_consistency_hides_new_groups_and_targets() {
    let mut model = Model::new(&config(0, 2));
    let vpc = model.default_vpc().unwrap().id.clone();
    let input = TargetGroupInput {
        name: "web".into(),
        protocol: Some("HTTP".into()),
        port: Some(80),
        vpc_id: Some(vpc),
        target_type: Some("ip".into()),
        ..Default::default()
    };
    let arn = model.create_target_group(&input, &[], secs(0)).unwrap().arn;
    let by_arn = TargetGroupFilter {
        arns: vec![arn.clone()],
        ..Default::default()
    };
    assert_eq!(
        model
            .describe_target_groups(&by_arn, None, None, secs(1))
            .unwrap_err()
            .code,
        "TargetGroupNotFound"
    );
    assert_eq!(
        model
            .describe_target_groups(&by_arn, None, None, secs(2))
            .unwrap()
            .items
            .len(),
        1
    );
    model
        .register_targets(&arn, &[target("10.0.1.5", None)], secs(3))
        .unwrap();
    assert!(
        model
            .describe_target_health(&arn, &[], secs(4))
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        model
            .describe_target_health(&arn, &[], secs(5))
            .unwrap()
            .len(),
        1
    );
}
