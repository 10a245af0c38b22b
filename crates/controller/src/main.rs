//! `lbgate-controller`: read the configuration, install the crypto provider and logging, build
//! the clients, and hand over to [`lbgate_controller::runtime`]. Exit 0 after SIGTERM/SIGINT;
//! non-zero (with the cause in `/dev/termination-log`) when the Lease is lost or a critical task
//! ends.

use std::process::ExitCode;
use std::sync::Arc;

use lbgate_controller::Error;
use lbgate_controller::config::{Config, LogFormat};
use lbgate_controller::runtime::{Parts, Runtime};
use lbgate_elbv2::{AwsClientConfig, Elbv2Metrics, Governed, Governor, GovernorConfig, SdkElbv2};
use tokio_util::sync::CancellationToken;

/// Kubernetes' default `terminationMessagePath`; `LBGATE_TERMINATION_LOG` overrides it (a pod
/// spec that sets another path, and tests).
const TERMINATION_LOG: &str = "/dev/termination-log";

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(config.log_level.as_str()));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match config.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

/// Best effort: the file exists only in a container, where kubelet shows it as the reason.
fn termination_message(message: &str) {
    let path = std::env::var_os("LBGATE_TERMINATION_LOG").map_or_else(
        || std::path::PathBuf::from(TERMINATION_LOG),
        std::path::PathBuf::from,
    );
    if let Err(error) = std::fs::write(path, message) {
        tracing::debug!(%error, "no termination log written");
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = match Config::from_args(std::env::args_os()) {
        Ok(config) => config,
        Err(Error::Flags { message, exit_code }) => {
            // clap's rendering (help, version, or the refused flag) goes out as clap prints it.
            #[allow(clippy::print_stderr)]
            {
                eprint!("{message}");
            }
            return ExitCode::from(u8::try_from(exit_code).unwrap_or(2));
        }
        Err(error) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("error: {error}");
            }
            return ExitCode::from(2);
        }
    };
    if std::env::args().any(|arg| arg == "--check-config") {
        println!("{config:#?}");
        return ExitCode::SUCCESS;
    }
    init_logging(&config);
    match run(config).await {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(error) => {
            let message = format!("{error:#}");
            tracing::error!(error = %message, category = error.category(), "exiting");
            termination_message(&message);
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), Error> {
    // Before any client exists: kube and the AWS SDK must share this one provider.
    if rustls::crypto::aws_lc_rs::default_provider()
        .install_default()
        .is_err()
    {
        return Err(Error::Config {
            message: "a rustls crypto provider was already installed".to_owned(),
        });
    }
    tracing::info!(?config, "starting");
    let registry = prometheus::Registry::new();
    let aws_metrics =
        Elbv2Metrics::register(&registry).map_err(|source| Error::AwsMetrics { source })?;
    let client = kube::Client::try_default()
        .await
        .map_err(|source| Error::KubeClient { source })?;
    let sdk = SdkElbv2::new(AwsClientConfig {
        region: config.aws_region.clone(),
        ..AwsClientConfig::default()
    })
    .await;
    let mut governor_config = GovernorConfig::default();
    governor_config.retry.max_throttle_retries = config.aws_max_retries;
    governor_config.retry.max_transient_retries = config.aws_max_retries;
    let governor = Arc::new(Governor::with_metrics(governor_config, aws_metrics));
    let elbv2 = Arc::new(Governed::new(sdk, governor));

    let shutdown = CancellationToken::new();
    let signalled = shutdown_signals().map_err(|source| Error::Serve {
        what: "listening for SIGTERM/SIGINT",
        source,
    })?;
    let signals = shutdown.clone();
    tokio::spawn(async move {
        signalled.await;
        tracing::info!("shutdown signal received");
        signals.cancel();
    });
    let parts = Parts::new(config, client, elbv2, registry);
    let running = Runtime::start(parts, shutdown.clone()).await?;
    running.wait().await
}

/// Registers the signal handlers now, so a signal that arrives while the runtime starts (the
/// Lease may already be ours) is a clean stop and not the default, abrupt, termination.
fn shutdown_signals() -> std::io::Result<impl std::future::Future<Output = ()> + Send> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
