//! What this process knows about each target group, shared by every binding on it: its
//! description (reused for a while), the latest DescribeTargetHealth answer, and a count of our
//! RegisterTargets/DeregisterTargets calls so that an answer that overlapped one is never taken
//! for current. Lost on restart by design: the first pass after one simply calls AWS.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use lbgate_core::schedule::HeldAnswer;
use lbgate_core::target::ObservedTarget;
use lbgate_elbv2::TargetGroup;
use tokio::time::Instant;

use super::lock;

/// A group nobody asked about for this long is forgotten.
const IDLE_FORGET: Duration = Duration::from_secs(3600);

/// Every target group's shared knowledge, by ARN.
#[derive(Debug, Default)]
pub struct TargetGroups {
    groups: Mutex<HashMap<String, Group>>,
}

#[derive(Debug)]
struct Group {
    /// The latest DescribeTargetGroups answer and when it came.
    description: Option<(TargetGroup, Instant)>,
    /// Bumped as each of our mutations of the group starts and as it ends.
    mutations: u64,
    /// The latest DescribeTargetHealth answer.
    answer: Option<Answer>,
    /// Last time a pass asked about the group.
    used: Instant,
}

#[derive(Debug)]
struct Answer {
    targets: Vec<ObservedTarget>,
    /// When the call was sent (its age is counted from there).
    sent: Instant,
    /// [`Group::mutations`] when it was sent.
    mutations: u64,
}

/// A DescribeTargetHealth call about to be sent, to be handed back with its answer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sending {
    sent: Instant,
    mutations: u64,
}

impl TargetGroups {
    /// Runs `change` on group `arn`'s entry, creating it, and forgets idle groups.
    fn with<T>(&self, arn: &str, change: impl FnOnce(&mut Group) -> T) -> T {
        let mut groups = lock(&self.groups);
        groups.retain(|_, group| group.used.elapsed() < IDLE_FORGET);
        let group = groups.entry(arn.to_owned()).or_insert_with(|| Group {
            description: None,
            mutations: 0,
            answer: None,
            used: Instant::now(),
        });
        group.used = Instant::now();
        change(group)
    }

    /// The group's description when younger than `ttl`.
    pub(crate) fn description(&self, arn: &str, ttl: Duration) -> Option<TargetGroup> {
        self.with(arn, |group| {
            group
                .description
                .as_ref()
                .filter(|(_, fetched)| fetched.elapsed() < ttl)
                .map(|(description, _)| description.clone())
        })
    }

    /// Keeps a fresh description.
    pub(crate) fn described(&self, arn: &str, description: TargetGroup) {
        self.with(arn, |group| {
            group.description = Some((description, Instant::now()));
        });
    }

    /// The held answer with what the reuse rule needs to know of it.
    pub(crate) fn held(&self, arn: &str) -> Option<(Vec<ObservedTarget>, HeldAnswer)> {
        self.with(arn, |group| {
            let answer = group.answer.as_ref()?;
            let held = HeldAnswer {
                age: answer.sent.elapsed(),
                mutated_since: answer.mutations != group.mutations,
            };
            Some((answer.targets.clone(), held))
        })
    }

    /// A DescribeTargetHealth call is being sent now.
    pub(crate) fn sending(&self, arn: &str) -> Sending {
        self.with(arn, |group| Sending {
            sent: Instant::now(),
            mutations: group.mutations,
        })
    }

    /// Holds the answer to the call announced by `sending`.
    pub(crate) fn answered(&self, arn: &str, sending: Sending, targets: Vec<ObservedTarget>) {
        self.with(arn, |group| {
            group.answer = Some(Answer {
                targets,
                sent: sending.sent,
                mutations: sending.mutations,
            });
        });
    }

    /// A mutation of ours starts (and, called again, ends): no answer sent before or during it
    /// is reused.
    pub(crate) fn mutating(&self, arn: &str) {
        self.with(arn, |group| {
            group.mutations = group.mutations.wrapping_add(1)
        });
    }

    /// Forgets a target group that no longer exists.
    pub(crate) fn forget(&self, arn: &str) {
        lock(&self.groups).remove(arn);
    }
}
