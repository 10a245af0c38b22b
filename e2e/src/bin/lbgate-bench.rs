//! `make bench`: runs the benchmarks against the simulator and writes `bench/results/*.json`.

use std::path::{Path, PathBuf};

use clap::{Parser, ValueEnum};
use lbgate_e2e::bench::{self, budget, gate_lag};

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Benchmark {
    /// Registration under the account's ELB buckets with competing pollers.
    ApiBudget,
    /// Gate lag and ELBv2 calls of a rolling update with the real controller binary.
    GateLag,
}

#[derive(Parser)]
#[command(about = "lbgate benchmarks against lbgate-sim")]
struct Args {
    /// Folder for the JSON results.
    #[arg(long, default_value = "bench/results")]
    out: PathBuf,
    /// Run only this benchmark (every one when absent).
    #[arg(long, value_enum)]
    only: Option<Benchmark>,
    /// Targets registered and then deregistered in the API budget benchmark.
    #[arg(long, default_value_t = 4000)]
    targets: usize,
    /// Concurrent health pollers in the API budget benchmark.
    #[arg(long, default_value_t = 4)]
    pollers: usize,
    /// Replicas of the Deployment rolled in the gate-lag benchmark.
    #[arg(long, default_value_t = 10)]
    replicas: u32,
}

async fn api_budget(args: &Args) -> anyhow::Result<()> {
    let params = budget::BudgetParams {
        targets: args.targets,
        pollers: args.pollers,
        ..budget::BudgetParams::default()
    };
    println!(
        "API budget: {} targets registered then deregistered, {} health pollers, a neighbour at {}/s, ELB's per-account buckets enforced by the simulator",
        params.targets, params.pollers, params.neighbour_rate
    );
    let report = budget::run(params).await?;
    print!("{}", budget::table(&report));
    if let (Some(base), Some(polled)) = (
        report
            .runs
            .iter()
            .find(|r| r.client == "governed-no-pollers"),
        report.runs.iter().find(|r| r.client == "governed"),
    ) {
        println!(
            "registration time with pollers / without: {:.2}",
            polled.seconds / base.seconds.max(f64::EPSILON)
        );
    }
    written(&args.out, "api-budget.json", &report)
}

async fn gate_lag(args: &Args) -> anyhow::Result<()> {
    let params = gate_lag::GateLagParams {
        replicas: args.replicas,
        ..gate_lag::GateLagParams::default()
    };
    println!(
        "Gate lag: a Deployment of {} gated pods rolled to a new image (maxSurge 25 %, maxUnavailable 0) behind an ALB target group checked every {} s (healthy after {}), the real lbgate-controller in real time",
        params.replicas,
        gate_lag::INTERVAL,
        gate_lag::HEALTHY_THRESHOLD
    );
    let report = gate_lag::run(params).await?;
    print!("{}", gate_lag::table(&report));
    println!("{}", gate_lag::operations_line(&report));
    println!(
        "LBC rows: {}; see lbc_computed in the JSON for the facts used and what is not modelled",
        report.lbc_computed.label
    );
    written(&args.out, "gate-lag.json", &report)
}

fn written<T: serde::Serialize>(dir: &Path, name: &str, value: &T) -> anyhow::Result<()> {
    bench::write_json(dir, name, value)?;
    println!("written to {}", dir.join(name).display());
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let args = Args::parse();
    if args.only.is_none_or(|b| b == Benchmark::ApiBudget) {
        api_budget(&args).await?;
    }
    if args.only.is_none_or(|b| b == Benchmark::GateLag) {
        gate_lag(&args).await?;
    }
    Ok(())
}
