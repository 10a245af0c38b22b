//! A simulated world with the real controller running against it.
//!
//! [`ControlledWorld`] is a [`SimWorld`] at real time (the controller schedules in real seconds
//! from the target group's health-check settings) with an application load balancer, a listener
//! and one `ip` target group checked every 5 s (timeout 2 s, healthy after 2 checks), the
//! TargetGroupBinding CRD, and one or more `lbgate-controller` processes. It records what the
//! scenarios assert on: every pod's timeline ([`TimelineRecorder`]: the watch-observed Kubernetes
//! instants and the ELBv2 model's exact registration, healthy and draining instants), when each
//! pod's application started serving and stopped (SIGTERM), the ELBv2 journal of target calls,
//! and traffic through the load balancer. [`ControlledWorld::report`] puts it together as a
//! [`ScenarioReport`] for failure messages.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Api;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
use lbgate_sim::alb::{Traffic, TrafficConfig, TrafficReport};
use lbgate_sim::controllers::{AppPhase, AppState};
use lbgate_sim::scenario::{
    ListenerOptions, LoadBalancerOptions, PodTimeline, ScenarioReport, SimWorld, SimWorldOptions,
    StepRecord, TargetGroupOptions, TimelineRecorder, TrafficSummary,
};
use lbgate_sim_elbv2::{Journal, TargetState};
use serde_json::json;

use crate::controller::{ControllerOptions, ControllerProcess};

pub mod manifests;
mod observe;

pub use manifests::{GATE, binding_yaml, deployment_yaml, service_yaml};
pub use observe::{AppMoments, PodView};
use observe::{AppWatch, lock};

pub const NAMESPACE: &str = "default";
pub const BINDING: &str = "web";
pub const SERVICE: &str = "web";
pub const TARGET_GROUP: &str = "web";
pub const LOAD_BALANCER: &str = "web-alb";
pub const LISTENER_PORT: u16 = 80;
/// The container port, and so every target's port.
pub const APP_PORT: u16 = 8080;
pub const HEALTH_CHECK_INTERVAL: Duration = Duration::from_secs(5);
pub const HEALTH_CHECK_TIMEOUT_SECONDS: u32 = 2;
pub const HEALTHY_THRESHOLD: u32 = 2;
pub const UNHEALTHY_THRESHOLD: u32 = 2;
pub const DEREGISTRATION_DELAY: Duration = Duration::from_secs(5);
/// Wall time between two looks at a waited-for condition.
const POLL: Duration = Duration::from_millis(100);
const CONTROLLER_READY: Duration = Duration::from_secs(30);
const TRAFFIC_DRAIN: Duration = Duration::from_secs(30);

/// The simulated world, its load balancer and target group, and the controllers running.
pub struct ControlledWorld {
    // Declared (so dropped) before `sim`: the recorder's pod watch has no backoff, and once the
    // API server is gone it retries without ever yielding, which blocks the runtime's shutdown.
    recorder: TimelineRecorder,
    apps: AppWatch,
    name: String,
    sim: SimWorld,
    dir: PathBuf,
    kubeconfig: PathBuf,
    arn: String,
    controllers: Vec<ControllerProcess>,
    traffic: Option<Traffic>,
    traffic_report: Option<TrafficReport>,
    steps: Vec<StepRecord>,
    calls_before: BTreeMap<String, u64>,
    started: Duration,
    wall: Instant,
}

impl std::fmt::Debug for ControlledWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControlledWorld")
            .field("name", &self.name)
            .field("arn", &self.arn)
            .finish_non_exhaustive()
    }
}

impl ControlledWorld {
    /// Starts the world at time scale 1.0 with the load balancer, listener, target group and
    /// CRD in place; no controller runs yet.
    pub async fn start(name: &str) -> anyhow::Result<Self> {
        Self::start_with(name, SimWorldOptions::with_time_scale(1.0)).await
    }

