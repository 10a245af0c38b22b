//! The measured run: the simulated world, the controller process, the rollout, and what was
//! seen during it (pod timelines, target state transitions, pod events, API calls).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Api;
use kube::api::PostParams;
use lbgate_sim::controllers::Timing;
use lbgate_sim::scenario::{
    Condition, ListenerOptions, LoadBalancerOptions, PodTimeline, ScenarioRun, SimWorld,
    SimWorldOptions, Step, TargetGroupOptions,
};
use lbgate_sim_clock::Clock;
use lbgate_sim_elbv2::SimState;
use lbgate_testkit::metrics::sum_samples;
use tokio::task::JoinHandle;

use super::stats::{GONE, Transition, transitions};
use super::{GateLagParams, Observed, OldTarget, PodLag};
use crate::controller::{ControllerOptions, ControllerProcess};

pub const MAX_SURGE: &str = "25%";
pub const INTERVAL: u32 = 5;
pub const TIMEOUT: u32 = 2;
pub const HEALTHY_THRESHOLD: u32 = 2;
const NAMESPACE: &str = "default";
const NAME: &str = "web";
const OLD_IMAGE: &str = "web:v1";
const NEW_IMAGE: &str = "web:v2";
/// Wall time between two looks at the target group's states.
const SAMPLE: Duration = Duration::from_millis(10);

/// The kubelet's default delay from scheduling to the app listening.
pub fn pod_startup() -> Duration {
    let timing = Timing::default();
    timing.container_start + timing.app_startup
}

fn manifests(replicas: u32) -> String {
    let gate = format!(
        "{}{NAME}",
        lbgate_api::consts::TARGET_HEALTH_CONDITION_PREFIX
    );
    format!(
        r#"apiVersion: v1
kind: Service
metadata: {{name: {NAME}, namespace: {NAMESPACE}}}
spec:
  selector: {{app: {NAME}}}
  ports:
  - {{name: http, port: 80, targetPort: 8080}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {NAME}, namespace: {NAMESPACE}}}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: {NAME}}}
  strategy:
    type: RollingUpdate
    rollingUpdate: {{maxSurge: "{MAX_SURGE}", maxUnavailable: 0}}
  template:
    metadata:
      labels: {{app: {NAME}}}
    spec:
      readinessGates:
      - conditionType: {gate}
      containers:
      - name: app
        image: {OLD_IMAGE}
        ports:
        - {{name: http, containerPort: 8080}}
---
apiVersion: elbv2.k8s.aws/v1beta1
kind: TargetGroupBinding
metadata: {{name: {NAME}, namespace: {NAMESPACE}}}
spec:
  targetGroupARN: ${{targetGroupArn:{NAME}}}
  targetType: ip
  serviceRef: {{name: {NAME}, port: 80}}
"#
    )
}

