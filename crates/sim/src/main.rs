//! `lbgate-sim`: runs the simulated world from the command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use lbgate_sim::demo;
use lbgate_sim::elbv2::{Elbv2Sim, HealthMode, SimConfig};
use lbgate_sim::kube::{KubeSim, KubeSimConfig};

#[derive(Debug, Parser)]
#[command(name = "lbgate-sim", about = "The simulated world of lbgate")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the ELBv2 API simulator until SIGINT or SIGTERM.
    Elbv2(Elbv2Args),
    /// Tell the ELBv2 target-lifecycle story against an in-process simulator (exits non-zero
    /// when an expectation is not met).
    Demo(DemoArgs),
    /// Serve the simulated world — the Kubernetes API server and the ELBv2 simulator — until
    /// SIGINT or SIGTERM, with a kubeconfig for kubectl and the controller.
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
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
    /// Real seconds per simulated second of the ELBv2 simulator.
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    #[arg(long, default_value = "us-west-2")]
    region: String,
}

#[derive(Debug, clap::Args)]
struct DemoArgs {
    /// Real seconds per simulated second (0.05 runs twenty times faster than real time; at least
    /// 0.03, since polls are paced to ELB's Describe* rate limit).
    #[arg(long, default_value_t = demo::DEFAULT_TIME_SCALE)]
    time_scale: f64,
}

#[derive(Debug, clap::Args)]
struct Elbv2Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Real seconds per simulated second (0.1 runs ten times faster than real time).
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    #[arg(long, default_value = "us-west-2")]
    region: String,
    #[arg(long, default_value = "123456789012")]
    account_id: String,
    /// How addresses nobody configured answer health checks.
    #[arg(long, value_enum, default_value_t = DefaultHealth::Answering)]
    default_health: DefaultHealth,
    /// Simulated seconds before the first health check behind a network load balancer.
    #[arg(long, default_value_t = 30.0)]
    nlb_registration_lag_seconds: f64,
    /// Turn the API rate buckets off.
    #[arg(long)]
    no_throttle: bool,
    /// Seed of IDs and injected faults.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DefaultHealth {
    Answering,
    Refusing,
    Timeout,
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    // The demo narrates on stdout; the simulator's own logs would only interleave.
    let default_filter = match cli.command {
        Command::Elbv2(_) | Command::Serve(_) => "info",
        Command::Demo(_) => "warn",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter)),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Elbv2(args) => run_elbv2(args).await.map(|()| ExitCode::SUCCESS),
        Command::Demo(args) => run_demo(args).await,
        Command::Serve(args) => run_serve(args).await.map(|()| ExitCode::SUCCESS),
    }
}

/// The narration already marked the unmet expectation; say so once more and exit 1.
async fn run_demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    match demo::run(demo::DemoOptions::new(args.time_scale)).await {
        Ok(_) => Ok(ExitCode::SUCCESS),
        Err(error @ demo::DemoError::Expectation { .. }) => {
            println!();
            println!("demo FAILED: {error}");
            Ok(ExitCode::FAILURE)
        }
        Err(error) => Err(error).context("running the demo"),
    }
}

async fn run_elbv2(args: Elbv2Args) -> anyhow::Result<()> {
    let default_health = match args.default_health {
        DefaultHealth::Answering => HealthMode::Answering,
        DefaultHealth::Refusing => HealthMode::Refusing,
        DefaultHealth::Timeout => HealthMode::Timeout,
    };
    let nlb_lag = Duration::try_from_secs_f64(args.nlb_registration_lag_seconds)
        .context("--nlb-registration-lag-seconds must be a non-negative number")?;
    let mut config = SimConfig {
        listen: args.listen,
        region: args.region,
        account_id: args.account_id,
        time_scale: args.time_scale,
        default_health,
        nlb_registration_lag: nlb_lag,
        seed: args.seed,
        ..SimConfig::default()
    };
    if args.no_throttle {
        config.throttle = lbgate_sim::elbv2::ThrottleConfig::disabled();
    }
    let sim = Elbv2Sim::start(config)
        .await
        .context("starting the ELBv2 simulator")?;
    let endpoint = sim.endpoint_url();
    // The one line other processes parse, then the environment to copy.
    println!("ELBv2 simulator listening on {endpoint}");
    println!("export AWS_ENDPOINT_URL={endpoint}");
    println!("export AWS_ACCESS_KEY_ID=testing");
    println!("export AWS_SECRET_ACCESS_KEY=testing");
    println!("export AWS_REGION={}", sim.region());
    println!("export AWS_EC2_METADATA_DISABLED=true");
    println!("# default VPC: {}", sim.default_vpc_id());
    println!("# subnets: {}", sim.default_subnet_ids().join(","));
    println!("# control API: {endpoint}/_sim/");
    wait_for_signal().await?;
    tracing::info!("stopping");
    sim.shutdown()
        .await
        .context("stopping the ELBv2 simulator")?;
    Ok(())
}

async fn run_serve(args: ServeArgs) -> anyhow::Result<()> {
    let elbv2 = Elbv2Sim::start(SimConfig {
        listen: args.elbv2_listen,
        region: args.region,
        time_scale: args.time_scale,
        ..SimConfig::default()
    })
    .await
    .context("starting the ELBv2 simulator")?;
    let kube = KubeSim::start(KubeSimConfig {
        listen: args.kube_listen,
        tls: args.tls,
        tls_listen: args.tls_listen,
        watch_window: args.watch_window,
        ..KubeSimConfig::default()
    })
    .await
    .context("starting the Kubernetes API server")?;
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
    println!("export KUBECONFIG={}", kubeconfig.display());
    println!("export AWS_ENDPOINT_URL={endpoint}");
    println!("export AWS_ACCESS_KEY_ID=testing");
    println!("export AWS_SECRET_ACCESS_KEY=testing");
    println!("export AWS_REGION={}", elbv2.region());
    println!("export AWS_EC2_METADATA_DISABLED=true");
    println!("# try: kubectl get namespaces");
    println!("# default VPC: {}", elbv2.default_vpc_id());
    println!("# subnets: {}", elbv2.default_subnet_ids().join(","));
    wait_for_signal().await?;
    tracing::info!("stopping");
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

async fn wait_for_signal() -> anyhow::Result<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("installing the SIGTERM handler")?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.context("waiting for SIGINT")?,
        _ = terminate.recv() => {}
    }
    Ok(())
}
