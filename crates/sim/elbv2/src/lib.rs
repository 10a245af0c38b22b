//! The ELBv2 API simulator of lbgate's simulated world.
//!
//! A faithful stand-in for the Elastic Load Balancing v2 Query API (`Action=…&Version=2015-12-01`
//! form POSTs, XML answers, AWS error codes and messages), with the real target lifecycle timed
//! from each target group's health-check settings. Point the real AWS SDK at
//! [`Elbv2Sim::endpoint_url`] (or set `AWS_ENDPOINT_URL`); SigV4 headers are accepted and not
//! verified.
//!
//! ```no_run
//! # async fn demo() -> Result<(), lbgate_sim_elbv2::Elbv2SimError> {
//! use lbgate_sim_elbv2::{Elbv2Sim, HealthMode, SimConfig};
//! let sim = Elbv2Sim::start(SimConfig::default()).await?;
//! println!("AWS_ENDPOINT_URL={}", sim.endpoint_url());
//! sim.set_health("10.0.1.5".parse().unwrap(), Some(8080), HealthMode::Refusing);
//! sim.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! # What a caller uses
//!
//! - [`Elbv2Sim`], started from a [`SimConfig`] (listen address, region and account, clock or
//!   time scale, lags, [`ThrottleConfig`], [`Limits`], seed); it fails with [`Elbv2SimError`].
//!   Its methods steer the world as the control API below does: [`HealthMode`] per target
//!   address, [`Fault`]s and throttle rates per action, plus [`Elbv2Sim::call_counts`] and the
//!   [`Journal`] of RegisterTargets and DeregisterTargets calls.
//! - [`SimState`] ([`Elbv2Sim::state`]): the model and its clock in-process, for the ALB data
//!   plane and tests: [`TargetState`] and [`TargetHealthRow`]s of a group right now, and
//!   [`SimState::register_target`] for a target that a tool other than the one under test
//!   registers. [`model`] holds the model itself and the inputs of its operations;
//!   [`errors::ApiError`] is an answer AWS would give.
//!
//! # What it does not do
//!
//! Only ELBv2 is served: no EC2 (instance targets are any well-formed `i-…` ID), no STS, no
//! signature checks. It never depends on the Kubernetes side of the world; the world crate
//! (`lbgate-sim`) mirrors pod applications into [`Elbv2Sim::set_health`]. Every modelled
//! behaviour, its source and the known gaps are listed in `FIDELITY.md` at the crate root.
//!
//! # Control API
//!
//! The same knobs are reachable over HTTP under `/_sim/` on the simulator's address, with JSON
//! bodies, so that another process can drive it:
//!
//! | method and path | body | effect |
//! |---|---|---|
//! | `POST /_sim/health` | `{"ip":"10.0.1.5","port":8080,"mode":"refusing"}` (`port` optional = every port; `id` instead of `ip` for instance targets) | health mode of an address from now on |
//! | `POST /_sim/health/default` | `{"mode":"answering"}` | mode of addresses with no mode of their own |
//! | `POST /_sim/faults` | `{"action":"RegisterTargets","error_rate":0.5,"code":"InternalFailure","http_status":500,"message":"…","latency_ms":200}` (`action` `"*"` = every action) | inject errors and latency |
//! | `DELETE /_sim/faults` | — | remove every fault and injected throttle |
//! | `POST /_sim/throttle` | `{"action":"*","rate":0.3}` | answer `Throttling` at that probability |
//! | `GET /_sim/calls` | — | `{"RegisterTargets":3,…}`: calls received per action, including failed and throttled ones |
//! | `POST /_sim/vpcs` | `{"cidrs":["10.1.0.0/16"],"subnets":[{"cidr":"10.1.0.0/24","availability_zone":"us-west-2a"}]}` (`subnets` optional: one per CIDR) | adds a VPC; answers `{"vpc_id":"vpc-…"}` |
//! | `GET /_sim/state` | — | JSON dump of the whole model, target health included |
//! | `GET /_sim/time` | — | `{"now_seconds":12.5}`: simulated time |
//!
//! Modes are `"answering"`, `"refusing"`, `"timeout"` or `{"response_code":503}`.

mod control;
mod error;
pub mod errors;
mod faults;
pub mod health;
pub mod journal;
pub mod model;
mod ops;
pub mod query;
mod server;
mod service;
mod state;
pub mod throttle;
pub mod xml;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use lbgate_sim_clock::{Clock, ScaledClock};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use error::Elbv2SimError;
pub use faults::Fault;
pub use health::{HealthMode, TargetHealthView, TargetState};
pub use journal::{Journal, TargetCall};
pub use model::Limits;
pub use model::targets::TargetHealthRow;
pub use state::SimState;
pub use throttle::{BucketConfig, ThrottleConfig};

use service::Shared;

