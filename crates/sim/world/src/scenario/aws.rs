//! AWS objects a scenario starts from: an application load balancer in the default VPC, target
//! groups and listeners, created directly in the simulator's model (the same validation as the
//! API, without spending the API's request budget).

use std::time::Duration;

use lbgate_sim_elbv2::Elbv2Sim;
use lbgate_sim_elbv2::model::actions::{Action, WeightedTargetGroup};
use lbgate_sim_elbv2::model::listeners::ListenerInput;
use lbgate_sim_elbv2::model::load_balancers::LoadBalancerInput;
use lbgate_sim_elbv2::model::target_group::TargetGroupInput;
use serde::{Deserialize, Serialize};

use crate::SimError;

/// An application load balancer in every default subnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoadBalancerOptions {
    pub name: String,
}

impl LoadBalancerOptions {
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
        }
    }
}

/// A target group; health-check settings default to AWS's defaults for HTTP when absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TargetGroupOptions {
    pub name: String,
    /// `ip` or `instance`.
    #[serde(default = "default_target_type")]
    pub target_type: String,
    #[serde(default = "default_port")]
    pub port: u16,
    #[serde(default = "default_protocol")]
    pub protocol: String,
    #[serde(default)]
    pub health_check_path: Option<String>,
    #[serde(default)]
    pub health_check_interval_seconds: Option<u32>,
    #[serde(default)]
    pub health_check_timeout_seconds: Option<u32>,
    #[serde(default)]
    pub healthy_threshold: Option<u32>,
    #[serde(default)]
    pub unhealthy_threshold: Option<u32>,
    /// `deregistration_delay.timeout_seconds` (AWS default 300).
    #[serde(default)]
    pub deregistration_delay_seconds: Option<u32>,
}

fn default_target_type() -> String {
    "ip".to_owned()
}

fn default_port() -> u16 {
    80
}

fn default_protocol() -> String {
    "HTTP".to_owned()
}

impl TargetGroupOptions {
    /// An `ip` target group on HTTP `port` with AWS's default health checks.
    pub fn ip(name: &str, port: u16) -> Self {
        Self {
            name: name.to_owned(),
            target_type: default_target_type(),
            port,
            protocol: default_protocol(),
            health_check_path: None,
            health_check_interval_seconds: None,
            health_check_timeout_seconds: None,
            healthy_threshold: None,
            unhealthy_threshold: None,
            deregistration_delay_seconds: None,
        }
    }

    /// The same with health checks every `interval` seconds, `healthy`/`unhealthy` thresholds.
    pub fn with_health_checks(self, interval: u32, healthy: u32, unhealthy: u32) -> Self {
        Self {
            health_check_interval_seconds: Some(interval),
            health_check_timeout_seconds: Some(interval.saturating_sub(1).clamp(2, 120)),
            healthy_threshold: Some(healthy),
            unhealthy_threshold: Some(unhealthy),
            ..self
        }
    }

    /// The same with a deregistration delay.
    pub fn with_deregistration_delay(self, delay: Duration) -> Self {
        Self {
            deregistration_delay_seconds: Some(u32::try_from(delay.as_secs()).unwrap_or(u32::MAX)),
            ..self
        }
    }
}

/// A listener whose default action forwards to one target group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListenerOptions {
    /// Name or ARN.
    pub load_balancer: String,
    #[serde(default = "default_port")]
    pub port: u16,
    /// Name or ARN of the default action's target group.
    pub target_group: String,
}

impl ListenerOptions {
    pub fn new(load_balancer: &str, port: u16, target_group: &str) -> Self {
        Self {
            load_balancer: load_balancer.to_owned(),
            port,
            target_group: target_group.to_owned(),
        }
    }
}

fn api_failure(what: &str, error: &lbgate_sim_elbv2::errors::ApiError) -> SimError {
    super::failure(format!("{what}: {} ({})", error.message, error.code))
}

