//! The governor over the in-memory fake, on a paused tokio clock: large batches complete under
//! 30 % throttling, describes slow down, retries are bounded, deadlines and cancellation hold,
//! and the metrics count every attempt and every throttle.

use std::sync::Arc;
use std::time::Duration;

use lbgate_elbv2::{
    ApiClass, CallOptions, ChunkStatus, Elbv2Error, Elbv2Metrics, Governed, Governor,
    GovernorConfig, Operation, Priority, Target, TargetGroupQuery, TargetsApi,
};
use lbgate_testkit::metrics::sum_registry;
use lbgate_testkit::{FakeConfig, FakeElbv2};
use prometheus::Registry;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

struct Rig {
    fake: FakeElbv2,
    api: Governed<FakeElbv2>,
    registry: Registry,
}

fn rig(throttle_rate: f64, config: GovernorConfig) -> Rig {
    let fake = FakeElbv2::new(FakeConfig {
        throttle_rate,
        seed: 42,
        ..FakeConfig::default()
    });
    let registry = Registry::new();
    let metrics = Elbv2Metrics::register(&registry).unwrap();
    let governor = Arc::new(Governor::with_metrics(
        GovernorConfig {
            jitter_seed: Some(9),
            ..config
        },
        metrics,
    ));
    Rig {
        api: Governed::new(fake.clone(), governor),
        fake,
        registry,
    }
}

fn opts(priority: Priority) -> CallOptions {
    CallOptions::new(priority).with_timeout(Duration::from_secs(600))
}

fn targets(n: usize) -> Vec<Target> {
    (0..n)
        .map(|i| Target::new(format!("10.0.{}.{}", i / 250, i % 250 + 1), 8080))
        .collect()
}

fn counter(registry: &Registry, name: &str, operation: Operation) -> u64 {
    sum_registry(registry, name, &[("operation", operation.as_str())]) as u64
}

#[tokio::test(start_paused = true)]
async fn large_batches_complete_under_30_percent_throttling() {
    let Rig {
        fake,
        api,
        registry,
    } = rig(0.3, GovernorConfig::default());
    let arn = fake.add_ip_target_group("tg-a", 8080).arn;

    let outcome = api
        .register_targets(arn.clone(), targets(1000), opts(Priority::Register))
        .await
        .unwrap();
    assert!(outcome.is_complete(), "{:?}", outcome.first_error());
    assert_eq!(outcome.chunks.len(), 5);
    assert_eq!(outcome.landed().count(), 1000);
    assert_eq!(fake.registered_targets(&arn).len(), 1000);
    assert!(fake.largest_target_batch() <= 200);
    assert!(
        fake.throttled(Operation::RegisterTargets) > 0,
        "the dice must bite"
    );

    let outcome = api
        .deregister_targets(arn.clone(), targets(1000), opts(Priority::Deregister))
        .await
        .unwrap();
    assert!(outcome.is_complete(), "{:?}", outcome.first_error());
    assert!(fake.registered_targets(&arn).is_empty());
    assert!(fake.throttled(Operation::DeregisterTargets) > 0);

    // Every attempt and every throttle is counted, and each throttle was retried.
    for op in [Operation::RegisterTargets, Operation::DeregisterTargets] {
        let calls = fake.calls(op);
        let throttled = fake.throttled(op);
        assert_eq!(counter(&registry, "lbgate_aws_api_calls_total", op), calls);
        assert_eq!(
            counter(&registry, "lbgate_aws_api_throttles_total", op),
            throttled
        );
        assert_eq!(
            counter(&registry, "lbgate_aws_api_retries_total", op),
            throttled
        );
        let errors = sum_registry(
            &registry,
            "lbgate_aws_api_errors_total",
            &[("operation", op.as_str()), ("code", "Throttling")],
        ) as u64;
        assert_eq!(errors, throttled);
        assert_eq!(
            calls,
            5 + throttled,
            "five chunks plus one attempt per throttle"
        );
    }
    let all_calls = sum_registry(&registry, "lbgate_aws_api_calls_total", &[]) as u64;
    assert_eq!(all_calls, fake.total_calls());
    let histogram_count =
        sum_registry(&registry, "lbgate_aws_api_call_duration_seconds_count", &[]) as u64;
    assert_eq!(histogram_count, fake.total_calls());
    let waits = sum_registry(
        &registry,
        "lbgate_aws_api_budget_wait_seconds_count",
        &[("class", "targets"), ("priority", "register")],
    ) as u64;
    assert_eq!(waits, fake.calls(Operation::RegisterTargets));
}