/// How a simulator starts. Every field has a sensible default.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Where to listen; port 0 picks a free one.
    pub listen: SocketAddr,
    pub region: String,
    pub account_id: String,
    /// Real seconds per simulated second: 1.0 is real time, 0.1 ten times faster. Ignored when
    /// `clock` is set.
    pub time_scale: f64,
    /// A clock to use instead of the wall clock (e.g. [`lbgate_sim_clock::ManualClock`] in tests).
    pub clock: Option<Arc<dyn Clock>>,
    /// Extra delay before the first health check of a target behind a network load balancer.
    pub nlb_registration_lag: Duration,
    /// The same for application load balancers.
    pub alb_registration_lag: Duration,
    /// API request-rate buckets (wall time, not scaled).
    pub throttle: ThrottleConfig,
    /// How long a new target group or target stays invisible to later calls.
    pub eventual_consistency: Duration,
    /// How long a new load balancer stays `provisioning`.
    pub load_balancer_provisioning: Duration,
    /// Health mode of addresses nobody configured.
    pub default_health: HealthMode,
    /// Quotas.
    pub limits: Limits,
    /// Seed of every random choice (IDs, request IDs, injected faults).
    pub seed: u64,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            region: "us-west-2".to_owned(),
            account_id: "123456789012".to_owned(),
            time_scale: 1.0,
            clock: None,
            nlb_registration_lag: Duration::from_secs(30),
            alb_registration_lag: Duration::ZERO,
            throttle: ThrottleConfig::default(),
            eventual_consistency: Duration::ZERO,
            load_balancer_provisioning: Duration::from_secs(5),
            default_health: HealthMode::Answering,
            limits: Limits::default(),
            seed: 1,
        }
    }
}

/// How long [`Elbv2Sim::shutdown`] waits for open connections to finish.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(5);

/// A running ELBv2 simulator.
#[derive(Debug)]
pub struct Elbv2Sim {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), std::io::Error>>>,
}

impl Elbv2Sim {
    /// Binds the listen address and starts serving.
    pub async fn start(config: SimConfig) -> Result<Self, Elbv2SimError> {
        if !(config.time_scale.is_finite() && config.time_scale > 0.0) {
            return Err(Elbv2SimError::Config {
                message: format!(
                    "time_scale must be a positive number, got {}",
                    config.time_scale
                ),
            });
        }
        let clock: Arc<dyn Clock> = match &config.clock {
            Some(clock) => Arc::clone(clock),
            None => Arc::new(ScaledClock::new(config.time_scale)),
        };
        let shared = Arc::new(Shared::new(&config, clock));
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| Elbv2SimError::Bind {
                addr: config.listen,
                source,
            })?;
        let addr = listener
            .local_addr()
            .map_err(|source| Elbv2SimError::LocalAddr { source })?;
        let (stop, stopped) = oneshot::channel();
        let router = server::router(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    // A dropped sender also means stop.
                    let _ = stopped.await;
                })
                .await
        });
        tracing::info!(%addr, "ELBv2 simulator listening");
        Ok(Self {
            shared,
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`: the endpoint to give the AWS SDK.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound socket address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn region(&self) -> &str {
        &self.shared.region
    }

    pub fn account_id(&self) -> &str {
        &self.shared.account_id
    }

    /// A VPC the simulator knows: 10.0.0.0/16 plus an IPv6 /56, subnets in three zones.
    pub fn default_vpc_id(&self) -> String {
        self.shared.state.with_model(|model, _| {
            model
                .default_vpc()
                .map(|v| v.id.clone())
                .unwrap_or_default()
        })
    }

    /// One subnet of the default VPC per Availability Zone (three), for CreateLoadBalancer.
    pub fn default_subnet_ids(&self) -> Vec<String> {
        self.shared.state.with_model(|model, _| {
            model
                .default_vpc()
                .map(|v| {
                    v.subnet_per_zone()
                        .into_iter()
                        .map(|s| s.id.clone())
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// From now on, `ip` answers health checks as `mode` on `port` (every port when `None`).
    pub fn set_health(&self, ip: IpAddr, port: Option<u16>, mode: HealthMode) {
        self.shared.state.set_health(&ip.to_string(), port, mode);
    }

    /// Like [`Self::set_health`] for any target ID (e.g. an instance ID).
    pub fn set_target_health(&self, id: &str, port: Option<u16>, mode: HealthMode) {
        self.shared.state.set_health(id, port, mode);
    }

    /// From now on, addresses with no mode of their own answer as `mode`.
    pub fn set_default_health(&self, mode: HealthMode) {
        self.shared.state.set_default_health(mode);
    }

    /// Injects a fault into `action` (`"*"` = every action without a fault of its own).
    pub fn set_fault(&self, action: &str, fault: Fault) {
        self.shared.faults().set_fault(action, fault);
    }

    /// Removes every fault and injected throttle rate.
    pub fn clear_faults(&self) {
        self.shared.faults().clear();
    }

    /// Answers `Throttling` to `action` (`"*"` = every action) with probability `rate`.
    pub fn set_throttle_rate(&self, action: &str, rate: f64) {
        self.shared.faults().set_throttle_rate(action, rate);
    }

    /// Calls received per action, including throttled and failed ones.
    pub fn call_counts(&self) -> BTreeMap<String, u64> {
        self.shared.call_counts()
    }

    /// RegisterTargets and DeregisterTargets calls received, with their targets and outcome.
    pub fn journal(&self) -> &Journal {
        self.shared.journal()
    }

    /// The model, for in-process inspection and control.
    pub fn state(&self) -> Arc<SimState> {
        Arc::clone(&self.shared.state)
    }

    /// Stops serving, waiting (bounded) for open requests to finish.
    pub async fn shutdown(mut self) -> Result<(), Elbv2SimError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let Some(task) = self.task.take() else {
            return Ok(());
        };
        let abort = task.abort_handle();
        match tokio::time::timeout(SHUTDOWN_DEADLINE, task).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(source))) => Err(Elbv2SimError::Serve { source }),
            Ok(Err(source)) => Err(Elbv2SimError::Join { source }),
            Err(_) => {
                abort.abort();
                Err(Elbv2SimError::ShutdownTimeout {
                    seconds: SHUTDOWN_DEADLINE.as_secs(),
                })
            }
        }
    }
}

impl Drop for Elbv2Sim {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
