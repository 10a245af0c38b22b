//! Per-pod timelines: when each pod of a scenario was created, scheduled, given an address, had
//! its containers ready, became a registered and then healthy target, had its readiness gate set,
//! turned Ready, started terminating, was deregistered and was gone.
//!
//! The Kubernetes side comes from a watch (the instant an event is seen). The ELBv2 side is read
//! from the simulator's model, which knows its instants exactly: when a target was registered,
//! the health check that made it healthy, and when deregistration started and draining ends. The
//! model is looked at often (in-process, no API calls) only to catch targets that come and go.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client, ResourceExt};
use lbgate_api::consts::TARGET_HEALTH_CONDITION_PREFIX;
use lbgate_sim_clock::Clock;
use serde::Serialize;
use tokio::task::JoinHandle;

use lbgate_sim_elbv2::SimState;

/// Wall time between two looks at the ELBv2 model.
const MODEL_POLL: Duration = Duration::from_millis(10);

/// One instant: simulated seconds (the clock all simulators share) and wall seconds since the
/// recorder started.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct Moment {
    pub sim: f64,
    pub wall: f64,
}

/// What happened to one pod, each instant the first time it was seen.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PodTimeline {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub ip: Option<String>,
    pub image: Option<String>,
    /// Target groups (ARNs) the pod's address was registered in.
    pub target_groups: Vec<String>,
    /// First seen (the pod's creation when the recorder was already running).
    pub created: Option<Moment>,
    pub scheduled: Option<Moment>,
    pub ip_assigned: Option<Moment>,
    pub containers_ready: Option<Moment>,
    /// Registered in a target group (the earliest, when in several).
    pub registered: Option<Moment>,
    /// The health check that made the target healthy (the first time).
    pub healthy: Option<Moment>,
    /// A `target-health.elbv2.k8s.aws/*` condition turned True.
    pub gate_true: Option<Moment>,
    pub ready: Option<Moment>,
    /// The deletion timestamp appeared.
    pub terminating: Option<Moment>,
    /// Deregistration started (draining) or the target was removed.
    pub deregistered: Option<Moment>,
    /// The pod object was deleted.
    pub gone: Option<Moment>,
}

impl PodTimeline {
    /// Gate True − healthy, in simulated seconds.
    pub fn gate_lag(&self) -> Option<f64> {
        Some(self.gate_true?.sim - self.healthy?.sim)
    }

    /// Healthy − Ready, in simulated seconds: positive when the pod counted as Ready before the
    /// load balancer could send it traffic.
    pub fn ready_before_healthy(&self) -> Option<f64> {
        Some(self.healthy?.sim - self.ready?.sim)
    }
}

/// A target as the model shows it.
#[derive(Debug, Clone, Default)]
struct TargetRecord {
    arn: String,
    registered: Duration,
    healthy: Option<Duration>,
    deregistered: Option<Duration>,
}

#[derive(Debug, Default)]
struct Book {
    pods: BTreeMap<String, PodTimeline>,
    /// By `ip`, every registration seen (several when re-registered or in several groups).
    targets: BTreeMap<String, Vec<TargetRecord>>,
}

struct Origin {
    wall: Instant,
    sim: Duration,
    time_scale: f64,
}

impl Origin {
    fn observed(&self, sim: Duration) -> Moment {
        Moment {
            sim: sim.as_secs_f64(),
            wall: self.wall.elapsed().as_secs_f64(),
        }
    }

    /// A model instant, placed on the wall clock through the time scale.
    fn exact(&self, sim: Duration) -> Moment {
        Moment {
            sim: sim.as_secs_f64(),
            wall: (sim.as_secs_f64() - self.sim.as_secs_f64()) * self.time_scale,
        }
    }
}

/// Records timelines until stopped.
#[derive(Debug)]
pub struct TimelineRecorder {
    book: Arc<Mutex<Book>>,
    origin: Arc<Origin>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Origin").field("sim", &self.sim).finish()
    }
}

