//! [`SimWorld`]: the Kubernetes API server, the ELBv2 simulator, the world controllers and the ALB
//! data plane, started together on 127.0.0.1 and sharing one simulated clock.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use kube::Client;
use lbgate_sim_apiserver::{KubeSim, KubeSimConfig};
use lbgate_sim_clock::{Clock, ScaledClock};
use lbgate_sim_elbv2::{Elbv2Sim, SimConfig, ThrottleConfig};

use super::apply::{Applied, apply_manifests};
use super::aws::{ListenerOptions, LoadBalancerOptions, TargetGroupOptions};
use crate::SimError;
use crate::alb::{DataPlane, DataPlaneConfig};
use crate::controllers::{NodeSpec, RegistrarBinding, Switches, Timing, World, WorldConfig};

/// How a [`SimWorld`] starts. The defaults suit the real controller binary, which schedules in
/// real seconds: real time, three nodes, throttling on.
#[derive(Debug, Clone)]
pub struct SimWorldOptions {
    /// Real seconds per simulated second: 1.0 is real time, 0.05 twenty times faster.
    pub time_scale: f64,
    /// Nodes, spread over the region's three zones.
    pub nodes: usize,
    /// Also serve the Kubernetes API over HTTPS (the kubeconfig then points there).
    pub kube_tls: bool,
    /// ELBv2 API rate limiting as AWS applies it.
    pub throttling: bool,
    /// Which world controllers run.
    pub switches: Switches,
    /// Pod start-up defaults of the kubelet.
    pub timing: Timing,
    pub data_plane: DataPlaneConfig,
    /// How long a new load balancer stays `provisioning`. Zero by default so that traffic can
    /// start as soon as a scenario has created its load balancer.
    pub load_balancer_provisioning: Duration,
    /// Seed of both simulators' random choices.
    pub seed: u64,
}

impl Default for SimWorldOptions {
    fn default() -> Self {
        Self {
            time_scale: 1.0,
            nodes: 3,
            kube_tls: false,
            throttling: true,
            switches: Switches::default(),
            timing: Timing::default(),
            data_plane: DataPlaneConfig::default(),
            load_balancer_provisioning: Duration::ZERO,
            seed: 1,
        }
    }
}

impl SimWorldOptions {
    /// The defaults at another time scale.
    pub fn with_time_scale(time_scale: f64) -> Self {
        Self {
            time_scale,
            ..Self::default()
        }
    }
}

/// Everything a scenario runs in.
pub struct SimWorld {
    kube: KubeSim,
    elbv2: Elbv2Sim,
    world: World,
    client: Client,
    plane: Arc<DataPlane>,
    clock: Arc<dyn Clock>,
    time_scale: f64,
}

impl std::fmt::Debug for SimWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimWorld")
            .field("kube", &self.kube.url())
            .field("elbv2", &self.elbv2.endpoint_url())
            .field("time_scale", &self.time_scale)
            .finish_non_exhaustive()
    }
}

impl SimWorld {
    /// Starts both API servers, the world controllers and the data plane.
    pub async fn start(options: SimWorldOptions) -> Result<Self, SimError> {
        if !(options.time_scale.is_finite() && options.time_scale > 0.0) {
            return Err(SimError::Config {
                message: format!(
                    "time_scale must be a positive number, got {}",
                    options.time_scale
                ),
            });
        }
        let clock: Arc<dyn Clock> = Arc::new(ScaledClock::new(options.time_scale));
        let kube = KubeSim::start(KubeSimConfig {
            tls: options.kube_tls,
            seed: options.seed,
            ..KubeSimConfig::default()
        })
        .await?;
        let elbv2 = Elbv2Sim::start(SimConfig {
            clock: Some(Arc::clone(&clock)),
            time_scale: options.time_scale,
            throttle: if options.throttling {
                ThrottleConfig::default()
            } else {
                ThrottleConfig::disabled()
            },
            load_balancer_provisioning: options.load_balancer_provisioning,
            seed: options.seed,
            ..SimConfig::default()
        })
        .await?;
        let mut config = WorldConfig::with_elbv2(&kube, &elbv2, options.time_scale)?;
        config.nodes = NodeSpec::spread(options.nodes, elbv2.region());
        config.switches = options.switches;
        config.timing = options.timing;
        let client = config.client.clone();
        let apps = config.apps.clone();
        let world = World::start(config).await?;
        let plane = Arc::new(DataPlane::new(&elbv2, apps, options.data_plane));
        Ok(Self {
            kube,
            elbv2,
            world,
            client,
            plane,
            clock,
            time_scale: options.time_scale,
        })
    }

