//! The process: reflectors and webhooks on every replica, the controllers on the leader only.
//!
//! [`Runtime::start`] binds every listener and starts every task; [`Running::wait`] ends when
//! the process should: `Ok` after a shutdown request (controllers stopped within a bound, Lease
//! released), `Err` when the Lease is lost (writes stopped first) or a critical task ended.
//! [`lease`]: leader election; [`fanout`]: warm standby; [`metrics`]: `lbgate_leader` and the
//! webhook metrics.

pub mod fanout;
mod leader;
pub mod lease;
pub mod metrics;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::jiff::Timestamp;
use kube::Client;
use kube::runtime::events::{Recorder, Reporter};
use lbgate_api::consts::EVENT_REPORTING_CONTROLLER;
use lbgate_core::schedule::ScheduleConfig;
use lbgate_elbv2::TargetsApi;
use prometheus::Registry;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::config::{CertMode, Config};
use crate::context::{Context, ControllerConfig};
use crate::error::Error;
use crate::health::{ReadyCheck, serve_probes};
use crate::metrics::Metrics;
use crate::stores::{Stores, WatchScope, reflectors};
use crate::webhook::selfmanaged::{SelfManaged, SelfManagedConfig};
use crate::webhook::serve::WebhookServer;
use crate::webhook::tls::{CertDir, CertSlot, server_config};
use crate::webhook::{WebhookState, router};
use fanout::Fanout;
use leader::{Leader, supervise};
use lease::{LeaderElector, LeaseConfig};
use metrics::RuntimeMetrics;

/// Everything the runtime is built from; the binary fills it from the configuration, tests
/// from a simulator.
pub struct Parts {
    pub config: Config,
    pub client: Client,
    pub elbv2: Arc<dyn TargetsApi>,
    pub registry: Registry,
    pub controller: ControllerConfig,
    /// The Lease: name, namespace, this replica's identity (`POD_NAME` in a cluster) and
    /// timings; [`Parts::new`] fills it from the configuration.
    pub lease: LeaseConfig,
    /// Self-managed certificate settings (used in that mode).
    pub self_managed: SelfManagedConfig,
    /// Where the webhook listens (the configuration gives only the port).
    pub webhook_addr: SocketAddr,
    /// How often the certificate directory or Secret is re-read.
    pub cert_refresh: Duration,
    /// How often escaped pods are looked for.
    pub escape_scan: Duration,
    /// How long in-flight passes (and their AWS calls) may take to finish on shutdown.
    pub shutdown_grace: Duration,
}

