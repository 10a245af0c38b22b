//! `lbgate-sim demo`: the ELBv2 target-lifecycle story, told against the simulator.
//!
//! [`run`] starts an [`Elbv2Sim`] in-process and drives it through the real AWS SDK: a target
//! group behind an application load balancer, three "pod" addresses registered and health
//! checked, one failing and recovering, one deregistered and drained, a group nobody routes to,
//! a throttled burst of DescribeTargetHealth calls and a summary. Every step observes the
//! simulator only through DescribeTargetHealth polls, narrates each state and reason transition
//! it sees, and checks an expectation against a bound of simulated time; the first unmet one ends
//! the run with [`DemoError::Expectation`]. So the demo doubles as a smoke check.
//!
//! Narration goes to the writer in [`DemoOptions`] (stdout for the binary, a buffer or
//! [`std::io::sink`] in tests). Times are simulated seconds since the simulator started.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::Credentials;
use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, ProtocolEnum, TargetGroupAttribute, TargetTypeEnum,
};
use lbgate_sim_elbv2::{Elbv2Sim, Elbv2SimError, HealthMode, SimConfig};
use tokio::time::Instant;

/// Real seconds per simulated second unless told otherwise: 20× faster than real time.
pub const DEFAULT_TIME_SCALE: f64 = 0.05;

/// The smallest time scale the demo accepts. ELB's `Describe*` bucket refills 10 tokens per
/// (wall) second, so the demo polls at most ~9 times a second; below this scale one poll would
/// span more than ~3.7 simulated seconds and the timing expectations could not be observed.
pub const MIN_TIME_SCALE: f64 = 0.03;

/// Health-check interval of the demo's target groups.
const INTERVAL: Duration = Duration::from_secs(5);
const HEALTHY_THRESHOLD: u32 = 3;
const UNHEALTHY_THRESHOLD: u32 = 2;
const DEREGISTRATION_DELAY: Duration = Duration::from_secs(20);
const TARGET_PORT: u16 = 8080;
/// Slack on every upper bound: one more health-check interval.
const SLACK: Duration = INTERVAL;

/// Least wall time between two `Describe*` calls while polling: 9 a second stays under the
/// bucket's refill of 10 a second, so polls never throttle and the bucket is full again one
/// second after the last poll.
const POLL_SPACING_REAL: Duration = Duration::from_millis(110);
/// Least simulated time between two polls (matters at slow scales).
const POLL_SPACING_SIM: Duration = Duration::from_millis(500);
/// Wall time to wait after the last poll before the burst, so the bucket is full (one refill tick
/// of 10 tokens, and polling never takes more than 10 out of it per second).
const BUCKET_REFILL_WAIT: Duration = Duration::from_millis(1_100);
/// DescribeTargetHealth calls sent at once in the throttling step.
const BURST: u32 = 60;
/// What ELB's `Describe*` bucket lets through of a burst: its capacity.
const DESCRIBE_BUCKET: u32 = 40;

/// The pods of the story, one per Availability Zone of the default VPC.
const PODS: [Ipv4Addr; 3] = [
    Ipv4Addr::new(10, 0, 1, 10),
    Ipv4Addr::new(10, 0, 65, 11),
    Ipv4Addr::new(10, 0, 129, 12),
];
/// Addresses registered in the target group no listener uses.
const IDLE: [Ipv4Addr; 2] = [Ipv4Addr::new(10, 0, 1, 20), Ipv4Addr::new(10, 0, 65, 21)];

/// How to run the demo.
pub struct DemoOptions {
    /// Real seconds per simulated second (at least [`MIN_TIME_SCALE`]).
    pub time_scale: f64,
    /// Where the narration goes.
    pub out: Box<dyn Write + Send>,
}

impl DemoOptions {
    /// The given scale, narrating to stdout.
    pub fn new(time_scale: f64) -> Self {
        Self {
            time_scale,
            out: Box::new(std::io::stdout()),
        }
    }

    /// The same options narrating to `out`.
    pub fn with_output(self, out: impl Write + Send + 'static) -> Self {
        Self {
            out: Box::new(out),
            ..self
        }
    }
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self::new(DEFAULT_TIME_SCALE)
    }
}

impl fmt::Debug for DemoOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoOptions")
            .field("time_scale", &self.time_scale)
            .finish_non_exhaustive()
    }
}

/// One state or reason change of one target, as a DescribeTargetHealth poll first showed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// Simulated time of the poll's answer, since the simulator started.
    pub at: Duration,
    /// `ip:port`.
    pub target: String,
    /// The wire state (`initial`, `healthy`, …), or `gone` once the target is no longer listed.
    pub state: String,
    pub reason: Option<String>,
}

