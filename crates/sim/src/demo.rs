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
    Action, ActionTypeEnum, ProtocolEnum, TargetDescription, TargetGroupAttribute, TargetTypeEnum,
};
use tokio::time::Instant;

use crate::SimError;
use crate::elbv2::{Elbv2Sim, HealthMode, SimConfig};

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
    Sim(#[from] SimError),
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

fn target_key(ip: Ipv4Addr) -> String {
    format!("{ip}:{TARGET_PORT}")
}

fn target(ip: Ipv4Addr) -> TargetDescription {
    TargetDescription::builder()
        .id(ip.to_string())
        .port(i32::from(TARGET_PORT))
        .build()
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn health_text(state: &str, reason: Option<&str>) -> String {
    match reason {
        Some(reason) => format!("{state} / {reason}"),
        None => state.to_owned(),
    }
}

fn sequence_text(sequence: &[(&str, Option<&str>)]) -> String {
    if sequence.is_empty() {
        return "nothing".to_owned();
    }
    sequence
        .iter()
        .map(|(state, reason)| health_text(state, *reason))
        .collect::<Vec<_>>()
        .join(" → ")
}

/// Whether `observed` walks `expected` in order (skipping states a poll may have missed) and ends
/// at its last entry.
fn follows(observed: &[(&str, Option<&str>)], expected: &[(&str, Option<&str>)]) -> bool {
    let mut rest = expected.iter();
    observed
        .iter()
        .all(|step| rest.by_ref().any(|wanted| wanted == step))
        && observed.last() == expected.last()
}

/// Whether the snapshot lists `key` as `state` (with `reason`, when given).
fn is(snapshot: &Snapshot, key: &str, state: &str, reason: Option<&str>) -> bool {
    snapshot.get(key).is_some_and(|(s, r)| {
        s == state && reason.is_none_or(|reason| r.as_deref() == Some(reason))
    })
}

struct Demo<'a> {
    sim: &'a Elbv2Sim,
    client: Client,
    out: Box<dyn Write + Send>,
    time_scale: f64,
    wall_start: Instant,
    /// When the last `Describe*` call went out (wall time), for pacing.
    last_describe: Option<Instant>,
    /// What each watched target group last showed, by ARN.
    seen: BTreeMap<String, Snapshot>,
    step: Option<StepReport>,
    report: DemoReport,
}

impl<'a> Demo<'a> {
    fn new(
        sim: &'a Elbv2Sim,
        client: Client,
        out: Box<dyn Write + Send>,
        time_scale: f64,
        wall_start: Instant,
    ) -> Self {
        Self {
            sim,
            client,
            out,
            time_scale,
            wall_start,
            last_describe: None,
            seen: BTreeMap::new(),
            step: None,
            report: DemoReport {
                time_scale,
                endpoint: sim.endpoint_url(),
                steps: Vec::new(),
                throttle: None,
                call_counts: BTreeMap::new(),
                calls_sent: BTreeMap::new(),
                throttled_polls: 0,
                sim_elapsed: Duration::ZERO,
                wall_elapsed: Duration::ZERO,
            },
        }
    }

    fn finish(mut self) -> DemoReport {
        self.close_step();
        self.report.sim_elapsed = self.now();
        self.report.wall_elapsed = self.wall_start.elapsed();
        self.report
    }

    /// Simulated time since the simulator started.
    fn now(&self) -> Duration {
        self.sim.state().now()
    }

    fn line(&mut self, text: impl fmt::Display) -> Result<(), DemoError> {
        writeln!(self.out, "{text}")?;
        self.out.flush()?;
        Ok(())
    }

    /// A narration line stamped with the simulated time.
    fn say(&mut self, text: impl fmt::Display) -> Result<(), DemoError> {
        let stamp = format!("[t=+{:.1}s]", self.now().as_secs_f64());
        self.line(format!("{stamp:<11} {text}"))
    }

    fn sent(&mut self, action: &str) {
        *self.report.calls_sent.entry(action.to_owned()).or_default() += 1;
    }

    fn begin_step(&mut self, number: u8, title: &str) -> Result<(), DemoError> {
        self.close_step();
        self.line("")?;
        self.line(format!("── {number}. {title}"))?;
        self.step = Some(StepReport {
            number,
            title: title.to_owned(),
            started_at: self.now(),
            transitions: Vec::new(),
            expectations: Vec::new(),
        });
        Ok(())
    }

    fn close_step(&mut self) {
        if let Some(step) = self.step.take() {
            self.report.steps.push(step);
        }
    }

    /// Marks now as the origin of the current step's timing expectations.
    fn mark_start(&mut self) -> Duration {
        let now = self.now();
        if let Some(step) = self.step.as_mut() {
            step.started_at = now;
        }
        now
    }

    /// Records an expectation; an unmet one ends the demo.
    fn expect(
        &mut self,
        met: bool,
        expected: impl Into<String>,
        observed: impl Into<String>,
    ) -> Result<(), DemoError> {
        let (expected, observed) = (expected.into(), observed.into());
        let mark = if met { "✓" } else { "✗ NOT MET:" };
        self.line(format!(
            "            {mark} expected {expected}; observed {observed}"
        ))?;
        let expectation = Expectation {
            expected: expected.clone(),
            observed: observed.clone(),
            met,
        };
        let (step, title) = match self.step.as_mut() {
            Some(step) => {
                step.expectations.push(expectation);
                (step.number, step.title.clone())
            }
            None => (0, String::new()),
        };
        if met {
            return Ok(());
        }
        self.close_step();
        let mut report = self.report.clone();
        report.call_counts = self.sim.call_counts();
        report.sim_elapsed = self.now();
        report.wall_elapsed = self.wall_start.elapsed();
        Err(DemoError::Expectation {
            step,
            title,
            expected,
            observed,
            report: Box::new(report),
        })
    }

    fn aws_error<E>(action: &'static str, error: E) -> DemoError
    where
        E: std::error::Error,
    {
        DemoError::Aws {
            action,
            message: DisplayErrorContext(error).to_string(),
        }
    }

    /// Wall time between two polls.
    fn poll_spacing(&self) -> Duration {
        POLL_SPACING_REAL.max(POLL_SPACING_SIM.mul_f64(self.time_scale))
    }

    /// Waits until a `Describe*` call may go out without draining ELB's bucket, and notes it.
    async fn pace_describe(&mut self) {
        let spacing = self.poll_spacing();
        if let Some(last) = self.last_describe {
            tokio::time::sleep_until(last + spacing).await;
        }
        self.last_describe = Some(Instant::now());
    }

    /// One paced DescribeTargetHealth poll of `arn`: narrates and records every change since the
    /// previous poll of that group. `None` when the poll was throttled.
    async fn poll(&mut self, arn: &str) -> Result<Option<Snapshot>, DemoError> {
        self.pace_describe().await;
        self.sent("DescribeTargetHealth");
        let answer = self
            .client
            .describe_target_health()
            .target_group_arn(arn)
            .send()
            .await;
        let at = self.now();
        let output = match answer {
            Ok(output) => output,
            Err(error) if error.code() == Some("Throttling") => {
                self.report.throttled_polls += 1;
                self.say("DescribeTargetHealth was throttled; polling again")?;
                return Ok(None);
            }
            Err(error) => return Err(Self::aws_error("DescribeTargetHealth", error)),
        };
        let mut snapshot = Snapshot::new();
        for description in output.target_health_descriptions() {
            let Some(target) = description.target() else {
                continue;
            };
            let key = format!(
                "{}:{}",
                target.id().unwrap_or("?"),
                target.port().unwrap_or_default()
            );
            let health = description.target_health();
            let state = health
                .and_then(|h| h.state())
                .map_or("?", |s| s.as_str())
                .to_owned();
            let reason = health
                .and_then(|h| h.reason())
                .map(|r| r.as_str().to_owned());
            snapshot.insert(key, (state, reason));
        }
        let before = self.seen.remove(arn).unwrap_or_default();
        let mut changes = Vec::new();
        for (key, health) in &snapshot {
            if before.get(key) != Some(health) {
                changes.push((key.clone(), health.clone()));
            }
        }
        for key in before.keys() {
            if !snapshot.contains_key(key) {
                changes.push((key.clone(), ("gone".to_owned(), None)));
            }
        }
        // In address order (10.0.65.11 before 10.0.129.12), not string order.
        changes.sort_by_key(|(key, _)| key.parse::<SocketAddr>().ok());
        for (key, (state, reason)) in changes {
            let shown = if state == "gone" {
                "gone (no longer listed)".to_owned()
            } else {
                health_text(&state, reason.as_deref())
            };
            self.line(format!(
                "{:<11} {key:<16} {shown}",
                format!("[t=+{:.1}s]", at.as_secs_f64())
            ))?;
            if let Some(step) = self.step.as_mut() {
                step.transitions.push(Transition {
                    at,
                    target: key,
                    state,
                    reason,
                });
            }
        }
        self.seen.insert(arn.to_owned(), snapshot.clone());
        Ok(Some(snapshot))
    }

    /// Polls `arn` until `done` holds (returning the simulated time of that answer) or the
    /// simulated `deadline` passes (`None`).
    async fn poll_until(
        &mut self,
        arn: &str,
        deadline: Duration,
        done: impl Fn(&Snapshot) -> bool,
    ) -> Result<Option<Duration>, DemoError> {
        loop {
            let snapshot = self.poll(arn).await?;
            let at = self.now();
            if snapshot.as_ref().is_some_and(&done) {
                return Ok(Some(at));
            }
            if at >= deadline {
                return Ok(None);
            }
        }
    }

    async fn tell(&mut self) -> Result<(), DemoError> {
        self.line("lbgate-sim demo: the ELBv2 target lifecycle, told through the real AWS SDK")?;
        self.line(format!(
            "ELBv2 simulator at {} ({}), time scale {} ({:.0}× faster than real time); \
             [t=+…] is simulated time",
            self.sim.endpoint_url(),
            self.sim.region(),
            self.time_scale,
            1.0 / self.time_scale
        ))?;
        let spacing = self.poll_spacing();
        self.line(format!(
            "Every step watches DescribeTargetHealth, polled every {:.1} simulated seconds ({} ms \
             of wall time: under ELB's Describe* refill of 10 calls a second)",
            spacing.as_secs_f64() / self.time_scale,
            spacing.as_millis()
        ))?;
        let arn = self.step_1_create().await?;
        self.step_2_register(&arn).await?;
        self.step_3_fail_and_recover(&arn).await?;
        self.step_4_deregister(&arn).await?;
        self.step_5_unused().await?;
        self.step_6_throttle(&arn).await?;
        self.step_7_summary()
    }

    /// Creates an HTTP:8080 ip target group with the demo's health checks, in the default VPC.
    async fn create_target_group(&mut self, name: &str) -> Result<String, DemoError> {
        self.sent("CreateTargetGroup");
        let created = self
            .client
            .create_target_group()
            .name(name)
            .protocol(ProtocolEnum::Http)
            .port(i32::from(TARGET_PORT))
            .vpc_id(self.sim.default_vpc_id())
            .target_type(TargetTypeEnum::Ip)
            .health_check_path("/healthz")
            .health_check_interval_seconds(5)
            .health_check_timeout_seconds(2)
            .healthy_threshold_count(3)
            .unhealthy_threshold_count(2)
            .send()
            .await
            .map_err(|e| Self::aws_error("CreateTargetGroup", e))?;
        let arn = created
            .target_groups()
            .first()
            .and_then(|tg| tg.target_group_arn())
            .unwrap_or_default()
            .to_owned();
        self.say(format!(
            "CreateTargetGroup {name}: ip targets, HTTP:{TARGET_PORT}, GET /healthz every \
             {} s, healthy after {HEALTHY_THRESHOLD} passes, unhealthy after \
             {UNHEALTHY_THRESHOLD} failures",
            INTERVAL.as_secs()
        ))?;
        self.sent("ModifyTargetGroupAttributes");
        self.client
            .modify_target_group_attributes()
            .target_group_arn(&arn)
            .attributes(
                TargetGroupAttribute::builder()
                    .key("deregistration_delay.timeout_seconds")
                    .value(DEREGISTRATION_DELAY.as_secs().to_string())
                    .build(),
            )
            .send()
            .await
            .map_err(|e| Self::aws_error("ModifyTargetGroupAttributes", e))?;
        self.say(format!(
            "ModifyTargetGroupAttributes {name}: deregistration_delay.timeout_seconds={}",
            DEREGISTRATION_DELAY.as_secs()
        ))?;
        Ok(arn)
    }

    async fn register(&mut self, arn: &str, ips: &[Ipv4Addr]) -> Result<(), DemoError> {
        self.sent("RegisterTargets");
        self.client
            .register_targets()
            .target_group_arn(arn)
            .set_targets(Some(ips.iter().copied().map(target).collect()))
            .send()
            .await
            .map_err(|e| Self::aws_error("RegisterTargets", e))?;
        let list = ips
            .iter()
            .map(|ip| target_key(*ip))
            .collect::<Vec<_>>()
            .join(", ");
        self.say(format!("RegisterTargets {list}"))
    }

    async fn step_1_create(&mut self) -> Result<String, DemoError> {
        self.begin_step(1, "A target group behind an application load balancer")?;
        let arn = self.create_target_group("demo-pods").await?;
        self.sent("CreateLoadBalancer");
        let created = self
            .client
            .create_load_balancer()
            .name("demo-alb")
            .set_subnets(Some(self.sim.default_subnet_ids()))
            .send()
            .await
            .map_err(|e| Self::aws_error("CreateLoadBalancer", e))?;
        let lb = created.load_balancers().first();
        let lb_arn = lb
            .and_then(|lb| lb.load_balancer_arn())
            .unwrap_or_default()
            .to_owned();
        let dns = lb.and_then(|lb| lb.dns_name()).unwrap_or("?").to_owned();
        let state = lb
            .and_then(|lb| lb.state())
            .and_then(|s| s.code())
            .map_or("?", |c| c.as_str())
            .to_owned();
        let zones = lb.map_or(0, |lb| lb.availability_zones().len());
        self.say(format!(
            "CreateLoadBalancer demo-alb: application, {zones} zones, {state}, {dns}"
        ))?;
        self.sent("CreateListener");
        self.client
            .create_listener()
            .load_balancer_arn(&lb_arn)
            .protocol(ProtocolEnum::Http)
            .port(80)
            .default_actions(
                Action::builder()
                    .r#type(ActionTypeEnum::Forward)
                    .target_group_arn(&arn)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| Self::aws_error("CreateListener", e))?;
        self.say("CreateListener HTTP:80 → forward to demo-pods")?;
        self.pace_describe().await;
        self.sent("DescribeTargetGroups");
        let described = self
            .client
            .describe_target_groups()
            .target_group_arns(&arn)
            .send()
            .await
            .map_err(|e| Self::aws_error("DescribeTargetGroups", e))?;
        let used_by: Vec<String> = described
            .target_groups()
            .iter()
            .flat_map(|tg| tg.load_balancer_arns().iter().cloned())
            .collect();
        self.expect(
            used_by == [lb_arn.clone()],
            "DescribeTargetGroups to show demo-pods in use by demo-alb",
            format!("LoadBalancerArns {used_by:?}"),
        )?;
        Ok(arn)
    }

    async fn step_2_register(&mut self, arn: &str) -> Result<(), DemoError> {
        self.begin_step(2, "Register three pods")?;
        let start = self.mark_start();
        self.register(arn, &PODS).await?;
        let keys: Vec<String> = PODS.iter().map(|ip| target_key(*ip)).collect();
        let expected_after = INTERVAL * HEALTHY_THRESHOLD;
        let bound = expected_after + SLACK;
        let reached = self
            .poll_until(arn, start + bound, |s| {
                keys.iter().all(|k| is(s, k, "healthy", None))
            })
            .await?;
        let expected_sequence = [
            ("initial", Some("Elb.RegistrationInProgress")),
            ("initial", Some("Elb.InitialHealthChecking")),
            ("healthy", None),
        ];
        let (sequences_ok, observed) = self.sequences(&keys, &expected_sequence);
        self.expect(
            sequences_ok,
            format!("each pod to go {}", sequence_text(&expected_sequence)),
            observed,
        )?;
        let took = reached.map(|at| at.saturating_sub(start));
        self.expect(
            took.is_some_and(|t| t >= expected_after && t <= bound),
            format!(
                "all three healthy after {HEALTHY_THRESHOLD} checks × {} = {} (seen within {})",
                secs(INTERVAL),
                secs(expected_after),
                secs(bound)
            ),
            took.map_or_else(
                || format!("not all healthy by {}", secs(bound)),
                |t| format!("all healthy after {}", secs(t)),
            ),
        )
    }

    /// Whether each target's sequence in the current step follows `expected`, and the observed
    /// sequences as text.
    fn sequences(&self, keys: &[String], expected: &[(&str, Option<&str>)]) -> (bool, String) {
        let Some(step) = self.step.as_ref() else {
            return (false, "no step".to_owned());
        };
        let mut ok = true;
        let mut text = String::new();
        for key in keys {
            let sequence = step.sequence_of(key);
            ok &= follows(&sequence, expected);
            if !text.is_empty() {
                text.push_str("; ");
            }
            let _ = write!(text, "{key}: {}", sequence_text(&sequence));
        }
        (ok, text)
    }

    async fn step_3_fail_and_recover(&mut self, arn: &str) -> Result<(), DemoError> {
        self.begin_step(3, "A pod stops answering health checks, then recovers")?;
        let [_, pod, _] = PODS;
        let key = target_key(pod);
        let start = self.mark_start();
        self.sim
            .set_health(IpAddr::V4(pod), Some(TARGET_PORT), HealthMode::Refusing);
        self.say(format!(
            "{key} now refuses connections (simulator control, not an AWS call)"
        ))?;
        let fails_after = INTERVAL * (UNHEALTHY_THRESHOLD - 1);
        let fail_bound = INTERVAL * UNHEALTHY_THRESHOLD + SLACK;
        let failed = self
            .poll_until(arn, start + fail_bound, |s| {
                is(s, &key, "unhealthy", Some("Target.FailedHealthChecks"))
            })
            .await?;
        let took = failed.map(|at| at.saturating_sub(start));
        self.expect(
            took.is_some_and(|t| t >= fails_after && t <= fail_bound),
            format!(
                "unhealthy / Target.FailedHealthChecks after {UNHEALTHY_THRESHOLD} failed checks, \
                 due {}–{} after the change (seen within {})",
                secs(fails_after),
                secs(INTERVAL * UNHEALTHY_THRESHOLD),
                secs(fail_bound)
            ),
            took.map_or_else(
                || format!("still not unhealthy at {}", secs(fail_bound)),
                |t| format!("unhealthy after {}", secs(t)),
            ),
        )?;

        let recovered_at = self.now();
        self.sim
            .set_health(IpAddr::V4(pod), Some(TARGET_PORT), HealthMode::Answering);
        self.say(format!("{key} answers health checks again"))?;
        let heals_after = INTERVAL * (HEALTHY_THRESHOLD - 1);
        let heal_bound = INTERVAL * HEALTHY_THRESHOLD + SLACK;
        let healed = self
            .poll_until(arn, recovered_at + heal_bound, |s| {
                is(s, &key, "healthy", None)
            })
            .await?;
        let took = healed.map(|at| at.saturating_sub(recovered_at));
        self.expect(
            took.is_some_and(|t| t >= heals_after && t <= heal_bound),
            format!(
                "healthy again after {HEALTHY_THRESHOLD} passed checks, due {}–{} after the \
                 change (seen within {})",
                secs(heals_after),
                secs(INTERVAL * HEALTHY_THRESHOLD),
                secs(heal_bound)
            ),
            took.map_or_else(
                || format!("still not healthy at {}", secs(heal_bound)),
                |t| format!("healthy after {}", secs(t)),
            ),
        )?;
        let expected_sequence = [
            ("unhealthy", Some("Target.FailedHealthChecks")),
            ("healthy", None),
        ];
        let keys: Vec<String> = PODS.iter().map(|ip| target_key(*ip)).collect();
        let others_quiet = self
            .step
            .as_ref()
            .is_some_and(|step| step.transitions.iter().all(|t| t.target == key));
        let (sequence_ok, observed) =
            self.sequences(std::slice::from_ref(&key), &expected_sequence);
        self.expect(
            sequence_ok && others_quiet,
            format!(
                "{key} to go {} while the other pods stay healthy",
                sequence_text(&expected_sequence)
            ),
            if others_quiet {
                observed
            } else {
                self.sequences(&keys, &[]).1
            },
        )
    }

    async fn step_4_deregister(&mut self, arn: &str) -> Result<(), DemoError> {
        self.begin_step(4, "Deregister a pod: connection draining")?;
        let [_, _, pod] = PODS;
        let key = target_key(pod);
        let start = self.mark_start();
        self.sent("DeregisterTargets");
        self.client
            .deregister_targets()
            .target_group_arn(arn)
            .targets(target(pod))
            .send()
            .await
            .map_err(|e| Self::aws_error("DeregisterTargets", e))?;
        self.say(format!("DeregisterTargets {key}"))?;
        let bound = DEREGISTRATION_DELAY + SLACK;
        let gone = self
            .poll_until(arn, start + bound, |s| !s.contains_key(&key))
            .await?;
        let expected_sequence = [
            ("draining", Some("Target.DeregistrationInProgress")),
            ("gone", None),
        ];
        let (sequence_ok, observed) =
            self.sequences(std::slice::from_ref(&key), &expected_sequence);
        let drained_first = self
            .step
            .as_ref()
            .is_some_and(|step| step.sequence_of(&key).first() == expected_sequence.first());
        self.expect(
            sequence_ok && drained_first,
            format!("{key} to go {}", sequence_text(&expected_sequence)),
            observed,
        )?;
        let took = gone.map(|at| at.saturating_sub(start));
        self.expect(
            took.is_some_and(|t| t >= DEREGISTRATION_DELAY && t <= bound),
            format!(
                "it drains for the {} deregistration delay (gone, seen within {})",
                secs(DEREGISTRATION_DELAY),
                secs(bound)
            ),
            took.map_or_else(
                || format!("still listed at {}", secs(bound)),
                |t| format!("gone after {}", secs(t)),
            ),
        )
    }

    async fn step_5_unused(&mut self) -> Result<(), DemoError> {
        self.begin_step(5, "A target group no listener forwards to")?;
        let arn = self.create_target_group("demo-idle").await?;
        let start = self.mark_start();
        self.register(&arn, &IDLE).await?;
        let keys: Vec<String> = IDLE.iter().map(|ip| target_key(*ip)).collect();
        // Watch for a whole health-check interval: nothing checks these targets.
        let until = start + INTERVAL;
        let mut polls = 0_u32;
        let mut all_unused = true;
        loop {
            if let Some(snapshot) = self.poll(&arn).await? {
                polls += 1;
                all_unused &= keys
                    .iter()
                    .all(|k| is(&snapshot, k, "unused", Some("Target.NotInUse")))
                    && snapshot.len() == keys.len();
            }
            if self.now() >= until {
                break;
            }
        }
        let (_, observed) = self.sequences(&keys, &[]);
        self.expect(
            all_unused && polls > 0,
            format!(
                "both to read unused / Target.NotInUse for a whole {} interval",
                secs(INTERVAL)
            ),
            format!("{observed} ({polls} polls)"),
        )
    }

    async fn step_6_throttle(&mut self, arn: &str) -> Result<(), DemoError> {
        self.begin_step(6, "Throttling: ELB's Describe* bucket")?;
        // Polling took at most 10 tokens a second; one refill tick fills the bucket again.
        if let Some(last) = self.last_describe {
            self.say(format!(
                "(letting the bucket refill: {} ms of wall time since the last poll)",
                BUCKET_REFILL_WAIT.as_millis()
            ))?;
            tokio::time::sleep_until(last + BUCKET_REFILL_WAIT).await;
        }
        self.say(format!(
            "{BURST} DescribeTargetHealth calls at once (the bucket holds {DESCRIBE_BUCKET} and \
             refills 10 per second)"
        ))?;
        let mut calls = tokio::task::JoinSet::new();
        for _ in 0..BURST {
            let request = self.client.describe_target_health().target_group_arn(arn);
            calls.spawn(async move { request.send().await });
        }
        let mut report = ThrottleReport {
            sent: BURST,
            succeeded: 0,
            throttled: 0,
            other_errors: 0,
        };
        while let Some(joined) = calls.join_next().await {
            self.sent("DescribeTargetHealth");
            match joined {
                Ok(Ok(_)) => report.succeeded += 1,
                Ok(Err(error)) if error.code() == Some("Throttling") => report.throttled += 1,
                Ok(Err(_)) | Err(_) => report.other_errors += 1,
            }
        }
        self.last_describe = Some(Instant::now());
        self.say(format!(
            "{} succeeded, {} answered Throttling (\"Rate exceeded\"), {} other errors",
            report.succeeded, report.throttled, report.other_errors
        ))?;
        self.report.throttle = Some(report);
        self.expect(
            report.succeeded == DESCRIBE_BUCKET
                && report.throttled == BURST - DESCRIBE_BUCKET
                && report.other_errors == 0,
            format!(
                "{DESCRIBE_BUCKET} succeeded / {} throttled",
                BURST - DESCRIBE_BUCKET
            ),
            format!("{} / {}", report.succeeded, report.throttled),
        )
    }

    fn step_7_summary(&mut self) -> Result<(), DemoError> {
        self.begin_step(7, "Summary")?;
        let counts = self.sim.call_counts();
        self.report.call_counts = counts.clone();
        self.line("            AWS calls the simulator received, by action:")?;
        for (action, count) in &counts {
            self.line(format!("              {action:<30} {count:>4}"))?;
        }
        let total: u64 = counts.values().sum();
        self.line(format!("              {:<30} {total:>4}", "total"))?;
        let sent = self.report.calls_sent.clone();
        self.expect(
            counts == sent,
            "the simulator to have counted exactly the calls the demo sent",
            if counts == sent {
                format!("{total} calls, all accounted for")
            } else {
                format!("received {counts:?}, sent {sent:?}")
            },
        )?;
        let sim = self.now();
        let wall = self.wall_start.elapsed();
        self.line(format!(
            "            {} of simulated time in {} of wall time",
            secs(sim),
            secs(wall)
        ))?;
        for paragraph in COMING_NEXT {
            self.line("")?;
            self.line(paragraph)?;
        }
        Ok(())
    }
}

const COMING_NEXT: [&str; 2] = [
    "Coming next: the rest of the simulated world. A Kubernetes API server subset with pods, \
     Deployments and EndpointSlices, world controllers that schedule pods and flip their \
     readiness, and an ALB data plane that sends traffic only to healthy targets.",
    "Then the TargetGroupBinding controller runs as the real lbgate binary against that world \
     and this simulator: it registers each pod's IP, holds the pod's readiness gate until its \
     target is healthy, and a Deployment rollout completes with zero lost requests.",
];

#[cfg(test)]
mod tests {
    use super::follows;

    #[test]
    fn follows_accepts_ordered_subsequences_ending_at_the_last_state() {
        let expected = [
            ("initial", Some("a")),
            ("initial", Some("b")),
            ("healthy", None),
        ];
        assert!(follows(&expected, &expected));
        assert!(follows(
            &[("initial", Some("a")), ("healthy", None)],
            &expected
        ));
        assert!(!follows(&[("initial", Some("a"))], &expected));
        assert!(!follows(
            &[
                ("initial", Some("b")),
                ("initial", Some("a")),
                ("healthy", None)
            ],
            &expected
        ));
        assert!(!follows(&[], &expected));
    }
}