impl Parts {
    /// Defaults for everything the configuration does not say.
    pub fn new(
        config: Config,
        client: Client,
        elbv2: Arc<dyn TargetsApi>,
        registry: Registry,
    ) -> Self {
        let identity =
            std::env::var("POD_NAME").unwrap_or_else(|_| format!("lbgate-{}", std::process::id()));
        let namespace = config
            .leader_election_namespace
            .clone()
            .or_else(|| std::env::var("POD_NAMESPACE").ok())
            .unwrap_or_else(|| "kube-system".to_owned());
        let lease = LeaseConfig {
            lease_duration: config.leader_election_lease_duration,
            renew_deadline: config.leader_election_renew_deadline,
            retry_period: config.leader_election_retry_period,
            // One call may not use up the whole renew deadline.
            kube_timeout: (config.leader_election_renew_deadline / 2).min(Duration::from_secs(5)),
            ..LeaseConfig::new(&config.leader_election_id, &namespace, &identity)
        };
        let self_managed = SelfManagedConfig {
            rotate_after: config.webhook_cert_rotate_after,
            overlap: config.webhook_cert_overlap,
            ..SelfManagedConfig::new(
                &config.webhook_service_name,
                &config.webhook_service_namespace,
            )
        };
        let defaults = ControllerConfig::default();
        let controller = ControllerConfig {
            concurrency: config.max_concurrent_reconciles,
            error_backoff_cap: config.max_exponential_backoff_delay,
            schedule: ScheduleConfig {
                health_max_age: config.target_health_max_age,
                ..defaults.schedule
            },
            ..defaults
        };
        let webhook_addr = SocketAddr::new(config.webhook_bind_addr, config.webhook_bind_port);
        let cert_refresh = config.webhook_cert_refresh_interval;
        Self {
            config,
            client,
            elbv2,
            registry,
            controller,
            lease,
            self_managed,
            webhook_addr,
            cert_refresh,
            escape_scan: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// A started runtime.
pub struct Running {
    pub webhook_addr: SocketAddr,
    pub health_addr: SocketAddr,
    pub metrics_addr: SocketAddr,
    pub metrics: RuntimeMetrics,
    pub controller_metrics: Metrics,
    pub stores: Stores,
    pub cert: CertSlot,
    outcome: tokio::task::JoinHandle<Result<(), Error>>,
}

impl Running {
    /// Waits for the end of the process's work.
    pub async fn wait(self) -> Result<(), Error> {
        match self.outcome.await {
            Ok(result) => result,
            Err(error) => Err(Error::TaskEnded {
                task: "runtime",
                message: error.to_string(),
            }),
        }
    }

    /// Stops everything at once (a crash, for tests): nothing is released.
    pub fn abort(&self) {
        self.outcome.abort();
    }
}

async fn bind(addr: SocketAddr, what: &'static str) -> Result<(TcpListener, SocketAddr), Error> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| Error::Serve { what, source })?;
    let local = listener
        .local_addr()
        .map_err(|source| Error::Serve { what, source })?;
    Ok((listener, local))
}

/// Namespace for the runtime.
pub struct Runtime;

impl Runtime {
    /// Binds the listeners, loads the first certificate (a failure leaves `/readyz` red and is
    /// retried), starts the reflectors, webhooks and election. `shutdown` asks for a clean stop.
    pub async fn start(parts: Parts, shutdown: CancellationToken) -> Result<Running, Error> {
        let Parts {
            config,
            client,
            elbv2,
            registry,
            controller: controller_config,
            lease,
            self_managed,
            webhook_addr,
            cert_refresh,
            escape_scan,
            shutdown_grace,
        } = parts;
        let metrics = Metrics::register(&registry)?;
        let runtime_metrics = RuntimeMetrics::register(&registry)?;
        let (metrics_listener, metrics_addr) =
            bind(config.metrics_bind_addr, "binding the metrics port").await?;
        let (health_listener, health_addr) = bind(
            config.health_probe_bind_addr,
            "binding the health probe port",
        )
        .await?;
        let webhook = WebhookServer::bind(webhook_addr).await?;
        let webhook_addr = webhook.local_addr();

        let hook_metrics = metrics.clone();
        let scope = WatchScope::from_namespaces(&config.watch_namespaces);
        let (stores, streams) = reflectors(
            &client,
            &scope,
            Arc::new(move |kind| hook_metrics.decode_failure(kind)),
        );
        let (fanout, store_tasks) = Fanout::start(stores.clone(), streams);

        // Servers and certificate loops stop only after the controllers have drained and the
        // Lease is released (webhooks keep answering meanwhile); any of them ending earlier
        // ends the process.
        let stop = CancellationToken::new();
        let mut critical: JoinSet<(&'static str, Result<(), Error>)> = JoinSet::new();

        let slot = CertSlot::default();
        match config.webhook_cert_mode {
            CertMode::Dir => {
                let mut dir = CertDir::new(config.webhook_cert_dir.clone(), slot.clone());
                if let Err(error) = dir.refresh() {
                    tracing::warn!(%error, "no webhook certificate yet; retrying");
                }
                let token = stop.clone();
                critical.spawn(async move {
                    dir.watch(cert_refresh, token).await;
                    ("certificate directory watcher", Ok(()))
                });
            }
            CertMode::SelfManaged => {
                let manager = SelfManaged::new(client.clone(), self_managed, slot.clone());
                if let Err(error) = manager.sync(Timestamp::now()).await {
                    tracing::warn!(%error, "self-managed certificate not ready yet; retrying");
                }
                let token = stop.clone();
                critical.spawn(async move {
                    manager.run(cert_refresh, token).await;
                    ("self-managed certificates", Ok(()))
                });
            }
        }

        let state = WebhookState {
            stores: stores.clone(),
            elbv2: Arc::clone(&elbv2),
            inject_gates: config.enable_pod_readiness_gate_inject,
            aws_timeout: controller_config.aws_timeout,
            metrics: runtime_metrics.clone(),
        };
        let tls = server_config(&slot)?;
        let token = stop.clone();
        let app = router(state.clone());
        critical.spawn(async move {
            let result = webhook
                .serve(tls, app, async move { token.cancelled().await })
                .await;
            ("webhook server", result)
        });

        let ready_stores = state.clone();
        let ready_slot = slot.clone();
        let ready_pods = stores.clone();
        let check: ReadyCheck = Arc::new(move || {
            let pods = futures::FutureExt::now_or_never(ready_pods.pods.wait_until_ready())
                .is_some_and(|r| r.is_ok());
            vec![
                ("stores-synced", ready_stores.stores_ready() && pods),
                ("webhook-certificate", ready_slot.loaded()),
            ]
        });
        let token = stop.clone();
        critical.spawn(async move {
            let result = serve_probes(
                health_listener,
                check,
                async move { token.cancelled().await },
            )
            .await;
            ("health probe server", result)
        });
        let token = stop.clone();
        let metrics_registry = registry.clone();
        critical.spawn(async move {
            let result =
                crate::serve::serve_metrics_on(metrics_listener, metrics_registry, async move {
                    token.cancelled().await;
                })
                .await
                .map_err(|source| Error::Serve {
                    what: "metrics server",
                    source,
                });
            ("metrics server", result)
        });

        let reporter = Reporter {
            controller: EVENT_REPORTING_CONTROLLER.to_owned(),
            instance: Some(lease.identity.clone()),
        };
        let recorder = Recorder::new(client.clone(), reporter);
        let ctx = Arc::new(Context::new(
            client.clone(),
            elbv2,
            stores.clone(),
            controller_config.clone(),
            metrics.clone(),
        ));
        let leader = Leader {
            elector: config
                .enable_leader_election
                .then(|| LeaderElector::new(client.clone(), lease)),
            fanout,
            ctx,
            state,
            client,
            recorder,
            metrics: runtime_metrics.clone(),
            escape_scan,
            kube_timeout: controller_config.kube_timeout,
            shutdown_grace,
        };
        let outcome = tokio::spawn(supervise(leader, critical, store_tasks, shutdown, stop));
        Ok(Running {
            webhook_addr,
            health_addr,
            metrics_addr,
            metrics: runtime_metrics,
            controller_metrics: metrics,
            stores,
            cert: slot,
            outcome,
        })
    }
}