/// Back-to-back health polls for `window` of virtual time; returns (attempts, lowest rate seen).
async fn poll_health(rig: &Rig, arn: &str, window: Duration) -> (u64, f64) {
    let before = rig.fake.calls(Operation::DescribeTargetHealth);
    let end = Instant::now() + window;
    let mut lowest = f64::MAX;
    while Instant::now() < end {
        let _ = rig
            .api
            .describe_target_health(arn.to_owned(), None, opts(Priority::DescribeHealth))
            .await;
        lowest = lowest.min(rig.api.governor().current_rate(ApiClass::Describe));
    }
    (
        rig.fake.calls(Operation::DescribeTargetHealth) - before,
        lowest,
    )
}

#[tokio::test(start_paused = true)]
async fn describes_back_off_when_throttled() {
    let window = Duration::from_secs(30);
    let calm = rig(0.0, GovernorConfig::default());
    let arn = calm.fake.add_ip_target_group("tg-calm", 8080).arn;
    let (calm_calls, calm_rate) = poll_health(&calm, &arn, window).await;

    let stormy = rig(0.3, GovernorConfig::default());
    let arn = stormy.fake.add_ip_target_group("tg-stormy", 8080).arn;
    let (stormy_calls, stormy_rate) = poll_health(&stormy, &arn, window).await;

    // Unthrottled: the burst minus the health-poll reserve, then 5/s (half of 10/s).
    assert_eq!(calm_rate, 5.0);
    assert!((150..=170).contains(&calm_calls), "{calm_calls}");
    // Throttled: AIMD pulls the rate down and the effective call rate with it.
    assert!(stormy_rate <= 1.25, "{stormy_rate}");
    assert!(
        stormy_calls * 2 < calm_calls,
        "stormy {stormy_calls} vs calm {calm_calls}"
    );
    let gauge = sum_registry(
        &stormy.registry,
        "lbgate_aws_api_budget_rate",
        &[("class", "describe")],
    );
    assert!(gauge < 5.0, "{gauge}");
    assert_eq!(
        counter(
            &stormy.registry,
            "lbgate_aws_api_throttles_total",
            Operation::DescribeTargetHealth
        ),
        stormy.fake.throttled(Operation::DescribeTargetHealth)
    );
}

fn unavailable(op: Operation) -> Elbv2Error {
    Elbv2Error::from_aws_code(op, "InternalFailure", "boom", Some(500), None)
}

#[tokio::test(start_paused = true)]
async fn transient_errors_get_bounded_retries() {
    let rig = rig(0.0, GovernorConfig::default());
    let op = Operation::DescribeTargetGroups;
    rig.fake.fail_next(op, unavailable(op), 10);
    let err = rig
        .api
        .describe_target_groups(TargetGroupQuery::All, opts(Priority::DriftScan))
        .await
        .unwrap_err();
    assert_eq!(err.category(), "ServiceUnavailable");
    assert_eq!(rig.fake.calls(op), 4, "one attempt and three retries");
    assert_eq!(
        counter(&rig.registry, "lbgate_aws_api_retries_total", op),
        3
    );

    // Two failures then success: the call succeeds on the third attempt.
    let rig2 = self::rig(0.0, GovernorConfig::default());
    rig2.fake.fail_next(op, unavailable(op), 2);
    assert!(
        rig2.api
            .describe_target_groups(TargetGroupQuery::All, opts(Priority::DriftScan))
            .await
            .is_ok()
    );
    assert_eq!(rig2.fake.calls(op), 3);
}

#[tokio::test(start_paused = true)]
async fn non_retryable_errors_return_at_once() {
    let rig = rig(0.0, GovernorConfig::default());
    let err = rig
        .api
        .describe_target_groups(
            TargetGroupQuery::Arns(vec!["arn:aws:elasticloadbalancing:nope".into()]),
            opts(Priority::DriftScan),
        )
        .await
        .unwrap_err();
    assert_eq!(err.category(), "TargetGroupNotFound");
    assert_eq!(rig.fake.calls(Operation::DescribeTargetGroups), 1);
    assert_eq!(
        sum_registry(
            &rig.registry,
            "lbgate_aws_api_errors_total",
            &[
                ("operation", "DescribeTargetGroups"),
                ("code", "TargetGroupNotFound")
            ]
        ),
        1.0
    );
}

