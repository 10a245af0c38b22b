//! The simulated ELBv2 state: target groups, targets, load balancers, listeners, rules, tags and
//! the VPCs they live in. Pure data and rules; no HTTP, no async. Handlers and the in-process API
//! both go through these methods, so the lifecycle behaves the same either way.

pub mod actions;
pub mod arn;
pub mod attributes;
pub mod listeners;
pub mod load_balancers;
pub mod rules;
pub mod tags;
pub mod target_group;
pub mod target_groups;
pub mod target_set;
pub mod targets;
pub mod vpc;

use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use lbgate_sim_clock::SimRng;
use serde::Serialize;

use super::errors::ApiError;
use super::health::{HealthBook, HealthMode};
use arn::Arns;
use listeners::Listener;
use load_balancers::LoadBalancer;
use rules::Rule;
use target_group::{TargetGroup, Usage};
use vpc::Vpc;

/// Application or network load balancer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LoadBalancerType {
    Application,
    Network,
}

impl LoadBalancerType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Application => "application",
            Self::Network => "network",
        }
    }

    /// The ARN path segment: `app` or `net`.
    pub fn arn_segment(self) -> &'static str {
        match self {
            Self::Application => "app",
            Self::Network => "net",
        }
    }
}

/// Timings of the simulated control plane, in simulated time.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub nlb_registration_lag: Duration,
    pub alb_registration_lag: Duration,
    pub eventual_consistency: Duration,
    pub load_balancer_provisioning: Duration,
}

/// Quotas the simulator enforces.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Registered targets per target group.
    pub targets_per_target_group: usize,
    /// Targets in one RegisterTargets call; `None` = no limit (AWS publishes none).
    pub max_targets_per_call: Option<usize>,
    /// Tags per resource.
    pub tags_per_resource: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            targets_per_target_group: 1000,
            max_targets_per_call: None,
            tags_per_resource: 50,
        }
    }
}

/// Everything the model needs to start.
#[derive(Debug, Clone)]
pub struct ModelConfig {
    pub region: String,
    pub account_id: String,
    pub timing: Timing,
    pub limits: Limits,
    pub default_health: HealthMode,
    pub seed: u64,
}

/// The whole simulated ELBv2 state of one account and region.
#[derive(Debug)]
pub struct Model {
    pub region: String,
    pub account_id: String,
    pub arns: Arns,
    pub timing: Timing,
    pub limits: Limits,
    pub vpcs: Vec<Vpc>,
    pub target_groups: Vec<TargetGroup>,
    pub load_balancers: Vec<LoadBalancer>,
    pub listeners: Vec<Listener>,
    pub rules: Vec<Rule>,
    pub health: HealthBook,
    pub ids: SimRng,
    /// Wall-clock time at simulated time zero (for CreatedTime).
    pub epoch: SystemTime,
}

impl Model {
    pub fn new(config: &ModelConfig) -> Self {
        let mut ids = SimRng::new(config.seed, 1);
        let vpc_id = format!("vpc-{}", ids.hex17());
        let subnet_ids = std::array::from_fn(|_| format!("subnet-{}", ids.hex17()));
        let default_vpc = vpc::default_vpc(&config.region, vpc_id, subnet_ids);
        Self {
            region: config.region.clone(),
            account_id: config.account_id.clone(),
            arns: Arns::new(&config.region, &config.account_id),
            timing: config.timing,
            limits: config.limits,
            vpcs: vec![default_vpc],
            target_groups: Vec::new(),
            load_balancers: Vec::new(),
            listeners: Vec::new(),
            rules: Vec::new(),
            health: HealthBook::new(config.default_health),
            ids,
            epoch: SystemTime::now(),
        }
    }

    /// The VPC created at start-up.
    pub fn default_vpc(&self) -> Option<&Vpc> {
        self.vpcs.first()
    }

    /// Index of a visible target group, or the AWS error for a bad or unknown ARN.
    pub fn target_group_index(&self, arn: &str, now: Duration) -> Result<usize, ApiError> {
        self.check_arn(arn, arn::ResourceKind::TargetGroup, "target group")?;
        self.target_groups
            .iter()
            .position(|tg| tg.arn == arn && tg.visible_at <= now)
            .ok_or_else(ApiError::target_group_not_found)
    }

    /// AWS rejects an ARN that is not of the expected kind, region and account with a
    /// ValidationError before looking anything up.
    pub fn check_arn(
        &self,
        arn: &str,
        kind: arn::ResourceKind,
        noun: &str,
    ) -> Result<(), ApiError> {
        let ours = arn.starts_with(&format!(
            "arn:aws:elasticloadbalancing:{}:{}:",
            self.region, self.account_id
        ));
        if ours && arn::kind_of(arn) == Some(kind) {
            Ok(())
        } else {
            Err(ApiError::validation(format!(
                "'{arn}' is not a valid {noun} ARN"
            )))
        }
    }

