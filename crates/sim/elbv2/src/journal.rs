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
mod tests {
    use super::*;

    fn params(text: &str) -> Params {
        Params::parse(text.as_bytes())
    }

    #[test]
    fn target_calls_are_kept_with_their_targets_and_outcome() {
        let journal = Journal::default();
        let register = params(
            "Action=RegisterTargets&TargetGroupArn=tg-a&Targets.member.1.Id=10.0.1.5&\
             Targets.member.1.Port=8080&Targets.member.2.Id=10.0.1.6&Targets.member.2.Port=8080",
        );
        journal.record(&register, &Ok(()), Duration::from_secs(3));
        journal.record(
            &register,
            &Err::<(), _>(ApiError::new(400, "Throttling", "Rate exceeded")),
            Duration::from_secs(4),
        );
        let deregister =
            params("Action=DeregisterTargets&TargetGroupArn=tg-a&Targets.member.1.Id=i-0abc");
        journal.record(&deregister, &Ok(()), Duration::from_secs(5));
        let health = params("Action=DescribeTargetHealth&TargetGroupArn=tg-a");
        journal.record(&health, &Ok(()), Duration::from_secs(6));

        let calls = journal.calls();
        assert_eq!(calls.len(), 3, "DescribeTargetHealth is not journaled");
        assert_eq!(calls[0].targets, ["10.0.1.5:8080", "10.0.1.6:8080"]);
        assert_eq!(calls[0].at, Duration::from_secs(3));
        assert_eq!(calls[1].error.as_deref(), Some("Throttling"));
        assert_eq!(calls[2].targets, ["i-0abc"]);
        assert_eq!(
            journal.successes("RegisterTargets", "tg-a"),
            BTreeMap::from([("10.0.1.5:8080".into(), 1), ("10.0.1.6:8080".into(), 1)]),
            "the throttled call registered nothing"
        );
        assert!(journal.successes("RegisterTargets", "tg-b").is_empty());
    }

    #[tokio::test]
    async fn the_request_pipeline_journals_what_it_serves() {
        let config = super::super::SimConfig::default();
        let clock: std::sync::Arc<dyn lbgate_sim_clock::Clock> =
            std::sync::Arc::new(lbgate_sim_clock::ScaledClock::new(1.0));
        let shared = super::super::service::Shared::new(&config, clock);
        let vpc = shared
            .state
            .with_model(|m, _| m.default_vpc().map(|v| v.id.clone()))
            .unwrap();
        shared
            .handle(&params(&format!(
                "Action=CreateTargetGroup&Version=2015-12-01&Name=web&Protocol=HTTP&Port=80&\
                 TargetType=ip&VpcId={vpc}"
            )))
            .await
            .unwrap();
        let arn = shared.state.target_group_arns().remove(0);
        let register = params(&format!(
            "Action=RegisterTargets&Version=2015-12-01&TargetGroupArn={arn}&\
             Targets.member.1.Id=10.0.1.5&Targets.member.1.Port=8080"
        ));
        shared.handle(&register).await.unwrap();
        shared.handle(&register).await.unwrap();
        let unknown = params(&format!(
            "Action=RegisterTargets&Version=2015-12-01&TargetGroupArn={arn}-gone&\
             Targets.member.1.Id=10.0.1.6&Targets.member.1.Port=8080"
        ));
        assert!(shared.handle(&unknown).await.is_err());

        let journal = shared.journal();
        assert_eq!(
            journal.calls().len(),
            3,
            "CreateTargetGroup is not journaled"
        );
        assert_eq!(
            journal.successes("RegisterTargets", &arn),
            BTreeMap::from([("10.0.1.5:8080".into(), 2)]),
            "a second registration is a no-op in the model but counts here"
        );
        assert!(journal.calls()[2].error.is_some());
    }
}
