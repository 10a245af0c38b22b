//! Gate lag: how long after the simulated Healthy transition each pod's gate turns True.
//!
//! One real `lbgate-controller` process runs against a [`SimWorld`] in real time (the controller
//! schedules in real seconds). An ALB forwards to an ip target group checked every 5 s (timeout
//! 2 s, healthy after 2 checks); a Deployment whose pods carry the gate is rolled to a new image
//! with maxSurge 25 % and maxUnavailable 0. For every new pod the healthy instant comes from the
//! simulator's model (the exact health check that passed) and the gate-True instant from a pod
//! watch (the instant the event is seen: the condition's `lastTransitionTime` has only 1 s
//! resolution). The AWS Load Balancer Controller is not run: the rollout's measured shape is
//! modelled ([`model`]) once with lbgate's measured lag (to check the model against the run) and
//! once with LBC's documented 15 s requeue; those rows are labelled as computed.

pub mod model;
pub mod stats;
mod world;

pub use world::{HEALTHY_THRESHOLD, INTERVAL, MAX_SURGE, TIMEOUT};

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use model::{GateRule, ModelledRollout, RolloutShape, model_rollout};
use stats::{Summary, median, summarize};

/// LBC's `--targetgroupbinding-requeue-duration` default (lbc-tgb-readiness.md §2.12).
pub const LBC_REQUEUE_SECONDS: f64 = 15.0;

#[derive(Debug, Clone, Copy, Serialize)]
pub struct GateLagParams {
    /// Replicas of the Deployment; every one is replaced by the rollout.
    pub replicas: u32,
    /// `deregistration_delay.timeout_seconds` of the target group.
    pub deregistration_delay_seconds: u32,
}

impl Default for GateLagParams {
    fn default() -> Self {
        Self {
            replicas: 10,
            deregistration_delay_seconds: 5,
        }
    }
}

/// The world the figures come from.
#[derive(Debug, Clone, Serialize)]
pub struct GateLagConfig {
    pub replicas: u32,
    pub max_surge: &'static str,
    pub max_unavailable: u32,
    pub load_balancer: &'static str,
    pub health_check_interval_seconds: u32,
    pub health_check_timeout_seconds: u32,
    pub healthy_threshold: u32,
    pub deregistration_delay_seconds: u32,
    /// Real seconds per simulated second.
    pub time_scale: f64,
    /// The kubelet's container start and app start-up delays.
    pub pod_startup_seconds: f64,
    pub controller: &'static str,
}

/// One new pod of the rollout, simulated seconds.
#[derive(Debug, Clone, Serialize)]
pub struct PodLag {
    pub pod: String,
    pub ip: String,
    /// First seen by the pod watch.
    pub created: f64,
    pub registered: f64,
    pub healthy: f64,
    pub gate_true: f64,
    pub ready: f64,
    pub gate_lag: f64,
}

/// An old pod's target: when it started draining and when it left the group (simulated seconds).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OldTarget {
    pub deregistered: f64,
    pub gone: f64,
}

/// What lbgate did, measured.
#[derive(Debug, Clone, Serialize)]
pub struct Measured {
    pub rolled_pods: usize,
    /// New image set → rollout complete (every replica updated and available, no old one left).
    pub rollout_wall_seconds: f64,
    /// New image set → old targets drained out of the group; calls are counted over this window.
    pub window_wall_seconds: f64,
    pub gate_lag_seconds: Summary,
    pub pods: Vec<PodLag>,
    pub target_transitions: u64,
    pub target_transitions_by_kind: BTreeMap<String, u64>,
    pub describe_target_health_calls: u64,
    pub describe_target_health_per_transition: f64,
    /// Requests the simulator received, by operation (every attempt).
    pub elbv2_calls: BTreeMap<String, u64>,
    pub elbv2_calls_total: u64,
    pub elbv2_calls_per_rolled_pod: f64,
    pub elbv2_calls_per_rolled_pod_by_operation: BTreeMap<String, f64>,
    /// The same window from the controller's own `lbgate_aws_api_calls_total`, as a cross-check.
    pub controller_counted_calls: BTreeMap<String, u64>,
}