pub(super) fn create_load_balancer(
    sim: &Elbv2Sim,
    options: &LoadBalancerOptions,
) -> Result<String, SimError> {
    let input = LoadBalancerInput {
        name: options.name.clone(),
        kind: Some("application".to_owned()),
        subnets: sim.default_subnet_ids(),
        ..LoadBalancerInput::default()
    };
    sim.state()
        .with_model(|m, now| m.create_load_balancer(&input, &[], now))
        .map(|lb| lb.arn)
        .map_err(|e| api_failure(&format!("creating load balancer {}", options.name), &e))
}

pub(super) fn create_target_group(
    sim: &Elbv2Sim,
    options: &TargetGroupOptions,
) -> Result<String, SimError> {
    let input = TargetGroupInput {
        name: options.name.clone(),
        protocol: Some(options.protocol.clone()),
        port: Some(i64::from(options.port)),
        vpc_id: Some(sim.default_vpc_id()),
        target_type: Some(options.target_type.clone()),
        health_check_path: options.health_check_path.clone(),
        health_check_interval_seconds: options.health_check_interval_seconds.map(i64::from),
        health_check_timeout_seconds: options.health_check_timeout_seconds.map(i64::from),
        healthy_threshold_count: options.healthy_threshold.map(i64::from),
        unhealthy_threshold_count: options.unhealthy_threshold.map(i64::from),
        ..TargetGroupInput::default()
    };
    let what = format!("creating target group {}", options.name);
    let state = sim.state();
    let arn = state
        .with_model(|m, now| m.create_target_group(&input, &[], now))
        .map(|tg| tg.arn)
        .map_err(|e| api_failure(&what, &e))?;
    if let Some(delay) = options.deregistration_delay_seconds {
        let changes = [(
            "deregistration_delay.timeout_seconds".to_owned(),
            delay.to_string(),
        )];
        state
            .with_model(|m, now| m.modify_target_group_attributes(&arn, &changes, now))
            .map_err(|e| api_failure(&what, &e))?;
    }
    Ok(arn)
}

pub(super) fn create_listener(
    sim: &Elbv2Sim,
    options: &ListenerOptions,
) -> Result<String, SimError> {
    let lb_arn = load_balancer_arn(sim, &options.load_balancer)
        .ok_or_else(|| super::failure(format!("no load balancer {}", options.load_balancer)))?;
    let tg_arn = target_group_arn(sim, &options.target_group)
        .ok_or_else(|| super::failure(format!("no target group {}", options.target_group)))?;
    let input = ListenerInput {
        port: Some(i64::from(options.port)),
        protocol: Some("HTTP".to_owned()),
        default_actions: Some(vec![forward(&tg_arn)]),
        ..ListenerInput::default()
    };
    sim.state()
        .with_model(|m, now| m.create_listener(&lb_arn, &input, &[], now))
        .map(|l| l.arn)
        .map_err(|e| {
            api_failure(
                &format!(
                    "creating listener {}:{}",
                    options.load_balancer, options.port
                ),
                &e,
            )
        })
}

fn forward(tg_arn: &str) -> Action {
    Action {
        kind: "forward".to_owned(),
        order: None,
        target_group_arn: None,
        forward_target_groups: vec![WeightedTargetGroup {
            arn: tg_arn.to_owned(),
            weight: Some(1),
        }],
        stickiness_enabled: Some(false),
        stickiness_duration_seconds: None,
        config: Default::default(),
    }
}

/// The ARN of a target group given its name or ARN.
pub(super) fn target_group_arn(sim: &Elbv2Sim, name_or_arn: &str) -> Option<String> {
    sim.state().with_model(|m, _| {
        m.target_groups
            .iter()
            .find(|tg| tg.name == name_or_arn || tg.arn == name_or_arn)
            .map(|tg| tg.arn.clone())
    })
}

/// The ARN of a load balancer given its name or ARN.
pub(super) fn load_balancer_arn(sim: &Elbv2Sim, name_or_arn: &str) -> Option<String> {
    sim.state().with_model(|m, _| {
        m.load_balancers
            .iter()
            .find(|lb| lb.name == name_or_arn || lb.arn == name_or_arn)
            .map(|lb| lb.arn.clone())
    })
}
