//! What every reconcile pass shares: clients, stores, configuration, metrics, the event
//! recorder, and the little state a binding keeps between passes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use k8s_openapi::jiff::Timestamp;
use kube::Client;
use kube::runtime::events::{Recorder, Reporter};
use lbgate_api::consts::EVENT_REPORTING_CONTROLLER;
use lbgate_core::diff::DiffConfig;
use lbgate_core::schedule::{
    DEFAULT_ERROR_BACKOFF_BASE, DEFAULT_ERROR_BACKOFF_CAP, ErrorBackoff, ScheduleConfig,
};
use lbgate_core::target::{ObservedTarget, TargetKey};
use lbgate_elbv2::{Elbv2Api, TargetGroup};
use tokio::time::Instant;

use crate::metrics::Metrics;
use crate::stores::Stores;

/// Tunables of the TargetGroupBinding controller.
#[derive(Clone, Debug)]
pub struct ControllerConfig {
    /// Bindings reconciled at once.
    pub concurrency: u16,
    /// Ownership, make-before-break and circuit-breaker settings.
    pub diff: DiffConfig,
    /// Health-poll schedule.
    pub schedule: ScheduleConfig,
    /// Error backoff of one binding: first ceiling.
    pub error_backoff_base: Duration,
    /// Error backoff of one binding: largest ceiling.
    pub error_backoff_cap: Duration,
    /// Requeue of a binding with bad input (it is woken early by any change to its inputs).
    pub invalid_requeue: Duration,
    /// How long a `DescribeTargetGroups` answer is reused for a binding.
    pub target_group_ttl: Duration,
    /// Bound on one Kubernetes API call.
    pub kube_timeout: Duration,
    /// Bound on one ELBv2 call, retries by the governor included.
    pub aws_timeout: Duration,
    /// How long a pass waits for the stores' first list.
    pub store_sync_timeout: Duration,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        Self {
            concurrency: 3,
            diff: DiffConfig::default(),
            schedule: ScheduleConfig::default(),
            error_backoff_base: DEFAULT_ERROR_BACKOFF_BASE,
            error_backoff_cap: DEFAULT_ERROR_BACKOFF_CAP,
            invalid_requeue: Duration::from_secs(300),
            target_group_ttl: Duration::from_secs(300),
            kube_timeout: Duration::from_secs(15),
            aws_timeout: Duration::from_secs(60),
            store_sync_timeout: Duration::from_secs(60),
        }
    }
}

/// A cached `DescribeTargetGroups` answer.
#[derive(Clone, Debug)]
pub struct CachedTargetGroup {
    pub arn: String,
    pub group: TargetGroup,
    pub fetched: Instant,
}

/// A DescribeTargetHealth answer held for reuse.
#[derive(Clone, Debug)]
pub struct HeldHealth {
    /// Every target of the group, as AWS answered.
    pub targets: Vec<ObservedTarget>,
    /// When the call was sent (its age is counted from there).
    pub sent: Instant,
    /// [`GroupHealth::mutations`] when the call was sent.
    pub mutations: u64,
}

/// What this process knows about one target group's health, shared by every binding on it.
/// Lost on restart by design: the first pass after one simply calls AWS.
#[derive(Clone, Debug)]
pub struct GroupHealth {
    /// Counts our RegisterTargets/DeregisterTargets calls on the group, bumped as each starts
    /// and as it ends, so an answer whose call overlapped one is never taken for current.
    pub mutations: u64,
    /// The latest answer.
    pub answer: Option<HeldHealth>,
    /// When our RegisterTargets of each target returned: its verdict window is counted from
    /// there.
    pub registered: HashMap<TargetKey, Instant>,
    /// Last time a pass asked about the group (idle groups are forgotten).
    pub used: Instant,
}

impl GroupHealth {
    fn new() -> Self {
        Self {
            mutations: 0,
            answer: None,
            registered: HashMap::new(),
            used: Instant::now(),
        }
    }
}

/// A group nobody asked about for this long is forgotten.
const GROUP_IDLE_FORGET: Duration = Duration::from_secs(3600);

