//! When a DescribeTargetHealth answer already held for a target group may stand in for a new
//! call. The rule looks at state and time only, never at why a pass runs, so every pass of
//! every binding on the group applies the same rule to the same answer.

use std::time::Duration;

use super::{HealthCheckSettings, PendingTarget, ScheduleConfig, verdict_window};

/// A held answer, as the reuse rule sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeldAnswer {
    /// Time since the call that produced it was sent.
    pub age: Duration,
    /// Whether this process registered or deregistered targets of the group since that call
    /// was sent (or while it was in flight).
    pub mutated_since: bool,
}

/// Whether `held` may stand in for a new DescribeTargetHealth of a group with `settings`.
/// `initial` lists the targets the answer shows in `initial`, with their time since
/// registration when this process registered them.
///
/// Yes only when nothing can have changed what AWS would answer, as far as this process can
/// know: no mutation of ours since the answer, no verdict window of a pending target
/// overlapping the span from the answer to now, and the answer younger than
/// `config.health_max_age` (zero: never). The age bound is what catches changes nobody
/// expects (a healthy target failing its checks): a pass sees them at most that late.
pub fn may_reuse_health(
    settings: &HealthCheckSettings,
    initial: &[PendingTarget],
    held: HeldAnswer,
    config: &ScheduleConfig,
) -> bool {
    if held.mutated_since || held.age >= config.health_max_age {
        return false;
    }
    let window = verdict_window(settings, config);
    initial.iter().all(|target| match target {
        // The answer was taken `age` ago, i.e. at `since - age` after registration; a verdict
        // can surface anywhere in [opens, closes], so the span (since - age, since] must miss it.
        PendingTarget::Initial {
            since_registration: Some(since),
        } => *since < window.opens || *since >= window.closes.saturating_add(held.age),
        // Registered by someone else, or before a restart: no instant is expected; the max
        // age alone bounds how stale its state can be.
        PendingTarget::Initial {
            since_registration: None,
        }
        | PendingTarget::Watching => true,
    })
}

#[cfg(test)]
mod tests;
