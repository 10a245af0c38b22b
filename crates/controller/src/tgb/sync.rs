//! The ELBv2 side of a pass: the target group (cached per binding), its targets' health (one
//! `DescribeTargetHealth`, or an answer shared by the group's passes while nothing can have
//! changed it), and the register/deregister calls of a plan.

use std::collections::BTreeSet;
use std::time::Duration;

use lbgate_core::schedule::{
    HealthCheckSettings, HeldAnswer, LoadBalancerKind, PendingTarget, may_reuse_health,
    verdict_window,
};
use lbgate_core::target::{ObservedTarget, TargetKey, TargetState};
use lbgate_elbv2::{
    CallOptions, Elbv2Error, Priority, Protocol, Target, TargetGroup, TargetGroupQuery,
    TargetHealth,
};
use tokio::time::Instant;

use crate::context::{CachedTargetGroup, Context, HeldHealth};
use crate::error::Error;

/// AWS's defaults when a target group does not report its settings.
const DEFAULT_INTERVAL_SECONDS: u32 = 30;
const DEFAULT_HEALTHY_THRESHOLD: u32 = 5;

fn options(ctx: &Context, priority: Priority) -> CallOptions {
    CallOptions::new(priority).with_timeout(ctx.config.aws_timeout)
}

/// The binding's target group, from the cache while fresh; `None` when AWS does not know the
/// ARN.
pub(crate) async fn target_group(
    ctx: &Context,
    state_key: &str,
    arn: &str,
) -> Result<Option<TargetGroup>, Error> {
    let cached = ctx.state(state_key).target_group;
    if let Some(cached) = cached
        && cached.arn == arn
        && cached.fetched.elapsed() < ctx.config.target_group_ttl
    {
        return Ok(Some(cached.group));
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
            return Err(Error::DescribeTargetGroups {
                arn: arn.to_owned(),
                source,
            });
        }
    };
    ctx.update_state(state_key, |state| {
        state.target_group = group.clone().map(|group| CachedTargetGroup {
            arn: arn.to_owned(),
            group,
            fetched: Instant::now(),
        });
    });
    Ok(group)
}

/// Forgets the cached target group (it vanished under us).
pub(crate) fn forget_target_group(ctx: &Context, state_key: &str) {
    ctx.update_state(state_key, |state| state.target_group = None);
}

/// Every target of the group; `None` when the group is gone. With `settings`, an answer
/// already held for the group (by any binding's pass) stands in for the call when
/// [`may_reuse_health`] allows it; without (a deletion), AWS is always asked.
pub(crate) async fn observe(
    ctx: &Context,
    arn: &str,
    settings: Option<&HealthCheckSettings>,
) -> Result<Option<Vec<ObservedTarget>>, Error> {
    if let Some(settings) = settings
        && let Some(held) = reusable(ctx, arn, settings)
    {
        tracing::trace!(arn, "target health reused");
        ctx.metrics.health_answer(true);
        return Ok(Some(held));
    }
    let (sent, mutations) = ctx.update_group(arn, |group| (Instant::now(), group.mutations));
    match ctx
        .elbv2
        .describe_target_health(arn.to_owned(), None, options(ctx, Priority::DescribeHealth))
        .await
    {
        Ok(health) => {
            ctx.metrics.health_answer(false);
            let targets: Vec<ObservedTarget> = health.iter().filter_map(observed).collect();
            ctx.update_group(arn, |group| {
                group.answer = Some(HeldHealth {
                    targets: targets.clone(),
                    sent,
                    mutations,
                });
            });
            Ok(Some(targets))
        }
        Err(Elbv2Error::TargetGroupNotFound { .. }) => {
            ctx.forget_group(arn);
            Ok(None)
        }
        Err(source) => Err(Error::DescribeTargetHealth {
            arn: arn.to_owned(),
            source,
        }),
    }
}

