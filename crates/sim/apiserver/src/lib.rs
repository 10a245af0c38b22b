//! The Kubernetes API server of lbgate's simulated world: a subset that the real kube-rs client
//! and kubectl cannot tell from kube-apiserver for everything they use. REST and discovery, one
//! global resourceVersion, LIST and WATCH, patches, the status subresource, optimistic
//! concurrency, finalizers, CRDs, and mutating and validating admission webhooks called over TLS
//! (a webhook Service resolved through a static map or its EndpointSlices).
//!
//! ```no_run
//! # async fn demo() -> Result<(), lbgate_sim_apiserver::KubeSimError> {
//! use lbgate_sim_apiserver::{KubeSim, KubeSimConfig};
//! let sim = KubeSim::start(KubeSimConfig::default()).await?;
//! sim.write_kubeconfig(std::path::Path::new("target/lbgate-sim/kubeconfig"))?;
//! println!("API server at {}", sim.url());
//! sim.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! # What a caller uses
//!
//! - [`KubeSim`], started from a [`KubeSimConfig`] (listen addresses, HTTPS with a fresh CA,
//!   watch window, bookmark interval, webhook Service addresses as [`ServiceAddresses`],
//!   `/version`, seed); it fails with [`KubeSimError`]. A client reaches it through
//!   [`KubeSim::client_config`] ([`ClientSettings`]: URL and CA) or a kubeconfig from
//!   [`KubeSim::write_kubeconfig`]. With the `client` feature, `KubeSim::client` builds a
//!   kube-rs `Client` for its plain-HTTP URL.
//! - [`Store`] ([`KubeSim::store`]): in-process reads, writes and watches without HTTP. Its async
//!   `create`, `replace`, `patch` and `delete` run defaulting and admission as HTTP requests do.
//! - [`tls`]: self-signed serving certificates ([`tls::ServingCert`]), rustls configs that
//!   trust a CA, and [`tls::serve_tls`] to serve an axum router over HTTPS (webhooks in tests).
//!
//! The rest is public for tests and tools that need one engine on its own: [`patch`] (JSON,
//! merge and strategic-merge patches), [`selectors`] (label and field selectors), [`table`]
//! (server-side `Table` rendering for kubectl), [`schema`] (structural-schema pruning,
//! defaulting and validation of custom resources), [`admission`] (Mutating- and
//! ValidatingWebhookConfiguration matching, Service resolution and AdmissionReview v1 over
//! HTTPS), [`ops`] (the write path shared by HTTP and in-process callers), [`watch`],
//! [`resources`] (the registry of kinds and CRDs), [`discovery`], [`openapi`], [`status`] (error
//! answers) and [`kubeconfig`].
//!
//! # What it does not do
//!
//! It serves the API and nothing runs behind it: no scheduler, kubelet, controller manager or
//! Deployment rollouts (the world crate, `lbgate-sim`, runs those as clients), no
//! authentication or authorization (any bearer token is accepted), and no dependency on the
//! ELBv2 simulator or on lbgate's own types.
//!
//! # Fidelity notes (what differs from kube-apiserver)
//! - Validation covers object names (DNS rules per kind), namespaces, preconditions and request
//!   options; no per-kind field validation of built-in kinds (`fieldValidation` only applies to
//!   custom resources), no `managedFields`.
//! - Custom resources are pruned, defaulted and validated by their CRD's structural schema
//!   ([`schema`]); its gaps: no CEL rules (`x-kubernetes-validations`), no `anyOf`/`oneOf`/`not`,
//!   no list uniqueness, no validation inside embedded resources, no re-defaulting on read, and
//!   server-side apply reports unknown fields as a merge patch does. Schema errors are reported
//!   apart from name errors (kube-apiserver lists both in one `Invalid`).
//! - In-process writers should use the async [`Store::create`], [`Store::replace`],
//!   [`Store::patch`] and [`Store::delete`] (defaults and admission webhooks run, as for HTTP);
//!   the `commit_*` methods store directly.
//! - `events.k8s.io/v1` and core `v1` Events share storage, as in kube-apiserver.
//! - Admission webhooks see CREATE and UPDATE only (no DELETE or CONNECT); see [`admission`] for
//!   the rest of their gaps.
//! - Custom resources are stored once and served at every version unchanged (`conversion: None`).
//! - Lists read the newest state: a continued list sees later writes, and an `Exact` list at an
//!   older resourceVersion answers 410. Watches replay the event log (`watch_window` events).
//! - Garbage collection by `ownerReferences` happens synchronously inside the DELETE (Background
//!   and Orphan as kube-apiserver's collector does it, Foreground without the
//!   `foregroundDeletion` finalizer: the dependents go first, then the owner).
//! - Deleting a namespace deletes its contents at once (objects with finalizers or terminating
//!   pods hold it in `Terminating`).
//! - Aggregated discovery is not served (clients fall back to the legacy documents); there is no
//!   protobuf (typed client-go requests such as `kubectl create namespace` get 415; `kubectl
//!   apply`/`create -f` send JSON), no `scale` subresource.

