//! [`FakeElbv2`]: an in-memory [`TargetsApi`](lbgate_elbv2::TargetsApi) for tests — target groups and the targets in
//! them, with injected throttling (seeded), scripted failures, per-call latency on the tokio
//! clock, and a log of every call so tests can count attempts. It keeps the rules of AWS that
//! the governor and the controller depend on (chunk limits, error codes), not the health-check
//! lifecycle: registered targets take [`FakeConfig::initial_health`] and stay there unless a
//! test changes them with [`FakeElbv2::set_target_state`].
//!
//! Only the four `TargetsApi` operations are faked. Target groups are set up with
//! [`FakeElbv2::add_target_group`] (or [`FakeElbv2::add_ip_target_group`]), which is not an API
//! call (it is neither logged, throttled
//! nor delayed); the fake has no load balancers, so a describe by load balancer answers
//! `LoadBalancerNotFound`. Everything else ELBv2 does is served by the simulator in
//! `lbgate-sim-elbv2`, over the real SDK.

mod targets;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use lbgate_elbv2::batch::TARGETS_PER_CALL;
use lbgate_elbv2::governor::backoff::JitterRng;
use lbgate_elbv2::{
    CreateTargetGroupSpec, Elbv2Error, Operation, Protocol, Target, TargetGroup, TargetHealthState,
    TargetType,
};

const ARN_PREFIX: &str = "arn:aws:elasticloadbalancing:us-west-2:123456789012";

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
}

impl Default for FakeConfig {
    fn default() -> Self {
        Self {
            throttle_rate: 0.0,
            seed: 1,
            latency: Duration::ZERO,
            initial_health: TargetHealthState::Healthy,
            max_targets_per_call: TARGETS_PER_CALL,
        }
    }
}

/// One call the fake received.
#[derive(Debug, Clone, Copy)]
struct CallRecord {
    operation: Operation,
    /// Answered `Throttling` (injected) instead of doing the work.
    throttled: bool,
}

#[derive(Debug, Clone)]
struct FakeTargetGroup {
    group: TargetGroup,
    targets: BTreeMap<Target, TargetHealthState>,
}

#[derive(Debug)]
struct FakeState {
    config: FakeConfig,
    rng: JitterRng,
    next_id: u64,
    log: Vec<CallRecord>,
    failures: BTreeMap<Operation, VecDeque<Elbv2Error>>,
    largest_target_batch: usize,
    /// By ARN.
    target_groups: BTreeMap<String, FakeTargetGroup>,
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
            })),
        }
    }

    fn state(&self) -> MutexGuard<'_, FakeState> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a target group as `spec` describes it (no defaults filled in) and answers it; a
    /// group of the same name is answered as it is. Test setup, not an API call.
    pub fn add_target_group(&self, spec: CreateTargetGroupSpec) -> TargetGroup {
        let mut state = self.state();
        if let Some(existing) = state
            .target_groups
            .values()
            .find(|tg| tg.group.name == spec.name)
        {
            return existing.group.clone();
        }
        state.next_id += 1;
        let arn = format!(
            "{ARN_PREFIX}:targetgroup/{}/{:016x}",
            spec.name, state.next_id
        );
        let group = TargetGroup {
            arn: arn.clone(),
            name: spec.name,
            protocol: spec.protocol,
            port: spec.port,
            vpc_id: spec.vpc_id,
            target_type: spec.target_type,
            ip_address_type: spec.ip_address_type,
            protocol_version: spec.protocol_version,
            health_check: spec.health_check,
            load_balancer_arns: Vec::new(),
        };
        let entry = FakeTargetGroup {
            group: group.clone(),
            targets: BTreeMap::new(),
        };
        state.target_groups.insert(arn, entry);
        group
    }

    /// Adds an HTTP target group of ip targets on `port`, the kind most tests need.
    pub fn add_ip_target_group(&self, name: &str, port: u16) -> TargetGroup {
        self.add_target_group(CreateTargetGroupSpec {
            name: name.to_owned(),
            protocol: Some(Protocol::Http),
            port: Some(port),
            vpc_id: Some("vpc-0123456789abcdef0".to_owned()),
            target_type: Some(TargetType::Ip),
            ..CreateTargetGroupSpec::default()
        })
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

    /// Calls of `operation` received (throttled and failed ones included).
    pub fn calls(&self, operation: Operation) -> u64 {
        self.count(|r| r.operation == operation)
    }

    /// Calls of `operation` answered with an injected `Throttling`.
    pub fn throttled(&self, operation: Operation) -> u64 {
        self.count(|r| r.operation == operation && r.throttled)
    }

    /// Calls of every operation received.
    pub fn total_calls(&self) -> u64 {
        self.count(|_| true)
    }

    fn count(&self, keep: impl Fn(&CallRecord) -> bool) -> u64 {
        self.state().log.iter().filter(|r| keep(r)).count() as u64
    }

    /// Targets currently registered in a target group (any state).
    pub fn registered_targets(&self, target_group_arn: &str) -> Vec<Target> {
        self.state()
            .target_groups
            .get(target_group_arn)
            .map(|tg| tg.targets.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The largest target list a single register/deregister call carried.
    pub fn largest_target_batch(&self) -> usize {
        self.state().largest_target_batch
    }

    /// Records the call, then answers as configured: a scripted failure, an injected throttle,
    /// or `Ok` (the caller then does the work). Latency is served after the decision so that
    /// state changes happen when the "response" arrives.
    async fn enter(&self, operation: Operation) -> Result<(), Elbv2Error> {
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
                throttled,
            });
            let outcome = match scripted {
                Some(err) => Err(err),
                None if throttled => Err(aws_error(operation, "Throttling", "Rate exceeded")),
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

/// The error AWS would send for `code`.
fn aws_error(operation: Operation, code: &str, message: &str) -> Elbv2Error {
    Elbv2Error::from_aws_code(operation, code, message, Some(400), None)
}

#[cfg(test)]
mod tests;
