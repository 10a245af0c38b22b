//! Target groups: settings, defaults per protocol, and validation as AWS applies it.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::super::errors::ApiError;
use super::super::health::{CheckSettings, CodeMatcher};
use super::LoadBalancerType;
use super::target_set::TargetSet;

pub const PROTOCOLS: &[&str] = &[
    "HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", "GENEVE", "QUIC", "TCP_QUIC",
];
pub const TARGET_TYPES: &[&str] = &["instance", "ip", "lambda", "alb"];
pub const IP_ADDRESS_TYPES: &[&str] = &["ipv4", "ipv6"];
const HEALTH_CHECK_PROTOCOLS: &[&str] = &["HTTP", "HTTPS", "TCP"];

/// What CreateTargetGroup was asked for; `None` means "not sent".
#[derive(Debug, Clone, Default)]
pub struct TargetGroupInput {
    pub name: String,
    pub protocol: Option<String>,
    pub protocol_version: Option<String>,
    pub port: Option<i64>,
    pub vpc_id: Option<String>,
    pub health_check_protocol: Option<String>,
    pub health_check_port: Option<String>,
    pub health_check_enabled: Option<bool>,
    pub health_check_path: Option<String>,
    pub health_check_interval_seconds: Option<i64>,
    pub health_check_timeout_seconds: Option<i64>,
    pub healthy_threshold_count: Option<i64>,
    pub unhealthy_threshold_count: Option<i64>,
    pub matcher_http_code: Option<String>,
    pub matcher_grpc_code: Option<String>,
    pub target_type: Option<String>,
    pub ip_address_type: Option<String>,
}

/// The resolved settings of a target group; two creations with equal specs are the same request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetGroupSpec {
    pub protocol: Option<String>,
    pub protocol_version: Option<String>,
    pub port: Option<u16>,
    pub vpc_id: Option<String>,
    pub health_check_protocol: Option<String>,
    pub health_check_port: Option<String>,
    pub health_check_enabled: bool,
    pub health_check_path: Option<String>,
    pub health_check_interval_seconds: u32,
    pub health_check_timeout_seconds: u32,
    pub healthy_threshold_count: u32,
    pub unhealthy_threshold_count: u32,
    pub matcher_http_code: Option<String>,
    pub matcher_grpc_code: Option<String>,
    pub target_type: String,
    pub ip_address_type: String,
}

/// When the target group started receiving traffic, and from which kind of load balancer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Usage {
    pub since: Duration,
    pub load_balancer_type: LoadBalancerType,
}

/// One target group.
#[derive(Debug, Clone, Serialize)]
pub struct TargetGroup {
    pub arn: String,
    pub name: String,
    pub spec: TargetGroupSpec,
    pub attributes: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
    #[serde(skip)]
    pub targets: TargetSet,
    pub usage: Option<Usage>,
    pub created_at: Duration,
    /// Describe* calls do not see it before this instant (eventual consistency).
    pub visible_at: Duration,
}

impl TargetGroup {
    pub fn is_http(&self) -> bool {
        self.spec.is_http()
    }

    /// What the lifecycle needs from the health-check settings.
    pub fn check_settings(&self) -> CheckSettings {
        let http = matches!(
            self.spec.health_check_protocol.as_deref(),
            Some("HTTP" | "HTTPS")
        );
        CheckSettings {
            interval: Duration::from_secs(u64::from(self.spec.health_check_interval_seconds)),
            healthy_threshold: self.spec.healthy_threshold_count,
            unhealthy_threshold: self.spec.unhealthy_threshold_count,
            http_matcher: if http {
                self.spec
                    .matcher_http_code
                    .as_deref()
                    .and_then(CodeMatcher::parse)
            } else {
                None
            },
        }
    }

    /// `deregistration_delay.timeout_seconds` as a duration.
    pub fn deregistration_delay(&self) -> Duration {
        let seconds = self
            .attributes
            .get("deregistration_delay.timeout_seconds")
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(300);
        Duration::from_secs(seconds)
    }
}

impl TargetGroupSpec {
    pub fn is_http(&self) -> bool {
        matches!(self.protocol.as_deref(), Some("HTTP" | "HTTPS"))
    }