/// The held answer for `arn` when nothing can have changed it; also drops registration
/// instants too old to matter.
fn reusable(
    ctx: &Context,
    arn: &str,
    settings: &HealthCheckSettings,
) -> Option<Vec<ObservedTarget>> {
    let config = &ctx.config.schedule;
    let window = verdict_window(settings, config);
    ctx.update_group(arn, |group| {
        let now = Instant::now();
        group.registered.retain(|_, at| {
            now.saturating_duration_since(*at) < window.closes.saturating_add(config.health_max_age)
        });
        let held = group.answer.as_ref()?;
        let initial: Vec<PendingTarget> = held
            .targets
            .iter()
            .filter(|target| target.state == TargetState::Initial)
            .map(|target| PendingTarget::Initial {
                since_registration: group
                    .registered
                    .get(&target.key)
                    .map(|at| now.saturating_duration_since(*at)),
            })
            .collect();
        let answer = HeldAnswer {
            age: now.saturating_duration_since(held.sent),
            mutated_since: held.mutations != group.mutations,
        };
        may_reuse_health(settings, &initial, answer, config).then(|| held.targets.clone())
    })
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

fn to_targets(keys: &[TargetKey]) -> Result<Vec<Target>, Error> {
    keys.iter()
        .map(|key| {
            u16::try_from(key.port)
                .ok()
                .filter(|port| *port > 0)
                .map(|port| Target::new(key.id.clone(), port))
                .ok_or_else(|| Error::InvalidTargetPort {
                    target: key.to_string(),
                })
        })
        .collect()
}

/// Registers `keys` (in chunks); fails when any chunk did not land.
pub(crate) async fn register(ctx: &Context, arn: &str, keys: &[TargetKey]) -> Result<(), Error> {
    let targets = to_targets(keys)?;
    mutating(ctx, arn);
    let result = ctx
        .elbv2
        .register_targets(arn.to_owned(), targets, options(ctx, Priority::Register))
        .await
        .and_then(lbgate_elbv2::TargetBatchOutcome::into_result);
    // AWS registered the targets somewhere inside the call; its return is the first instant
    // we know it, and their verdict windows are counted from there (at most the call's
    // duration late; see `lbgate_core::schedule`).
    let returned = Instant::now();
    ctx.update_group(arn, |group| {
        group.mutations = group.mutations.wrapping_add(1);
        if result.is_ok() {
            for key in keys {
                group.registered.insert(key.clone(), returned);
            }
        }
    });
    result.map(drop).map_err(|source| Error::RegisterTargets {
        arn: arn.to_owned(),
        source,
    })
}

/// Marks the group's held answer out of date: a mutation of ours starts (and, called again,
/// ends), so no answer sent before or during it is reused.
fn mutating(ctx: &Context, arn: &str) {
    ctx.update_group(arn, |group| {
        group.mutations = group.mutations.wrapping_add(1)
    });
}

/// Deregisters `keys`; `TargetGroupNotFound` means there is nothing left to deregister.
pub(crate) async fn deregister(ctx: &Context, arn: &str, keys: &[TargetKey]) -> Result<(), Error> {
    let targets = to_targets(keys)?;
    mutating(ctx, arn);
    let result = ctx
        .elbv2
        .deregister_targets(arn.to_owned(), targets, options(ctx, Priority::Deregister))
        .await
        .and_then(lbgate_elbv2::TargetBatchOutcome::into_result);
    ctx.update_group(arn, |group| {
        group.mutations = group.mutations.wrapping_add(1);
        for key in keys {
            group.registered.remove(key);
        }
    });
    match result {
        Ok(_) | Err(Elbv2Error::TargetGroupNotFound { .. }) => Ok(()),
        Err(source) => Err(Error::DeregisterTargets {
            arn: arn.to_owned(),
            source,
        }),
    }
}

/// The group's health-check settings for the poll schedule.
pub(crate) fn health_settings(group: &TargetGroup) -> HealthCheckSettings {
    let load_balancer = match group.protocol {
        Some(Protocol::Http | Protocol::Https) | None => LoadBalancerKind::Application,
        Some(_) => LoadBalancerKind::Network,
    };
    HealthCheckSettings {
        interval: Duration::from_secs(u64::from(
            group
                .health_check
                .interval_seconds
                .unwrap_or(DEFAULT_INTERVAL_SECONDS),
        )),
        healthy_threshold: group
            .health_check
            .healthy_threshold
            .unwrap_or(DEFAULT_HEALTHY_THRESHOLD),
        load_balancer,
    }
}

/// Observed targets this binding cares about (desired or owned), for the status counts.
pub(crate) fn own_observed<'a>(
    observed: &'a [ObservedTarget],
    desired: &'a BTreeSet<TargetKey>,
    owned: &'a BTreeSet<TargetKey>,
) -> impl Iterator<Item = &'a ObservedTarget> {
    observed
        .iter()
        .filter(move |t| desired.contains(&t.key) || owned.contains(&t.key))
}

#[cfg(test)]
mod tests;
