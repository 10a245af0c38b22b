//! Target group attributes: which keys exist for which kind of target group, their defaults and
//! their allowed values (from the `TargetGroupAttribute.Key` documentation in botocore's model).

use std::collections::BTreeMap;

use super::super::errors::ApiError;
use super::target_group::TargetGroupSpec;

/// What values an attribute takes.
#[derive(Debug, Clone, Copy)]
enum Domain {
    Bool,
    Int(i64, i64),
    /// 0 (off) or a value in the range.
    ZeroOr(i64, i64),
    OneOf(&'static [&'static str]),
    /// `off` or a value in the range.
    OffOr(i64, i64),
    Text,
}

struct Attribute {
    key: &'static str,
    default: &'static str,
    domain: Domain,
}

const fn attr(key: &'static str, default: &'static str, domain: Domain) -> Attribute {
    Attribute {
        key,
        default,
        domain,
    }
}

const HEALTH_ROUTING: [Attribute; 5] = [
    attr(
        "load_balancing.cross_zone.enabled",
        "use_load_balancer_configuration",
        Domain::OneOf(&["true", "false", "use_load_balancer_configuration"]),
    ),
    attr(
        "target_group_health.dns_failover.minimum_healthy_targets.count",
        "1",
        Domain::OffOr(1, 1_000_000),
    ),
    attr(
        "target_group_health.dns_failover.minimum_healthy_targets.percentage",
        "off",
        Domain::OffOr(1, 100),
    ),
    attr(
        "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count",
        "1",
        Domain::Int(1, 1_000_000),
    ),
    attr(
        "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage",
        "off",
        Domain::OffOr(1, 100),
    ),
];

const APPLICATION: [Attribute; 10] = [
    attr("stickiness.enabled", "false", Domain::Bool),
    attr(
        "deregistration_delay.timeout_seconds",
        "300",
        Domain::Int(0, 3600),
    ),
    attr("stickiness.app_cookie.cookie_name", "", Domain::Text),
    attr(
        "stickiness.type",
        "lb_cookie",
        Domain::OneOf(&["lb_cookie", "app_cookie"]),
    ),
    attr(
        "stickiness.lb_cookie.duration_seconds",
        "86400",
        Domain::Int(1, 604_800),
    ),
    attr("slow_start.duration_seconds", "0", Domain::ZeroOr(30, 900)),
    attr(
        "stickiness.app_cookie.duration_seconds",
        "86400",
        Domain::Int(1, 604_800),
    ),
    attr(
        "load_balancing.algorithm.type",
        "round_robin",
        Domain::OneOf(&[
            "round_robin",
            "least_outstanding_requests",
            "weighted_random",
        ]),
    ),
    attr(
        "load_balancing.algorithm.anomaly_mitigation",
        "off",
        Domain::OneOf(&["on", "off"]),
    ),
    attr("lambda.multi_value_headers.enabled", "false", Domain::Bool),
];

const NETWORK: [Attribute; 8] = [
    attr("proxy_protocol_v2.enabled", "false", Domain::Bool),
    attr("preserve_client_ip.enabled", "true", Domain::Bool),
    attr("stickiness.enabled", "false", Domain::Bool),
    attr(
        "deregistration_delay.timeout_seconds",
        "300",
        Domain::Int(0, 3600),
    ),
    attr(
        "stickiness.type",
        "source_ip",
        Domain::OneOf(&["source_ip"]),
    ),
    attr(
        "deregistration_delay.connection_termination.enabled",
        "false",
        Domain::Bool,
    ),
    attr(
        "target_health_state.unhealthy.connection_termination.enabled",
        "true",
        Domain::Bool,
    ),
    attr(
        "target_health_state.unhealthy.draining_interval_seconds",
        "0",
        Domain::Int(0, 360_000),
    ),
];

fn table(spec: &TargetGroupSpec) -> Vec<&'static Attribute> {
    if spec.target_type == "lambda" {
        return APPLICATION
            .iter()
            .filter(|a| a.key == "lambda.multi_value_headers.enabled")
            .collect();
    }
    let base: &'static [Attribute] = if spec.is_http() {
        &APPLICATION
    } else {
        &NETWORK
    };
    base.iter()
        .filter(|a| a.key != "lambda.multi_value_headers.enabled")
        .chain(HEALTH_ROUTING.iter())
        .collect()
}

/// The attributes a new target group starts with.
pub fn defaults(spec: &TargetGroupSpec) -> BTreeMap<String, String> {
    let mut values: BTreeMap<String, String> = table(spec)
        .into_iter()
        .map(|a| (a.key.to_owned(), a.default.to_owned()))
        .collect();
    let protocol = spec.protocol.as_deref().unwrap_or_default();
    if !spec.is_http() && spec.target_type != "lambda" {
        // Client IP preservation defaults off for ip targets over TCP/TLS, on otherwise.
        let preserve = !(spec.target_type == "ip" && matches!(protocol, "TCP" | "TLS"));
        values.insert(
            "preserve_client_ip.enabled".to_owned(),
            preserve.to_string(),
        );
        if matches!(protocol, "UDP" | "TCP_UDP") {
            values.insert(
                "deregistration_delay.connection_termination.enabled".to_owned(),
                "true".to_owned(),
            );
        }
    }
    values
}

/// Applies ModifyTargetGroupAttributes changes after validating every one of them.
pub fn apply(
    spec: &TargetGroupSpec,
    current: &mut BTreeMap<String, String>,
    changes: &[(String, String)],
) -> Result<(), ApiError> {
    let known = table(spec);
    for (key, value) in changes {
        let attribute = known.iter().find(|a| a.key == key).ok_or_else(|| {
            ApiError::validation(format!(
                "Target group attribute key '{key}' is not recognized"
            ))
        })?;
        validate(attribute, value)?;
    }
    for (key, value) in changes {
        current.insert(key.clone(), value.clone());
    }
    if current.get("stickiness.type").map(String::as_str) == Some("app_cookie")
        && current.get("stickiness.enabled").map(String::as_str) == Some("true")
        && current
            .get("stickiness.app_cookie.cookie_name")
            .is_none_or(String::is_empty)
    {
        return Err(ApiError::invalid_configuration(
            "You must set an application cookie name to enable stickiness of type 'app_cookie'",
        ));
    }
    Ok(())
}

fn validate(attribute: &Attribute, value: &str) -> Result<(), ApiError> {
    let key = attribute.key;
    let int = || value.trim().parse::<i64>().ok();
    let range_error = |low: i64, high: i64| {
        ApiError::validation(format!(
            "'{key}' value '{value}' must be between '{low}-{high}' inclusive"
        ))
    };
    match attribute.domain {
        Domain::Bool => one_of(key, value, &["true", "false"]),
        Domain::OneOf(allowed) => one_of(key, value, allowed),
        Domain::Text => Ok(()),
        Domain::Int(low, high) => match int() {
            Some(n) if (low..=high).contains(&n) => Ok(()),
            _ => Err(range_error(low, high)),
        },
        Domain::ZeroOr(low, high) => match int() {
            Some(0) => Ok(()),
            Some(n) if (low..=high).contains(&n) => Ok(()),
            _ => Err(range_error(low, high)),
        },
        Domain::OffOr(low, high) => match int() {
            _ if value == "off" => Ok(()),
            Some(n) if (low..=high).contains(&n) => Ok(()),
            _ => Err(range_error(low, high)),
        },
    }
}

fn one_of(key: &str, value: &str, allowed: &[&str]) -> Result<(), ApiError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(ApiError::validation(format!(
            "'{key}' must be one of [{}]",
            allowed.join(", ")
        )))
    }
}
