//! Helpers shared by the simulator's integration tests.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::Credentials;
use aws_sdk_elasticloadbalancingv2::Client;
use lbgate_sim_clock::ManualClock;
use lbgate_sim_elbv2::{Elbv2Sim, SimConfig};

/// Installs the crypto provider once per test binary (two providers are compiled in).
pub fn install_crypto() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

/// A real SDK client pointed at the simulator, with retries off so throttles surface.
pub async fn client(sim: &Elbv2Sim) -> Client {
    install_crypto();
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

/// Polls `check` until it returns `Some` or the deadline passes.
pub async fn eventually<T, F, Fut>(deadline: Duration, mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let until = tokio::time::Instant::now() + deadline;
    loop {
        if let Some(value) = check().await {
            return Some(value);
        }
        if tokio::time::Instant::now() >= until {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
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