    /// [`Self::start`] with other world options (a seed); the time scale must stay 1.0.
    pub async fn start_with(name: &str, options: SimWorldOptions) -> anyhow::Result<Self> {
        if options.time_scale != 1.0 {
            bail!("the controller schedules in real seconds: time scale 1.0 only");
        }
        // Two providers in one process make kube's client panic; the first install wins.
        lbgate_testkit::install_crypto();
        let sim = SimWorld::start(options).await?;
        sim.create_load_balancer(&LoadBalancerOptions::new(LOAD_BALANCER))?;
        let mut group = TargetGroupOptions::ip(TARGET_GROUP, APP_PORT)
            .with_health_checks(
                u32::try_from(HEALTH_CHECK_INTERVAL.as_secs()).unwrap_or(5),
                HEALTHY_THRESHOLD,
                UNHEALTHY_THRESHOLD,
            )
            .with_deregistration_delay(DEREGISTRATION_DELAY);
        group.health_check_timeout_seconds = Some(HEALTH_CHECK_TIMEOUT_SECONDS);
        let arn = sim.create_target_group(&group)?;
        sim.create_listener(&ListenerOptions::new(
            LOAD_BALANCER,
            LISTENER_PORT,
            TARGET_GROUP,
        ))?;
        Api::<CustomResourceDefinition>::all(sim.client())
            .create(
                &PostParams::default(),
                &lbgate_api::crd::target_group_binding_crd()?,
            )
            .await
            .context("creating the TargetGroupBinding CRD")?;
        let dir = std::env::temp_dir().join(format!("lbgate-e2e-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let kubeconfig = dir.join("kubeconfig");
        sim.write_kubeconfig(&kubeconfig)?;
        let recorder = TimelineRecorder::start(
            sim.client(),
            sim.elbv2().state(),
            sim.clock(),
            sim.time_scale(),
            Some(NAMESPACE),
        );
        let apps = AppWatch::start(sim.world().apps(), sim.clock());
        Ok(Self {
            name: name.to_owned(),
            calls_before: sim.elbv2().call_counts(),
            started: sim.now(),
            wall: Instant::now(),
            sim,
            dir,
            kubeconfig,
            arn,
            controllers: Vec::new(),
            recorder,
            apps,
            traffic: None,
            traffic_report: None,
            steps: Vec::new(),
        })
    }

    pub fn sim(&self) -> &SimWorld {
        &self.sim
    }

    /// The target group's ARN.
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// Simulated seconds now.
    pub fn now(&self) -> f64 {
        self.sim.now().as_secs_f64()
    }

    /// Starts a controller process named `identity` and waits until it is ready. A second one
    /// with an identity used before is a restarted container of the same pod: it takes the
    /// leader Lease back at once.
    pub async fn start_controller(&mut self, identity: &str) -> anyhow::Result<()> {
        let runs = self.controllers.len();
        let log_dir = self.dir.join(format!("run-{runs}"));
        let options =
            ControllerOptions::new(identity, &self.kubeconfig, &self.sim.elbv2_url(), &log_dir);
        let mut process = ControllerProcess::spawn(&options)?;
        process.wait_ready(CONTROLLER_READY).await?;
        self.record(&format!("controller {identity} ready"));
        self.controllers.push(process);
        Ok(())
    }

    /// The controller started last.
    pub fn controller(&mut self) -> anyhow::Result<&mut ControllerProcess> {
        self.controllers.last_mut().context("no controller started")
    }

    /// Notes a step (an instant) in the report.
    pub fn record(&mut self, step: &str) {
        let now = self.now();
        self.steps.push(StepRecord {
            index: self.steps.len(),
            step: step.to_owned(),
            started: now,
            ended: now,
        });
    }

    /// Applies multi-document YAML (`${targetGroupArn:web}` resolved).
    pub async fn apply(&mut self, what: &str, yaml: &str) -> anyhow::Result<()> {
        self.sim
            .apply_yaml(yaml)
            .await
            .with_context(|| format!("applying {what}"))?;
        self.record(&format!("apply {what}"));
        Ok(())
    }

    pub async fn scale(&mut self, deployment: &str, replicas: i32) -> anyhow::Result<()> {
        let api: Api<Deployment> = Api::namespaced(self.sim.client(), NAMESPACE);
        let patch = json!({"spec": {"replicas": replicas}});
        api.patch(deployment, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .with_context(|| format!("scaling {deployment}"))?;
        self.record(&format!("scale {deployment} to {replicas}"));
        Ok(())
    }

    /// Points the Service's selector at the pods labelled `app`.
    pub async fn select(&mut self, service: &str, app: &str) -> anyhow::Result<()> {
        let api: Api<Service> = Api::namespaced(self.sim.client(), NAMESPACE);
        let patch = json!({"spec": {"selector": {"app": app}}});
        api.patch(service, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .with_context(|| format!("changing the selector of {service}"))?;
        self.record(&format!("select app={app} in {service}"));
        Ok(())
    }

    /// Deletes a pod the way `kubectl delete pod` does (its own grace period).
    pub async fn delete_pod(&mut self, name: &str) -> anyhow::Result<()> {
        let api: Api<Pod> = Api::namespaced(self.sim.client(), NAMESPACE);
        api.delete(name, &DeleteParams::default())
            .await
            .with_context(|| format!("deleting pod {name}"))?;
        self.record(&format!("delete pod {name}"));
        Ok(())
    }

    /// Registers `ip:APP_PORT` by hand, as another tool would, with an application serving
    /// there (a VM outside the cluster) so that traffic sent to it succeeds. Answers the target.
    pub fn register_foreign(&mut self, ip: &str) -> anyhow::Result<String> {
        self.sim
            .elbv2()
            .state()
            .register_target(&self.arn, ip, Some(APP_PORT))
            .map_err(|e| anyhow::anyhow!("registering {ip}: {} ({})", e.message, e.code))?;
        self.sim.world().apps().set(
            ip.parse().context("a foreign target's address")?,
            AppState {
                pod: format!("external/{ip}"),
                port: APP_PORT,
                phase: AppPhase::Serving,
            },
        );
        self.record(&format!("register foreign target {ip}"));
        Ok(format!("{ip}:{APP_PORT}"))
    }

    /// Every target of the group (draining ones included) by `ip:port`, from the model.
    pub fn targets(&self) -> anyhow::Result<BTreeMap<String, TargetState>> {
        let rows = self
            .sim
            .elbv2()
            .state()
            .target_health(&self.arn)
            .map_err(|e| anyhow::anyhow!("{}: {}", e.code, e.message))?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let port = row.port.map_or_else(String::new, |p| format!(":{p}"));
                (format!("{}{port}", row.id), row.health.state)
            })
            .collect())
    }

    /// Targets that are registered and not draining.
    pub fn live_targets(&self) -> anyhow::Result<BTreeSet<String>> {
        Ok(self
            .targets()?
            .into_iter()
            .filter(|(_, state)| *state != TargetState::Draining)
            .map(|(target, _)| target)
            .collect())
    }

    /// Targets in state `state`.
    pub fn targets_in(&self, state: TargetState) -> anyhow::Result<BTreeSet<String>> {
        Ok(self
            .targets()?
            .into_iter()
            .filter(|(_, s)| *s == state)
            .map(|(target, _)| target)
            .collect())
    }

    /// Pods matching a label selector (every pod of the namespace when empty), by name.
    pub async fn pods(&self, selector: &str) -> anyhow::Result<Vec<PodView>> {
        let api: Api<Pod> = Api::namespaced(self.sim.client(), NAMESPACE);
        let mut pods: Vec<PodView> = api
            .list(&ListParams::default().labels(selector))
            .await
            .context("listing pods")?
            .items
            .iter()
            .map(PodView::of)
            .collect();
        pods.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(pods)
    }

    /// Exactly `count` pods matching `selector` are not terminating, have an address, are Ready
    /// and have their gate True; answers them.
    pub async fn wait_gates_true(
        &self,
        selector: &str,
        count: usize,
        within: Duration,
    ) -> anyhow::Result<Vec<PodView>> {
        let what = format!("{count} pods {selector} Ready with the gate True");
        self.wait_until(&what, within, async || {
            let live: Vec<PodView> = self
                .pods(selector)
                .await?
                .into_iter()
                .filter(|p| !p.terminating)
                .collect();
            let done = live.len() == count
                && live
                    .iter()
                    .all(|p| p.ip.is_some() && p.ready && p.gate_true());
            Ok(done.then_some(live))
        })
        .await
    }

    /// Polls `check` until it answers `Some`, for at most `within`; the error names `what` and
    /// carries [`Self::diagnostics`].
    pub async fn wait_until<T>(
        &self,
        what: &str,
        within: Duration,
        check: impl AsyncFnMut() -> anyhow::Result<Option<T>>,
    ) -> anyhow::Result<T> {
        crate::wait::until(what, within, POLL, || self.diagnostics(), check).await
    }

    /// Every pod's timeline so far.
    pub fn timelines(&self) -> Vec<PodTimeline> {
        self.recorder.timelines()
    }

    /// The timeline of the pod called `name`.
    pub fn timeline(&self, name: &str) -> Option<PodTimeline> {
        self.timelines().into_iter().find(|t| t.name == name)
    }

    /// When each pod's application started serving and stopped, by pod name.
    pub fn app_moments(&self) -> BTreeMap<String, AppMoments> {
        let prefix = format!("{NAMESPACE}/");
        lock(&self.apps.book)
            .iter()
            .filter_map(|(pod, m)| Some((pod.strip_prefix(&prefix)?.to_owned(), *m)))
            .collect()
    }

    /// ELBv2 API calls since the world started, by action (throttled and failed ones too).
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.sim
            .elbv2()
            .call_counts()
            .into_iter()
            .filter_map(|(action, n)| {
                let delta = n.saturating_sub(self.calls_before.get(&action).copied().unwrap_or(0));
                (delta > 0).then_some((action, delta))
            })
            .collect()
    }