pub mod admission;
mod convert;
mod defaults;
pub mod discovery;
mod error;
mod handlers;
pub mod kubeconfig;
pub mod meta;
pub mod openapi;
pub mod ops;
pub mod patch;
pub mod resources;
pub mod schema;
pub mod selectors;
mod server;
pub mod status;
pub mod store;
pub mod table;
pub mod tls;
mod validation;
pub mod watch;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch as signal;
use tokio::task::JoinHandle;

pub use admission::{ServiceAddresses, ServiceResolver};
pub use discovery::VersionInfo;
pub use error::KubeSimError;
pub use ops::{WriteOptions, Written};
pub use resources::ResourceInfo;
pub use status::ApiError;
pub use store::{
    Addressed, DeleteOptions, Deleted, EventType, Store, StoreConfig, StoreEvent, Subresource,
};
pub use watch::{Filter, StoreWatch};

use handlers::Shared;

/// How a simulated API server starts. Every field has a sensible default.
#[derive(Debug, Clone)]
pub struct KubeSimConfig {
    /// Where the HTTP listener binds; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Where the HTTPS listener binds when `tls` is on.
    pub tls_listen: SocketAddr,
    /// Also serve HTTPS with a fresh self-signed CA (see [`KubeSim::ca_pem`]).
    pub tls: bool,
    /// Events kept for watches: a watch from a resourceVersion older than these gets 410 Gone.
    pub watch_window: usize,
    /// How often watches that asked for bookmarks get one.
    pub bookmark_interval: Duration,
    /// Where admission webhooks' `clientConfig.service` (`namespace/name`) point; a Service
    /// without an entry resolves through its EndpointSlices.
    pub services: ServiceAddresses,
    /// What `/version` reports.
    pub version: VersionInfo,
    /// Seed of UIDs and generated names.
    pub seed: u64,
}

impl Default for KubeSimConfig {
    fn default() -> Self {
        let localhost = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
        Self {
            listen: localhost,
            tls_listen: localhost,
            tls: false,
            watch_window: 10_000,
            bookmark_interval: Duration::from_secs(60),
            services: ServiceAddresses::new(),
            version: VersionInfo::default(),
            seed: 1,
        }
    }
}

/// How a client reaches the server: its URL and, for HTTPS, the CA to trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSettings {
    pub url: String,
    pub ca_pem: Option<String>,
}

/// How long [`KubeSim::shutdown`] waits for open connections.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(5);

/// A running simulated API server.
#[derive(Debug)]
pub struct KubeSim {
    store: Arc<Store>,
    shared: Arc<Shared>,
    addr: SocketAddr,
    tls_addr: Option<SocketAddr>,
    cert: Option<tls::ServingCert>,
    stop: signal::Sender<bool>,
    tasks: Vec<JoinHandle<Result<(), KubeSimError>>>,
}

async fn bind(addr: SocketAddr) -> Result<(tokio::net::TcpListener, SocketAddr), KubeSimError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| KubeSimError::Bind { addr, source })?;
    let local = listener
        .local_addr()
        .map_err(|source| KubeSimError::LocalAddr { source })?;
    Ok((listener, local))
}

