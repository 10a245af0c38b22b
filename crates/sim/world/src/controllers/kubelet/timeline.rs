//! When things happen to one pod on its node, in simulated time, from its spec and annotations.
//!
//! Start-up: the containers start `container_start` after binding; the application listens
//! `sim.lbgate.io/startup-seconds` later (annotation, else the world's default). Without a
//! readiness probe a container is ready as soon as it runs, listening or not, as in Kubernetes.
//! With one, probes run at `initialDelaySeconds + k·periodSeconds` after the container starts and
//! the container is ready after `successThreshold` consecutive passes once the app listens.
//!
//! Deletion: preStop hooks run first (`sleep.seconds`, an `exec` of `sleep N`, an `httpGet` takes
//! `http_prestop`); SIGTERM follows; the app answers 503 to health checks and keeps serving for
//! `sim.lbgate.io/shutdown-seconds` (default 0) and then exits; SIGKILL ends it at the grace
//! period. Like the kubelet, a preStop hook that outlives the grace period gets two more seconds
//! before SIGKILL. With a readiness probe the container turns unready after `failureThreshold`
//! failed probes after SIGTERM; without one it stays ready until it exits.

use std::time::Duration;

use k8s_openapi::api::core::v1::{Container, Pod, Probe};

use crate::controllers::apps::AppPhase;

pub const STARTUP_ANNOTATION: &str = "sim.lbgate.io/startup-seconds";
pub const SHUTDOWN_ANNOTATION: &str = "sim.lbgate.io/shutdown-seconds";
/// The kubelet's extra time for a preStop hook that outlives the grace period.
const PRESTOP_EXTENSION: Duration = Duration::from_secs(2);

/// The world's defaults for what a pod spec does not say.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// From binding to the containers running (image pull, sandbox).
    pub container_start: Duration,
    /// From the container running to the app listening, without an annotation.
    pub app_startup: Duration,
    /// How long an `httpGet` preStop hook takes.
    pub http_prestop: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            container_start: Duration::from_secs(1),
            app_startup: Duration::from_secs(2),
            http_prestop: Duration::from_millis(100),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct ProbeTiming {
    initial: Duration,
    period: Duration,
    success: u32,
    failure: u32,
}

/// The moments of one deletion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deletion {
    pub seen: Duration,
    pub sigterm: Duration,
    /// When the process is gone: it exited on its own or was killed.
    pub exit: Duration,
    pub killed: bool,
}

/// One pod's timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Lifecycle {
    pub container_start: Duration,
    pub serving: Duration,
    probes: Vec<Option<ProbeTiming>>,
    prestop: Duration,
    shutdown: Duration,
    pub deletion: Option<Deletion>,
}

fn seconds(value: f64) -> Duration {
    Duration::try_from_secs_f64(value.max(0.0)).unwrap_or(Duration::ZERO)
}

fn annotation(pod: &Pod, key: &str) -> Option<Duration> {
    let value = pod.metadata.annotations.as_ref()?.get(key)?;
    value.trim().parse::<f64>().ok().map(seconds)
}

fn probe_timing(probe: &Probe) -> ProbeTiming {
    let secs = |v: Option<i32>, default: i32| seconds(f64::from(v.unwrap_or(default)));
    ProbeTiming {
        initial: secs(probe.initial_delay_seconds, 0),
        period: secs(probe.period_seconds, 10).max(Duration::from_secs(1)),
        success: u32::try_from(probe.success_threshold.unwrap_or(1).max(1)).unwrap_or(1),
        failure: u32::try_from(probe.failure_threshold.unwrap_or(3).max(1)).unwrap_or(3),
    }
}

/// How long a container's preStop hook runs.
fn prestop(container: &Container, timing: &Timing) -> Duration {
    let Some(hook) = container
        .lifecycle
        .as_ref()
        .and_then(|l| l.pre_stop.as_ref())
    else {
        return Duration::ZERO;
    };
    if let Some(sleep) = &hook.sleep {
        return seconds(sleep.seconds as f64);
    }
    if let Some(exec) = &hook.exec {
        return exec_sleep(exec.command.as_deref().unwrap_or_default());
    }
    if hook.http_get.is_some() {
        return timing.http_prestop;
    }
    Duration::ZERO
}

