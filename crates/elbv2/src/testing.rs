//! An in-memory [`crate::Elbv2Api`] for tests (feature `testing`): target groups, targets,
//! attributes, tags, load balancers, listeners and rules, with injected throttling (seeded),
//! scripted failures, per-call latency on the tokio clock, and a log of every call so tests can
//! count attempts and measure effective call rates. It keeps AWS's observable rules that the
//! governor and callers depend on (chunk limits, error codes), not the health-check lifecycle:
//! registered targets take `FakeConfig::initial_health` and stay there unless a test changes
//! them.

mod groups;
mod ops;
mod wiring;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use crate::batch::TARGETS_PER_CALL;
use crate::error::Elbv2Error;
use crate::governor::backoff::JitterRng;
use crate::operation::Operation;
use crate::types::{
    Listener, LoadBalancer, LoadBalancerState, LoadBalancerType, Rule, Target, TargetGroup,
    TargetHealthState,
};

/// Knobs of the fake.
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// Probability that a call answers `Throttling` (and does nothing).
    pub throttle_rate: f64,
    /// Seed of the throttling dice.
    pub seed: u64,
    /// Added to every call, on the tokio clock.
    pub latency: Duration,
    /// State newly registered targets report.
    pub initial_health: TargetHealthState,
    /// Largest target list one register/deregister call may carry; bigger ones fail with
    /// `ValidationError`, so a caller that forgets to chunk is caught.
    pub max_targets_per_call: usize,
    pub region: String,
    pub account_id: String,
}

impl Default for FakeConfig {
    fn default() -> Self {
        Self {
            throttle_rate: 0.0,
            seed: 1,
            latency: Duration::ZERO,
            initial_health: TargetHealthState::Healthy,
            max_targets_per_call: TARGETS_PER_CALL,
            region: "us-west-2".into(),
            account_id: "123456789012".into(),
        }
    }
}

/// One call the fake received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    pub operation: Operation,
    pub at: Instant,
    /// Answered `Throttling` (injected) instead of doing the work.
    pub throttled: bool,
    /// Answered with a scripted failure.
    pub failed: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct FakeTargetGroup {
    pub(crate) group: TargetGroup,
    pub(crate) targets: BTreeMap<Target, TargetHealthState>,
    pub(crate) attributes: BTreeMap<String, String>,
}

#[derive(Debug)]
pub(crate) struct FakeState {
    pub(crate) config: FakeConfig,
    rng: JitterRng,
    next_id: u64,
    log: Vec<CallRecord>,
    failures: BTreeMap<Operation, VecDeque<Elbv2Error>>,
    largest_target_batch: usize,
    pub(crate) target_groups: BTreeMap<String, FakeTargetGroup>,
    pub(crate) tags: BTreeMap<String, BTreeMap<String, String>>,
    pub(crate) load_balancers: BTreeMap<String, LoadBalancer>,
    pub(crate) listeners: BTreeMap<String, Listener>,
    /// Rule ARN → (listener ARN, rule).
    pub(crate) rules: BTreeMap<String, (String, Rule)>,
}

impl FakeState {
    /// A fresh ARN of `kind` (e.g. `targetgroup/name`) with a 16-hex-digit suffix like AWS's.
    pub(crate) fn arn(&mut self, kind: &str) -> String {
        self.next_id += 1;
        format!(
            "arn:aws:elasticloadbalancing:{}:{}:{kind}/{:016x}",
            self.config.region, self.config.account_id, self.next_id
        )
    }

    pub(crate) fn note_target_batch(&mut self, size: usize) {
        self.largest_target_batch = self.largest_target_batch.max(size);
    }

    /// Recomputes every target group's `load_balancer_arns` from listeners and rules.
    pub(crate) fn relink(&mut self) {
        let mut users: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let rule_actions = self
            .rules
            .values()
            .map(|(listener, rule)| (listener, &rule.actions));
        let listener_actions = self
            .listeners
            .values()
            .map(|l| (&l.arn, &l.default_actions));
        for (listener_arn, actions) in listener_actions.chain(rule_actions) {
            let Some(lb) = self
                .listeners
                .get(listener_arn.as_str())
                .and_then(|l| l.load_balancer_arn.clone())
            else {
                continue;
            };
            for action in actions {
                if let crate::types::Action::Forward { target_groups, .. } = action {
                    for tg in target_groups {
                        let list = users.entry(tg.arn.clone()).or_default();
                        if !list.contains(&lb) {
                            list.push(lb.clone());
                        }
                    }
                }
            }
        }
        for (arn, tg) in &mut self.target_groups {
            tg.group.load_balancer_arns = users.remove(arn).unwrap_or_default();
        }
    }
}

/// The fake. Clones share state, so a test can keep one handle and give another to the code
/// under test.
#[derive(Debug, Clone)]
pub struct FakeElbv2 {
    shared: Arc<Mutex<FakeState>>,
}

