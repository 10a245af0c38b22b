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
//! use lbgate_sim_apiserver::{KubeSim, KubeSimConfig};
//! use lbgate_sim::controllers::{AppRegistry, World, WorldConfig};
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
pub mod registrar;
pub mod replicaset;
pub mod runtime;
pub mod scheduler;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Node, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::{Api, Client};
use lbgate_sim_apiserver::KubeSim;
use lbgate_sim_clock::{Clock, ScaledClock};
use lbgate_sim_elbv2::{Elbv2Sim, SimState};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

pub use apps::{AppPhase, AppRegistry, AppState};
pub use kubelet::timeline::{SHUTDOWN_ANNOTATION, STARTUP_ANNOTATION, Timing};
pub use nodes::{NodeSpec, SimNode};
pub use registrar::{RegistrarBinding, RegistrarBindings};

use crate::SimError;
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
    /// The baseline target registrar ([`registrar`]); off unless a scenario asks for it.
    pub registrar: bool,
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
            registrar: false,
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
    /// The ELBv2 simulator's state, for the registrar.
    pub elbv2: Option<Arc<SimState>>,
    /// What the registrar keeps registered.
    pub registrar: RegistrarBindings,
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
            elbv2: None,
            registrar: RegistrarBindings::new(),
        }
    }

    /// A world around `kube`, reached over its HTTP URL.
    pub fn new(kube: &KubeSim, apps: Arc<AppRegistry>) -> Result<Self, SimError> {
        Ok(Self::with_client(kube.client()?, apps))
    }

    /// A world around both simulators: applications mirrored into `elbv2`'s health checks, on
    /// its clock and in its region.
    pub fn with_elbv2(kube: &KubeSim, elbv2: &Elbv2Sim, time_scale: f64) -> Result<Self, SimError> {
        let mut config = Self::new(kube, AppRegistry::with_elbv2_mirror(elbv2))?;
        config.region = elbv2.region().to_owned();
        config.nodes = NodeSpec::spread(3, &config.region);
        config.clock = Some(elbv2.state().clock());
        config.time_scale = time_scale;
        config.elbv2 = Some(elbv2.state());
        Ok(config)
    }
}

/// A world controller that can be stopped and restarted on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Component {
    Scheduler,
    Kubelet,
    #[serde(rename = "replicasets")]
    ReplicaSets,
    Deployments,
    #[serde(rename = "endpointslices")]
    EndpointSlices,
    Registrar,
}

impl Component {
    pub const ALL: [Self; 6] = [
        Self::Scheduler,
        Self::Kubelet,
        Self::ReplicaSets,
        Self::Deployments,
        Self::EndpointSlices,
        Self::Registrar,
    ];

    fn enabled(self, on: &Switches) -> bool {
        match self {
            Self::Scheduler => on.scheduler,
            Self::Kubelet => on.kubelet,
            Self::ReplicaSets => on.replicasets,
            Self::Deployments => on.deployments,
            Self::EndpointSlices => on.endpointslices,
            Self::Registrar => on.registrar,
        }
    }

    /// The kinds whose changes start a pass.
    fn watches(self) -> &'static [Kind] {
        match self {
            Self::Scheduler | Self::Kubelet => &[Kind::Pod],
            Self::ReplicaSets => &[Kind::ReplicaSet, Kind::Pod],
            Self::Deployments => &[Kind::Deployment, Kind::ReplicaSet, Kind::Pod],
            Self::EndpointSlices => &[Kind::Service, Kind::Pod, Kind::Node],
            Self::Registrar => &[Kind::Service, Kind::EndpointSlice],
        }
    }
}

/// What restarting a controller needs.
struct Spawner {
    ctx: Ctx,
    nodes: Vec<SimNode>,
    timing: Timing,
    elbv2: Option<Arc<SimState>>,
    registrar: RegistrarBindings,
}

