//! The shared, reusable health answer: which passes call DescribeTargetHealth and which reuse
//! the group's held answer. On tokio's paused clock, so ages are exact.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use kube::runtime::reflector;
use lbgate_core::schedule::{HealthCheckSettings, LoadBalancerKind};
use lbgate_core::target::{TargetKey, TargetState};
use lbgate_elbv2::{Operation, TargetHealthState};
use lbgate_testkit::{FakeConfig, FakeElbv2};

use super::{Reuse, deregister, observe, register};
use crate::context::{Clock, Context, ControllerConfig};
use crate::metrics::Metrics;
use crate::stores::Stores;

const SETTINGS: HealthCheckSettings = HealthCheckSettings {
    interval: Duration::from_secs(5),
    healthy_threshold: 2,
    load_balancer: LoadBalancerKind::Application,
};

fn context(fake: &FakeElbv2) -> Context {
    lbgate_testkit::install_crypto();
    let client =
        kube::Client::try_from(kube::Config::new("http://127.0.0.1:9".parse().unwrap())).unwrap();
    let stores = Stores {
        bindings: reflector::store().0,
        services: reflector::store().0,
        slices: reflector::store().0,
        pods: reflector::store().0,
        nodes: reflector::store().0,
    };
    let metrics = Metrics::register(&prometheus::Registry::new()).unwrap();
    let mut ctx = Context::new(
        client,
        Arc::new(fake.clone()),
        stores,
        ControllerConfig::default(),
        metrics,
    );
    ctx.clock = Clock::tokio();
    ctx
}

thread_local! {
    /// When the binding registered each target, as its memory keeps it (one test per thread:
    /// these tests run on tokio's current-thread runtime).
    static REGISTERED: RefCell<BTreeMap<TargetKey, k8s_openapi::jiff::Timestamp>> =
        const { RefCell::new(BTreeMap::new()) };
}

/// Registers `key` as a pass would: the memory keeps when the call returned.
async fn registered(ctx: &Context, arn: &str, key: &TargetKey) {
    let at = register(ctx, arn, std::slice::from_ref(key)).await.unwrap();
    REGISTERED.with_borrow_mut(|registered| registered.insert(key.clone(), at));
}

async fn world() -> (FakeElbv2, Context, String) {
    let fake = FakeElbv2::new(FakeConfig {
        initial_health: TargetHealthState::Initial,
        ..FakeConfig::default()
    });
    let ctx = context(&fake);
    let arn = fake.add_ip_target_group("web", 8080).arn;
    (fake, ctx, arn)
}

fn describes(fake: &FakeElbv2) -> u64 {
    fake.calls(Operation::DescribeTargetHealth)
}

async fn pass(ctx: &Context, arn: &str) -> Vec<(String, TargetState)> {
    let registered_at = REGISTERED.with_borrow(Clone::clone);
    let reuse = Reuse {
        settings: SETTINGS,
        registered_at: &registered_at,
        now: ctx.now(),
    };
    observe(ctx, arn, Some(reuse))
        .await
        .unwrap()
        .unwrap()
        .into_iter()
        .map(|t| (t.key.id, t.state))
        .collect()
}

async fn advance_ms(ms: u64) {
    tokio::time::advance(Duration::from_millis(ms)).await;
}

#[tokio::test(start_paused = true)]
async fn a_pass_right_after_another_reuses_the_answer_until_the_max_age() {
    let (fake, ctx, arn) = world().await;
    pass(&ctx, &arn).await;
    assert_eq!(describes(&fake), 1);
    pass(&ctx, &arn).await;
    advance_ms(2_900).await;
    pass(&ctx, &arn).await;
    assert_eq!(describes(&fake), 1, "younger than 3 s: shared");
    assert_eq!(ctx.metrics.health_answers("aws"), 1);
    assert_eq!(ctx.metrics.health_answers("reused"), 2);
    advance_ms(100).await;
    pass(&ctx, &arn).await;
    assert_eq!(describes(&fake), 2, "3 s old: asked again");
    assert_eq!(ctx.metrics.health_answers("aws"), 2);
    observe(&ctx, &arn, None).await.unwrap();
    assert_eq!(
        describes(&fake),
        3,
        "no settings (a deletion): always asked"
    );
}

