//! Runs steps against a [`SimWorld`] while recording pod timelines, traffic and API calls.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams};
use lbgate_sim_elbv2::{Fault, TargetState};
use serde_json::json;

use super::report::{ScenarioReport, StepRecord, TrafficSummary};
use super::steps::{Condition, Step, TrafficSpec};
use super::timeline::TimelineRecorder;
use super::world::SimWorld;
use super::{aws, failure};
use crate::SimError;
use crate::alb::{Outcome, Traffic, TrafficConfig, TrafficReport};
use crate::controllers::runtime::call;

/// Wall time between two looks at a condition.
const POLL: Duration = Duration::from_millis(20);
/// Wall time traffic may take to finish its requests in flight once stopped.
const TRAFFIC_DRAIN: Duration = Duration::from_secs(30);
/// Traffic runs until stopped; this only bounds a forgotten run.
const TRAFFIC_LIMIT: Duration = Duration::from_secs(30 * 24 * 3600);

/// A scenario in progress.
pub struct ScenarioRun<'w> {
    world: &'w mut SimWorld,
    name: String,
    recorder: TimelineRecorder,
    traffic: Option<Traffic>,
    outcomes: Vec<Outcome>,
    window: Duration,
    calls_before: BTreeMap<String, u64>,
    steps: Vec<StepRecord>,
    started: Duration,
    wall: Instant,
}

impl std::fmt::Debug for ScenarioRun<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScenarioRun")
            .field("name", &self.name)
            .field("steps", &self.steps.len())
            .finish_non_exhaustive()
    }
}

impl<'w> ScenarioRun<'w> {
    /// Starts recording the pods of `namespace` (all when `None`) and counting API calls.
    pub fn begin(world: &'w mut SimWorld, name: &str, namespace: Option<&str>) -> Self {
        let recorder = TimelineRecorder::start(
            world.client(),
            world.elbv2().state(),
            world.clock(),
            world.time_scale(),
            namespace,
        );
        Self {
            name: name.to_owned(),
            recorder,
            traffic: None,
            outcomes: Vec::new(),
            window: Duration::from_secs(1),
            calls_before: world.elbv2().call_counts(),
            steps: Vec::new(),
            started: world.now(),
            wall: Instant::now(),
            world,
        }
    }

    /// The world the scenario runs in.
    pub fn world(&self) -> &SimWorld {
        self.world
    }

    /// Runs one step; an error names the step.
    pub async fn step(&mut self, step: &Step) -> Result<(), SimError> {
        let started = self.world.now();
        let index = self.steps.len();
        self.execute(step).await.map_err(|e| {
            let detail = match e {
                SimError::Config { message } => message,
                other => other.to_string(),
            };
            failure(format!(
                "scenario {}, step {} ({step}): {detail}",
                self.name,
                index + 1
            ))
        })?;
        self.steps.push(StepRecord {
            index,
            step: step.to_string(),
            started: started.as_secs_f64(),
            ended: self.world.now().as_secs_f64(),
        });
        Ok(())
    }

    /// Runs steps in order, stopping at the first failure.
    pub async fn steps(&mut self, steps: &[Step]) -> Result<(), SimError> {
        for step in steps {
            self.step(step).await?;
        }
        Ok(())
    }

    /// Stops traffic and recording and reports.
    pub async fn finish(mut self) -> Result<ScenarioReport, SimError> {
        self.stop_traffic().await?;
        let ended = self.world.now();
        let pods = self.recorder.stop().await;
        let calls_after = self.world.elbv2().call_counts();
        let api_calls = calls_after
            .into_iter()
            .filter_map(|(op, n)| {
                let delta = n.saturating_sub(self.calls_before.get(&op).copied().unwrap_or(0));
                (delta > 0).then_some((op, delta))
            })
            .collect();
        let had_traffic = !self.outcomes.is_empty();
        let traffic_report = had_traffic
            .then(|| TrafficReport::new(std::mem::take(&mut self.outcomes), self.window));
        Ok(ScenarioReport {
            name: self.name,
            started: self.started.as_secs_f64(),
            ended: ended.as_secs_f64(),
            wall_seconds: self.wall.elapsed().as_secs_f64(),
            steps: self.steps,
            traffic: traffic_report.as_ref().map(TrafficSummary::of),
            traffic_report,
            pods,
            api_calls,
            gate_lags: BTreeMap::new(),
            max_gate_lag: None,
        }
        .derive())
    }