    /// `http://127.0.0.1:PORT` of the Kubernetes API server.
    pub fn kube_url(&self) -> String {
        self.kube.url()
    }

    /// The Kubernetes API server itself (store, HTTPS URL, CA).
    pub fn kube(&self) -> &KubeSim {
        &self.kube
    }

    /// Writes a kubeconfig for kubectl and the controller (HTTPS when `kube_tls` is on).
    pub fn write_kubeconfig(&self, path: &Path) -> Result<(), SimError> {
        Ok(self.kube.write_kubeconfig(path)?)
    }

    /// The endpoint to give the AWS SDK (`AWS_ENDPOINT_URL`).
    pub fn elbv2_url(&self) -> String {
        self.elbv2.endpoint_url()
    }

    /// A client of the Kubernetes API server (plain HTTP).
    pub fn client(&self) -> Client {
        self.client.clone()
    }

    pub fn elbv2(&self) -> &Elbv2Sim {
        &self.elbv2
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    /// Mutable access, to stop and restart world controllers.
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }

    pub fn data_plane(&self) -> Arc<DataPlane> {
        Arc::clone(&self.plane)
    }

    /// The simulated clock every part runs on.
    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    /// Simulated time now.
    pub fn now(&self) -> Duration {
        self.clock.now()
    }

    /// Real seconds per simulated second.
    pub fn time_scale(&self) -> f64 {
        self.time_scale
    }

    /// The wall time `sim` simulated time takes to pass.
    pub fn real(&self, sim: Duration) -> Duration {
        Duration::try_from_secs_f64(sim.as_secs_f64() * self.time_scale).unwrap_or(Duration::MAX)
    }

    /// Creates an application load balancer in the default VPC's subnets; answers its ARN.
    pub fn create_load_balancer(&self, options: &LoadBalancerOptions) -> Result<String, SimError> {
        super::aws::create_load_balancer(&self.elbv2, options)
    }

    /// Creates a target group (and sets its deregistration delay); answers its ARN.
    pub fn create_target_group(&self, options: &TargetGroupOptions) -> Result<String, SimError> {
        super::aws::create_target_group(&self.elbv2, options)
    }

    /// Creates a listener whose default action forwards to one target group; answers its ARN.
    pub fn create_listener(&self, options: &ListenerOptions) -> Result<String, SimError> {
        super::aws::create_listener(&self.elbv2, options)
    }

    /// The ARN of the target group called `name`.
    pub fn target_group_arn(&self, name: &str) -> Option<String> {
        super::aws::target_group_arn(&self.elbv2, name)
    }

    /// Applies a multi-document YAML string through the API (create, or replace what exists),
    /// after replacing `${targetGroupArn:<name>}` with the ARNs of the named target groups.
    pub async fn apply_yaml(&self, text: &str) -> Result<Vec<Applied>, SimError> {
        let elbv2 = &self.elbv2;
        apply_manifests(&self.client, text, |name| {
            super::aws::target_group_arn(elbv2, name)
        })
        .await
    }

    /// Has the registrar keep `binding`'s target group equal to the Service's ready endpoints
    /// (it runs when `switches.registrar` is on, or after `world_mut().restart(Registrar)`).
    pub fn bind_service(&self, binding: RegistrarBinding) {
        self.world.registrar().add(binding);
    }

    /// Stops the world controllers and both servers.
    pub async fn shutdown(self) -> Result<(), SimError> {
        self.world.shutdown().await;
        let elbv2 = self.elbv2.shutdown().await.map_err(SimError::from);
        let kube = self.kube.shutdown().await.map_err(SimError::from);
        elbv2.and(kube)
    }
}