/// Runs the whole benchmark world; the controller and the world stop on every path.
pub async fn run(params: GateLagParams) -> anyhow::Result<Observed> {
    let mut world = SimWorld::start(SimWorldOptions::default()).await?;
    let dir = std::env::temp_dir().join(format!("lbgate-bench-gate-lag-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let outcome = measure(&mut world, params, &dir).await;
    world.shutdown().await?;
    match outcome {
        Ok(observed) => {
            let _ = std::fs::remove_dir_all(&dir);
            Ok(observed)
        }
        Err(e) => Err(e.context(format!("controller log kept in {}", dir.display()))),
    }
}

async fn measure(
    world: &mut SimWorld,
    params: GateLagParams,
    dir: &std::path::Path,
) -> anyhow::Result<Observed> {
    world.create_load_balancer(&LoadBalancerOptions::new(NAME))?;
    let mut group = TargetGroupOptions::ip(NAME, 8080)
        .with_health_checks(INTERVAL, HEALTHY_THRESHOLD, 2)
        .with_deregistration_delay(Duration::from_secs(u64::from(
            params.deregistration_delay_seconds,
        )));
    group.health_check_timeout_seconds = Some(TIMEOUT);
    let arn = world.create_target_group(&group)?;
    world.create_listener(&ListenerOptions::new(NAME, 80, NAME))?;
    Api::<CustomResourceDefinition>::all(world.client())
        .create(
            &PostParams::default(),
            &lbgate_api::crd::target_group_binding_crd()?,
        )
        .await
        .context("creating the TargetGroupBinding CRD")?;
    world.apply_yaml(&manifests(params.replicas)).await?;

    let kubeconfig = dir.join("kubeconfig");
    world.write_kubeconfig(&kubeconfig)?;
    let mut controller = ControllerProcess::spawn(&ControllerOptions::new(
        "bench-0",
        &kubeconfig,
        &world.elbv2_url(),
        dir,
    ))?;
    controller.wait_ready(Duration::from_secs(60)).await?;
    let with_log = |e: lbgate_sim::SimError, controller: &ControllerProcess| {
        anyhow!("{e}\ncontroller log:\n{}", controller.log_tail(30))
    };
    let replicas = usize::try_from(params.replicas)?;

    // Set-up, unmeasured: the first version registered, healthy and Ready.
    let mut setup = ScenarioRun::begin(world, "set-up", Some(NAMESPACE));
    setup
        .steps(&[
            Step::WaitFor {
                condition: rollout_complete(),
                timeout_seconds: 120.0,
            },
            Step::wait_for(Condition::HealthyTargets {
                target_group: NAME.to_owned(),
                count: replicas,
            }),
        ])
        .await
        .map_err(|e| with_log(e, &controller))?;
    setup.finish().await?;
    settle(world).await;

    let state = world.elbv2().state();
    let clock = world.clock();
    let sampler = Sampler::start(Arc::clone(&state), arn.clone(), Arc::clone(&clock));
    let metrics_before = controller.metrics().await?;
    let started = Instant::now();
    let mut rollout = ScenarioRun::begin(world, "gate-lag rollout", Some(NAMESPACE));
    rollout
        .steps(&[
            Step::SetImage {
                namespace: NAMESPACE.to_owned(),
                deployment: NAME.to_owned(),
                container: None,
                image: NEW_IMAGE.to_owned(),
            },
            Step::WaitFor {
                condition: rollout_complete(),
                timeout_seconds: 300.0,
            },
        ])
        .await
        .map_err(|e| with_log(e, &controller))?;
    let rollout_wall = started.elapsed();
    let delay = Duration::from_secs(u64::from(params.deregistration_delay_seconds));
    drained(&state, &arn, replicas, delay + Duration::from_secs(30))
        .await
        .map_err(|e| anyhow!("{e}\ncontroller log:\n{}", controller.log_tail(30)))?;
    let window_wall = started.elapsed();
    let report = rollout.finish().await?;
    let metrics_after = controller.metrics().await?;
    let transitions = sampler.stop().await;

    let delay = f64::from(params.deregistration_delay_seconds);
    let new_pods = report
        .pods
        .iter()
        .filter(|pod| pod.image.as_deref() == Some(NEW_IMAGE))
        .map(pod_lag)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let old_targets = old_targets(&transitions, delay);
    if new_pods.len() != replicas || old_targets.len() != replicas {
        bail!(
            "expected {replicas} new and old pods, saw {} and {}",
            new_pods.len(),
            old_targets.len()
        );
    }
    let controller_counted_calls = report
        .api_calls
        .keys()
        .map(|op| {
            let count =
                |text: &str| sum_samples(text, "lbgate_aws_api_calls_total", &[("operation", op)]);
            let n = count(&metrics_after) - count(&metrics_before);
            (op.clone(), n.max(0.0).round() as u64)
        })
        .collect();
    controller.terminate()?;
    let _ = controller.wait_exit(Duration::from_secs(30)).await;
    Ok(Observed {
        rollout_wall,
        window_wall,
        new_pods,
        old_targets,
        transitions: transitions.into_iter().map(|(_, t)| t).collect(),
        rollout_started: report.steps.first().map_or(0.0, |s| s.started),
        elbv2_calls: report.api_calls,
        controller_counted_calls,
    })
}

fn rollout_complete() -> Condition {
    Condition::RolloutComplete {
        namespace: NAMESPACE.to_owned(),
        deployment: NAME.to_owned(),
    }
}

/// Waits (at most 20 s) until no ELBv2 request arrives for 3 s, so that the set-up's last polls
/// do not count in the measured window.
async fn settle(world: &SimWorld) {
    let give_up = Instant::now() + Duration::from_secs(20);
    let mut last = world.elbv2().call_counts();
    let mut quiet_since = Instant::now();
    while Instant::now() < give_up && quiet_since.elapsed() < Duration::from_secs(3) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = world.elbv2().call_counts();
        if now != last {
            last = now;
            quiet_since = Instant::now();
        }
    }
}

fn target_states(state: &SimState, arn: &str) -> BTreeMap<String, String> {
    state
        .target_health(arn)
        .unwrap_or_default()
        .into_iter()
        .map(|row| {
            let port = row.port.map_or(String::new(), |p| format!(":{p}"));
            (
                format!("{}{port}", row.id),
                row.health.state.as_str().to_owned(),
            )
        })
        .collect()
}

/// Waits until the group holds exactly `count` targets, all healthy (the old ones drained).
async fn drained(
    state: &SimState,
    arn: &str,
    count: usize,
    within: Duration,
) -> anyhow::Result<()> {
    let give_up = Instant::now() + within;
    loop {
        let states = target_states(state, arn);
        if states.len() == count && states.values().all(|s| s == "healthy") {
            return Ok(());
        }
        if Instant::now() >= give_up {
            bail!("the old targets did not drain within {within:?}: {states:?}");
        }
        tokio::time::sleep(SAMPLE).await;
    }
}

fn pod_lag(pod: &PodTimeline) -> anyhow::Result<PodLag> {
    let missing = |what: &str| anyhow!("new pod {} has no {what} instant: {pod:?}", pod.name);
    let registered = pod.registered.ok_or_else(|| missing("registered"))?.sim;
    let healthy = pod.healthy.ok_or_else(|| missing("healthy"))?.sim;
    let gate_true = pod.gate_true.ok_or_else(|| missing("gate True"))?.sim;
    Ok(PodLag {
        pod: pod.name.clone(),
        ip: pod.ip.clone().unwrap_or_default(),
        created: pod.created.ok_or_else(|| missing("created"))?.sim,
        ready: pod.ready.ok_or_else(|| missing("Ready"))?.sim,
        registered,
        healthy,
        gate_true,
        gate_lag: gate_true - healthy,
    })
}

/// The old targets: when each started draining and when it left the group, as the sampler saw
/// them (the recorder's timelines start at the rollout, after the old pods' registration).
fn old_targets(seen: &[(f64, Transition)], delay: f64) -> Vec<OldTarget> {
    seen.iter()
        .filter(|(_, t)| t.to == "draining")
        .map(|(deregistered, t)| {
            let gone = seen
                .iter()
                .find(|(at, g)| g.target == t.target && g.to == GONE && at >= deregistered)
                .map_or(deregistered + delay, |(at, _)| *at);
            OldTarget {
                deregistered: *deregistered,
                gone,
            }
        })
        .collect()
}

/// Samples the target group's states in-process (no API call) and keeps every transition.
struct Sampler {
    stop: Arc<AtomicBool>,
    task: JoinHandle<Vec<(f64, Transition)>>,
}

impl Sampler {
    fn start(state: Arc<SimState>, arn: String, clock: Arc<dyn Clock>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let task = tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut before = target_states(&state, &arn);
            while !flag.load(Ordering::Relaxed) {
                tokio::time::sleep(SAMPLE).await;
                let at = clock.now().as_secs_f64();
                let after = target_states(&state, &arn);
                seen.extend(transitions(&before, &after).into_iter().map(|t| (at, t)));
                before = after;
            }
            seen
        });
        Self { stop, task }
    }

    async fn stop(self) -> Vec<(f64, Transition)> {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.unwrap_or_default()
    }
}