    /// Replays health checks of every target of one target group up to `now` and drops
    /// targets whose deregistration delay is over.
    pub fn advance_target_group(&mut self, index: usize, now: Duration) {
        let Some(tg) = self.target_groups.get_mut(index) else {
            return;
        };
        let settings = tg.check_settings();
        let health = &self.health;
        tg.targets.retain(|_, target| {
            if target.lifecycle.drained(now) {
                return false;
            }
            let timeline = health.timeline(&target.key.id, target.key.port);
            target.lifecycle.advance(now, &settings, &timeline);
            true
        });
    }

    /// When a target registered now in this target group gets its first health check, or
    /// `None` when the group receives no traffic.
    pub fn first_check_at(&self, index: usize, now: Duration) -> Option<Duration> {
        let tg = self.target_groups.get(index)?;
        let usage = tg.usage?;
        let start = now.max(usage.since);
        Some(start + self.lag(usage.load_balancer_type) + tg.check_settings().interval)
    }

    fn lag(&self, kind: LoadBalancerType) -> Duration {
        match kind {
            LoadBalancerType::Application => self.timing.alb_registration_lag,
            LoadBalancerType::Network => self.timing.nlb_registration_lag,
        }
    }

    /// Load balancers whose listeners or rules forward to the target group `arn`.
    pub fn load_balancers_using(&self, tg_arn: &str) -> Vec<String> {
        let mut arns: Vec<String> = self
            .listeners
            .iter()
            .filter(|l| l.default_actions.iter().any(|a| a.forwards_to(tg_arn)))
            .map(|l| l.load_balancer_arn.clone())
            .chain(
                self.rules
                    .iter()
                    .filter(|r| r.actions.iter().any(|a| a.forwards_to(tg_arn)))
                    .filter_map(|r| self.listeners.iter().find(|l| l.arn == r.listener_arn))
                    .map(|l| l.load_balancer_arn.clone()),
            )
            .collect();
        arns.sort();
        arns.dedup();
        arns
    }

    /// Recomputes which target groups receive traffic after listeners or rules changed: groups
    /// that became used start health checks; groups no longer used stop them and drop their
    /// draining targets at once.
    pub fn refresh_usage(&mut self, now: Duration) {
        for index in 0..self.target_groups.len() {
            self.advance_target_group(index, now);
            let Some(arn) = self.target_groups.get(index).map(|tg| tg.arn.clone()) else {
                continue;
            };
            let used_by = self.load_balancers_using(&arn);
            let kind = used_by
                .first()
                .and_then(|lb| self.load_balancers.iter().find(|l| &l.arn == lb))
                .map(|lb| lb.kind);
            let lag = kind.map(|k| self.lag(k));
            let Some(tg) = self.target_groups.get_mut(index) else {
                continue;
            };
            let interval = tg.check_settings().interval;
            match (tg.usage, kind, lag) {
                (None, Some(kind), Some(lag)) => {
                    tg.usage = Some(Usage {
                        since: now,
                        load_balancer_type: kind,
                    });
                    for target in tg.targets.values_mut() {
                        let start = now.max(target.lifecycle.registered_at());
                        target.lifecycle.start_checks(start + lag + interval);
                    }
                }
                (Some(_), None, _) => {
                    tg.usage = None;
                    tg.targets
                        .retain(|_, t| t.lifecycle.draining_until().is_none());
                    for target in tg.targets.values_mut() {
                        target.lifecycle.stop_checks();
                    }
                }
                _ => {}
            }
        }
    }

    /// Sets the health mode of an address (all ports when `port` is `None`) from `now` on.
    pub fn set_health(&mut self, id: &str, port: Option<u16>, mode: HealthMode, now: Duration) {
        self.health.set(now, id, port, mode);
    }

    /// Wall-clock time of a simulated instant.
    pub fn wall_time(&self, at: Duration) -> SystemTime {
        self.epoch.checked_add(at).unwrap_or(self.epoch)
    }

    /// Adds a VPC; returns its ID.
    pub fn add_vpc(
        &mut self,
        cidrs: Vec<vpc::Cidr>,
        subnets: Vec<(vpc::Cidr, Option<String>)>,
    ) -> String {
        let id = format!("vpc-{}", self.ids.hex17());
        let zones = [
            format!("{}a", self.region),
            format!("{}b", self.region),
            format!("{}c", self.region),
        ];
        let subnets = subnets
            .into_iter()
            .enumerate()
            .map(|(i, (cidr, zone))| vpc::Subnet {
                id: format!("subnet-{}", self.ids.hex17()),
                availability_zone: zone
                    .unwrap_or_else(|| zones.get(i % zones.len()).cloned().unwrap_or_default()),
                cidr,
            })
            .collect();
        self.vpcs.push(Vpc {
            id: id.clone(),
            cidrs,
            subnets,
        });
        id
    }
}

/// Addresses AWS accepts as IP targets outside the VPC: RFC 1918, RFC 6598 (100.64.0.0/10)
/// and IPv6 unique-local addresses. Publicly routable addresses are refused.
pub fn private_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private() || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => (v6.segments().first().copied().unwrap_or(0) & 0xfe00) == 0xfc00,
    }
}

#[cfg(test)]
mod tests;