impl Default for FakeElbv2 {
    fn default() -> Self {
        Self::new(FakeConfig::default())
    }
}

impl FakeElbv2 {
    pub fn new(config: FakeConfig) -> Self {
        Self {
            shared: Arc::new(Mutex::new(FakeState {
                rng: JitterRng::new(config.seed),
                config,
                next_id: 0,
                log: Vec::new(),
                failures: BTreeMap::new(),
                largest_target_batch: 0,
                target_groups: BTreeMap::new(),
                tags: BTreeMap::new(),
                load_balancers: BTreeMap::new(),
                listeners: BTreeMap::new(),
                rules: BTreeMap::new(),
            })),
        }
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, FakeState> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn set_throttle_rate(&self, rate: f64) {
        self.state().config.throttle_rate = rate;
    }

    pub fn set_latency(&self, latency: Duration) {
        self.state().config.latency = latency;
    }

    /// The next `times` calls of `operation` fail with `error` (before any throttle dice).
    pub fn fail_next(&self, operation: Operation, error: Elbv2Error, times: usize) {
        let mut state = self.state();
        let queue = state.failures.entry(operation).or_default();
        queue.extend(std::iter::repeat_n(error, times));
    }

    /// Every call received, in order.
    pub fn call_log(&self) -> Vec<CallRecord> {
        self.state().log.clone()
    }

    /// Calls of `operation` received (throttled and failed ones included).
    pub fn calls(&self, operation: Operation) -> u64 {
        self.count(|r| r.operation == operation)
    }

    /// Calls of `operation` answered with an injected `Throttling`.
    pub fn throttled(&self, operation: Operation) -> u64 {
        self.count(|r| r.operation == operation && r.throttled)
    }

    pub fn total_calls(&self) -> u64 {
        self.count(|_| true)
    }

    pub fn total_throttled(&self) -> u64 {
        self.count(|r| r.throttled)
    }

    fn count(&self, keep: impl Fn(&CallRecord) -> bool) -> u64 {
        self.state().log.iter().filter(|r| keep(r)).count() as u64
    }

    /// The largest target list a single register/deregister call carried.
    pub fn largest_target_batch(&self) -> usize {
        self.state().largest_target_batch
    }

    /// Targets currently registered in a target group (any state).
    pub fn registered_targets(&self, target_group_arn: &str) -> Vec<Target> {
        self.state()
            .target_groups
            .get(target_group_arn)
            .map(|tg| tg.targets.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Forces the reported state of a registered target.
    pub fn set_target_state(
        &self,
        target_group_arn: &str,
        target: &Target,
        state: TargetHealthState,
    ) {
        if let Some(tg) = self.state().target_groups.get_mut(target_group_arn)
            && let Some(current) = tg.targets.get_mut(target)
        {
            *current = state;
        }
    }

    /// Adds an active application load balancer (lbgate never creates load balancers).
    pub fn add_load_balancer(&self, name: &str) -> LoadBalancer {
        let mut state = self.state();
        let arn = state.arn(&format!("loadbalancer/app/{name}"));
        let lb = LoadBalancer {
            arn: arn.clone(),
            name: name.to_owned(),
            lb_type: Some(LoadBalancerType::Application),
            dns_name: Some(format!(
                "{name}-1.{}.elb.amazonaws.com",
                state.config.region
            )),
            state: Some(LoadBalancerState::Active),
            vpc_id: Some("vpc-fake".into()),
        };
        state.load_balancers.insert(arn, lb.clone());
        lb
    }

    /// Records the call, then answers as configured: a scripted failure, an injected throttle,
    /// or `Ok` (the caller then does the work). Latency is served after the decision so that
    /// state changes happen when the "response" arrives.
    pub(crate) async fn enter(&self, operation: Operation) -> Result<(), Elbv2Error> {
        let (outcome, latency) = {
            let mut state = self.state();
            let scripted = state
                .failures
                .get_mut(&operation)
                .and_then(VecDeque::pop_front);
            let throttle_rate = state.config.throttle_rate;
            let throttled =
                scripted.is_none() && throttle_rate > 0.0 && state.rng.next_unit() < throttle_rate;
            state.log.push(CallRecord {
                operation,
                at: Instant::now(),
                throttled,
                failed: scripted.is_some(),
            });
            let outcome = match scripted {
                Some(err) => Err(err),
                None if throttled => Err(Elbv2Error::from_aws_code(
                    operation,
                    "Throttling",
                    "Rate exceeded",
                    Some(400),
                    None,
                )),
                None => Ok(()),
            };
            (outcome, state.config.latency)
        };
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        outcome
    }
}

/// Builds the error AWS would send for `code` from inside the fake.
pub(crate) fn aws_error(
    operation: Operation,
    code: &str,
    message: impl Into<String>,
) -> Elbv2Error {
    Elbv2Error::from_aws_code(operation, code, message, Some(400), None)
}
