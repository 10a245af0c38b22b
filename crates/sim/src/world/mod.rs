//! The simulated world around the API server: nodes, the Deployment and ReplicaSet controllers,
//! the scheduler and kubelet, and the EndpointSlice controller.
//!
//! Every controller talks to the API server the way the real component does, through a
//! `kube::Client` with watches, so the same REST, watch and admission paths are exercised. Each
//! runs in its own task as a level-triggered loop: any watch event (or a timer it asked for, in
//! simulated time) starts a pass over the whole cluster. That is slower than the real controllers'
//! work queues and fine for worlds of a few hundred pods.
//!
//! ```no_run
//! # async fn demo() -> Result<(), lbgate_sim::SimError> {
//! use lbgate_sim::kube::{KubeSim, KubeSimConfig};
//! use lbgate_sim::world::{AppRegistry, World, WorldConfig};
//! let kube = KubeSim::start(KubeSimConfig::default()).await?;
//! let world = World::start(WorldConfig::new(&kube, AppRegistry::new())?).await?;
//! world.shutdown().await;
//! # Ok(()) }
//! ```

pub mod apps;
pub mod deployment;
pub mod endpointslices;
pub mod kubelet;
pub mod nodes;
pub mod replicaset;
pub mod runtime;
pub mod scheduler;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Node, Pod, Service};
use kube::{Api, Client};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

pub use apps::{AppPhase, AppRegistry, AppState};
pub use kubelet::timeline::{SHUTDOWN_ANNOTATION, STARTUP_ANNOTATION, Timing};
pub use nodes::{NodeSpec, SimNode};

use crate::SimError;
use crate::clock::{Clock, ScaledClock};
use crate::elbv2::Elbv2Sim;
use crate::kube::KubeSim;
use runtime::{Ctx, spawn_loop, spawn_trigger};

/// Which controllers run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Switches {
    /// Register the Node objects at start.
    pub nodes: bool,
    pub deployments: bool,
    pub replicasets: bool,
    pub scheduler: bool,
    pub kubelet: bool,
    pub endpointslices: bool,
}

impl Default for Switches {
    fn default() -> Self {
        Self {
            nodes: true,
            deployments: true,
            replicasets: true,
            scheduler: true,
            kubelet: true,
            endpointslices: true,
        }
    }
}

/// How a world starts.
#[derive(Clone)]
pub struct WorldConfig {
    pub client: Client,
    pub apps: Arc<AppRegistry>,
    pub region: String,
    pub nodes: Vec<NodeSpec>,
    /// Real seconds per simulated second (as the ELBv2 simulator's `time_scale`).
    pub time_scale: f64,
    /// The simulated clock; a [`ScaledClock`] of `time_scale` when `None`. Give the ELBv2
    /// simulator's clock (`sim.state().clock()`) so both see the same time.
    pub clock: Option<Arc<dyn Clock>>,
    pub timing: Timing,
    pub switches: Switches,
}

impl WorldConfig {
    /// Three nodes in `us-west-2` a, b and c, real time, every controller on.
    pub fn with_client(client: Client, apps: Arc<AppRegistry>) -> Self {
        let region = "us-west-2".to_owned();
        Self {
            client,
            apps,
            nodes: NodeSpec::spread(3, &region),
            region,
            time_scale: 1.0,
            clock: None,
            timing: Timing::default(),
            switches: Switches::default(),
        }
    }

    /// A world around `kube`, reached over its HTTP URL.
    pub fn new(kube: &KubeSim, apps: Arc<AppRegistry>) -> Result<Self, SimError> {
        Ok(Self::with_client(client_for(kube)?, apps))
    }

    /// A world around both simulators: applications mirrored into `elbv2`'s health checks, on
    /// its clock and in its region.
    pub fn with_elbv2(kube: &KubeSim, elbv2: &Elbv2Sim, time_scale: f64) -> Result<Self, SimError> {
        let mut config = Self::new(kube, AppRegistry::with_elbv2_mirror(elbv2))?;
        config.region = elbv2.region().to_owned();
        config.nodes = NodeSpec::spread(3, &config.region);
        config.clock = Some(elbv2.state().clock());
        config.time_scale = time_scale;
        Ok(config)
    }
}

/// A kube-rs client for the simulated API server (plain HTTP).
pub fn client_for(kube: &KubeSim) -> Result<Client, SimError> {
    let url: http::Uri = kube.url().parse().map_err(|e| SimError::Config {
        message: format!("API server URL {}: {e}", kube.url()),
    })?;
    let mut config = kube::Config::new(url);
    config.default_namespace = "default".to_owned();
    config.connect_timeout = Some(Duration::from_secs(5));
    Client::try_from(config).map_err(|e| SimError::Config {
        message: format!("building a client: {e}"),
    })
}