impl KubeSim {
    /// Binds the listeners and starts serving.
    pub async fn start(config: KubeSimConfig) -> Result<Self, KubeSimError> {
        if config.watch_window == 0 {
            return Err(KubeSimError::Config {
                message: "watch_window must be at least 1".to_owned(),
            });
        }
        let store = Arc::new(Store::new(&StoreConfig {
            watch_window: config.watch_window,
            seed: config.seed,
            services: config.services.clone(),
        }));
        let (stop, stopping) = signal::channel(false);
        let (listener, addr) = bind(config.listen).await?;
        let shared = Arc::new(Shared {
            store: Arc::clone(&store),
            bookmark_interval: config.bookmark_interval,
            version: config.version.clone(),
            address: addr.to_string(),
            stopping: stopping.clone(),
            watch_requests: std::sync::atomic::AtomicU64::new(0),
        });
        let mut tasks = Vec::new();
        let router = server::router(Arc::clone(&shared));
        let mut http_stop = stopping.clone();
        tasks.push(tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = http_stop.wait_for(|s| *s).await;
                })
                .await
                .map_err(|source| KubeSimError::Serve { source })
        }));
        let (tls_addr, cert) = if config.tls {
            let cert = tls::ServingCert::self_signed(&[])
                .map_err(|source| KubeSimError::ServingCertificate { source })?;
            let server_config = cert
                .server_config()
                .map_err(|source| KubeSimError::TlsConfig { source })?;
            let (tls_listener, tls_addr) = bind(config.tls_listen).await?;
            let router = server::router(Arc::clone(&shared));
            let mut tls_stop = stopping;
            tasks.push(tokio::spawn(tls::serve_tls(
                tls_listener,
                server_config,
                router,
                async move {
                    let _ = tls_stop.wait_for(|s| *s).await;
                },
            )));
            (Some(tls_addr), Some(cert))
        } else {
            (None, None)
        };
        tracing::info!(%addr, ?tls_addr, "Kubernetes API server listening");
        Ok(Self {
            store,
            shared,
            addr,
            tls_addr,
            cert,
            stop,
            tasks,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `https://127.0.0.1:PORT` when TLS is on.
    pub fn https_url(&self) -> Option<String> {
        self.tls_addr.map(|a| format!("https://{a}"))
    }

    /// The CA that signed the HTTPS certificate (PEM), when TLS is on.
    pub fn ca_pem(&self) -> Option<&str> {
        self.cert.as_ref().map(tls::ServingCert::ca_pem)
    }

    /// Where a client should connect: HTTPS (with its CA) when on, else HTTP.
    pub fn client_config(&self) -> ClientSettings {
        match (self.https_url(), self.ca_pem()) {
            (Some(url), Some(ca)) => ClientSettings {
                url,
                ca_pem: Some(ca.to_owned()),
            },
            _ => ClientSettings {
                url: self.url(),
                ca_pem: None,
            },
        }
    }

    /// Writes a kubeconfig (cluster, user and context `lbgate-sim`) for kubectl and kube-rs.
    pub fn write_kubeconfig(&self, path: &Path) -> Result<(), KubeSimError> {
        let settings = self.client_config();
        kubeconfig::write(path, &settings.url, settings.ca_pem.as_deref()).map_err(|source| {
            KubeSimError::WriteKubeconfig {
                path: path.to_owned(),
                source,
            }
        })
    }

    /// A kube-rs client of the plain-HTTP URL, in namespace `default`, giving up connecting
    /// after 5 s.
    #[cfg(feature = "client")]
    pub fn client(&self) -> Result<kube::Client, KubeSimError> {
        let url: axum::http::Uri =
            self.url()
                .parse()
                .map_err(|source| KubeSimError::ClientUrl {
                    url: self.url(),
                    source,
                })?;
        let mut config = kube::Config::new(url);
        config.default_namespace = "default".to_owned();
        config.connect_timeout = Some(Duration::from_secs(5));
        kube::Client::try_from(config).map_err(|source| KubeSimError::Client { source })
    }

    /// The store, for in-process reads, writes and watches (no HTTP).
    pub fn store(&self) -> Arc<Store> {
        Arc::clone(&self.store)
    }

    /// WATCH requests served so far (each reconnect of a client's watch counts).
    pub fn watch_requests(&self) -> u64 {
        self.shared
            .watch_requests
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Ends open watches, stops serving and waits (bounded) for open requests.
    pub async fn shutdown(mut self) -> Result<(), KubeSimError> {
        let _ = self.stop.send(true);
        let deadline = tokio::time::Instant::now() + SHUTDOWN_DEADLINE;
        let mut result = Ok(());
        for task in self.tasks.drain(..) {
            let abort = task.abort_handle();
            match tokio::time::timeout_at(deadline, task).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(error))) => result = result.and(Err(error)),
                Ok(Err(source)) => result = result.and(Err(KubeSimError::Join { source })),
                Err(_) => {
                    abort.abort();
                    result = result.and(Err(KubeSimError::ShutdownTimeout {
                        seconds: SHUTDOWN_DEADLINE.as_secs(),
                    }));
                }
            }
        }
        result
    }
}

impl Drop for KubeSim {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}