    async fn execute(&mut self, step: &Step) -> Result<(), SimError> {
        let client = self.world.client();
        match step {
            Step::Apply { yaml } => self.world.apply_yaml(yaml).await.map(drop),
            Step::SetImage {
                namespace,
                deployment,
                container,
                image,
            } => set_image(client, namespace, deployment, container.as_deref(), image).await,
            Step::Scale {
                namespace,
                deployment,
                replicas,
            } => {
                let api: Api<Deployment> = Api::namespaced(client, namespace);
                let patch = json!({"spec": {"replicas": replicas}});
                call(api.patch(deployment, &PatchParams::default(), &Patch::Merge(&patch)))
                    .await
                    .map(drop)
                    .map_err(|e| failure(format!("scaling: {e}")))
            }
            Step::DeletePod {
                namespace,
                name,
                selector,
            } => delete_pod(client, namespace, name.as_deref(), selector.as_deref()).await,
            Step::Stop { component } => {
                self.world.world_mut().stop(*component).await;
                Ok(())
            }
            Step::Restart { component } => self.world.world_mut().restart(*component).await,
            Step::Fault {
                action,
                error_rate,
                code,
                http_status,
                latency_ms,
            } => {
                let defaults = Fault::default();
                self.world.elbv2().set_fault(
                    action,
                    Fault {
                        error_rate: *error_rate,
                        code: code.clone().unwrap_or(defaults.code.clone()),
                        http_status: http_status.unwrap_or(defaults.http_status),
                        latency: Duration::from_millis(*latency_ms),
                        ..defaults
                    },
                );
                Ok(())
            }
            Step::Throttle { action, rate } => {
                self.world.elbv2().set_throttle_rate(action, *rate);
                Ok(())
            }
            Step::ClearFaults => {
                self.world.elbv2().clear_faults();
                Ok(())
            }
            Step::Wait { seconds } => {
                let duration = Duration::try_from_secs_f64(*seconds)
                    .map_err(|e| failure(format!("wait of {seconds} s: {e}")))?;
                self.wait(duration).await;
                Ok(())
            }
            Step::WaitFor {
                condition,
                timeout_seconds,
            } => self.wait_for(condition, *timeout_seconds).await,
            Step::StartTraffic(spec) => self.start_traffic(spec),
            Step::StopTraffic => self.stop_traffic().await,
        }
    }

