//! The ELBv2 calls of a pass: the target group's description (reused while fresh), its targets'
//! health (one `DescribeTargetHealth`, or the answer the group's passes share while nothing can
//! have changed it), and RegisterTargets / DeregisterTargets.

use std::collections::BTreeMap;

use k8s_openapi::jiff::Timestamp;
use lbgate_core::binding::memory::elapsed;
use lbgate_core::schedule::{HealthCheckSettings, PendingTarget, may_reuse_health};
use lbgate_core::target::{ObservedTarget, TargetKey, TargetState};
use lbgate_core::validate::TargetGroupFacts;
use lbgate_elbv2::{
    CallOptions, Elbv2Error, Priority, Target, TargetBatchOutcome, TargetGroup, TargetGroupQuery,
    TargetHealth,
};

use crate::context::Context;
use crate::error::ReconcileError;

fn options(ctx: &Context, priority: Priority) -> CallOptions {
    CallOptions::new(priority).with_timeout(ctx.config.aws_timeout)
}

/// The target group `arn`, reused while younger than the configured TTL; `None` when AWS does
/// not know the ARN.
pub(crate) async fn describe(
    ctx: &Context,
    arn: &str,
) -> Result<Option<TargetGroup>, ReconcileError> {
    if let Some(group) = ctx.groups.description(arn, ctx.config.target_group_ttl) {
        return Ok(Some(group));
    }
    let answer = ctx
        .elbv2
        .describe_target_groups(
            TargetGroupQuery::Arns(vec![arn.to_owned()]),
            options(ctx, Priority::DescribeHealth),
        )
        .await;
    let group = match answer {
        Ok(groups) => groups.into_iter().find(|group| group.arn == arn),
        Err(Elbv2Error::TargetGroupNotFound { .. }) => None,
        Err(source) => {
            return Err(ReconcileError::DescribeTargetGroups {
                arn: arn.to_owned(),
                source,
            });
        }
    };
    if let Some(group) = &group {
        ctx.groups.described(arn, group.clone());
    }
    Ok(group)
}

/// The group's description as core reads it.
pub(crate) fn facts(group: &TargetGroup) -> TargetGroupFacts<'_> {
    TargetGroupFacts {
        target_type: group.target_type.as_ref().map_or("", |t| t.as_str()),
        ip_address_type: group.ip_address_type.as_ref().map(|t| t.as_str()),
        protocol: group.protocol.as_ref().map(|p| p.as_str()),
        health_check_interval_seconds: group.health_check.interval_seconds,
        healthy_threshold_count: group.health_check.healthy_threshold,
    }
}

/// When a held answer may stand in for a DescribeTargetHealth call: the group's settings, and
/// when the binding registered its targets (a verdict due since the answer forces a call).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reuse<'a> {
    pub settings: HealthCheckSettings,
    pub registered_at: &'a BTreeMap<TargetKey, Timestamp>,
    pub now: Timestamp,
}

/// Every target of the group; `None` when the group is gone. With `reuse`, an answer already
/// held for the group (by any binding's pass) stands in for the call when
/// [`may_reuse_health`] allows it; without (a deletion), AWS is always asked.
pub(crate) async fn observe(
    ctx: &Context,
    arn: &str,
    reuse: Option<Reuse<'_>>,
) -> Result<Option<Vec<ObservedTarget>>, ReconcileError> {
    if let Some(reuse) = reuse
        && let Some(held) = reusable(ctx, arn, reuse)
    {
        tracing::trace!(arn, "target health reused");
        ctx.metrics.health_answer(true);
        return Ok(Some(held));
    }
    let sending = ctx.groups.sending(arn);
    match ctx
        .elbv2
        .describe_target_health(arn.to_owned(), None, options(ctx, Priority::DescribeHealth))
        .await
    {
        Ok(health) => {
            ctx.metrics.health_answer(false);
            let targets: Vec<ObservedTarget> = health.iter().filter_map(observed).collect();
            ctx.groups.answered(arn, sending, targets.clone());
            Ok(Some(targets))
        }
        Err(Elbv2Error::TargetGroupNotFound { .. }) => {
            ctx.groups.forget(arn);
            Ok(None)
        }
        Err(source) => Err(ReconcileError::DescribeTargetHealth {
            arn: arn.to_owned(),
            source,
        }),
    }
}

/// The held answer for `arn` when nothing can have changed it.
fn reusable(ctx: &Context, arn: &str, reuse: Reuse<'_>) -> Option<Vec<ObservedTarget>> {
    let (targets, held) = ctx.groups.held(arn)?;
    let initial: Vec<PendingTarget> = targets
        .iter()
        .filter(|target| target.state == TargetState::Initial)
        .map(|target| PendingTarget::Initial {
            since_registration: reuse
                .registered_at
                .get(&target.key)
                .map(|at| elapsed(*at, reuse.now)),
        })
        .collect();
    may_reuse_health(&reuse.settings, &initial, held, &ctx.config.schedule).then_some(targets)
}

fn observed(health: &TargetHealth) -> Option<ObservedTarget> {
    let port = i32::from(health.target.port?);
    Some(ObservedTarget {
        key: TargetKey::new(health.target.id.clone(), port),
        state: TargetState::from_aws(health.state.as_str()),
        reason: health.reason.clone(),
        description: health.description.clone(),
    })
}

fn to_targets<'a>(
    keys: impl IntoIterator<Item = &'a TargetKey>,
) -> Result<Vec<Target>, ReconcileError> {
    keys.into_iter()
        .map(|key| {
            u16::try_from(key.port)
                .ok()
                .filter(|port| *port > 0)
                .map(|port| Target::new(key.id.clone(), port))
                .ok_or_else(|| ReconcileError::InvalidTargetPort {
                    target: key.to_string(),
                })
        })
        .collect()
}

/// Registers `keys` (in chunks); fails when any chunk did not land. Answers when the call
/// returned: AWS registered the targets somewhere inside it, and the return is the first
/// instant we know it, so their verdicts are aimed from there (at most the call's duration
/// late; see `lbgate_core::schedule`).
pub(crate) async fn register(
    ctx: &Context,
    arn: &str,
    keys: &[TargetKey],
) -> Result<Timestamp, ReconcileError> {
    let targets = to_targets(keys)?;
    ctx.groups.mutating(arn);
    let result = ctx
        .elbv2
        .register_targets(arn.to_owned(), targets, options(ctx, Priority::Register))
        .await
        .and_then(TargetBatchOutcome::into_result);
    let returned = ctx.now();
    ctx.groups.mutating(arn);
    result
        .map(|_| returned)
        .map_err(|source| ReconcileError::RegisterTargets {
            arn: arn.to_owned(),
            source,
        })
}

/// Deregisters `keys`; `TargetGroupNotFound` means there is nothing left to deregister.
pub(crate) async fn deregister<'a>(
    ctx: &Context,
    arn: &str,
    keys: impl IntoIterator<Item = &'a TargetKey>,
) -> Result<(), ReconcileError> {
    let targets = to_targets(keys)?;
    ctx.groups.mutating(arn);
    let result = ctx
        .elbv2
        .deregister_targets(arn.to_owned(), targets, options(ctx, Priority::Deregister))
        .await
        .and_then(TargetBatchOutcome::into_result);
    ctx.groups.mutating(arn);
    match result {
        Ok(_) | Err(Elbv2Error::TargetGroupNotFound { .. }) => Ok(()),
        Err(source) => Err(ReconcileError::DeregisterTargets {
            arn: arn.to_owned(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests;
