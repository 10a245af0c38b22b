//! `lbgate-sim`: runs the simulated world from the command line.

mod cli;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use lbgate_sim::demo;
use lbgate_sim_elbv2::{Elbv2Sim, HealthMode, SimConfig};

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
    /// Serve the simulated world — the Kubernetes API server, the ELBv2 simulator and the world
    /// controllers (nodes, Deployments, ReplicaSets, scheduler, kubelet, EndpointSlices) on one
    /// clock — until SIGINT or SIGTERM, with a kubeconfig for kubectl and the controller.
    Serve(cli::serve::ServeArgs),
    /// Run a scenario file (world, AWS objects, manifests, steps, traffic) in a fresh simulated
    /// world and print its report: requests by outcome, failure windows, pod timelines, AWS
    /// calls. Exits 1 when a step fails.
    Scenario(cli::scenario::ScenarioArgs),
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
        Command::Demo(_) | Command::Scenario(_) => "warn",
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
        Command::Serve(args) => cli::serve::run(args).await.map(|()| ExitCode::SUCCESS),
        Command::Scenario(args) => cli::scenario::run(args).await,
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
        config.throttle = lbgate_sim_elbv2::ThrottleConfig::disabled();
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

async fn wait_for_signal() -> anyhow::Result<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("installing the SIGTERM handler")?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.context("waiting for SIGINT")?,
        _ = terminate.recv() => {}
    }
    Ok(())
}
