//! The next health poll of a live pass: which targets' health matters now, and when to look.
//!
//! The targets are chosen when the pass is planned; the wait is computed when the pass ends
//! ([`PollPlan::wait`]), because a verdict is aimed at the instant RegisterTargets returned,
//! which only the executed pass knows.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::jiff::Timestamp;

use super::memory::{BindingMemory, elapsed};
use crate::schedule::{
    HealthCheckSettings, HealthWait, PendingTarget, ScheduleConfig, next_health_poll,
};
use crate::target::{ObservedTarget, TargetKey, TargetState};

/// Why a target's health matters to the next poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pending {
    /// This pass registers it: its first verdict is due from the registration on.
    Registering,
    /// AWS reports it `initial`.
    Initial,
    /// AWS reports a state whose flip matters (unhealthy, unused, …).
    Watching,
}

/// The poll a live pass leads to.
#[derive(Clone, Debug, PartialEq)]
pub struct PollPlan {
    /// The target group's health-check settings.
    pub settings: HealthCheckSettings,
    /// The targets whose health decides the poll.
    pub pending: BTreeMap<TargetKey, Pending>,
    /// The schedule's tunables.
    pub config: ScheduleConfig,
    /// The jitter seed of this pass.
    pub seed: u64,
}

impl PollPlan {
    /// The wait from `now` (the end of the pass), with registration instants from `memory` as
    /// the executed pass left it.
    pub fn wait(&self, memory: &BindingMemory, now: Timestamp) -> HealthWait {
        let since =
            |target: &TargetKey| memory.registered_at.get(target).map(|at| elapsed(*at, now));
        let pending: Vec<PendingTarget> = self
            .pending
            .iter()
            .map(|(target, why)| match why {
                Pending::Registering => PendingTarget::Initial {
                    since_registration: Some(since(target).unwrap_or(Duration::ZERO)),
                },
                Pending::Initial => PendingTarget::Initial {
                    since_registration: since(target),
                },
                Pending::Watching => PendingTarget::Watching,
            })
            .collect();
        next_health_poll(&self.settings, &pending, &self.config, self.seed)
    }
}

/// Why `target` keeps the next poll close, if it does: it is being registered, or AWS reports it
/// anything but healthy. A target AWS does not list (and that is not being registered) waits for
/// the next pass's answer.
pub(crate) fn pending(registering: bool, observed: Option<&ObservedTarget>) -> Option<Pending> {
    if registering {
        return Some(Pending::Registering);
    }
    match observed?.state {
        TargetState::Healthy => None,
        TargetState::Initial => Some(Pending::Initial),
        _ => Some(Pending::Watching),
    }
}
