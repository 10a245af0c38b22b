//! The binding's status: its conditions from the problems and the circuit breaker, target
//! counts by state, and whether a new status is worth writing.
//!
//! Every condition lbgate manages is written on every pass, so `kubectl get -o yaml` always
//! shows the full picture. `lastTransitionTime` moves only when a status flips.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use lbgate_api::consts::{
    CONDITION_CIRCUIT_BREAKER_TRIPPED, CONDITION_CONFLICT, CONDITION_PORT_RESOLVED,
    CONDITION_READY, CONDITION_SERVICE_FOUND, CONDITION_TARGET_GROUP_FOUND,
};
use lbgate_api::v1beta1::TargetCounts;
use lbgate_api::{TargetGroupBinding, TargetGroupBindingStatus};

use crate::diff::BreakerTrip;
use crate::gates::ConditionStatus;
use crate::target::{ObservedTarget, TargetState};
use crate::validate::{Problem, REASON_SERVICE_NOT_FOUND};
pub use lbgate_api::consts::{
    REASON_FOUND, REASON_HEALTHY_SHARE_EXCEEDED, REASON_NO_CONFLICT, REASON_NOT_TRIPPED,
    REASON_RESOLVED, REASON_SYNCED,
};

// Reasons of healthy conditions; like the problem reasons they belong in `lbgate_api::consts`.

/// The conditions lbgate manages, in the order they are written.
const MANAGED: [&str; 6] = [
    CONDITION_READY,
    CONDITION_TARGET_GROUP_FOUND,
    CONDITION_SERVICE_FOUND,
    CONDITION_PORT_RESOLVED,
    CONDITION_CONFLICT,
    CONDITION_CIRCUIT_BREAKER_TRIPPED,
];

/// The binding's conditions after a pass: lbgate's six, then any others found in `existing`
/// (left as they are).
pub fn binding_conditions(
    existing: &[Condition],
    problems: &[Problem],
    breaker: Option<&BreakerTrip>,
    generation: Option<i64>,
    now: &Time,
) -> Vec<Condition> {
    let mut conditions: Vec<Condition> = MANAGED
        .iter()
        .map(|condition_type| {
            let (status, reason, message) = desired(condition_type, problems, breaker);
            let previous = existing.iter().find(|c| c.type_ == *condition_type);
            let last_transition_time = previous
                .filter(|previous| previous.status == status.as_str())
                .map_or_else(
                    || now.clone(),
                    |previous| previous.last_transition_time.clone(),
                );
            Condition {
                type_: (*condition_type).to_owned(),
                status: status.as_str().to_owned(),
                reason: reason.to_owned(),
                message,
                observed_generation: generation,
                last_transition_time,
            }
        })
        .collect();
    conditions.extend(
        existing
            .iter()
            .filter(|c| !MANAGED.contains(&c.type_.as_str()))
            .cloned(),
    );
    conditions
}

fn desired(
    condition_type: &str,
    problems: &[Problem],
    breaker: Option<&BreakerTrip>,
) -> (ConditionStatus, &'static str, String) {
    let problem = problems.iter().find(|p| p.condition_type == condition_type);
    if let Some(problem) = problem {
        return (problem.status(), problem.reason, problem.message.clone());
    }
    match condition_type {
        CONDITION_READY => match (problems.first(), breaker) {
            (Some(problem), _) => (
                ConditionStatus::False,
                problem.reason,
                problem.message.clone(),
            ),
            (None, Some(trip)) => (
                ConditionStatus::False,
                REASON_HEALTHY_SHARE_EXCEEDED,
                breaker_message(trip),
            ),
            (None, None) => (
                ConditionStatus::True,
                REASON_SYNCED,
                "targets are in sync with the Service's endpoints".to_owned(),
            ),
        },
        CONDITION_PORT_RESOLVED
            if problems
                .iter()
                .any(|p| p.reason == REASON_SERVICE_NOT_FOUND) =>
        {
            (
                ConditionStatus::Unknown,
                REASON_SERVICE_NOT_FOUND,
                "the Service does not exist, so its port cannot be resolved".to_owned(),
            )
        }
        CONDITION_PORT_RESOLVED => (
            ConditionStatus::True,
            REASON_RESOLVED,
            "spec.serviceRef.port is a port of the Service".to_owned(),
        ),
        CONDITION_CONFLICT => (
            ConditionStatus::False,
            REASON_NO_CONFLICT,
            "no other binding claims the target group".to_owned(),
        ),
        CONDITION_CIRCUIT_BREAKER_TRIPPED => match breaker {
            Some(trip) => (
                ConditionStatus::True,
                REASON_HEALTHY_SHARE_EXCEEDED,
                breaker_message(trip),
            ),
            None => (
                ConditionStatus::False,
                REASON_NOT_TRIPPED,
                "deregistrations are within the allowed share of healthy targets".to_owned(),
            ),
        },
        CONDITION_SERVICE_FOUND => (
            ConditionStatus::True,
            REASON_FOUND,
            "the Service exists".to_owned(),
        ),
        _ => (
            ConditionStatus::True,
            REASON_FOUND,
            "the target group exists".to_owned(),
        ),
    }
}