fn lock(book: &Mutex<Book>) -> MutexGuard<'_, Book> {
    book.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl TimelineRecorder {
    /// Starts watching the pods of `namespace` (every namespace when `None`) and the model.
    pub fn start(
        client: Client,
        elbv2: Arc<SimState>,
        clock: Arc<dyn Clock>,
        time_scale: f64,
        namespace: Option<&str>,
    ) -> Self {
        let book = Arc::new(Mutex::new(Book::default()));
        let origin = Arc::new(Origin {
            wall: Instant::now(),
            sim: clock.now(),
            time_scale,
        });
        let api: Api<Pod> = match namespace {
            Some(ns) => Api::namespaced(client, ns),
            None => Api::all(client),
        };
        let pods = {
            let (book, origin, clock) = (Arc::clone(&book), Arc::clone(&origin), clock);
            tokio::spawn(async move {
                // Backoff on errors: once the API server is gone, a watch without it retries in
                // a tight loop that never yields and blocks the runtime's shutdown.
                let mut events = watcher(api, watcher::Config::default())
                    .default_backoff()
                    .boxed();
                while let Some(event) = events.next().await {
                    let at = origin.observed(clock.now());
                    let mut book = lock(&book);
                    match event {
                        Ok(watcher::Event::Apply(pod) | watcher::Event::InitApply(pod)) => {
                            observe(&mut book, &pod, at);
                        }
                        Ok(watcher::Event::Delete(pod)) => {
                            observe(&mut book, &pod, at);
                            if let Some(t) = book.pods.get_mut(&key(&pod)) {
                                t.gone.get_or_insert(at);
                            }
                        }
                        Ok(watcher::Event::Init | watcher::Event::InitDone) => {}
                        Err(error) => tracing::debug!(%error, "timeline watch failed"),
                    }
                }
            })
        };
        let model = {
            let book = Arc::clone(&book);
            tokio::spawn(async move {
                loop {
                    let seen = look(&elbv2);
                    merge(&mut lock(&book), seen);
                    tokio::time::sleep(MODEL_POLL).await;
                }
            })
        };
        Self {
            book,
            origin,
            tasks: vec![pods, model],
        }
    }

    /// The timelines so far, in order of creation.
    pub fn timelines(&self) -> Vec<PodTimeline> {
        let book = lock(&self.book);
        let mut out: Vec<PodTimeline> = book
            .pods
            .values()
            .map(|pod| with_targets(pod.clone(), &book.targets, &self.origin))
            .collect();
        out.sort_by(|a, b| {
            let at = |t: &PodTimeline| t.created.map_or(f64::MAX, |m| m.sim);
            at(a).total_cmp(&at(b)).then_with(|| a.name.cmp(&b.name))
        });
        out
    }

    /// Stops recording and answers the timelines.
    pub async fn stop(mut self) -> Vec<PodTimeline> {
        for task in &self.tasks {
            task.abort();
        }
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
        self.timelines()
    }
}

