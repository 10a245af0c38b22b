//! Formatting and matching helpers of the demo narration.

use std::net::Ipv4Addr;
use std::time::Duration;

use aws_sdk_elasticloadbalancingv2::types::TargetDescription;

use super::{Snapshot, TARGET_PORT};

pub(super) fn target_key(ip: Ipv4Addr) -> String {
    format!("{ip}:{TARGET_PORT}")
}

pub(super) fn target(ip: Ipv4Addr) -> TargetDescription {
    TargetDescription::builder()
        .id(ip.to_string())
        .port(i32::from(TARGET_PORT))
        .build()
}

pub(super) fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

pub(super) fn health_text(state: &str, reason: Option<&str>) -> String {
    match reason {
        Some(reason) => format!("{state} / {reason}"),
        None => state.to_owned(),
    }
}

pub(super) fn sequence_text(sequence: &[(&str, Option<&str>)]) -> String {
    if sequence.is_empty() {
        return "nothing".to_owned();
    }
    sequence
        .iter()
        .map(|(state, reason)| health_text(state, *reason))
        .collect::<Vec<_>>()
        .join(" → ")
}

/// Whether `observed` walks `expected` in order (skipping states a poll may have missed) and ends
/// at its last entry.
pub(super) fn follows(
    observed: &[(&str, Option<&str>)],
    expected: &[(&str, Option<&str>)],
) -> bool {
    let mut rest = expected.iter();
    observed
        .iter()
        .all(|step| rest.by_ref().any(|wanted| wanted == step))
        && observed.last() == expected.last()
}

/// Whether the snapshot lists `key` as `state` (with `reason`, when given).
pub(super) fn is(snapshot: &Snapshot, key: &str, state: &str, reason: Option<&str>) -> bool {
    snapshot.get(key).is_some_and(|(s, r)| {
        s == state && reason.is_none_or(|reason| r.as_deref() == Some(reason))
    })
}

#[cfg(test)]
mod tests;
