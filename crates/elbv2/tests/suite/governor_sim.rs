//! The governor over the SDK adapter against the simulator with 30 % of calls throttled (wall
//! clock, real HTTP): batches still land, describes slow down, and the metrics agree with the
//! simulator's own call counts.

use std::sync::Arc;
use std::time::Duration;

use lbgate_elbv2::governor::RetryPolicy;
use lbgate_elbv2::{
    ApiClass, AwsClientConfig, CallOptions, CreateTargetGroupSpec, Elbv2Metrics, Governed,
    Governor, GovernorConfig, Operation, Priority, Protocol, SdkElbv2, Target, TargetGroupsApi,
    TargetType, TargetsApi,
};
use lbgate_sim_elbv2::{Elbv2Sim, SimConfig};
use lbgate_testkit::metrics::sum_registry;
use prometheus::Registry;
use tokio::time::Instant;

use crate::support::calls;

fn metric(registry: &Registry, name: &str, op: Operation) -> u64 {
    sum_registry(registry, name, &[("operation", op.as_str())]) as u64
}

fn opts(priority: Priority) -> CallOptions {
    CallOptions::new(priority).with_timeout(Duration::from_secs(30))
}

#[tokio::test]
async fn throttled_simulator_still_gets_every_target_and_every_call_counted() {
    lbgate_testkit::install_crypto();
    let sim = Elbv2Sim::start(SimConfig::default())
        .await
        .expect("simulator starts");
    sim.set_throttle_rate("*", 0.3);

    let sdk = SdkElbv2::new(
        AwsClientConfig {
            region: Some(sim.region().to_owned()),
            endpoint_url: Some(sim.endpoint_url()),
            ..AwsClientConfig::default()
        }
        .with_static_credentials("testing", "testing"),
    )
    .await;
    let registry = Registry::new();
    let metrics = Elbv2Metrics::register(&registry).unwrap();
    let config = GovernorConfig {
        // Short steps keep the wall-clock test quick; the shape of the policy is unchanged.
        retry: RetryPolicy {
            throttle_base: Duration::from_millis(20),
            throttle_cap: Duration::from_millis(200),
            transient_base: Duration::from_millis(20),
            transient_cap: Duration::from_millis(200),
            ..RetryPolicy::default()
        },
        jitter_seed: Some(3),
        ..GovernorConfig::default()
    };
    let governor = Arc::new(Governor::with_metrics(config, metrics));
    let api = Governed::new(sdk, governor.clone());

    let tg = api
        .create_target_group(
            CreateTargetGroupSpec {
                name: "gov-web".into(),
                protocol: Some(Protocol::Http),
                port: Some(8080),
                vpc_id: Some(sim.default_vpc_id()),
                target_type: Some(TargetType::Ip),
                ..CreateTargetGroupSpec::default()
            },
            opts(Priority::Mutate),
        )
        .await
        .expect("create target group despite throttling");

    let targets: Vec<Target> = (0..300)
        .map(|i| Target::new(format!("10.0.{}.{}", 1 + i / 200, 1 + i % 200), 8080))
        .collect();
    let outcome = api
        .register_targets(tg.arn.clone(), targets.clone(), opts(Priority::Register))
        .await
        .unwrap();
    assert!(outcome.is_complete(), "{:?}", outcome.first_error());
    let rows = api
        .describe_target_health(tg.arn.clone(), None, opts(Priority::DescribeHealth))
        .await
        .expect("describe health despite throttling");
    assert_eq!(rows.len(), 300, "every chunk landed");

    let outcome = api
        .deregister_targets(tg.arn.clone(), targets, opts(Priority::Deregister))
        .await
        .unwrap();
    assert!(outcome.is_complete(), "{:?}", outcome.first_error());

    // Describes back off: AIMD lowers the describe rate below its configured 5/s.
    let configured = governor
        .config()
        .effective_bucket(ApiClass::Describe)
        .refill_per_second;
    let end = Instant::now() + Duration::from_secs(3);
    let mut lowest = f64::MAX;
    let before = calls(&sim, "DescribeTargetHealth");
    while Instant::now() < end {
        let _ = api
            .describe_target_health(tg.arn.clone(), None, opts(Priority::DescribeHealth))
            .await;
        lowest = lowest.min(governor.current_rate(ApiClass::Describe));
    }
    let polled = calls(&sim, "DescribeTargetHealth") - before;
    // Measured after each (retried, successful) call, so one halving shows as 2.5 + 0.25.
    assert!(lowest < configured * 0.6, "lowest rate {lowest}");
    // Unthrottled, 3 s would allow the health-poll share of the burst (14) plus 15 refills.
    assert!(polled < 25, "{polled} describe calls in 3 s");

    // Every attempt the simulator saw is counted once, and so is every throttle: each call
    // is either its one success or a throttled attempt.
    let mut throttles = 0;
    for (op, successes) in [
        (Operation::CreateTargetGroup, 1),
        (Operation::RegisterTargets, 2),
        (Operation::DeregisterTargets, 2),
    ] {
        let seen = calls(&sim, op.as_str());
        assert_eq!(
            metric(&registry, "lbgate_aws_api_calls_total", op),
            seen,
            "{op}"
        );
        let throttled = metric(&registry, "lbgate_aws_api_throttles_total", op);
        assert_eq!(seen, successes + throttled, "{op}");
        assert_eq!(
            metric(&registry, "lbgate_aws_api_retries_total", op),
            throttled,
            "{op}"
        );
        throttles += throttled;
    }
    let describes = calls(&sim, "DescribeTargetHealth");
    assert_eq!(
        metric(
            &registry,
            "lbgate_aws_api_calls_total",
            Operation::DescribeTargetHealth
        ),
        describes
    );
    throttles += metric(
        &registry,
        "lbgate_aws_api_throttles_total",
        Operation::DescribeTargetHealth,
    );
    assert!(throttles > 0, "30 % throttling must have bitten");
    let gauge = sum_registry(
        &registry,
        "lbgate_aws_api_budget_rate",
        &[("class", "describe")],
    );
    assert!(gauge < configured, "{gauge}");

    sim.shutdown().await.expect("shutdown");
}
