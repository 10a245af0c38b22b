//! `lbgate-sim serve`: the Kubernetes API server, the ELBv2 simulator and the world controllers
//! on one clock, until SIGINT or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::ValueEnum;
use lbgate_sim::controllers::{NodeSpec, Switches, World, WorldConfig};
use lbgate_sim_apiserver::{KubeSim, KubeSimConfig, ServiceAddresses};
use lbgate_sim_elbv2::{Elbv2Sim, SimConfig};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Where to write the kubeconfig (its directory is created).
    #[arg(long, default_value = "target/lbgate-sim/kubeconfig")]
    kubeconfig: PathBuf,
    /// Address of the Kubernetes API server's HTTP listener (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    kube_listen: SocketAddr,
    /// Also serve the Kubernetes API over HTTPS with a fresh CA; the kubeconfig then uses it.
    #[arg(long)]
    tls: bool,
    /// Address of the HTTPS listener.
    #[arg(long, default_value = "127.0.0.1:0")]
    tls_listen: SocketAddr,
    /// Events kept for watches; a watch from an older resourceVersion gets 410 Gone.
    #[arg(long, default_value_t = 10_000)]
    watch_window: usize,
    /// Address of the ELBv2 simulator (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    elbv2_listen: SocketAddr,
    /// Real seconds per simulated second of the ELBv2 simulator and the world.
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    #[arg(long, default_value = "us-west-2")]
    region: String,
    /// Nodes of the world, spread over the region's zones a, b and c.
    #[arg(long, default_value_t = 3)]
    nodes: usize,
    /// World controllers to leave off, comma-separated (`nodes` leaves the Node objects out).
    #[arg(long, value_enum, value_delimiter = ',')]
    without: Vec<Controller>,
    /// Where an admission webhook's `clientConfig.service` points, as
    /// `namespace/name=HOST:PORT`; repeat it to give a Service several addresses (one is picked
    /// per call). Services without an entry resolve through their EndpointSlices.
    #[arg(long, value_parser = parse_webhook_service)]
    webhook_service: Vec<(String, SocketAddr)>,
    /// Seed of UIDs, generated names and webhook endpoint picks.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// A world controller `--without` can leave off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Controller {
    Nodes,
    Deployments,
    Replicasets,
    Scheduler,
    Kubelet,
    Endpointslices,
}

impl Controller {
    const ALL: [Self; 6] = [
        Self::Nodes,
        Self::Deployments,
        Self::Replicasets,
        Self::Scheduler,
        Self::Kubelet,
        Self::Endpointslices,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Nodes => "nodes",
            Self::Deployments => "deployments",
            Self::Replicasets => "replicasets",
            Self::Scheduler => "scheduler",
            Self::Kubelet => "kubelet",
            Self::Endpointslices => "endpointslices",
        }
    }

    fn is_on(self, switches: &Switches) -> bool {
        match self {
            Self::Nodes => switches.nodes,
            Self::Deployments => switches.deployments,
            Self::Replicasets => switches.replicasets,
            Self::Scheduler => switches.scheduler,
            Self::Kubelet => switches.kubelet,
            Self::Endpointslices => switches.endpointslices,
        }
    }

    fn switch_off(self, switches: &mut Switches) {
        match self {
            Self::Nodes => switches.nodes = false,
            Self::Deployments => switches.deployments = false,
            Self::Replicasets => switches.replicasets = false,
            Self::Scheduler => switches.scheduler = false,
            Self::Kubelet => switches.kubelet = false,
            Self::Endpointslices => switches.endpointslices = false,
        }
    }
}

fn parse_webhook_service(spec: &str) -> Result<(String, SocketAddr), String> {
    lbgate_sim_apiserver::admission::parse_spec(spec)
}

/// `nodes,deployments,…` in a fixed order, or `none`.
fn controller_list(switches: &Switches) -> String {
    let on: Vec<&str> = Controller::ALL
        .iter()
        .filter(|c| c.is_on(switches))
        .map(|c| c.name())
        .collect();
    if on.is_empty() {
        "none".to_owned()
    } else {
        on.join(",")
    }
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let mut services = ServiceAddresses::new();
    for (service, addr) in &args.webhook_service {
        services.insert(service.clone(), *addr);
    }
    let elbv2 = Elbv2Sim::start(SimConfig {
        listen: args.elbv2_listen,
        region: args.region,
        time_scale: args.time_scale,
        seed: args.seed,
        ..SimConfig::default()
    })
    .await
    .context("starting the ELBv2 simulator")?;
    let kube = KubeSim::start(KubeSimConfig {
        listen: args.kube_listen,
        tls: args.tls,
        tls_listen: args.tls_listen,
        watch_window: args.watch_window,
        services: services.clone(),
        seed: args.seed,
        ..KubeSimConfig::default()
    })
    .await
    .context("starting the Kubernetes API server")?;
    let mut world_config =
        WorldConfig::with_elbv2(&kube, &elbv2, args.time_scale).context("configuring the world")?;
    world_config.nodes = NodeSpec::spread(args.nodes, elbv2.region());
    for controller in &args.without {
        controller.switch_off(&mut world_config.switches);
    }
    let switches = world_config.switches;
    let world = World::start(world_config)
        .await
        .context("starting the world controllers")?;
    kube.write_kubeconfig(&args.kubeconfig)
        .context("writing the kubeconfig")?;
    let kubeconfig = std::fs::canonicalize(&args.kubeconfig).unwrap_or(args.kubeconfig);
    let endpoint = elbv2.endpoint_url();
    // The lines other processes parse, then the environment to copy.
    println!(
        "Kubernetes API server listening on {}",
        kube.client_config().url
    );
    println!("ELBv2 simulator listening on {endpoint}");
    println!(
        "World: {} nodes, controllers: {}",
        world.nodes().len(),
        controller_list(&switches)
    );
    println!("export KUBECONFIG={}", kubeconfig.display());
    println!("export AWS_ENDPOINT_URL={endpoint}");
    println!("export AWS_ACCESS_KEY_ID=testing");
    println!("export AWS_SECRET_ACCESS_KEY=testing");
    println!("export AWS_REGION={}", elbv2.region());
    println!("export AWS_EC2_METADATA_DISABLED=true");
    println!("# try: kubectl get namespaces");
    for (service, addrs) in services.iter() {
        let shown: Vec<String> = addrs.iter().map(ToString::to_string).collect();
        println!("# webhook service {service}: {}", shown.join(","));
    }
    let names: Vec<&str> = world.nodes().iter().map(|n| n.name.as_str()).collect();
    println!("# nodes: {}", names.join(","));
    println!("# default VPC: {}", elbv2.default_vpc_id());
    println!("# subnets: {}", elbv2.default_subnet_ids().join(","));
    crate::wait_for_signal().await?;
    tracing::info!("stopping");
    world.shutdown().await;
    let kube_result = kube
        .shutdown()
        .await
        .context("stopping the Kubernetes API server");
    elbv2
        .shutdown()
        .await
        .context("stopping the ELBv2 simulator")?;
    kube_result
}

#[cfg(test)]
mod tests;
