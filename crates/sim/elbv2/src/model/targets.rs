//! Registered targets: registration with AWS's validation, deregistration with draining, and the
//! health answers DescribeTargetHealth gives.

use std::net::IpAddr;
use std::time::Duration;

use serde::Serialize;

use super::super::errors::ApiError;
use super::super::health::{Lifecycle, TargetHealthView, TargetState, normalize_id};
use super::target_group::TargetGroup;
use super::target_set::{RegisteredTarget, TargetKey};
use super::vpc::Vpc;
use super::{Model, private_address};

/// A target as a request names it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetInput {
    pub id: Option<String>,
    pub port: Option<i64>,
    pub availability_zone: Option<String>,
}

/// One row of a DescribeTargetHealth answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetHealthRow {
    pub id: String,
    pub port: Option<u16>,
    pub availability_zone: Option<String>,
    /// The port health checks go to (`traffic-port` resolved); absent for unused targets.
    pub health_check_port: Option<String>,
    pub health: TargetHealthView,
}

impl Model {
    /// RegisterTargets.
    pub fn register_targets(
        &mut self,
        arn: &str,
        inputs: &[TargetInput],
        now: Duration,
    ) -> Result<(), ApiError> {
        let index = self.target_group_index(arn, now)?;
        let tg = self
            .target_groups
            .get(index)
            .ok_or_else(ApiError::target_group_not_found)?;
        if inputs.is_empty() {
            return Err(ApiError::missing("targets"));
        }
        if let Some(limit) = self.limits.max_targets_per_call
            && inputs.len() > limit
        {
            return Err(ApiError::too_many_targets(format!(
                "You cannot register more than '{limit}' targets in a single request"
            )));
        }
        let vpc = tg
            .spec
            .vpc_id
            .as_ref()
            .and_then(|id| self.vpcs.iter().find(|v| &v.id == id));
        let mut accepted = Vec::with_capacity(inputs.len());
        for (position, input) in inputs.iter().enumerate() {
            accepted.push(validate_target(tg, vpc, input, position + 1)?);
        }
        let new_keys = accepted
            .iter()
            .filter(|(key, _)| {
                tg.targets
                    .get(key)
                    .is_none_or(|t| t.lifecycle.draining_until().is_some())
            })
            .count();
        let live = tg
            .targets
            .values()
            .filter(|t| t.lifecycle.draining_until().is_none())
            .count();
        if live + new_keys > self.limits.targets_per_target_group {
            return Err(ApiError::too_many_targets(format!(
                "You cannot have more than {} targets per target group",
                self.limits.targets_per_target_group
            )));
        }

        self.advance_target_group(index, now);
        let first_check = self.first_check_at(index, now);
        let visible_at = now.saturating_add(self.timing.eventual_consistency);
        let Some(tg) = self.target_groups.get_mut(index) else {
            return Err(ApiError::target_group_not_found());
        };
        for (key, availability_zone) in accepted {
            let reregistering_draining = tg
                .targets
                .get(&key)
                .is_some_and(|t| t.lifecycle.draining_until().is_some());
            if tg.targets.contains_key(&key) && !reregistering_draining {
                // Registering a registered target again changes nothing.
                continue;
            }
            let mut lifecycle = Lifecycle::registered(now);
            if let Some(first) = first_check {
                lifecycle.start_checks(first);
            }
            tg.targets.insert(
                key.clone(),
                RegisteredTarget {
                    key,
                    availability_zone,
                    lifecycle,
                    visible_at,
                },
            );
        }
        Ok(())
    }

    /// DeregisterTargets. Unknown targets are ignored: the API reference says the action succeeds
    /// when the target does not exist.
    pub fn deregister_targets(
        &mut self,
        arn: &str,
        inputs: &[TargetInput],
        now: Duration,
    ) -> Result<(), ApiError> {
        let index = self.target_group_index(arn, now)?;
        if inputs.is_empty() {
            return Err(ApiError::missing("targets"));
        }
        let tg = self
            .target_groups
            .get(index)
            .ok_or_else(ApiError::target_group_not_found)?;
        let mut keys = Vec::with_capacity(inputs.len());
        for (position, input) in inputs.iter().enumerate() {
            keys.push(target_key(tg, input, position + 1)?);
        }
        self.advance_target_group(index, now);
        let Some(tg) = self.target_groups.get_mut(index) else {
            return Err(ApiError::target_group_not_found());
        };
        let delay = tg.deregistration_delay();
        let in_use = tg.usage.is_some();
        for key in keys {
            let Some(target) = tg.targets.get_mut(&key) else {
                continue;
            };
            if target.lifecycle.draining_until().is_some() {
                continue;
            }
            if in_use && !delay.is_zero() {
                target.lifecycle.start_draining(now.saturating_add(delay));
            } else {
                tg.targets.remove(&key);
            }
        }
        Ok(())
    }

