//! The aws-sdk adapter against the ELBv2 simulator (real SDK, real HTTP, manual clock): a full
//! round trip through target groups, a load balancer, listeners, rules, chunked registration,
//! health states, draining, tags and attributes; typed errors; pagination.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use lbgate_elbv2::{
    Action, ChunkStatus, CreateListenerSpec, CreateRuleSpec, ListenerQuery, LoadBalancerQuery,
    LoadBalancersApi, ModifyListenerSpec, ModifyRuleSpec, Protocol, RuleCondition, RuleQuery, Tag,
    Target, TargetGroupQuery, TargetGroupsApi, TargetHealthState, TargetType, TargetsApi,
};
use lbgate_sim_elbv2::HealthMode;

use crate::support::{
    advance_until, by_target, calls, ip_targets, load_balancer, opts, spec, world,
};

#[tokio::test]
async fn full_round_trip() {
    let world = world(400).await;
    let vpc = world.sim.default_vpc_id();
    let refusing = Target::new("10.0.1.1", 8080);
    world.sim.set_health(
        refusing.id.parse::<IpAddr>().unwrap(),
        Some(8080),
        HealthMode::Refusing,
    );

    // Target group: created, idempotent for identical settings, described back.
    let tg = world
        .api
        .create_target_group(spec("rt-web", &vpc), opts())
        .await
        .expect("create target group");
    assert!(tg.arn.contains(":targetgroup/rt-web/"), "{}", tg.arn);
    assert_eq!(tg.port, Some(8080));
    assert_eq!(tg.target_type, Some(TargetType::Ip));
    assert_eq!(tg.health_check.interval_seconds, Some(5));
    assert_eq!(tg.health_check.healthy_threshold, Some(2));
    assert_eq!(tg.health_check.path.as_deref(), Some("/healthz"));
    let again = world
        .api
        .create_target_group(spec("rt-web", &vpc), opts())
        .await
        .expect("identical create is idempotent");
    assert_eq!(again.arn, tg.arn);

    // Load balancer and listener: the group becomes "in use".
    let lb_arn = load_balancer(&world, "rt-lb").await;
    let lbs = world
        .api
        .describe_load_balancers(LoadBalancerQuery::Arns(vec![lb_arn.clone()]), opts())
        .await
        .unwrap();
    assert_eq!(lbs.len(), 1);
    assert_eq!(lbs[0].name, "rt-lb");
    assert!(lbs[0].dns_name.is_some());
    let listener = world
        .api
        .create_listener(
            CreateListenerSpec {
                load_balancer_arn: lb_arn.clone(),
                protocol: Some(Protocol::Http),
                port: Some(80),
                default_actions: vec![Action::forward_to(&tg.arn)],
                certificate_arns: vec![],
                ssl_policy: None,
            },
            opts(),
        )
        .await
        .expect("create listener");
    assert_eq!(listener.port, Some(80));
    assert_eq!(listener.default_actions, vec![Action::forward_to(&tg.arn)]);
    let listeners = world
        .api
        .describe_listeners(ListenerQuery::LoadBalancer(lb_arn.clone()), opts())
        .await
        .unwrap();
    assert_eq!(listeners, vec![listener.clone()]);
    let described = world
        .api
        .describe_target_groups(TargetGroupQuery::LoadBalancer(lb_arn.clone()), opts())
        .await
        .unwrap();
    assert_eq!(described.len(), 1);
    assert_eq!(described[0].load_balancer_arns, vec![lb_arn.clone()]);

    // 450 targets go out in three calls.
    let before = calls(&world.sim, "RegisterTargets");
    let outcome = world
        .api
        .register_targets(tg.arn.clone(), ip_targets(450), opts())
        .await
        .unwrap();
    assert!(outcome.is_complete(), "{:?}", outcome.first_error());
    assert_eq!(
        outcome
            .chunks
            .iter()
            .map(|c| c.targets.len())
            .collect::<Vec<_>>(),
        vec![200, 200, 50]
    );
    assert_eq!(calls(&world.sim, "RegisterTargets") - before, 3);

    // Health follows the group's settings: registration, first checks, then a verdict.
    let rows = advance_until(&world, &tg.arn, 0, |rows| rows.len() == 450).await;
    let first = &rows[&ip_targets(1)[0]];
    assert_eq!(first.state, TargetHealthState::Initial);
    assert_eq!(first.reason.as_deref(), Some("Elb.RegistrationInProgress"));
    let rows = advance_until(&world, &tg.arn, 30, |rows| {
        rows.values()
            .any(|r| r.reason.as_deref() == Some("Elb.InitialHealthChecking"))
    })
    .await;
    assert!(rows.values().all(|r| r.state == TargetHealthState::Initial));
    let rows = advance_until(&world, &tg.arn, 30, |rows| {
        rows.values().all(|r| {
            r.state == TargetHealthState::Healthy || r.state == TargetHealthState::Unhealthy
        })
    })
    .await;
    let bad = &rows[&refusing];
    assert_eq!(bad.state, TargetHealthState::Unhealthy);
    assert_eq!(bad.reason.as_deref(), Some("Target.FailedHealthChecks"));
    let healthy = rows
        .values()
        .filter(|r| r.state == TargetHealthState::Healthy)
        .count();
    assert_eq!(healthy, 449);
    assert!(rows[&Target::new("10.0.2.7", 8080)].reason.is_none());

    // Filtered describe, including a target that was never registered.
    let stranger = Target::new("10.0.9.9", 8080);
    let filtered = world
        .api
        .describe_target_health(
            tg.arn.clone(),
            Some(vec![Target::new("10.0.2.7", 8080), stranger.clone()]),
            opts(),
        )
        .await
        .unwrap();
    assert_eq!(filtered.len(), 2);
    let filtered = by_target(filtered);
    assert_eq!(
        filtered[&Target::new("10.0.2.7", 8080)].state,
        TargetHealthState::Healthy
    );
    assert_ne!(filtered[&stranger].state, TargetHealthState::Healthy);
    assert_eq!(
        filtered[&stranger].reason.as_deref(),
        Some("Target.NotRegistered")
    );

    // Attributes: default deregistration delay, then a shorter one.
    let attributes = world
        .api
        .describe_target_group_attributes(tg.arn.clone(), opts())
        .await
        .unwrap();
    assert_eq!(
        attributes
            .get("deregistration_delay.timeout_seconds")
            .map(String::as_str),
        Some("300")
    );
    let changed = world
        .api
        .modify_target_group_attributes(
            tg.arn.clone(),
            BTreeMap::from([("deregistration_delay.timeout_seconds".into(), "30".into())]),
            opts(),
        )
        .await
        .unwrap();
    assert_eq!(
        changed
            .get("deregistration_delay.timeout_seconds")
            .map(String::as_str),
        Some("30")
    );

    // Deregistration drains for the configured delay, then the targets are gone.
    let leaving: Vec<Target> = ip_targets(450).into_iter().skip(400).collect();
    let outcome = world
        .api
        .deregister_targets(tg.arn.clone(), leaving.clone(), opts())
        .await
        .unwrap();
    assert!(outcome.is_complete());
    let rows = advance_until(&world, &tg.arn, 0, |_| true).await;
    assert_eq!(rows.len(), 450);
    let draining = &rows[&leaving[0]];
    assert_eq!(draining.state, TargetHealthState::Draining);
    assert_eq!(
        draining.reason.as_deref(),
        Some("Target.DeregistrationInProgress")
    );
    world.clock.advance(Duration::from_secs(29));
    let rows = advance_until(&world, &tg.arn, 0, |_| true).await;
    assert_eq!(rows.len(), 450, "still draining before the delay ends");
    let rows = advance_until(&world, &tg.arn, 5, |rows| rows.len() == 400).await;
    assert!(leaving.iter().all(|t| !rows.contains_key(t)));

    // Tags on the group and the load balancer.
    world
        .api
        .add_tags(
            vec![tg.arn.clone(), lb_arn.clone()],
            vec![
                Tag::new("elbv2.k8s.aws/cluster", "prod"),
                Tag::new("team", "web"),
            ],
            opts(),
        )
        .await
        .expect("add tags");
    world
        .api
        .remove_tags(vec![lb_arn.clone()], vec!["team".into()], opts())
        .await
        .expect("remove tags");
    let tags = world
        .api
        .describe_tags(vec![tg.arn.clone(), lb_arn.clone()], opts())
        .await
        .unwrap();
    let mut tg_tags = tags[&tg.arn].clone();
    tg_tags.sort();
    assert_eq!(
        tg_tags,
        vec![
            Tag::new("elbv2.k8s.aws/cluster", "prod"),
            Tag::new("team", "web")
        ]
    );
    assert_eq!(
        tags[&lb_arn],
        vec![Tag::new("elbv2.k8s.aws/cluster", "prod")]
    );

    // Rules: create, describe, modify, delete; listener modify.
    let tg2 = world
        .api
        .create_target_group(spec("rt-api", &vpc), opts())
        .await
        .unwrap();
    let rule = world
        .api
        .create_rule(
            CreateRuleSpec {
                listener_arn: listener.arn.clone(),
                priority: 10,
                conditions: vec![RuleCondition::PathPattern(vec!["/api/*".into()])],
                actions: vec![Action::forward_to(&tg2.arn)],
            },
            opts(),
        )
        .await
        .expect("create rule");
    assert_eq!(rule.priority_number(), Some(10));
    assert_eq!(
        rule.conditions,
        vec![RuleCondition::PathPattern(vec!["/api/*".into()])]
    );
    let rules = world
        .api
        .describe_rules(RuleQuery::Listener(listener.arn.clone()), opts())
        .await
        .unwrap();
    assert_eq!(rules.len(), 2, "the default rule and ours: {rules:?}");
    assert!(
        rules
            .iter()
            .any(|r| r.is_default && r.priority == "default")
    );
    let modified = world
        .api
        .modify_rule(
            ModifyRuleSpec {
                rule_arn: rule.arn.clone(),
                conditions: Some(vec![RuleCondition::HostHeader(vec![
                    "api.example.com".into(),
                ])]),
                actions: None,
            },
            opts(),
        )
        .await
        .expect("modify rule");
    assert_eq!(
        modified.conditions,
        vec![RuleCondition::HostHeader(vec!["api.example.com".into()])]
    );
    assert_eq!(modified.actions, vec![Action::forward_to(&tg2.arn)]);
    let tg2_now = world
        .api
        .describe_target_groups(TargetGroupQuery::Arns(vec![tg2.arn.clone()]), opts())
        .await
        .unwrap();
    assert_eq!(tg2_now[0].load_balancer_arns, vec![lb_arn.clone()]);
    world
        .api
        .delete_rule(rule.arn.clone(), opts())
        .await
        .expect("delete rule");
    let listener = world
        .api
        .modify_listener(
            ModifyListenerSpec {
                listener_arn: listener.arn.clone(),
                default_actions: Some(vec![Action::forward_to(&tg2.arn)]),
                ..ModifyListenerSpec::default()
            },
            opts(),
        )
        .await
        .expect("modify listener");
    assert_eq!(listener.default_actions, vec![Action::forward_to(&tg2.arn)]);

    // Cleanup: a group in use cannot be deleted; after the listener goes, both can.
    let err = world
        .api
        .delete_target_group(tg2.arn.clone(), opts())
        .await
        .unwrap_err();
    assert_eq!(err.category(), "ResourceInUse", "{err}");
    world
        .api
        .delete_listener(listener.arn.clone(), opts())
        .await
        .expect("delete listener");
    for arn in [tg.arn, tg2.arn] {
        world
            .api
            .delete_target_group(arn, opts())
            .await
            .expect("delete target group");
    }
    world.sim.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn errors_arrive_typed() {
    let world = world(400).await;
    let vpc = world.sim.default_vpc_id();
    let unknown = format!(
        "arn:aws:elasticloadbalancing:{}:{}:targetgroup/nope/0123456789abcdef",
        world.sim.region(),
        world.sim.account_id()
    );

    let err = world
        .api
        .describe_target_health(unknown.clone(), None, opts())
        .await
        .unwrap_err();
    assert_eq!(err.category(), "TargetGroupNotFound", "{err}");
    assert!(!err.is_retryable());
    let err = world
        .api
        .describe_target_groups(TargetGroupQuery::Arns(vec![unknown.clone()]), opts())
        .await
        .unwrap_err();
    assert_eq!(err.category(), "TargetGroupNotFound", "{err}");

    // Registering into an unknown group: the first chunk fails, the rest are not sent.
    let before = calls(&world.sim, "RegisterTargets");
    let outcome = world
        .api
        .register_targets(unknown, ip_targets(450), opts())
        .await
        .unwrap();
    assert_eq!(calls(&world.sim, "RegisterTargets") - before, 1);
    assert!(
        matches!(&outcome.chunks[0].status, ChunkStatus::Failed(e) if e.category() == "TargetGroupNotFound")
    );
    assert!(matches!(
        outcome.chunks[1].status,
        ChunkStatus::NotAttempted
    ));

    // An invalid target: the whole call is refused and nothing of it lands.
    let tg = world
        .api
        .create_target_group(spec("err-web", &vpc), opts())
        .await
        .unwrap();
    let mut batch = ip_targets(3);
    batch.push(Target::new("not-an-ip", 8080));
    let outcome = world
        .api
        .register_targets(tg.arn.clone(), batch, opts())
        .await
        .unwrap();
    let err = outcome.first_error().expect("rejected").clone();
    assert_eq!(err.category(), "ValidationError", "{err}");
    assert_eq!(err.code(), "ValidationError");
    assert!(err.to_string().contains("not-an-ip"), "{err}");
    let rows = world
        .api
        .describe_target_health(tg.arn.clone(), None, opts())
        .await
        .unwrap();
    assert!(rows.is_empty());

    // Same name, different settings.
    let mut different = spec("err-web", &vpc);
    different.port = Some(9090);
    let err = world
        .api
        .create_target_group(different, opts())
        .await
        .unwrap_err();
    assert_eq!(err.category(), "DuplicateTargetGroupName", "{err}");

    // Unknown listener and rule.
    let err = world
        .api
        .describe_rules(
            RuleQuery::Listener(format!(
                "arn:aws:elasticloadbalancing:{}:{}:listener/app/x/0123456789abcdef/0123456789abcdef",
                world.sim.region(),
                world.sim.account_id()
            )),
            opts(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.category(), "ListenerNotFound", "{err}");

    // Injected server faults and throttles surface with the right category.
    world.sim.set_throttle_rate("DescribeTargetGroups", 1.0);
    let err = world
        .api
        .describe_target_groups(TargetGroupQuery::All, opts())
        .await
        .unwrap_err();
    assert!(err.is_throttle(), "{err}");
    assert_eq!(err.code(), "Throttling");
    world.sim.clear_faults();
    world.sim.set_fault(
        "DescribeTargetGroups",
        lbgate_sim_elbv2::Fault {
            error_rate: 1.0,
            code: "InternalFailure".into(),
            http_status: 500,
            message: "injected".into(),
            latency: Duration::ZERO,
        },
    );
    let err = world
        .api
        .describe_target_groups(TargetGroupQuery::All, opts())
        .await
        .unwrap_err();
    assert_eq!(err.category(), "ServiceUnavailable", "{err}");
    assert!(err.is_retryable());
    world.sim.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn describes_follow_every_page() {
    let world = world(2).await;
    let vpc = world.sim.default_vpc_id();
    let mut created = Vec::new();
    for i in 0..5 {
        let tg = world
            .api
            .create_target_group(spec(&format!("page-{i}"), &vpc), opts())
            .await
            .unwrap();
        created.push(tg.arn);
    }
    let before = calls(&world.sim, "DescribeTargetGroups");
    let all = world
        .api
        .describe_target_groups(TargetGroupQuery::All, opts())
        .await
        .unwrap();
    let mut arns: Vec<String> = all.into_iter().map(|tg| tg.arn).collect();
    arns.sort();
    created.sort();
    assert_eq!(arns, created);
    assert_eq!(
        calls(&world.sim, "DescribeTargetGroups") - before,
        3,
        "pages of 2, 2 and 1"
    );

    let names: Vec<String> = (0..5).map(|i| format!("page-{i}")).collect();
    let by_name = world
        .api
        .describe_target_groups(TargetGroupQuery::Names(names), opts())
        .await
        .unwrap();
    assert_eq!(by_name.len(), 5);
    // An empty filter asks nothing of AWS.
    let before = calls(&world.sim, "DescribeTargetGroups");
    let none = world
        .api
        .describe_target_groups(TargetGroupQuery::Arns(vec![]), opts())
        .await
        .unwrap();
    assert!(none.is_empty());
    assert_eq!(calls(&world.sim, "DescribeTargetGroups"), before);
    world.sim.shutdown().await.expect("shutdown");
}