/// A running world.
#[derive(Debug)]
pub struct World {
    nodes: Vec<SimNode>,
    apps: Arc<AppRegistry>,
    tasks: Vec<JoinHandle<()>>,
}

impl World {
    /// Registers the nodes, then starts the switched-on controllers.
    pub async fn start(config: WorldConfig) -> Result<Self, SimError> {
        if !(config.time_scale.is_finite() && config.time_scale > 0.0) {
            return Err(SimError::Config {
                message: format!(
                    "time_scale must be a positive number, got {}",
                    config.time_scale
                ),
            });
        }
        let nodes = nodes::layout(&config.nodes).map_err(|message| SimError::Config { message })?;
        let clock: Arc<dyn Clock> = match config.clock {
            Some(clock) => clock,
            None => Arc::new(ScaledClock::new(config.time_scale)),
        };
        let wall_origin = SystemTime::now()
            .checked_sub(clock.now())
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let ctx = Ctx {
            client: config.client.clone(),
            clock,
            time_scale: config.time_scale,
            wall_origin,
            apps: Arc::clone(&config.apps),
        };
        let on = config.switches;
        if on.nodes {
            for node in &nodes {
                nodes::register(&ctx, node, &config.region)
                    .await
                    .map_err(|e| SimError::Config {
                        message: format!("registering node {}: {e}", node.name),
                    })?;
            }
        }
        let client = config.client;
        let mut tasks = Vec::new();
        // One notifier per controller, fed by watches of every kind it reads.
        let mut controller = |kinds: &[Kind]| {
            let notify = Arc::new(Notify::new());
            for kind in kinds {
                tasks.push(kind.watch(&client, Arc::clone(&notify)));
            }
            notify
        };
        let scheduler_notify = on.scheduler.then(|| controller(&[Kind::Pod]));
        let kubelet_notify = on.kubelet.then(|| controller(&[Kind::Pod]));
        let rs_notify = on
            .replicasets
            .then(|| controller(&[Kind::ReplicaSet, Kind::Pod]));
        let deploy_notify = on
            .deployments
            .then(|| controller(&[Kind::Deployment, Kind::ReplicaSet, Kind::Pod]));
        let slices_notify = on
            .endpointslices
            .then(|| controller(&[Kind::Service, Kind::Pod, Kind::Node]));
        let names: Vec<String> = nodes.iter().map(|n| n.name.clone()).collect();
        if let Some(notify) = scheduler_notify {
            let scheduler = scheduler::Scheduler {
                ctx: ctx.clone(),
                nodes: names,
            };
            tasks.push(spawn_loop("scheduler", ctx.clone(), notify, scheduler));
        }
        if let Some(notify) = kubelet_notify {
            let kubelet = kubelet::Kubelet::new(ctx.clone(), &nodes, config.timing);
            tasks.push(spawn_loop("kubelet", ctx.clone(), notify, kubelet));
        }
        if let Some(notify) = rs_notify {
            let rs = replicaset::ReplicaSets { ctx: ctx.clone() };
            tasks.push(spawn_loop("replicasets", ctx.clone(), notify, rs));
        }
        if let Some(notify) = deploy_notify {
            let deployments = deployment::Deployments::new(ctx.clone());
            tasks.push(spawn_loop("deployments", ctx.clone(), notify, deployments));
        }
        if let Some(notify) = slices_notify {
            let slices = endpointslices::EndpointSlices { ctx: ctx.clone() };
            tasks.push(spawn_loop("endpointslices", ctx.clone(), notify, slices));
        }
        Ok(Self {
            nodes,
            apps: config.apps,
            tasks,
        })
    }

    /// The simulated nodes, as laid out in the VPC.
    pub fn nodes(&self) -> &[SimNode] {
        &self.nodes
    }

    pub fn apps(&self) -> Arc<AppRegistry> {
        Arc::clone(&self.apps)
    }

    /// Stops every controller. Objects stay as they are in the API server.
    pub async fn shutdown(mut self) {
        for task in &self.tasks {
            task.abort();
        }
        for task in self.tasks.drain(..) {
            // An aborted task reports cancellation; nothing else can come back.
            let _ = task.await;
        }
    }
}

impl Drop for World {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Kinds a controller watches.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Pod,
    Node,
    Service,
    ReplicaSet,
    Deployment,
}

impl Kind {
    fn watch(self, client: &Client, notify: Arc<Notify>) -> JoinHandle<()> {
        let client = client.clone();
        match self {
            Self::Pod => spawn_trigger(Api::<Pod>::all(client), notify),
            Self::Node => spawn_trigger(Api::<Node>::all(client), notify),
            Self::Service => spawn_trigger(Api::<Service>::all(client), notify),
            Self::ReplicaSet => spawn_trigger(Api::<ReplicaSet>::all(client), notify),
            Self::Deployment => spawn_trigger(Api::<Deployment>::all(client), notify),
        }
    }
}