/// The message of a tripped breaker, for the condition and the Event.
pub fn breaker_message(trip: &BreakerTrip) -> String {
    format!(
        "deregistering {} of {} healthy targets exceeds the allowed share {}; deregistered {}, holding back {} until more targets are healthy",
        trip.wanted,
        trip.healthy_total,
        trip.max_share,
        trip.allowed,
        trip.held_back.len()
    )
}

/// The status a pass leads to; `counts` is `None` when the pass did not look at targets (the
/// previous counts are kept). `lastSyncTime` is `now`.
pub fn binding_status(
    binding: &TargetGroupBinding,
    problems: &[Problem],
    breaker: Option<&BreakerTrip>,
    counts: Option<TargetCounts>,
    now: &Time,
) -> TargetGroupBindingStatus {
    let existing = binding.status.clone().unwrap_or_default();
    TargetGroupBindingStatus {
        observed_generation: binding.metadata.generation,
        conditions: binding_conditions(
            &existing.conditions,
            problems,
            breaker,
            binding.metadata.generation,
            now,
        ),
        targets: counts.or(existing.targets),
        last_sync_time: Some(now.clone()),
    }
}

/// Whether `desired` differs from the binding's status in anything but the sync time: a status
/// written only for its sync time would wake the binding to write it again.
pub fn status_changed(binding: &TargetGroupBinding, desired: &TargetGroupBindingStatus) -> bool {
    let Some(existing) = binding.status.as_ref() else {
        return true;
    };
    existing.observed_generation != desired.observed_generation
        || existing.conditions != desired.conditions
        || existing.targets != desired.targets
}

/// Target counts by state. `observed` should hold this binding's targets only (desired or
/// owned), not foreign ones.
pub fn target_counts<'a>(
    desired: usize,
    observed: impl IntoIterator<Item = &'a ObservedTarget>,
) -> TargetCounts {
    let mut counts = [0_usize; 7];
    let [
        registered,
        healthy,
        initial,
        unhealthy,
        draining,
        unused,
        unavailable,
    ] = &mut counts;
    for target in observed {
        if target.is_not_registered() {
            continue;
        }
        if target.is_registered() {
            *registered += 1;
        }
        match target.state {
            TargetState::Healthy => *healthy += 1,
            TargetState::Initial => *initial += 1,
            TargetState::Unhealthy => *unhealthy += 1,
            TargetState::Draining | TargetState::UnhealthyDraining => *draining += 1,
            TargetState::Unused => *unused += 1,
            TargetState::Unavailable => *unavailable += 1,
            TargetState::Unknown(_) => {}
        }
    }
    let count = |n: usize| Some(i32::try_from(n).unwrap_or(i32::MAX));
    let [
        registered,
        healthy,
        initial,
        unhealthy,
        draining,
        unused,
        unavailable,
    ] = counts;
    TargetCounts {
        desired: count(desired),
        registered: count(registered),
        healthy: count(healthy),
        initial: count(initial),
        unhealthy: count(unhealthy),
        draining: count(draining),
        unused: count(unused),
        unavailable: count(unavailable),
    }
}

#[cfg(test)]
mod tests;