    /// Resolves defaults and validates a CreateTargetGroup request the way AWS does.
    pub fn resolve(input: &TargetGroupInput) -> Result<Self, ApiError> {
        validate_name(&input.name)?;
        let protocol = enum_value("protocol", input.protocol.as_deref(), PROTOCOLS)?;
        let target_type = enum_value("targetType", input.target_type.as_deref(), TARGET_TYPES)?
            .unwrap_or_else(|| "instance".to_owned());
        let ip_address_type = enum_value(
            "ipAddressType",
            input.ip_address_type.as_deref(),
            IP_ADDRESS_TYPES,
        )?
        .unwrap_or_else(|| "ipv4".to_owned());
        let health_check_protocol = enum_value(
            "healthCheckProtocol",
            input.health_check_protocol.as_deref(),
            HEALTH_CHECK_PROTOCOLS,
        )?;
        let port = input
            .port
            .map(|p| ranged("port", p, 1, 65_535))
            .transpose()?;
        let interval = input
            .health_check_interval_seconds
            .map(|v| ranged("healthCheckIntervalSeconds", v, 5, 300))
            .transpose()?;
        let timeout = input
            .health_check_timeout_seconds
            .map(|v| ranged("healthCheckTimeoutSeconds", v, 2, 120))
            .transpose()?;
        let healthy = input
            .healthy_threshold_count
            .map(|v| ranged("healthyThresholdCount", v, 2, 10))
            .transpose()?;
        let unhealthy = input
            .unhealthy_threshold_count
            .map(|v| ranged("unhealthyThresholdCount", v, 2, 10))
            .transpose()?;

        if target_type == "lambda" {
            for (sent, what) in [
                (input.protocol.is_some(), "Protocol"),
                (input.port.is_some(), "Port"),
                (input.vpc_id.is_some(), "VPC ID"),
            ] {
                if sent {
                    return Err(ApiError::validation(format!(
                        "{what} cannot be specified for target groups with target type 'lambda'"
                    )));
                }
            }
        } else {
            if protocol.is_none() {
                return Err(ApiError::validation("A protocol must be specified"));
            }
            if port.is_none() {
                return Err(ApiError::validation("A port must be specified"));
            }
            if input.vpc_id.is_none() {
                return Err(ApiError::validation("A VPC ID must be specified"));
            }
        }

        let http = matches!(protocol.as_deref(), Some("HTTP" | "HTTPS"));
        if http && health_check_protocol.as_deref() == Some("TCP") {
            return Err(ApiError::validation(format!(
                "Health check protocol 'TCP' is not supported for target groups with the '{}' protocol",
                protocol.as_deref().unwrap_or_default()
            )));
        }
        let health_check_protocol = match (&health_check_protocol, protocol.as_deref()) {
            (Some(p), _) => Some(p.clone()),
            (None, Some("HTTP" | "HTTPS")) => Some("HTTP".to_owned()),
            (None, Some(_)) => Some("TCP".to_owned()),
            (None, None) => None,
        };
        let hc_http = matches!(health_check_protocol.as_deref(), Some("HTTP" | "HTTPS"));
        let lambda = target_type == "lambda";

        // Defaults: ALB HTTP/HTTPS target groups 30 s / 5 s / 5 / 2 / "200" / "/" (ALB user
        // guide); NLB target groups 30 s / 10 s (TCP, HTTPS checks) or 6 s (HTTP checks) / 5 / 2 /
        // "200-399" (NLB user guide); Lambda 35 s / 30 s / 5 / 2.
        let default_timeout = if lambda {
            30
        } else if http {
            5
        } else if health_check_protocol.as_deref() == Some("HTTP") {
            6
        } else {
            10
        };
        let interval = interval.unwrap_or(if lambda { 35 } else { 30 });
        let timeout = timeout.unwrap_or(default_timeout);
        let healthy = healthy.unwrap_or(5);
        let unhealthy = unhealthy.unwrap_or(2);
        if http && timeout >= interval {
            return Err(ApiError::validation(format!(
                "Health check timeout '{timeout}' must be smaller than the interval '{interval}'"
            )));
        }
        if !http && timeout > interval {
            return Err(ApiError::validation(format!(
                "Health check timeout '{timeout}' must be smaller than or equal to the interval '{interval}'"
            )));
        }

        let matcher_http_code = match (&input.matcher_http_code, hc_http || lambda) {
            (Some(code), true) => Some(validate_matcher(code, http)?),
            (None, true) if input.matcher_grpc_code.is_none() => {
                Some(if http || lambda { "200" } else { "200-399" }.to_owned())
            }
            (None, true) => None,
            (Some(_), false) => {
                return Err(ApiError::invalid_configuration(
                    "Custom health check matchers are not supported for health checks for target groups with the TCP protocol",
                ));
            }
            (None, false) => None,
        };
        let health_check_path = if hc_http || lambda {
            Some(
                input
                    .health_check_path
                    .clone()
                    .unwrap_or_else(|| "/".to_owned()),
            )
        } else if input.health_check_path.is_some() {
            return Err(ApiError::invalid_configuration(
                "Custom health check paths are not supported for health checks with the TCP protocol",
            ));
        } else {
            None
        };
        let health_check_enabled = input.health_check_enabled.unwrap_or(!lambda);
        if !health_check_enabled && !lambda {
            return Err(ApiError::invalid_configuration(format!(
                "Health check enabled must be true for target groups with target type '{target_type}'"
            )));
        }
        let protocol_version = if http {
            Some(
                input
                    .protocol_version
                    .clone()
                    .unwrap_or_else(|| "HTTP1".to_owned()),
            )
        } else {
            None
        };
        Ok(Self {
            protocol,
            protocol_version,
            port,
            vpc_id: input.vpc_id.clone(),
            health_check_port: if lambda {
                None
            } else {
                Some(
                    input
                        .health_check_port
                        .clone()
                        .unwrap_or_else(|| "traffic-port".to_owned()),
                )
            },
            health_check_protocol: if lambda { None } else { health_check_protocol },
            health_check_enabled,
            health_check_path,
            health_check_interval_seconds: interval,
            health_check_timeout_seconds: timeout,
            healthy_threshold_count: healthy,
            unhealthy_threshold_count: unhealthy,
            matcher_http_code,
            matcher_grpc_code: input.matcher_grpc_code.clone(),
            target_type,
            ip_address_type,
        })
    }
}

