//! Shared helpers of the suite: a simulated API server per test and a kube-rs client.

use std::future::Future;
use std::time::Duration;

use kube::Client;
use lbgate_sim_apiserver::{KubeSim, KubeSimConfig};

/// Every wait in these tests is bounded by this.
pub const DEADLINE: Duration = Duration::from_secs(10);

pub async fn start() -> (KubeSim, Client) {
    start_with(KubeSimConfig::default()).await
}

pub async fn start_with(config: KubeSimConfig) -> (KubeSim, Client) {
    let sim = KubeSim::start(config).await.expect("the API server starts");
    let client = client_for(&sim);
    (sim, client)
}

pub fn client_for(sim: &KubeSim) -> Client {
    let url: http::Uri = sim.url().parse().expect("a URL");
    let mut config = kube::Config::new(url);
    config.default_namespace = "default".to_owned();
    config.read_timeout = Some(Duration::from_secs(30));
    Client::try_from(config).expect("a client")
}

pub async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(DEADLINE, future)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// The `Status` of a failed call.
pub fn api_error(error: kube::Error) -> (u16, String, String) {
    match error {
        kube::Error::Api(status) => (status.code, status.reason.clone(), status.message.clone()),
        other => panic!("expected an API error, got {other:?}"),
    }
}