/// One gate rule run through the rollout model (computed, not run).
#[derive(Debug, Clone, Serialize)]
pub struct ModelledVariant {
    pub name: &'static str,
    pub rule: String,
    pub gate_lag_seconds: Option<Summary>,
    pub rollout_seconds: f64,
    /// LBC rule only.
    pub full_passes: Option<u64>,
    pub describe_target_health_calls: Option<u64>,
    pub describe_target_health_per_transition: Option<f64>,
    pub describe_target_health_per_rolled_pod: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LbcModel {
    pub label: &'static str,
    /// The rollout's measured delays the model runs on.
    pub shape: RolloutShape,
    pub facts: Vec<&'static str>,
    pub not_modelled: Vec<&'static str>,
    pub variants: Vec<ModelledVariant>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cpus: usize,
    pub cpu_model: Option<String>,
    pub kernel: Option<String>,
    pub build: &'static str,
    pub note: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct GateLagReport {
    pub config: GateLagConfig,
    pub definitions: BTreeMap<&'static str, &'static str>,
    pub lbgate: Measured,
    pub lbc_computed: LbcModel,
    pub machine: Machine,
}

/// What the world run hands to the figures.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub rollout_wall: Duration,
    pub window_wall: Duration,
    pub new_pods: Vec<PodLag>,
    pub old_targets: Vec<OldTarget>,
    pub transitions: Vec<stats::Transition>,
    /// Simulated seconds when the new image was set.
    pub rollout_started: f64,
    pub elbv2_calls: BTreeMap<String, u64>,
    pub controller_counted_calls: BTreeMap<String, u64>,
}

/// Runs the rollout against the real controller binary and computes the figures.
pub async fn run(params: GateLagParams) -> anyhow::Result<GateLagReport> {
    let observed = world::run(params).await?;
    report(params, observed)
}

fn definitions() -> BTreeMap<&'static str, &'static str> {
    BTreeMap::from([
        (
            "gate_lag",
            "gate True (instant the pod watch saw the condition) minus healthy (the simulator's \
             instant of the health check that made the target healthy), simulated seconds = \
             wall seconds at time scale 1.0; new pods of the rollout only",
        ),
        (
            "percentiles",
            "nearest rank: p50 and p99 are lags some pod had; with 10 pods p99 is the maximum",
        ),
        (
            "target_transition",
            "a change of a target's DescribeTargetHealth State, sampled in-process from the \
             simulator's model every 10 ms: registering→initial (registration), initial→healthy, \
             healthy→draining (deregistration), draining→gone; reason-only changes \
             (Elb.RegistrationInProgress → Elb.InitialHealthChecking) are not counted",
        ),
        (
            "window",
            "from setting the new image until the rollout is complete and the old targets have \
             drained out of the target group; every ELBv2 request the simulator received in it",
        ),
        (
            "rolled_pod",
            "one old pod replaced by one new pod; calls per rolled pod = calls in the window / \
             replicas",
        ),
    ])
}

/// The rollout's delays, medians over its pods; `None` when a figure is missing.
pub fn rollout_shape(observed: &Observed, replicas: usize, surge: usize) -> Option<RolloutShape> {
    let pods = &observed.new_pods;
    let each = |f: &dyn Fn(&PodLag) -> f64| median(&pods.iter().map(f).collect::<Vec<_>>());
    let mut created: Vec<f64> = pods.iter().map(|p| p.created).collect();
    created.sort_by(f64::total_cmp);
    let mut ready: Vec<f64> = pods.iter().map(|p| p.ready).collect();
    ready.sort_by(f64::total_cmp);
    let mut deregistered: Vec<f64> = observed
        .old_targets
        .iter()
        .map(|t| t.deregistered)
        .collect();
    deregistered.sort_by(f64::total_cmp);
    // The k-th new pod after the first surge is created when the (k - surge)-th turns Ready.
    let next: Vec<f64> = created
        .iter()
        .skip(surge)
        .zip(&ready)
        .map(|(c, r)| c - r)
        .collect();
    let dereg: Vec<f64> = deregistered
        .iter()
        .zip(&ready)
        .map(|(d, r)| d - r)
        .collect();
    let drain: Vec<f64> = observed
        .old_targets
        .iter()
        .map(|t: &OldTarget| t.gone - t.deregistered)
        .collect();
    Some(RolloutShape {
        replicas,
        surge,
        to_first: created.first()? - observed.rollout_started,
        to_registered: each(&|p| p.registered - p.created)?,
        to_healthy: each(&|p| p.healthy - p.registered)?,
        to_available: each(&|p| p.ready - p.gate_true)?,
        to_next: median(&next).unwrap_or(0.0),
        to_deregistered: median(&dereg)?,
        drain: median(&drain)?,
    })
}

fn lbc_model(
    observed: &Observed,
    params: GateLagParams,
    lbgate_median_lag: f64,
    transitions: u64,
) -> anyhow::Result<LbcModel> {
    let replicas = usize::try_from(params.replicas)?;
    // maxSurge 25 %, rounded up as Kubernetes does.
    let surge = replicas.div_ceil(4);
    let shape = rollout_shape(observed, replicas, surge)
        .ok_or_else(|| anyhow::anyhow!("the rollout's shape could not be measured"))?;
    let rolled = replicas.max(1) as f64;
    let variant = |name, rule: String, m: ModelledRollout, lbc: bool| -> anyhow::Result<_> {
        if m.lags.iter().any(|l| !l.is_finite()) {
            anyhow::bail!("the model left a gate unresolved under {rule}: {m:?}");
        }
        let calls = m.describe_target_health_calls;
        Ok(ModelledVariant {
            name,
            rule,
            gate_lag_seconds: summarize(&m.lags),
            rollout_seconds: m.seconds,
            full_passes: lbc.then_some(m.passes),
            describe_target_health_calls: lbc.then_some(calls),
            describe_target_health_per_transition: lbc
                .then_some(calls as f64 / transitions.max(1) as f64),
            describe_target_health_per_rolled_pod: lbc.then_some(calls as f64 / rolled),
        })
    };
    let check = model_rollout(&shape, GateRule::AfterHealthy(lbgate_median_lag));
    let lbc = model_rollout(&shape, GateRule::LbcRequeue(LBC_REQUEUE_SECONDS));
    Ok(LbcModel {
        label: "computed, not run: the rollout's measured delays (shape) run through a model of \
                the Deployment's surge pipeline with another gate rule",
        shape,
        facts: vec![
            "LBC: a pass that leaves a gated pod not True ends with RequeueAfter 15 s \
             (--targetgroupbinding-requeue-duration; lbc-tgb-readiness.md §2.4 step 15, §3.5)",
            "client-go's delaying queue keeps the earliest pending requeue of a key",
            "LBC: an endpoint change (registration, deregistration) is a full pass (§2.2, §2.11)",
            "LBC: with every gate True and endpoints unchanged a pass exits early, no AWS call \
             (checkpoint, §2.11)",
            "LBC: a full pass sends one DescribeTargetHealth for the cached targets that are not \
             healthy and none when all are; deregistered targets stay not healthy in the cache \
             until a pass after draining (§2.8)",
        ],
        not_modelled: vec![
            "LBC's passes on pod updates of gated pods while a gate is pending (§2.2, §3.5): \
             they would lower its lag and raise its calls, so its lag here is an upper bound \
             and its DescribeTargetHealth count a lower bound",
            "the 5 min targets-cache TTL (the rollout is shorter)",
            "LBC's RegisterTargets/DeregisterTargets (only DescribeTargetHealth is modelled)",
            "reconcile latency and LBC's global mutex around DescribeTargetHealth",
        ],
        variants: vec![
            variant(
                "lbgate, modelled",
                format!(
                    "gate True {lbgate_median_lag:.2} s (lbgate's measured median) after healthy: \
                     checks the model against the measured rollout"
                ),
                check,
                false,
            )?,
            variant(
                "LBC, 15 s requeue",
                "LBC's passes: registrations, deregistrations and 15 s requeues".to_owned(),
                lbc,
                true,
            )?,
        ],
    })
}

fn machine() -> Machine {
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        });
    Machine {
        cpus: std::thread::available_parallelism().map_or(1, usize::from),
        cpu_model,
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .ok()
            .map(|s| s.trim().to_owned()),
        build: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        note: "the simulators, the world controllers and the controller process share the \
               machine; lags are bound by the health-check grid and the poll schedule, not CPU",
    }
}

