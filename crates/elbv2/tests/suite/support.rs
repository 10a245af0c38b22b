//! Helpers shared by this crate's integration tests: a simulator and an SDK adapter pointed at
//! it, plus small builders the suites share.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_elasticloadbalancingv2::types::LoadBalancerTypeEnum;
use lbgate_elbv2::{
    AwsClientConfig, CallOptions, CreateTargetGroupSpec, HealthCheck, Priority, Protocol, SdkElbv2,
    Target, TargetHealth, TargetType, TargetsApi,
};
use lbgate_sim_clock::ManualClock;
use lbgate_sim_elbv2::{Elbv2Sim, SimConfig, ThrottleConfig};

pub struct World {
    pub sim: Elbv2Sim,
    pub clock: Arc<ManualClock>,
    pub api: SdkElbv2,
}

pub async fn world(page_size: i32) -> World {
    lbgate_testkit::install_crypto();
    let clock = Arc::new(ManualClock::new());
    let sim = Elbv2Sim::start(SimConfig {
        clock: Some(clock.clone()),
        // This suite is about the adapter; the governor suite exercises throttling.
        throttle: ThrottleConfig {
            enabled: false,
            ..ThrottleConfig::default()
        },
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts");
    let api = SdkElbv2::new(
        AwsClientConfig {
            region: Some(sim.region().to_owned()),
            endpoint_url: Some(sim.endpoint_url()),
            page_size,
            ..AwsClientConfig::default()
        }
        .with_static_credentials("testing", "testing"),
    )
    .await;
    World { sim, clock, api }
}

pub fn opts() -> CallOptions {
    CallOptions::new(Priority::Mutate)
}

pub fn ip_targets(n: usize) -> Vec<Target> {
    (0..n)
        .map(|i| Target::new(format!("10.0.{}.{}", 1 + i / 200, 1 + i % 200), 8080))
        .collect()
}

pub fn spec(name: &str, vpc: &str) -> CreateTargetGroupSpec {
    CreateTargetGroupSpec {
        name: name.into(),
        protocol: Some(Protocol::Http),
        port: Some(8080),
        vpc_id: Some(vpc.into()),
        target_type: Some(TargetType::Ip),
        health_check: HealthCheck {
            path: Some("/healthz".into()),
            interval_seconds: Some(5),
            timeout_seconds: Some(2),
            healthy_threshold: Some(2),
            unhealthy_threshold: Some(2),
            ..HealthCheck::default()
        },
        ..CreateTargetGroupSpec::default()
    }
}

/// Creates an application load balancer through the raw SDK client (lbgate never creates
/// load balancers, so the port has no such operation).
pub async fn load_balancer(world: &World, name: &str) -> String {
    let subnets: Vec<String> = world.sim.state().with_model(|model, _| {
        model
            .default_vpc()
            .map(|vpc| vpc.subnets.iter().take(2).map(|s| s.id.clone()).collect())
            .unwrap_or_default()
    });
    let created = world
        .api
        .client()
        .create_load_balancer()
        .name(name)
        .r#type(LoadBalancerTypeEnum::Application)
        .set_subnets(Some(subnets))
        .send()
        .await
        .expect("create load balancer");
    created.load_balancers()[0]
        .load_balancer_arn()
        .expect("load balancer ARN")
        .to_owned()
}

pub fn calls(sim: &Elbv2Sim, action: &str) -> u64 {
    sim.call_counts().get(action).copied().unwrap_or(0)
}

pub fn by_target(rows: Vec<TargetHealth>) -> BTreeMap<Target, TargetHealth> {
    rows.into_iter()
        .map(|row| (row.target.clone(), row))
        .collect()
}

/// Advances the simulated clock one second at a time until `done` holds (bounded).
pub async fn advance_until(
    world: &World,
    arn: &str,
    max_seconds: u64,
    done: impl Fn(&BTreeMap<Target, TargetHealth>) -> bool,
) -> BTreeMap<Target, TargetHealth> {
    for _ in 0..=max_seconds {
        let rows = by_target(
            world
                .api
                .describe_target_health(arn.to_owned(), None, opts())
                .await
                .expect("describe health"),
        );
        if done(&rows) {
            return rows;
        }
        world.clock.advance(Duration::from_secs(1));
    }
    panic!("condition not reached within {max_seconds} simulated seconds");
}
