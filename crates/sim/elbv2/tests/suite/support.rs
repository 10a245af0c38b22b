//! Helpers shared by the simulator's integration tests.

use std::sync::Arc;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::Credentials;
use aws_sdk_elasticloadbalancingv2::Client;
use lbgate_sim_clock::ManualClock;
use lbgate_sim_elbv2::{Elbv2Sim, SimConfig};

/// A real SDK client pointed at the simulator, with retries off so throttles surface.
pub async fn client(sim: &Elbv2Sim) -> Client {
    lbgate_testkit::install_crypto();
    let config = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(sim.endpoint_url())
        .region(aws_config::Region::new(sim.region().to_owned()))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "static"))
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(Duration::from_secs(10))
                .build(),
        )
        .load()
        .await;
    Client::new(&config)
}

/// A simulator on a manual clock, and the clock.
pub async fn manual_sim(config: SimConfig) -> (Elbv2Sim, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    let sim = Elbv2Sim::start(SimConfig {
        clock: Some(clock.clone()),
        ..config
    })
    .await
    .expect("simulator starts");
    (sim, clock)
}

/// Creates an HTTP ip target group on `port` and returns its ARN.
pub async fn target_group_on_port(port: i32, client: &Client, vpc: &str, name: &str) -> String {
    use aws_sdk_elasticloadbalancingv2::types::{ProtocolEnum, TargetTypeEnum};
    let out = client
        .create_target_group()
        .name(name)
        .protocol(ProtocolEnum::Http)
        .port(port)
        .vpc_id(vpc)
        .target_type(TargetTypeEnum::Ip)
        .send()
        .await
        .expect("create target group");
    out.target_groups()[0]
        .target_group_arn()
        .unwrap()
        .to_owned()
}