#[tokio::test(start_paused = true)]
async fn an_unexpected_change_is_seen_within_the_max_age() {
    let (fake, ctx, arn) = world().await;
    let key = TargetKey::new("10.0.0.1".to_owned(), 8080);
    registered(&ctx, &arn, &key).await;
    fake.set_target_state(
        &arn,
        &lbgate_elbv2::Target::new("10.0.0.1", 8080),
        TargetHealthState::Healthy,
    );
    assert_eq!(pass(&ctx, &arn).await[0].1, TargetState::Healthy);
    // It fails its checks behind our back, between verdicts.
    fake.set_target_state(
        &arn,
        &lbgate_elbv2::Target::new("10.0.0.1", 8080),
        TargetHealthState::Unhealthy,
    );
    advance_ms(1_000).await;
    assert_eq!(pass(&ctx, &arn).await[0].1, TargetState::Healthy, "held");
    advance_ms(2_000).await;
    assert_eq!(
        pass(&ctx, &arn).await[0].1,
        TargetState::Unhealthy,
        "seen at the max age"
    );
}

#[tokio::test(start_paused = true)]
async fn a_mutation_of_ours_calls_again() {
    let (fake, ctx, arn) = world().await;
    assert!(pass(&ctx, &arn).await.is_empty());
    let key = TargetKey::new("10.0.0.1".to_owned(), 8080);
    registered(&ctx, &arn, &key).await;
    let seen = pass(&ctx, &arn).await;
    assert_eq!(describes(&fake), 2, "registered since the answer");
    assert_eq!(seen, [("10.0.0.1".to_owned(), TargetState::Initial)]);
    pass(&ctx, &arn).await;
    assert_eq!(describes(&fake), 2, "nothing since: shared");
    deregister(&ctx, &arn, std::slice::from_ref(&key).iter())
        .await
        .unwrap();
    pass(&ctx, &arn).await;
    assert_eq!(describes(&fake), 3, "deregistered since the answer");
    // A mutation that fails still may have changed the group.
    fake.fail_next(
        Operation::RegisterTargets,
        lbgate_elbv2::Elbv2Error::InvalidTarget {
            operation: Operation::RegisterTargets,
            message: "The following targets are not in a running state".to_owned(),
            source: None,
        },
        1,
    );
    register(&ctx, &arn, std::slice::from_ref(&key))
        .await
        .unwrap_err();
    pass(&ctx, &arn).await;
    assert_eq!(describes(&fake), 4, "a failed mutation counts too");
}

#[tokio::test(start_paused = true)]
async fn an_answer_sent_during_a_mutation_is_not_reused() {
    let (fake, ctx, arn) = world().await;
    let ctx = Arc::new(ctx);
    fake.set_latency(Duration::from_millis(200));
    let key = TargetKey::new("10.0.0.1".to_owned(), 8080);
    let registering = {
        let ctx = Arc::clone(&ctx);
        let arn = arn.clone();
        tokio::spawn(async move { register(&ctx, &arn, &[key]).await.map(drop) })
    };
    // Let the registration start, then describe while it is in flight.
    advance_ms(50).await;
    pass(&ctx, &arn).await;
    registering.await.unwrap().unwrap();
    let before = describes(&fake);
    pass(&ctx, &arn).await;
    assert_eq!(
        describes(&fake),
        before + 1,
        "the overlapping answer was not reused"
    );
}

#[tokio::test(start_paused = true)]
async fn a_due_verdict_calls_again_and_each_re_poll_too() {
    let (fake, ctx, arn) = world().await;
    let key = TargetKey::new("10.0.0.1".to_owned(), 8080);
    registered(&ctx, &arn, &key).await;
    // (ms since registration, whether this pass calls DescribeTargetHealth)
    let passes = [
        (0, true),       // registered since the last answer
        (1_000, false),  // quiet
        (8_000, true),   // older than the max age
        (9_500, false),  // the verdict (10 s) is still ahead
        (10_000, true),  // its window opened since the answer: call, though 2 s old
        (10_250, true),  // re-poll inside the window
        (10_500, true),  // and again
        (12_500, true),  // the window (to 12 s) closed after the last answer
        (13_000, false), // quiet again
    ];
    let mut at = 0;
    for (since, calls) in passes {
        advance_ms(since - at).await;
        at = since;
        let before = describes(&fake);
        pass(&ctx, &arn).await;
        assert_eq!(
            describes(&fake) - before,
            u64::from(calls),
            "pass at {since} ms"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn reuse_is_off_at_zero_max_age() {
    let fake = FakeElbv2::default();
    let mut ctx = context(&fake);
    ctx.config.schedule.health_max_age = Duration::ZERO;
    let arn = fake.add_ip_target_group("web", 8080).arn;
    pass(&ctx, &arn).await;
    pass(&ctx, &arn).await;
    assert_eq!(describes(&fake), 2);
}