impl Spawner {
    fn spawn(&self, component: Component) -> Vec<JoinHandle<()>> {
        let notify = Arc::new(Notify::new());
        let client = &self.ctx.client;
        let mut tasks: Vec<JoinHandle<()>> = component
            .watches()
            .iter()
            .map(|kind| kind.watch(client, Arc::clone(&notify)))
            .collect();
        let ctx = self.ctx.clone();
        let task = match component {
            Component::Scheduler => {
                let nodes = self.nodes.iter().map(|n| n.name.clone()).collect();
                let scheduler = scheduler::Scheduler {
                    ctx: ctx.clone(),
                    nodes,
                };
                spawn_loop("scheduler", ctx, notify, scheduler)
            }
            Component::Kubelet => {
                let kubelet = kubelet::Kubelet::new(ctx.clone(), &self.nodes, self.timing);
                spawn_loop("kubelet", ctx, notify, kubelet)
            }
            Component::ReplicaSets => {
                let rs = replicaset::ReplicaSets { ctx: ctx.clone() };
                spawn_loop("replicasets", ctx, notify, rs)
            }
            Component::Deployments => {
                let deployments = deployment::Deployments::new(ctx.clone());
                spawn_loop("deployments", ctx, notify, deployments)
            }
            Component::EndpointSlices => {
                let slices = endpointslices::EndpointSlices { ctx: ctx.clone() };
                spawn_loop("endpointslices", ctx, notify, slices)
            }
            Component::Registrar => {
                let Some(elbv2) = self.elbv2.clone() else {
                    // `World::start` refuses a registrar without a simulator; nothing to run.
                    return Vec::new();
                };
                let registrar = registrar::Registrar {
                    ctx: ctx.clone(),
                    elbv2,
                    bindings: self.registrar.clone(),
                };
                spawn_loop("registrar", ctx, notify, registrar)
            }
        };
        tasks.push(task);
        tasks
    }
}

/// A running world.
pub struct World {
    nodes: Vec<SimNode>,
    apps: Arc<AppRegistry>,
    spawner: Spawner,
    tasks: BTreeMap<Component, Vec<JoinHandle<()>>>,
}

impl fmt::Debug for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("World")
            .field("nodes", &self.nodes)
            .field("running", &self.running())
            .finish_non_exhaustive()
    }
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
        if config.switches.registrar && config.elbv2.is_none() {
            return Err(SimError::Config {
                message: "the registrar needs an ELBv2 simulator (WorldConfig::with_elbv2)"
                    .to_owned(),
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
        let spawner = Spawner {
            ctx,
            nodes: nodes.clone(),
            timing: config.timing,
            elbv2: config.elbv2,
            registrar: config.registrar,
        };
        let tasks = Component::ALL
            .into_iter()
            .filter(|c| c.enabled(&on))
            .map(|c| (c, spawner.spawn(c)))
            .collect();
        Ok(Self {
            nodes,
            apps: config.apps,
            spawner,
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

    /// The registrar's bindings (it serves them only when switched on).
    pub fn registrar(&self) -> RegistrarBindings {
        self.spawner.registrar.clone()
    }

    /// The controllers running now.
    pub fn running(&self) -> Vec<Component> {
        self.tasks.keys().copied().collect()
    }

    /// Stops one controller (as a crashed or scaled-down component); objects stay as they are.
    pub async fn stop(&mut self, component: Component) {
        for task in self.tasks.remove(&component).into_iter().flatten() {
            task.abort();
            // An aborted task reports cancellation; nothing else can come back.
            let _ = task.await;
        }
    }

    /// Starts one controller afresh (a stopped one, or restarts a running one), with no memory
    /// of its previous run, as a restarted process.
    pub async fn restart(&mut self, component: Component) -> Result<(), SimError> {
        if component == Component::Registrar && self.spawner.elbv2.is_none() {
            return Err(SimError::Config {
                message: "the registrar needs an ELBv2 simulator (WorldConfig::with_elbv2)"
                    .to_owned(),
            });
        }
        self.stop(component).await;
        self.tasks.insert(component, self.spawner.spawn(component));
        Ok(())
    }

    /// Stops every controller. Objects stay as they are in the API server.
    pub async fn shutdown(mut self) {
        let running = self.running();
        for component in running {
            self.stop(component).await;
        }
    }
}

impl Drop for World {
    fn drop(&mut self) {
        for task in self.tasks.values().flatten() {
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
    EndpointSlice,
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
            Self::EndpointSlice => spawn_trigger(Api::<EndpointSlice>::all(client), notify),
        }
    }
}