    /// DescribeTargetHealth: the named targets, or every registered and draining target.
    pub fn describe_target_health(
        &mut self,
        arn: &str,
        filter: &[TargetInput],
        now: Duration,
    ) -> Result<Vec<TargetHealthRow>, ApiError> {
        // DescribeTargetHealth names the missing group (seen in real answers), unlike the
        // other target group actions.
        let index = self.target_group_index(arn, now).map_err(|error| {
            if error.code == "TargetGroupNotFound" {
                ApiError::new(
                    400,
                    "TargetGroupNotFound",
                    format!("Target groups '{arn}' not found"),
                )
            } else {
                error
            }
        })?;
        self.advance_target_group(index, now);
        let tg = self
            .target_groups
            .get(index)
            .ok_or_else(ApiError::target_group_not_found)?;
        let visible = |t: &&RegisteredTarget| t.visible_at <= now;
        if filter.is_empty() {
            return Ok(tg
                .targets
                .values()
                .filter(visible)
                .map(|t| row(tg, t))
                .collect());
        }
        let mut rows = Vec::with_capacity(filter.len());
        for (position, input) in filter.iter().enumerate() {
            let key = target_key(tg, input, position + 1)?;
            match tg.targets.get(&key).filter(visible) {
                Some(target) => rows.push(row(tg, target)),
                None => rows.push(TargetHealthRow {
                    id: input.id.clone().unwrap_or_default(),
                    port: tg.spec.port.map(|_| key.port),
                    availability_zone: input.availability_zone.clone(),
                    health_check_port: None,
                    health: TargetHealthView::not_registered(),
                }),
            }
        }
        Ok(rows)
    }
}

fn row(tg: &TargetGroup, target: &RegisteredTarget) -> TargetHealthRow {
    let mut health = target.lifecycle.view();
    let checking = matches!(
        health.state,
        TargetState::Initial | TargetState::Healthy | TargetState::Unhealthy
    );
    if checking && !tg.spec.health_check_enabled {
        health = TargetHealthView::health_check_disabled();
    }
    let unused = health.state == TargetState::Unused;
    let health_check_port = match tg.spec.health_check_port.as_deref() {
        _ if unused => None,
        Some("traffic-port") | None => tg.spec.port.map(|_| target.key.port.to_string()),
        Some(port) => Some(port.to_owned()),
    };
    TargetHealthRow {
        id: target.key.id.clone(),
        port: tg.spec.port.map(|_| target.key.port),
        availability_zone: target.availability_zone.clone(),
        health_check_port,
        health,
    }
}

/// The key a request names: its ID and its port (the target group's port when omitted).
fn target_key(
    tg: &TargetGroup,
    input: &TargetInput,
    position: usize,
) -> Result<TargetKey, ApiError> {
    let id = input
        .id
        .as_deref()
        .ok_or_else(|| ApiError::missing(&format!("targets.{position}.member.id")))?;
    let port = match input.port {
        Some(port) => super::target_group::ranged(
            &format!("targets.{position}.member.port"),
            port,
            1,
            65_535,
        )?,
        None => tg.spec.port.unwrap_or(0),
    };
    let id = if tg.spec.target_type == "ip" {
        normalize_id(id)
    } else {
        id.to_owned()
    };
    Ok(TargetKey { id, port })
}

/// Checks one target of a RegisterTargets request; returns its key and Availability Zone.
fn validate_target(
    tg: &TargetGroup,
    vpc: Option<&Vpc>,
    input: &TargetInput,
    position: usize,
) -> Result<(TargetKey, Option<String>), ApiError> {
    let key = target_key(tg, input, position)?;
    match tg.spec.target_type.as_str() {
        "instance" => {
            if !is_instance_id(&key.id) {
                return Err(ApiError::validation(format!(
                    "Instance ID '{}' is not valid",
                    key.id
                )));
            }
            Ok((key, None))
        }
        "ip" => {
            let ip: IpAddr = key.id.parse().map_err(|_| {
                ApiError::validation(format!(
                    "The IP address '{}' is not a valid IPv4 address",
                    key.id
                ))
            })?;
            let wanted_v6 = tg.spec.ip_address_type == "ipv6";
            if ip.is_ipv6() != wanted_v6 {
                let family = if wanted_v6 { "IPv6" } else { "IPv4" };
                return Err(ApiError::validation(format!(
                    "The IP address '{ip}' is not a valid {family} address"
                )));
            }
            let zone = availability_zone_for(vpc, ip, input.availability_zone.as_deref())?;
            Ok((key, Some(zone)))
        }
        _ => Ok((key, input.availability_zone.clone())),
    }
}

/// The Availability Zone an IP target lands in: detected from the VPC's subnets, or given
/// explicitly (and then required) for addresses outside the VPC.
fn availability_zone_for(
    vpc: Option<&Vpc>,
    ip: IpAddr,
    given: Option<&str>,
) -> Result<String, ApiError> {
    let subnet = vpc.and_then(|vpc| vpc.subnet_for(ip));
    match (subnet, given) {
        (Some(subnet), None) => Ok(subnet.availability_zone.clone()),
        (Some(subnet), Some(zone)) if zone == subnet.availability_zone => Ok(zone.to_owned()),
        (Some(subnet), Some(zone)) => Err(ApiError::validation(format!(
            "The IP address '{ip}' is within the VPC, and cannot have its Availability Zone overridden to '{zone}' from '{}'",
            subnet.availability_zone
        ))),
        (None, None) => Err(ApiError::validation(format!(
            "The Availability Zone is required for IP address '{ip}' because it is not in the VPC"
        ))),
        (None, Some(zone)) => {
            if !private_address(ip) {
                return Err(ApiError::validation(format!(
                    "The IP address '{ip}' is not a valid private IP address"
                )));
            }
            let known_zone = zone == "all"
                || vpc.is_some_and(|v| v.availability_zones().iter().any(|z| z == zone));
            if !known_zone {
                return Err(ApiError::validation(format!(
                    "You must specify a valid Availability Zone or select 'all' for all enabled Availability zones, since the IP address '{ip}' is outside the VPC"
                )));
            }
            Ok(zone.to_owned())
        }
    }
}

/// `i-` followed by 8 or 17 lowercase hex digits.
fn is_instance_id(id: &str) -> bool {
    id.strip_prefix("i-").is_some_and(|hex| {
        matches!(hex.len(), 8 | 17)
            && hex
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    })
}

#[cfg(test)]
mod tests;
