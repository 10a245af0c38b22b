//! Shared helpers of the `world_*` tests: an API server, a world on a fast clock, and how long
//! their waits may take.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::api::ListParams;
use kube::{Api, Client};
use lbgate_sim::controllers::{AppRegistry, World, WorldConfig};
use lbgate_sim_apiserver::{KubeSim, KubeSimConfig};
use lbgate_sim_clock::{Clock, ScaledClock};
use lbgate_testkit::Patience;
use lbgate_testkit::objects::{self, Object, pod_condition};
use serde_json::json;

/// Real seconds per simulated second in these tests: 50 times faster than real time.
pub const SCALE: f64 = 0.02;
/// Every wait is bounded by this (wall time).
pub const DEADLINE: Duration = Duration::from_secs(20);
/// The `world_*` tests' waits: at most [`DEADLINE`], looking every 10 ms.
pub const PATIENCE: Patience = Patience::new(DEADLINE, Duration::from_millis(10));

pub struct TestWorld {
    pub kube: KubeSim,
    pub world: World,
    pub client: Client,
    pub clock: Arc<dyn Clock>,
}

impl TestWorld {
    pub async fn start() -> Self {
        Self::start_with(SCALE, |_| {}).await
    }

    pub async fn start_with(scale: f64, tweak: impl FnOnce(&mut WorldConfig)) -> Self {
        let kube = KubeSim::start(KubeSimConfig::default()).await.unwrap();
        let clock: Arc<dyn Clock> = Arc::new(ScaledClock::new(scale));
        let mut config = WorldConfig::new(&kube, AppRegistry::new()).unwrap();
        config.time_scale = scale;
        config.clock = Some(Arc::clone(&clock));
        tweak(&mut config);
        let client = config.client.clone();
        let world = World::start(config).await.unwrap();
        Self {
            kube,
            world,
            client,
            clock,
        }
    }

    pub fn now(&self) -> Duration {
        self.clock.now()
    }

    pub async fn stop(self) {
        self.world.shutdown().await;
        self.kube.shutdown().await.unwrap();
    }

    pub async fn pods(&self, selector: &str) -> Vec<Pod> {
        let api: Api<Pod> = Api::namespaced(self.client.clone(), "default");
        api.list(&ListParams::default().labels(selector))
            .await
            .unwrap()
            .items
    }

    pub async fn deployment(&self, name: &str) -> Deployment {
        let api: Api<Deployment> = Api::namespaced(self.client.clone(), "default");
        api.get(name).await.unwrap()
    }
}

pub fn is_ready(pod: &Pod) -> bool {
    pod_condition(pod, "Ready") == Some("True")
}

/// A Deployment of `replicas` pods labelled `app=<name>` running `image`, rolled out 25 % at a
/// time (Kubernetes' default strategy, spelled out).
pub fn deployment(name: &str, replicas: i32, image: &str) -> Object<Deployment> {
    objects::deployment(name, name, replicas)
        .image(image)
        .merge(json!({"spec": {"strategy": {"type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}}}))
}