/// What one binding remembers between passes. Lost on restart by design: everything that must
/// survive one (ownership) lives in the ledger ConfigMap.
#[derive(Clone, Debug)]
pub struct BindingState {
    /// Consecutive failures of this binding only.
    pub backoff: ErrorBackoff,
    /// The last health wait, so an error never delays a pending poll.
    pub health_wait: Option<Duration>,
    /// The running make-before-break hold.
    pub hold_started: Option<Timestamp>,
    /// When each target was registered by this process.
    pub registered_at: BTreeMap<TargetKey, Timestamp>,
    /// When each target was first seen healthy (until its gate is True).
    pub healthy_at: BTreeMap<TargetKey, Timestamp>,
    /// The target group, cached.
    pub target_group: Option<CachedTargetGroup>,
    /// Our ledger as last read or written; `None` until read.
    pub ledger: Option<BTreeSet<TargetKey>>,
    /// LBC's ledger: `None` until read, `Some(None)` when it does not exist.
    pub lbc_ledger: Option<Option<BTreeSet<TargetKey>>>,
    /// Gates written False, by pod `namespace/name`, with when they went False.
    pub pending_gates: BTreeMap<String, Timestamp>,
    /// Passes so far, mixed into jitter seeds.
    pub passes: u64,
}

impl BindingState {
    fn new(config: &ControllerConfig) -> Self {
        Self {
            backoff: ErrorBackoff::new(config.error_backoff_base, config.error_backoff_cap),
            health_wait: None,
            hold_started: None,
            registered_at: BTreeMap::new(),
            healthy_at: BTreeMap::new(),
            target_group: None,
            ledger: None,
            lbc_ledger: None,
            pending_gates: BTreeMap::new(),
            passes: 0,
        }
    }
}

/// A panic while holding one of these locks cannot leave a map half-written in a way that
/// matters: every entry is a cache that the next pass rebuilds.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Shared by every pass.
pub struct Context {
    pub client: Client,
    pub elbv2: Arc<dyn Elbv2Api>,
    pub stores: Stores,
    pub config: ControllerConfig,
    pub metrics: Metrics,
    pub recorder: Recorder,
    states: Mutex<HashMap<String, BindingState>>,
    groups: Mutex<HashMap<String, GroupHealth>>,
}

impl Context {
    /// A context; the recorder reports as lbgate's controller.
    pub fn new(
        client: Client,
        elbv2: Arc<dyn Elbv2Api>,
        stores: Stores,
        config: ControllerConfig,
        metrics: Metrics,
    ) -> Self {
        let reporter = Reporter {
            controller: EVENT_REPORTING_CONTROLLER.to_owned(),
            instance: std::env::var("POD_NAME").ok(),
        };
        Self {
            recorder: Recorder::new(client.clone(), reporter),
            client,
            elbv2,
            stores,
            config,
            metrics,
            states: Mutex::new(HashMap::new()),
            groups: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, BindingState>> {
        lock(&self.states)
    }

    /// A copy of a binding's state (fresh when unknown).
    pub fn state(&self, key: &str) -> BindingState {
        self.lock()
            .get(key)
            .cloned()
            .unwrap_or_else(|| BindingState::new(&self.config))
    }

    /// Changes a binding's state in place.
    pub fn update_state<T>(&self, key: &str, change: impl FnOnce(&mut BindingState) -> T) -> T {
        let mut states = self.lock();
        let state = states
            .entry(key.to_owned())
            .or_insert_with(|| BindingState::new(&self.config));
        change(state)
    }

    /// Forgets a deleted binding.
    pub fn forget(&self, key: &str) {
        self.lock().remove(key);
    }

    /// A copy of what is known about target group `arn`'s health (fresh when unknown).
    pub fn group(&self, arn: &str) -> GroupHealth {
        lock(&self.groups)
            .get(arn)
            .cloned()
            .unwrap_or_else(GroupHealth::new)
    }

    /// Changes what is known about target group `arn`'s health in place, and forgets groups
    /// idle for an hour.
    pub fn update_group<T>(&self, arn: &str, change: impl FnOnce(&mut GroupHealth) -> T) -> T {
        let mut groups = lock(&self.groups);
        groups.retain(|_, group| group.used.elapsed() < GROUP_IDLE_FORGET);
        let group = groups
            .entry(arn.to_owned())
            .or_insert_with(GroupHealth::new);
        group.used = Instant::now();
        change(group)
    }

    /// Forgets a target group that no longer exists.
    pub fn forget_group(&self, arn: &str) {
        lock(&self.groups).remove(arn);
    }

    /// Ages of every pending gate of every binding, for the gauge.
    pub fn pending_gate_ages(&self, now: Timestamp) -> Vec<Duration> {
        self.lock()
            .values()
            .flat_map(|state| state.pending_gates.values())
            .map(|since| {
                let millis = now.as_millisecond().saturating_sub(since.as_millisecond());
                Duration::from_millis(u64::try_from(millis).unwrap_or(0))
            })
            .collect()
    }
}