    /// RegisterTargets and DeregisterTargets calls, as the simulator received them.
    pub fn journal(&self) -> &Journal {
        self.sim.elbv2().journal()
    }

    /// Per target, successful RegisterTargets calls that named it in this world's group.
    pub fn registrations(&self) -> BTreeMap<String, usize> {
        self.journal().successes("RegisterTargets", &self.arn)
    }

    /// Per target, successful DeregisterTargets calls that named it in this world's group.
    pub fn deregistrations(&self) -> BTreeMap<String, usize> {
        self.journal().successes("DeregisterTargets", &self.arn)
    }

    /// Sends `rate` requests per second through the listener until [`Self::stop_traffic`].
    pub fn start_traffic(&mut self, rate: f64) -> anyhow::Result<()> {
        if self.traffic.is_some() {
            bail!("traffic is already running");
        }
        let config = TrafficConfig::new(
            LOAD_BALANCER,
            LISTENER_PORT,
            rate,
            Duration::from_secs(3600),
        );
        self.traffic = Some(Traffic::start(self.sim.data_plane(), config)?);
        self.record(&format!("start traffic at {rate}/s"));
        Ok(())
    }

    /// Stops the traffic and answers what it saw (also kept for [`Self::report`]).
    pub async fn stop_traffic(&mut self) -> anyhow::Result<TrafficReport> {
        let traffic = self.traffic.take().context("no traffic is running")?;
        traffic.stop();
        let report = traffic.finish(TRAFFIC_DRAIN).await?;
        self.record("stop traffic");
        self.traffic_report = Some(report.clone());
        Ok(report)
    }