impl Drop for TimelineRecorder {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

fn key(pod: &Pod) -> String {
    pod.metadata
        .uid
        .clone()
        .unwrap_or_else(|| format!("{}/{}", pod.namespace().unwrap_or_default(), pod.name_any()))
}

fn condition_true(pod: &Pod, kind: &str) -> bool {
    conditions(pod).any(|(t, status)| t == kind && status)
}

fn conditions(pod: &Pod) -> impl Iterator<Item = (&str, bool)> {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .map(|c| (c.type_.as_str(), c.status == "True"))
}

fn observe(book: &mut Book, pod: &Pod, at: Moment) {
    let timeline = book.pods.entry(key(pod)).or_insert_with(|| PodTimeline {
        namespace: pod.namespace().unwrap_or_default(),
        name: pod.name_any(),
        uid: pod.metadata.uid.clone().unwrap_or_default(),
        created: Some(at),
        ..PodTimeline::default()
    });
    let spec = pod.spec.as_ref();
    if timeline.image.is_none() {
        timeline.image = spec
            .and_then(|s| s.containers.first())
            .and_then(|c| c.image.clone());
    }
    if spec.and_then(|s| s.node_name.as_ref()).is_some() || condition_true(pod, "PodScheduled") {
        timeline.scheduled.get_or_insert(at);
    }
    if let Some(ip) = pod.status.as_ref().and_then(|s| s.pod_ip.clone()) {
        timeline.ip_assigned.get_or_insert(at);
        timeline.ip.get_or_insert(ip);
    }
    if condition_true(pod, "ContainersReady") {
        timeline.containers_ready.get_or_insert(at);
    }
    if condition_true(pod, "Ready") {
        timeline.ready.get_or_insert(at);
    }
    if conditions(pod).any(|(t, status)| status && t.starts_with(TARGET_HEALTH_CONDITION_PREFIX)) {
        timeline.gate_true.get_or_insert(at);
    }
    if pod.metadata.deletion_timestamp.is_some() {
        timeline.terminating.get_or_insert(at);
    }
}

/// Every target of every group as the model shows it now.
fn look(elbv2: &SimState) -> (Duration, Vec<(String, TargetRecord)>) {
    elbv2.with_model(|model, now| {
        let mut seen = Vec::new();
        for index in 0..model.target_groups.len() {
            model.advance_target_group(index, now);
            let Some(tg) = model.target_groups.get(index) else {
                continue;
            };
            let delay = tg.deregistration_delay();
            for target in tg.targets.values() {
                let lifecycle = &target.lifecycle;
                seen.push((
                    target.key.id.clone(),
                    TargetRecord {
                        arn: tg.arn.clone(),
                        registered: lifecycle.registered_at(),
                        healthy: lifecycle.healthy_since(),
                        deregistered: lifecycle
                            .draining_until()
                            .map(|until| until.saturating_sub(delay)),
                    },
                ));
            }
        }
        (now, seen)
    })
}

/// Adds what the model showed at `now`; registrations no longer listed were removed by `now`.
fn merge(book: &mut Book, (now, seen): (Duration, Vec<(String, TargetRecord)>)) {
    let mut listed: Vec<(String, String, Duration)> = Vec::new();
    for (ip, record) in seen {
        listed.push((ip.clone(), record.arn.clone(), record.registered));
        let records = book.targets.entry(ip).or_default();
        match records
            .iter_mut()
            .find(|r| r.arn == record.arn && r.registered == record.registered)
        {
            Some(known) => {
                known.healthy = known.healthy.or(record.healthy);
                known.deregistered = known.deregistered.or(record.deregistered);
            }
            None => records.push(record),
        }
    }
    for (ip, records) in &mut book.targets {
        for record in records.iter_mut().filter(|r| r.deregistered.is_none()) {
            let still = listed
                .iter()
                .any(|(i, arn, at)| i == ip && *arn == record.arn && *at == record.registered);
            if !still {
                record.deregistered = Some(now);
            }
        }
    }
}

/// Fills the ELBv2 instants of `pod` from the registrations of its address made while it had it.
fn with_targets(
    mut pod: PodTimeline,
    targets: &BTreeMap<String, Vec<TargetRecord>>,
    origin: &Origin,
) -> PodTimeline {
    let Some(records) = pod.ip.as_ref().and_then(|ip| targets.get(ip)) else {
        return pod;
    };
    // Watch events arrive a little after the fact: a second of slack before the pod was seen.
    let since = pod.created.map_or(0.0, |m| m.sim) - 1.0;
    let until = pod.gone.map_or(f64::MAX, |m| m.sim);
    let mine: Vec<&TargetRecord> = records
        .iter()
        .filter(|r| {
            let at = r.registered.as_secs_f64();
            at >= since && at <= until
        })
        .collect();
    let earliest = |values: Vec<Duration>| values.into_iter().min().map(|d| origin.exact(d));
    pod.registered = earliest(mine.iter().map(|r| r.registered).collect());
    pod.healthy = earliest(mine.iter().filter_map(|r| r.healthy).collect());
    pod.deregistered = earliest(mine.iter().filter_map(|r| r.deregistered).collect());
    let mut arns: Vec<String> = mine.iter().map(|r| r.arn.clone()).collect();
    arns.sort();
    arns.dedup();
    pod.target_groups = arns;
    pod
}

#[cfg(test)]
mod tests;
