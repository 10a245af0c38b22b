//! Scenario steps: what a scenario does to the world, one after the other.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::controllers::Component;

fn default_namespace() -> String {
    "default".to_owned()
}

fn default_port() -> u16 {
    80
}

fn default_window() -> f64 {
    1.0
}

/// Default wall-clock deadline of a wait: generous, because at time scale 1.0 a rollout takes
/// real minutes.
pub const DEFAULT_WAIT_TIMEOUT_SECONDS: f64 = 300.0;

fn default_timeout() -> f64 {
    DEFAULT_WAIT_TIMEOUT_SECONDS
}

/// Requests sent through an ALB listener at a steady rate (simulated time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrafficSpec {
    /// Load balancer name or ARN.
    pub load_balancer: String,
    #[serde(default = "default_port")]
    pub port: u16,
    /// Requests per simulated second.
    pub rate: f64,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    /// Width of the report's failure windows, simulated seconds.
    #[serde(default = "default_window")]
    pub window_seconds: f64,
}

impl TrafficSpec {
    pub fn new(load_balancer: &str, port: u16, rate: f64) -> Self {
        Self {
            load_balancer: load_balancer.to_owned(),
            port,
            rate,
            host: None,
            path: None,
            window_seconds: default_window(),
        }
    }
}

/// Something to wait for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Condition {
    /// The Deployment's rollout is complete: observed, every replica updated and available, no
    /// old replica left.
    #[serde(rename_all = "camelCase")]
    RolloutComplete {
        #[serde(default = "default_namespace")]
        namespace: String,
        deployment: String,
    },
    /// At least `count` pods matching `selector` are Ready and not terminating.
    #[serde(rename_all = "camelCase")]
    PodsReady {
        #[serde(default = "default_namespace")]
        namespace: String,
        selector: String,
        count: usize,
    },
    /// The target group (name or ARN) has at least `count` healthy targets.
    #[serde(rename_all = "camelCase")]
    HealthyTargets { target_group: String, count: usize },
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RolloutComplete {
                namespace,
                deployment,
            } => write!(f, "rollout of {namespace}/{deployment} complete"),
            Self::PodsReady {
                namespace,
                selector,
                count,
            } => write!(f, "{count} pods {selector} Ready in {namespace}"),
            Self::HealthyTargets {
                target_group,
                count,
            } => write!(f, "{count} healthy targets in {target_group}"),
        }
    }
}

/// One step of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Step {
    /// Applies manifests (multi-document YAML, `${targetGroupArn:<name>}` resolved).
    Apply {
        yaml: String,
    },
    /// Sets a container's image in a Deployment's template: a rollout.
    #[serde(rename_all = "camelCase")]
    SetImage {
        #[serde(default = "default_namespace")]
        namespace: String,
        deployment: String,
        /// The container's name; the first container when absent.
        #[serde(default)]
        container: Option<String>,
        image: String,
    },
    #[serde(rename_all = "camelCase")]
    Scale {
        #[serde(default = "default_namespace")]
        namespace: String,
        deployment: String,
        replicas: i32,
    },
    /// Deletes a pod by name, or the first (by name) pod matching a label selector.
    #[serde(rename_all = "camelCase")]
    DeletePod {
        #[serde(default = "default_namespace")]
        namespace: String,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        selector: Option<String>,
    },
    /// Stops a world controller.
    Stop {
        component: Component,
    },
    /// Starts a world controller afresh.
    Restart {
        component: Component,
    },
    /// Makes an ELBv2 action (`"*"` = every action) fail at `errorRate` with `code`.
    #[serde(rename_all = "camelCase")]
    Fault {
        action: String,
        #[serde(default)]
        error_rate: f64,
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        http_status: Option<u16>,
        /// Added latency per call, wall milliseconds.
        #[serde(default)]
        latency_ms: u64,
    },
    /// Answers `Throttling` to an ELBv2 action at this probability.
    Throttle {
        action: String,
        rate: f64,
    },
    /// Removes every injected fault and throttle.
    ClearFaults,
    /// Lets simulated time pass.
    Wait {
        seconds: f64,
    },
    /// Waits for a condition; fails the scenario after `timeoutSeconds` of wall time.
    #[serde(rename_all = "camelCase")]
    WaitFor {
        condition: Condition,
        #[serde(default = "default_timeout")]
        timeout_seconds: f64,
    },
    /// Starts sending traffic (it runs across the following steps until stopped or the end).
    StartTraffic(TrafficSpec),
    StopTraffic,
}

impl Step {
    /// A wait for `condition` with the default deadline.
    pub fn wait_for(condition: Condition) -> Self {
        Self::WaitFor {
            condition,
            timeout_seconds: DEFAULT_WAIT_TIMEOUT_SECONDS,
        }
    }

    /// A wait of `duration` simulated time.
    pub fn wait(duration: Duration) -> Self {
        Self::Wait {
            seconds: duration.as_secs_f64(),
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Apply { yaml } => {
                let documents = yaml.split("\n---").filter(|d| !d.trim().is_empty()).count();
                write!(f, "apply {documents} manifest document(s)")
            }
            Self::SetImage {
                namespace,
                deployment,
                image,
                ..
            } => write!(f, "set image of {namespace}/{deployment} to {image}"),
            Self::Scale {
                namespace,
                deployment,
                replicas,
            } => write!(f, "scale {namespace}/{deployment} to {replicas}"),
            Self::DeletePod {
                namespace,
                name,
                selector,
            } => match (name, selector) {
                (Some(name), _) => write!(f, "delete pod {namespace}/{name}"),
                (None, Some(selector)) => write!(f, "delete a pod {selector} in {namespace}"),
                (None, None) => write!(f, "delete a pod in {namespace}"),
            },
            Self::Stop { component } => write!(f, "stop {component:?}"),
            Self::Restart { component } => write!(f, "restart {component:?}"),
            Self::Fault {
                action, error_rate, ..
            } => write!(f, "fault {action} at {error_rate}"),
            Self::Throttle { action, rate } => write!(f, "throttle {action} at {rate}"),
            Self::ClearFaults => write!(f, "clear faults"),
            Self::Wait { seconds } => write!(f, "wait {seconds}s"),
            Self::WaitFor { condition, .. } => write!(f, "wait for {condition}"),
            Self::StartTraffic(spec) => write!(
                f,
                "start traffic to {}:{} at {}/s",
                spec.load_balancer, spec.port, spec.rate
            ),
            Self::StopTraffic => write!(f, "stop traffic"),
        }
    }
}

#[cfg(test)]
mod tests;