/// The figures from what the run observed.
pub fn report(params: GateLagParams, observed: Observed) -> anyhow::Result<GateLagReport> {
    let lags: Vec<f64> = observed.new_pods.iter().map(|p| p.gate_lag).collect();
    let gate_lag_seconds =
        summarize(&lags).ok_or_else(|| anyhow::anyhow!("no new pod had a gate lag"))?;
    let transitions = observed.transitions.len() as u64;
    let rolled = observed.new_pods.len();
    let per_pod = |n: u64| n as f64 / rolled.max(1) as f64;
    let describe = observed
        .elbv2_calls
        .get("DescribeTargetHealth")
        .copied()
        .unwrap_or(0);
    let total: u64 = observed.elbv2_calls.values().sum();
    let lbc_computed = lbc_model(&observed, params, gate_lag_seconds.p50, transitions)?;
    Ok(GateLagReport {
        config: GateLagConfig {
            replicas: params.replicas,
            max_surge: MAX_SURGE,
            max_unavailable: 0,
            load_balancer: "application",
            health_check_interval_seconds: INTERVAL,
            health_check_timeout_seconds: TIMEOUT,
            healthy_threshold: HEALTHY_THRESHOLD,
            deregistration_delay_seconds: params.deregistration_delay_seconds,
            time_scale: 1.0,
            pod_startup_seconds: world::pod_startup().as_secs_f64(),
            controller: "lbgate-controller binary, one replica, default flags",
        },
        definitions: definitions(),
        lbgate: Measured {
            rolled_pods: rolled,
            rollout_wall_seconds: observed.rollout_wall.as_secs_f64(),
            window_wall_seconds: observed.window_wall.as_secs_f64(),
            gate_lag_seconds,
            pods: observed.new_pods.clone(),
            target_transitions: transitions,
            target_transitions_by_kind: stats::count_by_kind(&observed.transitions),
            describe_target_health_calls: describe,
            describe_target_health_per_transition: describe as f64 / transitions.max(1) as f64,
            elbv2_calls_total: total,
            elbv2_calls_per_rolled_pod: per_pod(total),
            elbv2_calls_per_rolled_pod_by_operation: observed
                .elbv2_calls
                .iter()
                .map(|(op, n)| (op.clone(), per_pod(*n)))
                .collect(),
            elbv2_calls: observed.elbv2_calls,
            controller_counted_calls: observed.controller_counted_calls,
        },
        lbc_computed,
        machine: machine(),
    })
}

