//! `make bench`: runs the benchmarks against the simulator and writes `bench/results/*.json`.

use std::path::PathBuf;

use clap::Parser;
use lbgate_e2e::bench::{self, budget};

#[derive(Parser)]
#[command(about = "lbgate benchmarks against lbgate-sim")]
struct Args {
    /// Folder for the JSON results.
    #[arg(long, default_value = "bench/results")]
    out: PathBuf,
    /// Targets registered and then deregistered in the API budget benchmark.
    #[arg(long, default_value_t = 4000)]
    targets: usize,
    /// Concurrent health pollers in the API budget benchmark.
    #[arg(long, default_value_t = 4)]
    pollers: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let args = Args::parse();
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
    bench::write_json(&args.out, "api-budget.json", &report)?;
    println!("written to {}", args.out.join("api-budget.json").display());
    Ok(())
}