    async fn wait(&self, duration: Duration) {
        let until = self.world.now().saturating_add(duration);
        tokio::time::sleep(self.world.real(duration)).await;
        while self.world.now() < until {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    async fn wait_for(&self, condition: &Condition, timeout_seconds: f64) -> Result<(), SimError> {
        let timeout = Duration::try_from_secs_f64(timeout_seconds)
            .map_err(|e| failure(format!("timeout of {timeout_seconds} s: {e}")))?;
        let give_up = Instant::now() + timeout;
        let mut last = String::new();
        loop {
            match self.check(condition).await {
                Ok(true) => return Ok(()),
                Ok(false) => last.clear(),
                Err(e) => last = format!(" (last error: {e})"),
            }
            if Instant::now() >= give_up {
                return Err(failure(format!(
                    "{condition} not reached within {timeout_seconds} s of wall time \
                     (simulated time {:.1} s){last}",
                    self.world.now().as_secs_f64()
                )));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn check(&self, condition: &Condition) -> Result<bool, SimError> {
        let client = self.world.client();
        match condition {
            Condition::RolloutComplete {
                namespace,
                deployment,
            } => {
                let api: Api<Deployment> = Api::namespaced(client, namespace);
                let d = call(api.get(deployment))
                    .await
                    .map_err(|e| failure(format!("reading the Deployment: {e}")))?;
                Ok(rollout_complete(&d))
            }
            Condition::PodsReady {
                namespace,
                selector,
                count,
            } => {
                let api: Api<Pod> = Api::namespaced(client, namespace);
                let pods = call(api.list(&ListParams::default().labels(selector)))
                    .await
                    .map_err(|e| failure(format!("listing pods: {e}")))?;
                let ready = pods
                    .items
                    .iter()
                    .filter(|p| p.metadata.deletion_timestamp.is_none() && is_ready(p))
                    .count();
                Ok(ready >= *count)
            }
            Condition::HealthyTargets {
                target_group,
                count,
            } => {
                let elbv2 = self.world.elbv2();
                let arn = aws::target_group_arn(elbv2, target_group)
                    .ok_or_else(|| failure(format!("no target group {target_group}")))?;
                let rows = elbv2
                    .state()
                    .target_health(&arn)
                    .map_err(|e| failure(format!("{}: {}", e.code, e.message)))?;
                let healthy = rows
                    .iter()
                    .filter(|r| r.health.state == TargetState::Healthy)
                    .count();
                Ok(healthy >= *count)
            }
        }
    }

    fn start_traffic(&mut self, spec: &TrafficSpec) -> Result<(), SimError> {
        if self.traffic.is_some() {
            return Err(failure("traffic is already running".to_owned()));
        }
        let mut config =
            TrafficConfig::new(&spec.load_balancer, spec.port, spec.rate, TRAFFIC_LIMIT);
        if let Some(host) = &spec.host {
            config.host.clone_from(host);
        }
        if let Some(path) = &spec.path {
            config.paths = vec![path.clone()];
        }
        self.window = Duration::try_from_secs_f64(spec.window_seconds)
            .map_err(|e| failure(format!("window of {} s: {e}", spec.window_seconds)))?;
        config.window = self.window;
        self.traffic = Some(Traffic::start(self.world.data_plane(), config)?);
        Ok(())
    }

    async fn stop_traffic(&mut self) -> Result<(), SimError> {
        if let Some(traffic) = self.traffic.take() {
            traffic.stop();
            let report = traffic.finish(TRAFFIC_DRAIN).await?;
            self.outcomes.extend(report.outcomes);
        }
        Ok(())
    }
}

fn is_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// Whether a Deployment reports a finished rollout of its desired replicas.
pub fn rollout_complete(d: &Deployment) -> bool {
    let desired = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let Some(status) = d.status.as_ref() else {
        return false;
    };
    let progressed =
        status.conditions.iter().flatten().any(|c| {
            c.type_ == "Progressing" && c.reason.as_deref() == Some("NewReplicaSetAvailable")
        });
    status.observed_generation == d.metadata.generation
        && status.updated_replicas.unwrap_or(0) == desired
        && status.available_replicas.unwrap_or(0) == desired
        && status.replicas.unwrap_or(0) == desired
        && progressed
}

async fn set_image(
    client: kube::Client,
    namespace: &str,
    deployment: &str,
    container: Option<&str>,
    image: &str,
) -> Result<(), SimError> {
    let api: Api<Deployment> = Api::namespaced(client, namespace);
    let current = call(api.get(deployment))
        .await
        .map_err(|e| failure(format!("reading the Deployment: {e}")))?;
    let containers = current
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .map(|s| s.containers.as_slice())
        .unwrap_or_default();
    let index = match container {
        Some(name) => containers.iter().position(|c| c.name == name),
        None => (!containers.is_empty()).then_some(0),
    }
    .ok_or_else(|| failure(format!("no container {container:?} in {deployment}")))?;
    // A JSON patch changes exactly one field, whatever the server's strategic-merge support.
    let patch: json_patch::Patch = serde_json::from_value(json!([{
        "op": "replace",
        "path": format!("/spec/template/spec/containers/{index}/image"),
        "value": image,
    }]))
    .map_err(|e| failure(format!("building the patch: {e}")))?;
    call(api.patch(
        deployment,
        &PatchParams::default(),
        &Patch::Json::<()>(patch),
    ))
    .await
    .map(drop)
    .map_err(|e| failure(format!("patching the image: {e}")))
}

async fn delete_pod(
    client: kube::Client,
    namespace: &str,
    name: Option<&str>,
    selector: Option<&str>,
) -> Result<(), SimError> {
    let api: Api<Pod> = Api::namespaced(client, namespace);
    let name = match (name, selector) {
        (Some(name), _) => name.to_owned(),
        (None, selector) => {
            let params =
                selector.map_or_else(ListParams::default, |s| ListParams::default().labels(s));
            let mut pods = call(api.list(&params))
                .await
                .map_err(|e| failure(format!("listing pods: {e}")))?
                .items;
            pods.retain(|p| p.metadata.deletion_timestamp.is_none());
            pods.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
            pods.first()
                .and_then(|p| p.metadata.name.clone())
                .ok_or_else(|| failure(format!("no pod matches {selector:?}")))?
        }
    };
    call(api.delete(&name, &DeleteParams::default()))
        .await
        .map(drop)
        .map_err(|e| failure(format!("deleting pod {name}: {e}")))
}