    /// What happened so far: steps, traffic, every pod's timeline and the API calls.
    pub fn report(&self) -> ScenarioReport {
        ScenarioReport {
            name: self.name.clone(),
            started: self.started.as_secs_f64(),
            ended: self.now(),
            wall_seconds: self.wall.elapsed().as_secs_f64(),
            steps: self.steps.clone(),
            traffic: self.traffic_report.as_ref().map(TrafficSummary::of),
            traffic_report: self.traffic_report.clone(),
            pods: self.timelines(),
            api_calls: self.calls(),
            gate_lags: BTreeMap::new(),
            max_gate_lag: None,
        }
        .derive()
    }

    /// The report, the targets, the target calls and the controllers' last log lines: what a
    /// failure message needs.
    pub fn diagnostics(&self) -> String {
        let mut out = format!("{}", self.report());
        out.push_str(&format!("targets now: {:?}\n", self.targets().ok()));
        out.push_str(&format!("app moments: {:?}\n", self.app_moments()));
        for call in self.journal().calls() {
            out.push_str(&format!(
                "  {:>7.2}s {} {:?} {}\n",
                call.at.as_secs_f64(),
                call.action,
                call.targets,
                call.error.as_deref().unwrap_or("ok")
            ));
        }
        for controller in &self.controllers {
            out.push_str(&format!(
                "--- {} (pid {}) last log lines:\n{}\n",
                controller.identity(),
                controller.pid(),
                controller.log_tail(25)
            ));
        }
        out
    }

    /// Stops traffic, recording, the controllers and the world; removes the logs (a failed test
    /// never gets here, so they stay for inspection).
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let Self {
            recorder,
            apps,
            sim,
            dir,
            controllers,
            traffic,
            ..
        } = self;
        if let Some(traffic) = traffic {
            traffic.stop();
        }
        // Before the API server stops (see the field order of `ControlledWorld`).
        recorder.stop().await;
        drop(apps);
        for mut controller in controllers {
            if controller.try_exit()?.is_none() {
                controller.kill()?;
            }
        }
        sim.shutdown().await?;
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }
}
