//! A journal of the calls that change a target group's membership (RegisterTargets and
//! DeregisterTargets), with the targets each named and how it ended.
//!
//! The model cannot answer "how many times was this target registered": registering a target
//! that is already registered changes nothing, exactly as in AWS. Scenarios that prove a
//! controller never registers a target twice (a restart, a retry after throttling) read it here.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use super::errors::ApiError;
use super::query::Params;

/// Actions the journal keeps.
const JOURNALED: [&str; 2] = ["RegisterTargets", "DeregisterTargets"];
/// Oldest entries are dropped beyond this many, so a long benchmark cannot grow it unbounded.
const CAPACITY: usize = 100_000;

/// One journaled call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetCall {
    /// Simulated time the call was answered.
    pub at: Duration,
    pub action: String,
    pub target_group_arn: String,
    /// `id:port`, or `id` when the call named no port, in the order sent.
    pub targets: Vec<String>,
    /// The error code answered (`Throttling`, …); `None` when the call succeeded.
    pub error: Option<String>,
}

impl TargetCall {
    pub fn succeeded(&self) -> bool {
        self.error.is_none()
    }
}

/// The journal of one simulator.
#[derive(Debug, Default)]
pub struct Journal {
    calls: Mutex<VecDeque<TargetCall>>,
}

impl Journal {
    /// Keeps the call when its action is journaled; every other call is ignored.
    pub(super) fn record<T>(&self, params: &Params, result: &Result<T, ApiError>, at: Duration) {
        let Some(action) = params.get("Action").filter(|a| JOURNALED.contains(a)) else {
            return;
        };
        let targets = params
            .members("Targets")
            .iter()
            .map(|member| {
                let id = member.get("Id").unwrap_or_default();
                match member.get("Port") {
                    Some(port) => format!("{id}:{port}"),
                    None => id.to_owned(),
                }
            })
            .collect();
        let call = TargetCall {
            at,
            action: action.to_owned(),
            target_group_arn: params.get("TargetGroupArn").unwrap_or_default().to_owned(),
            targets,
            error: result.as_ref().err().map(|e| e.code.clone()),
        };
        let mut calls = self.lock();
        if calls.len() >= CAPACITY {
            calls.pop_front();
        }
        calls.push_back(call);
    }

    /// Every journaled call, oldest first.
    pub fn calls(&self) -> Vec<TargetCall> {
        self.lock().iter().cloned().collect()
    }

    /// Per target, how many successful calls of `action` named it in `target_group_arn`.
    pub fn successes(&self, action: &str, target_group_arn: &str) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for call in self.lock().iter().filter(|c| {
            c.succeeded() && c.action == action && c.target_group_arn == target_group_arn
        }) {
            for target in &call.targets {
                *counts.entry(target.clone()).or_insert(0) += 1;
            }
        }
        counts
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<TargetCall>> {
        // Every critical section is one queue operation: a poisoned lock holds a whole queue.
        self.calls
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests;