/// An expectation a step checked (every one in a successful report was met).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    pub expected: String,
    pub observed: String,
    pub met: bool,
}

/// What one step did and saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepReport {
    pub number: u8,
    pub title: String,
    /// Simulated time just before the step's action (a registration, a health-mode change, …):
    /// the origin of its timing expectations.
    pub started_at: Duration,
    pub transitions: Vec<Transition>,
    pub expectations: Vec<Expectation>,
}

impl StepReport {
    /// The `(state, reason)` sequence one target went through in this step.
    pub fn sequence_of(&self, target: &str) -> Vec<(&str, Option<&str>)> {
        self.transitions
            .iter()
            .filter(|t| t.target == target)
            .map(|t| (t.state.as_str(), t.reason.as_deref()))
            .collect()
    }

    /// Simulated time from the step's start until `target` was first seen in `state`.
    pub fn time_to(&self, target: &str, state: &str) -> Option<Duration> {
        self.transitions
            .iter()
            .find(|t| t.target == target && t.state == state)
            .map(|t| t.at.saturating_sub(self.started_at))
    }
}

/// The outcome of the throttling step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleReport {
    pub sent: u32,
    pub succeeded: u32,
    pub throttled: u32,
    pub other_errors: u32,
}

/// What the demo did and saw.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoReport {
    pub time_scale: f64,
    pub endpoint: String,
    pub steps: Vec<StepReport>,
    pub throttle: Option<ThrottleReport>,
    /// Calls the simulator received, by action (`Elbv2Sim::call_counts` at the end).
    pub call_counts: BTreeMap<String, u64>,
    /// Calls the demo sent, by action.
    pub calls_sent: BTreeMap<String, u64>,
    /// Polls answered `Throttling` (pacing keeps this at zero).
    pub throttled_polls: u64,
    pub sim_elapsed: Duration,
    pub wall_elapsed: Duration,
}

impl DemoReport {
    /// Step `number` (1-based), if it ran.
    pub fn step(&self, number: u8) -> Option<&StepReport> {
        self.steps.iter().find(|s| s.number == number)
    }
}

/// Why the demo stopped.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("invalid demo options: {message}")]
    Options { message: String },
    #[error("the ELBv2 simulator: {0}")]
    Sim(#[from] Elbv2SimError),
    #[error("{action} failed: {message}")]
    Aws {
        action: &'static str,
        message: String,
    },
    #[error("writing the narration: {0}")]
    Output(#[from] std::io::Error),
    /// A step's expectation was not met; `report` holds everything up to it.
    #[error("step {step} ({title}): expected {expected}; observed {observed}")]
    Expectation {
        step: u8,
        title: String,
        expected: String,
        observed: String,
        report: Box<DemoReport>,
    },
}

/// Runs the whole story and returns what it saw, or the first unmet expectation.
pub async fn run(options: DemoOptions) -> Result<DemoReport, DemoError> {
    let DemoOptions { time_scale, out } = options;
    if !(time_scale.is_finite() && time_scale >= MIN_TIME_SCALE) {
        return Err(DemoError::Options {
            message: format!(
                "the time scale must be at least {MIN_TIME_SCALE} (got {time_scale}): polls are \
                 paced to ELB's Describe* refill of 10 per wall second"
            ),
        });
    }
    // Two rustls providers are compiled in; the SDK needs a process default. Already installed
    // (by an earlier run in this process) is fine.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let wall_start = Instant::now();
    let sim = Elbv2Sim::start(SimConfig {
        time_scale,
        ..SimConfig::default()
    })
    .await?;
    let client = sdk_client(&sim).await;
    let mut demo = Demo::new(&sim, client, out, time_scale, wall_start);
    let told = demo.tell().await;
    let report = demo.finish();
    let stopped = sim.shutdown().await;
    let report = told.map(|()| report)?;
    stopped?;
    Ok(report)
}

/// A real SDK client pointed at the simulator: static credentials, retries off (so throttles
/// surface), bounded operations.
async fn sdk_client(sim: &Elbv2Sim) -> Client {
    let config = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(sim.endpoint_url())
        .region(aws_config::Region::new(sim.region().to_owned()))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "static"))
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(Duration::from_secs(10))
                .build(),
        )
        .load()
        .await;
    Client::new(&config)
}

/// A target's `(state, reason)` in one poll.
type Health = (String, Option<String>);
/// Every listed target of a group, by `ip:port`.
type Snapshot = BTreeMap<String, Health>;

mod driver;
mod steps;
mod text;

use driver::Demo;