fn lag_cell(s: Option<&Summary>) -> String {
    s.map_or("–".to_owned(), |s| {
        format!("{:.2} / {:.2} / {:.2}", s.p50, s.p99, s.max)
    })
}

fn opt(value: Option<f64>, digits: usize) -> String {
    value.map_or("–".to_owned(), |v| format!("{v:.digits$}"))
}

/// The report as a Markdown table (also used for the README).
pub fn table(report: &GateLagReport) -> String {
    let m = &report.lbgate;
    let rolled = m.rolled_pods.max(1) as f64;
    let mut out = String::from(
        "| controller | gate lag p50 / p99 / max (s) | DescribeTargetHealth calls | per target transition | per rolled pod | ELBv2 calls per rolled pod | rollout (s) |\n|---|---|---|---|---|---|---|\n",
    );
    out.push_str(&format!(
        "| lbgate (measured) | {} | {} | {:.2} | {:.2} | {:.2} | {:.1} |\n",
        lag_cell(Some(&m.gate_lag_seconds)),
        m.describe_target_health_calls,
        m.describe_target_health_per_transition,
        m.describe_target_health_calls as f64 / rolled,
        m.elbv2_calls_per_rolled_pod,
        m.rollout_wall_seconds,
    ));
    for v in &report.lbc_computed.variants {
        out.push_str(&format!(
            "| {} (computed) | {} | {} | {} | {} | – | {:.1} |\n",
            v.name,
            lag_cell(v.gate_lag_seconds.as_ref()),
            v.describe_target_health_calls
                .map_or("–".to_owned(), |n| n.to_string()),
            opt(v.describe_target_health_per_transition, 2),
            opt(v.describe_target_health_per_rolled_pod, 2),
            v.rollout_seconds,
        ));
    }
    out
}

/// lbgate's calls per rolled pod by operation, one line.
pub fn operations_line(report: &GateLagReport) -> String {
    let parts: Vec<String> = report
        .lbgate
        .elbv2_calls_per_rolled_pod_by_operation
        .iter()
        .map(|(op, n)| format!("{op} {n:.2}"))
        .collect();
    format!(
        "lbgate ELBv2 calls per rolled pod: {} ({} target transitions: {})",
        parts.join(", "),
        report.lbgate.target_transitions,
        report
            .lbgate
            .target_transitions_by_kind
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}
