//! The ELBv2 side of a pass: the target group (cached per binding), one
//! `DescribeTargetHealth`, and the register/deregister calls of a plan.

use std::collections::BTreeSet;
use std::time::Duration;

use lbgate_core::schedule::{HealthCheckSettings, LoadBalancerKind};
use lbgate_core::target::{ObservedTarget, TargetKey, TargetState};
use lbgate_elbv2::{
    CallOptions, Elbv2Error, Priority, Protocol, Target, TargetGroup, TargetGroupQuery,
    TargetHealth,
};
use tokio::time::Instant;

use crate::context::{CachedTargetGroup, Context};
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

/// Every target of the group, from one `DescribeTargetHealth`; `None` when the group is gone.
pub(crate) async fn observe(
    ctx: &Context,
    arn: &str,
) -> Result<Option<Vec<ObservedTarget>>, Error> {
    match ctx
        .elbv2
        .describe_target_health(arn.to_owned(), None, options(ctx, Priority::DescribeHealth))
        .await
    {
        Ok(health) => Ok(Some(health.iter().filter_map(observed).collect())),
        Err(Elbv2Error::TargetGroupNotFound { .. }) => Ok(None),
        Err(source) => Err(Error::DescribeTargetHealth {
            arn: arn.to_owned(),
            source,
        }),
    }
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
    ctx.elbv2
        .register_targets(arn.to_owned(), targets, options(ctx, Priority::Register))
        .await
        .and_then(lbgate_elbv2::TargetBatchOutcome::into_result)
        .map(drop)
        .map_err(|source| Error::RegisterTargets {
            arn: arn.to_owned(),
            source,
        })
}

/// Deregisters `keys`; `TargetGroupNotFound` means there is nothing left to deregister.
pub(crate) async fn deregister(ctx: &Context, arn: &str, keys: &[TargetKey]) -> Result<(), Error> {
    let targets = to_targets(keys)?;
    let result = ctx
        .elbv2
        .deregister_targets(arn.to_owned(), targets, options(ctx, Priority::Deregister))
        .await
        .and_then(lbgate_elbv2::TargetBatchOutcome::into_result);
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