#[tokio::test(start_paused = true)]
async fn throttle_retries_are_bounded_by_count_and_deadline() {
    let rig = rig(1.0, GovernorConfig::default());
    let err = rig
        .api
        .describe_target_groups(TargetGroupQuery::All, opts(Priority::DriftScan))
        .await
        .unwrap_err();
    assert!(err.is_throttle());
    assert_eq!(rig.fake.calls(Operation::DescribeTargetGroups), 11);

    let rig = self::rig(1.0, GovernorConfig::default());
    let start = Instant::now();
    let err = rig
        .api
        .describe_target_groups(
            TargetGroupQuery::All,
            CallOptions::new(Priority::DriftScan).with_timeout(Duration::from_secs(5)),
        )
        .await
        .unwrap_err();
    assert!(
        err.is_throttle() || err.category() == "DeadlineExceeded",
        "{err}"
    );
    assert!(start.elapsed() <= Duration::from_secs(5));
    assert!(rig.fake.calls(Operation::DescribeTargetGroups) < 11);
}

#[tokio::test(start_paused = true)]
async fn a_slow_call_ends_at_the_deadline() {
    let rig = rig(0.0, GovernorConfig::default());
    rig.fake.set_latency(Duration::from_secs(10));
    let start = Instant::now();
    let err = rig
        .api
        .describe_target_groups(
            TargetGroupQuery::All,
            CallOptions::new(Priority::DriftScan).with_timeout(Duration::from_secs(1)),
        )
        .await
        .unwrap_err();
    assert_eq!(err.category(), "DeadlineExceeded");
    assert_eq!(start.elapsed(), Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn cancellation_stops_waits_and_retries() {
    let rig = rig(0.0, GovernorConfig::default());
    let op = Operation::DescribeTargetGroups;
    rig.fake.fail_next(op, unavailable(op), 100);
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        trigger.cancel();
    });
    let start = Instant::now();
    let err = rig
        .api
        .describe_target_groups(
            TargetGroupQuery::All,
            opts(Priority::DriftScan).with_cancel(cancel),
        )
        .await
        .unwrap_err();
    assert_eq!(err.category(), "Cancelled");
    assert_eq!(start.elapsed(), Duration::from_millis(150));
}

#[tokio::test(start_paused = true)]
async fn landed_chunks_are_not_resent_after_a_chunk_fails() {
    let rig = rig(0.0, GovernorConfig::default());
    let arn = rig.fake.add_ip_target_group("tg-b", 8080).arn;
    let op = Operation::RegisterTargets;
    rig.fake.fail_next(
        op,
        Elbv2Error::from_aws_code(op, "InvalidTarget", "bad", Some(400), None),
        1,
    );
    let outcome = rig
        .api
        .register_targets(arn.clone(), targets(450), opts(Priority::Register))
        .await
        .unwrap();
    assert!(matches!(outcome.chunks[0].status, ChunkStatus::Failed(_)));
    assert!(matches!(outcome.chunks[1].status, ChunkStatus::Landed));
    assert!(matches!(outcome.chunks[2].status, ChunkStatus::Landed));
    assert_eq!(rig.fake.calls(op), 3);
    assert_eq!(rig.fake.registered_targets(&arn).len(), 250);
    assert_eq!(outcome.not_landed().count(), 200);
}

/// The controller holds the port as a shared `Arc<dyn TargetsApi>`; a governor goes on top of
/// such a handle as it does on a concrete port.
#[tokio::test(start_paused = true)]
async fn works_over_a_shared_trait_object() {
    let fake = FakeElbv2::default();
    let arn = fake.add_ip_target_group("tg-dyn", 8080).arn;
    let shared: Arc<dyn TargetsApi> = Arc::new(fake.clone());
    let api = Governed::new(shared, Arc::new(Governor::new(GovernorConfig::default())));

    let groups = api
        .describe_target_groups(
            TargetGroupQuery::Arns(vec![arn.clone()]),
            opts(Priority::DriftScan),
        )
        .await
        .unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].arn, arn);
    let registered = api.register_targets(arn.clone(), targets(3), opts(Priority::Register));
    assert!(registered.await.unwrap().is_complete());
    let health = api.describe_target_health(arn.clone(), None, opts(Priority::DescribeHealth));
    assert_eq!(health.await.unwrap().len(), 3);
    let deregistered = api.deregister_targets(arn.clone(), targets(3), opts(Priority::Deregister));
    assert!(deregistered.await.unwrap().is_complete());
    assert!(fake.registered_targets(&arn).is_empty());
    assert_eq!(fake.total_calls(), 4, "four port calls, none retried");
}