/// `sleep N` anywhere in an exec command (`["sleep","5"]`, `["/bin/sh","-c","sleep 5"]`).
fn exec_sleep(command: &[String]) -> Duration {
    let words: Vec<&str> = command
        .iter()
        .flat_map(|arg| arg.split_whitespace())
        .collect();
    let after_sleep = words
        .iter()
        .position(|w| *w == "sleep" || w.ends_with("/sleep"))
        .and_then(|i| words.get(i + 1));
    after_sleep
        .and_then(|n| {
            n.trim_end_matches(';')
                .trim_end_matches('s')
                .parse::<f64>()
                .ok()
        })
        .map_or(Duration::ZERO, seconds)
}

impl Lifecycle {
    /// The timeline of `pod`, bound to a node at `bound`.
    pub fn new(pod: &Pod, bound: Duration, timing: &Timing) -> Self {
        let containers = pod
            .spec
            .as_ref()
            .map(|s| s.containers.as_slice())
            .unwrap_or_default();
        let container_start = bound + timing.container_start;
        let startup = annotation(pod, STARTUP_ANNOTATION).unwrap_or(timing.app_startup);
        Self {
            container_start,
            serving: container_start + startup,
            probes: containers
                .iter()
                .map(|c| c.readiness_probe.as_ref().map(probe_timing))
                .collect(),
            prestop: containers
                .iter()
                .map(|c| prestop(c, timing))
                .max()
                .unwrap_or_default(),
            shutdown: annotation(pod, SHUTDOWN_ANNOTATION).unwrap_or_default(),
            deletion: None,
        }
    }

    /// Records the deletion the kubelet saw at `now` with `grace`; later calls change nothing.
    pub fn delete(&mut self, now: Duration, grace: Duration) {
        if self.deletion.is_some() {
            return;
        }
        let (sigterm, kill) = if self.prestop > grace {
            (now + grace, now + grace + PRESTOP_EXTENSION)
        } else {
            (now + self.prestop, now + grace)
        };
        let exit = (sigterm + self.shutdown).min(kill);
        self.deletion = Some(Deletion {
            seen: now,
            sigterm,
            exit,
            killed: sigterm + self.shutdown > kill,
        });
    }

    /// The first probe time at or after `at`, of a probe with `p` timing.
    fn probe_at_or_after(&self, p: &ProbeTiming, at: Duration) -> Duration {
        let first = self.container_start + p.initial;
        if at <= first {
            return first;
        }
        let periods = (at - first).as_secs_f64() / p.period.as_secs_f64();
        first + p.period.mul_f64(periods.ceil())
    }

    /// When every container has become ready (the last container's moment).
    pub fn ready_at(&self) -> Duration {
        self.probes
            .iter()
            .map(|probe| match probe {
                None => self.container_start,
                Some(p) => {
                    let first_pass = self.probe_at_or_after(p, self.serving);
                    first_pass + p.period * (p.success - 1)
                }
            })
            .max()
            .unwrap_or(self.container_start)
    }

    /// When a container first turns unready after SIGTERM (or the process exits).
    pub fn unready_at(&self) -> Option<Duration> {
        let deletion = self.deletion?;
        let probe_fail = self
            .probes
            .iter()
            .flatten()
            .map(|p| self.probe_at_or_after(p, deletion.sigterm) + p.period * (p.failure - 1))
            .min();
        Some(probe_fail.map_or(deletion.exit, |t| t.min(deletion.exit)))
    }

    pub fn containers_running(&self, now: Duration) -> bool {
        now >= self.container_start && !self.exited(now)
    }

    pub fn exited(&self, now: Duration) -> bool {
        self.deletion.is_some_and(|d| now >= d.exit)
    }

    pub fn containers_ready(&self, now: Duration) -> bool {
        now >= self.ready_at() && self.unready_at().is_none_or(|t| now < t)
    }

    pub fn app_phase(&self, now: Duration) -> AppPhase {
        match self.deletion {
            Some(d) if now >= d.exit => AppPhase::Gone,
            _ if now < self.serving => AppPhase::Starting,
            Some(d) if now >= d.sigterm => AppPhase::ShuttingDown,
            _ => AppPhase::Serving,
        }
    }

    /// The next moment after `now` at which something changes.
    pub fn next_event(&self, now: Duration) -> Option<Duration> {
        let mut moments = vec![self.container_start, self.serving, self.ready_at()];
        if let Some(d) = self.deletion {
            moments.extend([d.sigterm, d.exit]);
        }
        moments.extend(self.unready_at());
        moments.into_iter().filter(|t| *t > now).min()
    }
}

#[cfg(test)]
mod tests;