/// Name rules from the CreateTargetGroup reference; messages as AWS words them.
pub fn validate_name(name: &str) -> Result<(), ApiError> {
    if name.len() > 32 {
        return Err(ApiError::validation(format!(
            "Target group name '{name}' cannot be longer than '32' characters"
        )));
    }
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(ApiError::validation(format!(
            "Target group name '{name}' can only contain characters that are alphanumeric characters or hyphens(-)"
        )));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err(ApiError::validation(format!(
            "Target group name '{name}' cannot begin or end with '-'"
        )));
    }
    Ok(())
}

/// Matcher codes: 200-499 for ALB target groups, 200-599 for NLB ones.
fn validate_matcher(code: &str, alb: bool) -> Result<String, ApiError> {
    let (low, high) = if alb { (200, 499) } else { (200, 599) };
    match CodeMatcher::parse(code).map(|m| m.bounds()) {
        Some((min, max)) if min >= low && max <= high => Ok(code.to_owned()),
        _ => Err(ApiError::validation(format!(
            "Health check matcher HTTP code '{code}' must be within '{low}-{high}' inclusive"
        ))),
    }
}

pub fn enum_value(
    member: &str,
    value: Option<&str>,
    allowed: &[&str],
) -> Result<Option<String>, ApiError> {
    match value {
        Some(v) if !allowed.contains(&v) => Err(ApiError::not_in_enum(member, v, allowed)),
        other => Ok(other.map(str::to_owned)),
    }
}

pub fn ranged<T: TryFrom<i64>>(
    member: &str,
    value: i64,
    min: i64,
    max: i64,
) -> Result<T, ApiError> {
    if value < min {
        return Err(ApiError::below_min(member, value, min));
    }
    if value > max {
        return Err(ApiError::above_max(member, value, max));
    }
    T::try_from(value).map_err(|_| ApiError::above_max(member, value, max))
}

