//! `lbgate-sim scenario FILE`: runs a scenario file in a fresh world and prints its report.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use lbgate_sim::scenario::run_file;

#[derive(Debug, clap::Args)]
pub struct ScenarioArgs {
    /// The scenario (YAML; format in crates/sim/world/src/scenario/README.md).
    pub file: PathBuf,
    /// Real seconds per simulated second, overriding the file's `world.timeScale`.
    #[arg(long)]
    pub time_scale: Option<f64>,
    /// Also write the report as JSON here.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
}

/// Prints the report; a step that fails (a wait past its deadline included) exits 1 with why.
pub async fn run(args: ScenarioArgs) -> anyhow::Result<ExitCode> {
    match run_file(&args.file, args.time_scale).await {
        Ok(report) => {
            println!("{report}");
            if let Some(path) = &args.json {
                std::fs::write(path, report.to_json() + "\n")
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            println!("scenario FAILED: {error}");
            Ok(ExitCode::FAILURE)
        }
    }
}
