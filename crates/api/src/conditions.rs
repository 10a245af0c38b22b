//! Names of pod readiness-gate conditions, and the Kubernetes name rules they must obey.
//!
//! A gate's condition type is `target-health.elbv2.k8s.aws/<binding name>`. Kubernetes
//! validates `readinessGates[].conditionType` as a *qualified name*, so a binding whose name is
//! longer than 63 characters would make every pod it gates un-creatable. We refuse to build such
//! a type instead of letting the API server reject pods later.

use crate::consts::{LEGACY_TARGET_HEALTH_CONDITION_PREFIX, TARGET_HEALTH_CONDITION_PREFIX};
use crate::error::ApiError;

/// Longest name part of a qualified name (`k8s.io/apimachinery` `qualifiedNameMaxLength`).
pub const QUALIFIED_NAME_MAX_LEN: usize = 63;
/// Longest DNS-1123 subdomain, which is also the longest object name.
pub const DNS1123_SUBDOMAIN_MAX_LEN: usize = 253;

/// The readiness-gate condition type that belongs to the binding named `binding_name`.
///
/// # Errors
/// [`ApiError::InvalidQualifiedName`] when the result would not be a valid qualified name,
/// for example when the binding name is empty, longer than 63 characters or contains `/`.
pub fn pod_condition_type(binding_name: &str) -> Result<String, ApiError> {
    let condition_type = format!("{TARGET_HEALTH_CONDITION_PREFIX}{binding_name}");
    validate_qualified_name(&condition_type)?;
    Ok(condition_type)
}

/// The binding a readiness-gate condition type belongs to, or `None` when the type is not one
/// of ours or its suffix cannot be an object name.
pub fn binding_name_from_condition_type(condition_type: &str) -> Option<&str> {
    let name = condition_type.strip_prefix(TARGET_HEALTH_CONDITION_PREFIX)?;
    dns1123_subdomain_problem(name).is_none().then_some(name)
}

/// Whether `condition_type` is a gate of ours (`target-health.elbv2.k8s.aws/…`).
pub fn is_target_health_gate(condition_type: &str) -> bool {
    condition_type.starts_with(TARGET_HEALTH_CONDITION_PREFIX)
}

/// Whether `condition_type` is a gate left by the ALB ingress controller v1
/// (`target-health.alb.ingress.k8s.aws/…`); such gates are removed at injection.
pub fn is_legacy_gate(condition_type: &str) -> bool {
    condition_type.starts_with(LEGACY_TARGET_HEALTH_CONDITION_PREFIX)
}

/// Checks `value` against the Kubernetes qualified-name rules: an optional DNS-1123 subdomain
/// prefix and `/`, then a name of at most 63 characters matching
/// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`.
///
/// # Errors
/// [`ApiError::InvalidQualifiedName`] naming the first rule `value` breaks.
pub fn validate_qualified_name(value: &str) -> Result<(), ApiError> {
    match qualified_name_problem(value) {
        None => Ok(()),
        Some(problem) => Err(ApiError::InvalidQualifiedName {
            value: value.to_owned(),
            problem,
        }),
    }
}

fn qualified_name_problem(value: &str) -> Option<String> {
    let mut parts = value.split('/');
    let (prefix, name) = match (parts.next(), parts.next(), parts.next()) {
        (Some(name), None, _) => (None, name),
        (Some(prefix), Some(name), None) => (Some(prefix), name),
        _ => return Some("a qualified name has at most one '/'".to_owned()),
    };
    if let Some(prefix) = prefix {
        if prefix.is_empty() {
            return Some("the prefix before '/' must not be empty".to_owned());
        }
        if let Some(problem) = dns1123_subdomain_problem(prefix) {
            return Some(format!("prefix {prefix:?}: {problem}"));
        }
    }
    name_part_problem(name)
}

fn name_part_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("the name part must not be empty".to_owned());
    }
    if name.len() > QUALIFIED_NAME_MAX_LEN {
        return Some(format!(
            "the name part is {} characters long, at most {QUALIFIED_NAME_MAX_LEN} are allowed",
            name.len()
        ));
    }
    let inner_ok = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    if !name.bytes().all(|b| inner_ok(&b)) {
        return Some("the name part may contain only letters, digits, '-', '_' and '.'".to_owned());
    }
    if !starts_and_ends_alphanumeric(name, u8::is_ascii_alphanumeric) {
        return Some("the name part must start and end with a letter or digit".to_owned());
    }
    None
}

/// Why `value` is not a DNS-1123 subdomain, or `None` when it is one.
pub fn dns1123_subdomain_problem(value: &str) -> Option<String> {
    if value.is_empty() {
        return Some("must not be empty".to_owned());
    }
    if value.len() > DNS1123_SUBDOMAIN_MAX_LEN {
        return Some(format!(
            "is {} characters long, at most {DNS1123_SUBDOMAIN_MAX_LEN} are allowed",
            value.len()
        ));
    }
    let lower_alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    for label in value.split('.') {
        if label.is_empty() {
            return Some("must not have empty dot-separated parts".to_owned());
        }
        if !label.bytes().all(|b| lower_alnum(&b) || b == b'-') {
            return Some("may contain only lower-case letters, digits, '-' and '.'".to_owned());
        }
        if !starts_and_ends_alphanumeric(label, lower_alnum) {
            return Some(
                "each dot-separated part must start and end with a lower-case letter or digit"
                    .to_owned(),
            );
        }
    }
    None
}

fn starts_and_ends_alphanumeric(value: &str, is_edge: impl Fn(&u8) -> bool) -> bool {
    let bytes = value.as_bytes();
    bytes.first().is_some_and(&is_edge) && bytes.last().is_some_and(&is_edge)
}

#[cfg(test)]
mod tests;