/// What ModifyTargetGroup may change.
#[derive(Debug, Clone, Default)]
pub struct TargetGroupChanges {
    pub health_check_protocol: Option<String>,
    pub health_check_port: Option<String>,
    pub health_check_path: Option<String>,
    pub health_check_enabled: Option<bool>,
    pub health_check_interval_seconds: Option<i64>,
    pub health_check_timeout_seconds: Option<i64>,
    pub healthy_threshold_count: Option<i64>,
    pub unhealthy_threshold_count: Option<i64>,
    pub matcher_http_code: Option<String>,
    pub matcher_grpc_code: Option<String>,
}

impl TargetGroupSpec {
    /// The spec after ModifyTargetGroup, validated as a whole.
    pub fn modified(&self, changes: &TargetGroupChanges) -> Result<Self, ApiError> {
        let mut next = self.clone();
        if let Some(p) = enum_value(
            "healthCheckProtocol",
            changes.health_check_protocol.as_deref(),
            HEALTH_CHECK_PROTOCOLS,
        )? {
            if self.is_http() && p == "TCP" {
                return Err(ApiError::validation(format!(
                    "Health check protocol 'TCP' is not supported for target groups with the '{}' protocol",
                    self.protocol.as_deref().unwrap_or_default()
                )));
            }
            next.health_check_protocol = Some(p);
        }
        if let Some(port) = &changes.health_check_port {
            next.health_check_port = Some(port.clone());
        }
        if let Some(v) = changes.health_check_interval_seconds {
            next.health_check_interval_seconds = ranged("healthCheckIntervalSeconds", v, 5, 300)?;
        }
        if let Some(v) = changes.health_check_timeout_seconds {
            next.health_check_timeout_seconds = ranged("healthCheckTimeoutSeconds", v, 2, 120)?;
        }
        if let Some(v) = changes.healthy_threshold_count {
            next.healthy_threshold_count = ranged("healthyThresholdCount", v, 2, 10)?;
        }
        if let Some(v) = changes.unhealthy_threshold_count {
            next.unhealthy_threshold_count = ranged("unhealthyThresholdCount", v, 2, 10)?;
        }
        if let Some(enabled) = changes.health_check_enabled {
            if !enabled && next.target_type != "lambda" {
                return Err(ApiError::invalid_configuration(format!(
                    "Health check enabled must be true for target groups with target type '{}'",
                    next.target_type
                )));
            }
            next.health_check_enabled = enabled;
        }
        let hc_http = matches!(
            next.health_check_protocol.as_deref(),
            Some("HTTP" | "HTTPS")
        );
        if let Some(code) = &changes.matcher_http_code {
            if !hc_http {
                return Err(ApiError::invalid_configuration(
                    "Custom health check matchers are not supported for health checks for target groups with the TCP protocol",
                ));
            }
            next.matcher_http_code = Some(validate_matcher(code, self.is_http())?);
        }
        if let Some(code) = &changes.matcher_grpc_code {
            next.matcher_grpc_code = Some(code.clone());
        }
        if let Some(path) = &changes.health_check_path {
            if !hc_http {
                return Err(ApiError::invalid_configuration(
                    "Custom health check paths are not supported for health checks with the TCP protocol",
                ));
            }
            next.health_check_path = Some(path.clone());
        }
        if hc_http && next.health_check_path.is_none() {
            next.health_check_path = Some("/".to_owned());
        }
        if hc_http && next.matcher_http_code.is_none() && next.matcher_grpc_code.is_none() {
            next.matcher_http_code = Some("200-399".to_owned());
        }
        if !hc_http {
            next.health_check_path = None;
            next.matcher_http_code = None;
        }
        let (timeout, interval) = (
            next.health_check_timeout_seconds,
            next.health_check_interval_seconds,
        );
        if self.is_http() && timeout >= interval {
            return Err(ApiError::validation(format!(
                "Health check timeout '{timeout}' must be smaller than the interval '{interval}'"
            )));
        }
        if !self.is_http() && timeout > interval {
            return Err(ApiError::validation(format!(
                "Health check timeout '{timeout}' must be smaller than or equal to the interval '{interval}'"
            )));
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests;
