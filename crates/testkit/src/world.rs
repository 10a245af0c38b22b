//! [`ControllerWorld`] (feature `world`): the simulated Kubernetes API server and the ELBv2
//! simulator on a manual clock (target health moves only when a test advances it), and the
//! controller started the way the binary starts it: [`Parts::new`] from a configuration, then
//! [`Runtime::start`], then [`Running::wait`](lbgate_controller::runtime::Running::wait).
//!
//! - this module: the world, its controller and the suite's [`PATIENCE`];
//! - [`cluster`]: what tests do on the Kubernetes side, playing kubelet and the EndpointSlice
//!   controller (nodes, Services, pods, slices, bindings, Events, gates);
//! - [`aws`]: target groups behind a load balancer, targets, the simulator's call counts;
//! - [`runtime`]: runtime instances on local ports with test timings ([`runtime::config`],
//!   [`runtime::parts`], [`runtime::start`]), probes, namespaces and the webhook configuration.
//!
//! The controller a world runs has leader election off, its webhook, probe and metrics servers
//! on `127.0.0.1:0`, self-managed certificates, and the timings of [`runtime::parts`].
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "the world is test code: a call that fails fails the test that made it"
)]

pub mod aws;
pub mod cluster;
pub mod runtime;

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::PostParams;
use kube::{Api, Client};
use lbgate_controller::runtime::{Parts, Runtime};
use lbgate_controller::{ControllerConfig, Error};
use lbgate_elbv2::{AwsClientConfig, SdkElbv2};
use lbgate_sim_apiserver::{KubeSim, KubeSimConfig};
use lbgate_sim_clock::ManualClock;
use lbgate_sim_elbv2::{Elbv2Sim, SimConfig};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::wait::Patience;

pub use aws::opts;

/// The namespace the world's objects live in.
pub const NS: &str = "default";
/// Every wait of the controller's tests is bounded by this.
pub const DEADLINE: Duration = Duration::from_secs(15);
/// How often a wait looks again.
pub const POLL: Duration = Duration::from_millis(50);
/// [`DEADLINE`] and [`POLL`].
pub const PATIENCE: Patience = Patience::new(DEADLINE, POLL);

/// [`Patience::eventually`] with the world's [`PATIENCE`].
pub async fn eventually<T>(what: &str, check: impl AsyncFnMut() -> Option<T>) -> T {
    PATIENCE.eventually(what, check).await
}

/// The simulated world of one test and the controller running in it.
pub struct ControllerWorld {
    pub kube: KubeSim,
    pub elb: Elbv2Sim,
    pub clock: Arc<ManualClock>,
    /// A client of the API server, default namespace [`NS`].
    pub client: Client,
    /// The ELBv2 port over the SDK, pointed at the simulator; the controller's too.
    pub sdk: SdkElbv2,
    /// The registry of the controller running now (or last run).
    pub registry: prometheus::Registry,
    controller: Option<RunningController>,
}

/// The binary's tail: the runtime started and waited for, in a task.
struct RunningController {
    shutdown: CancellationToken,
    task: JoinHandle<Result<(), Error>>,
}

/// Fast polls: the simulated clock only moves when a test says so, so the controller polls
/// often to notice. The shared health answer is kept for 100 ms only: its verdict windows are
/// counted on the controller's real clock, which knows nothing of the simulator's jumps, so
/// only a short max age lets a pass see an advance promptly (reuse still happens between the
/// passes that follow one another within it).
pub fn test_config() -> ControllerConfig {
    ControllerConfig {
        concurrency: 4,
        schedule: lbgate_core::schedule::ScheduleConfig {
            floor: Duration::from_millis(50),
            cap: Duration::from_millis(300),
            health_max_age: Duration::from_millis(100),
            ..lbgate_core::schedule::ScheduleConfig::default()
        },
        error_backoff_base: Duration::from_millis(50),
        error_backoff_cap: Duration::from_millis(500),
        invalid_requeue: Duration::from_millis(500),
        kube_timeout: Duration::from_secs(5),
        aws_timeout: Duration::from_secs(10),
        store_sync_timeout: Duration::from_secs(10),
        ..ControllerConfig::default()
    }
}

impl ControllerWorld {
    /// Both servers, a client of each, and the TargetGroupBinding CRD; no controller yet.
    ///
    /// # Panics
    /// When a server does not start: the test cannot run.
    pub async fn start() -> Self {
        crate::install_crypto();
        let kube = KubeSim::start(KubeSimConfig::default())
            .await
            .expect("the API server starts");
        let clock = Arc::new(ManualClock::new());
        let elb = Elbv2Sim::start(SimConfig {
            clock: Some(clock.clone()),
            ..SimConfig::default()
        })
        .await
        .expect("the ELBv2 simulator starts");
        let mut config = kube::Config::new(kube.url().parse().expect("the API server's URL"));
        config.default_namespace = NS.to_owned();
        config.read_timeout = Some(Duration::from_secs(30));
        let client = Client::try_from(config).expect("a client of the API server");
        let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
        crds.create(
            &PostParams::default(),
            &lbgate_api::crd::target_group_binding_crd().expect("the CRD generates"),
        )
        .await
        .expect("the CRD is created");
        let sdk = SdkElbv2::new(
            AwsClientConfig {
                region: Some(elb.region().to_owned()),
                endpoint_url: Some(elb.endpoint_url()),
                ..AwsClientConfig::default()
            }
            .with_static_credentials("testing", "testing"),
        )
        .await;
        Self {
            kube,
            elb,
            clock,
            client,
            sdk,
            registry: prometheus::Registry::new(),
            controller: None,
        }
    }

    /// Starts the controller as the binary does, with leader election off and the world's
    /// timings; it runs until [`Self::stop_controller`] or [`Self::shutdown`].
    pub fn run_controller(&mut self) {
        let config = runtime::config(&["--enable-leader-election=false"]);
        self.run_controller_from(runtime::parts(self, config, "solo"));
    }

    /// [`Self::run_controller`] from parts a test has adjusted (see [`runtime::parts`]).
    pub fn run_controller_from(&mut self, parts: Parts) {
        // A restarted controller registers the same metric names again: each run has its own.
        self.registry = parts.registry.clone();
        let shutdown = CancellationToken::new();
        let stop = shutdown.clone();
        let task = tokio::spawn(async move { Runtime::start(parts, stop).await?.wait().await });
        self.controller = Some(RunningController { shutdown, task });
    }

    /// Stops the running controller the way SIGTERM stops the binary: in-flight passes finish
    /// first.
    ///
    /// # Panics
    /// When the controller does not stop within [`DEADLINE`] or stops with an error.
    pub async fn stop_controller(&mut self) {
        if let Some(RunningController { shutdown, task }) = self.controller.take() {
            shutdown.cancel();
            match tokio::time::timeout(DEADLINE, task).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(error))) => panic!("the controller stopped with an error: {error}"),
                Ok(Err(error)) => panic!("the controller task failed: {error}"),
                Err(_) => panic!("the controller did not stop within {DEADLINE:?}"),
            }
        }
    }

    /// Stops the controller, then both servers.
    ///
    /// # Panics
    /// As [`Self::stop_controller`], or when a server does not stop cleanly.
    pub async fn shutdown(mut self) {
        self.stop_controller().await;
        self.elb
            .shutdown()
            .await
            .expect("the ELBv2 simulator stops");
        self.kube.shutdown().await.expect("the API server stops");
    }
}
