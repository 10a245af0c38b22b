//! When a binding's next health poll is due: from the target group's own health-check
//! settings and the targets whose health matters now.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::jiff::Timestamp;
use lbgate_api::v1beta1::TargetType;
use lbgate_core::diff::SyncPlan;
use lbgate_core::schedule::{PendingTarget, next_health_poll};
use lbgate_core::target::{ObservedTarget, TargetKey, TargetState};
use lbgate_elbv2::TargetGroup;

use super::gates::elapsed;
use super::inputs::Desired;
use super::reconcile::seed;
use super::{BindingKey, sync};
use crate::context::Context;

/// The next health poll: targets whose health matters (gated pods, a running hold, a tripped
/// breaker) decide it; otherwise the slow resync.
#[expect(
    clippy::too_many_arguments,
    reason = "one pass's outcome, named for readability"
)]
pub(crate) fn schedule(
    ctx: &Context,
    key: &BindingKey,
    group: &TargetGroup,
    found: &Desired,
    plan: &SyncPlan,
    observed: &BTreeMap<&TargetKey, &ObservedTarget>,
    mode: TargetType,
    gate: &str,
    now: Timestamp,
) -> Duration {
    let id = key.id();
    let state = ctx.state(&id);
    // The wait starts when the pass ends, not when it began: measure from here so a verdict
    // poll is not late by the pass's own duration.
    let now = Timestamp::now().max(now);
    let watch_all = plan.hold.is_some() || plan.breaker.is_some() || mode == TargetType::Instance;
    let gated = |target: &TargetKey| {
        found
            .targets
            .get(target)
            .and_then(Option::as_ref)
            .is_some_and(|pod_ref| {
                found.pods.iter().any(|pod| {
                    pod.metadata.name.as_deref() == Some(pod_ref.name.as_str())
                        && lbgate_core::endpoints::carries_gate(pod, gate)
                })
            })
    };
    let pending: Vec<PendingTarget> = found
        .targets
        .keys()
        .filter(|target| watch_all || gated(target) || plan.register.contains(*target))
        .filter_map(|target| {
            if plan.register.contains(target) {
                return Some(PendingTarget::Initial {
                    since_registration: Some(
                        state
                            .registered_at
                            .get(target)
                            .map_or(Duration::ZERO, |at| elapsed(*at, now)),
                    ),
                });
            }
            let seen = observed.get(target)?;
            match seen.state {
                TargetState::Healthy => None,
                TargetState::Initial => Some(PendingTarget::Initial {
                    since_registration: state.registered_at.get(target).map(|at| elapsed(*at, now)),
                }),
                _ => Some(PendingTarget::Watching),
            }
        })
        .collect();
    let passes = ctx.update_state(&id, |state| {
        state.passes = state.passes.wrapping_add(1);
        state.passes
    });
    let wait = next_health_poll(
        &sync::health_settings(group),
        &pending,
        &ctx.config.schedule,
        seed(&id, passes),
    );
    tracing::debug!(binding = %id, after = ?wait.after, reason = ?wait.reason, "next health poll");
    wait.after
}
