//! The sync plan of one pass: what to register, what to deregister, and what to leave alone.
//!
//! Four rules shape it, in this order:
//! 1. **Ownership**: only targets this binding owns are ever deregistered. It owns what its
//!    ledger records, what LBC's multi-cluster ledger records, and (outside multi-cluster mode)
//!    targets on an address of its own endpoints, which adopts LBC's targets at switch-over.
//! 2. **Make-before-break**: while some desired target is not yet healthy, a surplus target whose
//!    pod or node still serves is held, for at most the hold timeout from when the hold began.
//!    Targets of pods being deleted or gone are never held.
//! 3. **Circuit breaker**: one pass deregisters at most a share of the group's healthy targets and
//!    never the last healthy one, unless the binding is being deleted.
//! 4. Registrations come before deregistrations.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use k8s_openapi::jiff::Timestamp;

use crate::target::{ObservedTarget, TargetKey, TargetState};

/// Default share of a group's healthy targets one pass may deregister.
pub const DEFAULT_MAX_DEREGISTER_SHARE: f64 = 0.5;
/// Default longest make-before-break hold.
pub const DEFAULT_HOLD_TIMEOUT: Duration = Duration::from_secs(300);

/// Tunables of the diff.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DiffConfig {
    /// Share (0–1) of the group's healthy targets one pass may deregister.
    pub max_deregister_share: f64,
    /// Longest time surplus targets are held for make-before-break.
    pub hold_timeout: Duration,
}

impl Default for DiffConfig {
    fn default() -> Self {
        Self {
            max_deregister_share: DEFAULT_MAX_DEREGISTER_SHARE,
            hold_timeout: DEFAULT_HOLD_TIMEOUT,
        }
    }
}

/// Everything the diff reads.
#[derive(Clone, Copy, Debug)]
pub struct DiffInput<'a> {
    /// Targets the binding wants registered (ignored while it is being deleted).
    pub desired: &'a BTreeSet<TargetKey>,
    /// The target group as one `DescribeTargetHealth` saw it.
    pub observed: &'a [ObservedTarget],
    /// Our ledger for this binding.
    pub ledger: &'a BTreeSet<TargetKey>,
    /// LBC's multi-cluster ledger, when its ConfigMap exists.
    pub lbc_ledger: Option<&'a BTreeSet<TargetKey>>,
    /// IDs a target of this binding may carry: outside multi-cluster mode the target group is
    /// this binding's alone (see `validate`), so any target on one of these is ours to adopt.
    /// Ip mode: the endpoint addresses (`DesiredIpTargets::own_addresses`), plus the cluster's pod
    /// IPs if known. Instance mode: the instance IDs of the cluster's nodes.
    pub own_addresses: &'a BTreeSet<String>,
    /// IDs whose pod or node still serves (`endpoints::serving_pod_ips`,
    /// `instance::serving_instance_ids`); only their targets are ever held.
    pub serving_ids: &'a BTreeSet<String>,
    /// `spec.multiClusterTargetGroup`: other clusters share the group, so only ledgers prove
    /// ownership.
    pub multi_cluster: bool,
    /// The binding has a deletionTimestamp: deregister every owned target, no hold, no breaker.
    pub deleting: bool,
    /// When the current make-before-break hold began, if one is running.
    pub hold_started: Option<Timestamp>,
    /// Now.
    pub now: Timestamp,
}

/// A running make-before-break hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hold {
    /// When it began; feed it back as [`DiffInput::hold_started`].
    pub started: Timestamp,
    /// The hold timeout has passed, so the surplus is deregistered anyway.
    pub expired: bool,
}

/// Numbers of a tripped circuit breaker, for the condition and the Event.
#[derive(Clone, Debug, PartialEq)]
pub struct BreakerTrip {
    /// Healthy targets in the group before this pass.
    pub healthy_total: usize,
    /// The configured share.
    pub max_share: f64,
    /// Healthy targets this pass may deregister.
    pub allowed: usize,
    /// Healthy targets this pass wanted to deregister.
    pub wanted: usize,
    /// The healthy targets kept back.
    pub held_back: Vec<TargetKey>,
}

/// One ordered step of a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncStep {
    /// Register these targets.
    Register(Vec<TargetKey>),
    /// Deregister these targets.
    Deregister(Vec<TargetKey>),
}

/// The result of [`plan_sync`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SyncPlan {
    /// Desired targets not registered (draining ones included: they come back).
    pub register: Vec<TargetKey>,
    /// Owned surplus targets to deregister now.
    pub deregister: Vec<TargetKey>,
    /// Owned surplus targets kept for make-before-break.
    pub held: Vec<TargetKey>,
    /// Surplus targets this binding does not own; never touched.
    pub foreign: Vec<TargetKey>,
    /// The make-before-break hold, while one runs.
    pub hold: Option<Hold>,
    /// Set when the circuit breaker capped the deregistrations.
    pub breaker: Option<BreakerTrip>,
    /// Ledger to persist before any AWS call (a superset of what the pass may leave registered).
    pub ledger_before: BTreeSet<TargetKey>,
    /// Ledger to persist once the pass's calls succeeded.
    pub ledger_after: BTreeSet<TargetKey>,
}

impl SyncPlan {
    /// The calls to make, registrations first.
    pub fn steps(&self) -> Vec<SyncStep> {
        let mut steps = Vec::new();
        if !self.register.is_empty() {
            steps.push(SyncStep::Register(self.register.clone()));
        }
        if !self.deregister.is_empty() {
            steps.push(SyncStep::Deregister(self.deregister.clone()));
        }
        steps
    }

    /// Whether the pass makes no AWS call.
    pub fn is_noop(&self) -> bool {
        self.register.is_empty() && self.deregister.is_empty()
    }
}

/// What proves a binding owns a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// Our ledger records it.
    Ledger,
    /// LBC's multi-cluster ledger records it.
    LbcLedger,
    /// It sits on one of [`DiffInput::own_addresses`], in a target group that is this binding's
    /// alone (not multi-cluster).
    OwnAddress,
}

/// What proves the binding of `input` owns `key`, if anything does (rule 1 of the module notes).
pub fn owner_of(input: &DiffInput<'_>, key: &TargetKey) -> Option<Owner> {
    if input.ledger.contains(key) {
        Some(Owner::Ledger)
    } else if input.lbc_ledger.is_some_and(|ledger| ledger.contains(key)) {
        Some(Owner::LbcLedger)
    } else if !input.multi_cluster && input.own_addresses.contains(&key.id) {
        Some(Owner::OwnAddress)
    } else {
        None
    }
}

/// Computes the sync plan of one pass.
pub fn plan_sync(input: DiffInput<'_>, config: DiffConfig) -> SyncPlan {
    let empty = BTreeSet::new();
    let desired = if input.deleting {
        &empty
    } else {
        input.desired
    };
    let mut registered: BTreeMap<&TargetKey, &ObservedTarget> = BTreeMap::new();
    for target in input.observed.iter().filter(|t| t.is_registered()) {
        registered.entry(&target.key).or_insert(target);
    }

    let register: Vec<TargetKey> = desired
        .iter()
        .filter(|key| !registered.contains_key(key))
        .cloned()
        .collect();

    let owns = |key: &TargetKey| owner_of(&input, key).is_some();
    let (mut candidates, foreign): (Vec<&TargetKey>, Vec<&TargetKey>) = registered
        .keys()
        .copied()
        .filter(|key| !desired.contains(*key))
        .partition(|key| owns(key));
    let owned_surplus: Vec<TargetKey> = candidates.iter().map(|key| (*key).clone()).collect();

    let mut plan = SyncPlan {
        register,
        foreign: foreign.into_iter().cloned().collect(),
        ..SyncPlan::default()
    };

    if !input.deleting {
        let pending = desired.iter().any(|key| {
            registered
                .get(key)
                .is_none_or(|target| target.state != TargetState::Healthy)
        });
        let holdable: Vec<&TargetKey> = candidates
            .iter()
            .copied()
            .filter(|key| input.serving_ids.contains(&key.id))
            .collect();
        if pending && !holdable.is_empty() {
            let started = input.hold_started.unwrap_or(input.now);
            let elapsed_ms = input
                .now
                .as_millisecond()
                .saturating_sub(started.as_millisecond());
            let timeout_ms = i64::try_from(config.hold_timeout.as_millis()).unwrap_or(i64::MAX);
            let expired = elapsed_ms >= timeout_ms;
            plan.hold = Some(Hold { started, expired });
            if !expired {
                candidates.retain(|key| !holdable.contains(key));
                plan.held = holdable.into_iter().cloned().collect();
            }
        }
        cap_healthy_deregistrations(&mut candidates, &mut plan, &registered, &input, config);
    }

    plan.deregister = candidates.into_iter().cloned().collect();
    plan.deregister.sort();

    let deregistered: BTreeSet<&TargetKey> = plan.deregister.iter().collect();
    plan.ledger_after = desired
        .iter()
        .chain(owned_surplus.iter())
        .filter(|key| !deregistered.contains(key))
        .cloned()
        .collect();
    plan.ledger_before = input
        .ledger
        .iter()
        .chain(desired.iter())
        .chain(owned_surplus.iter())
        .cloned()
        .collect();
    plan
}

fn cap_healthy_deregistrations(
    candidates: &mut Vec<&TargetKey>,
    plan: &mut SyncPlan,
    registered: &BTreeMap<&TargetKey, &ObservedTarget>,
    input: &DiffInput<'_>,
    config: DiffConfig,
) {
    let is_healthy = |key: &TargetKey| registered.get(key).is_some_and(|t| t.is_healthy());
    let healthy_total = registered.values().filter(|t| t.is_healthy()).count();
    let (mut healthy, unhealthy): (Vec<&TargetKey>, Vec<&TargetKey>) =
        candidates.iter().copied().partition(|key| is_healthy(key));
    let share = if config.max_deregister_share.is_finite() {
        config.max_deregister_share.clamp(0.0, 1.0)
    } else {
        DEFAULT_MAX_DEREGISTER_SHARE
    };
    let allowed = allowed_healthy_deregistrations(healthy_total, share);
    if healthy.len() <= allowed {
        return;
    }
    // Targets whose pod or node no longer serves go first: they are leaving either way.
    healthy.sort_by_key(|key| (input.serving_ids.contains(&key.id), (*key).clone()));
    let held_back = healthy.split_off(allowed);
    plan.breaker = Some(BreakerTrip {
        healthy_total,
        max_share: share,
        allowed,
        wanted: healthy.len() + held_back.len(),
        held_back: held_back.into_iter().cloned().collect(),
    });
    *candidates = unhealthy.into_iter().chain(healthy).collect();
}

/// At least one per pass so a small share never stalls, never the last healthy target.
fn allowed_healthy_deregistrations(healthy_total: usize, share: f64) -> usize {
    if healthy_total == 0 {
        return 0;
    }
    // share is clamped to 0..=1, so the product stays within 0..=healthy_total.
    let by_share = (share * healthy_total as f64).floor() as usize;
    by_share.max(1).min(healthy_total - 1)
}

#[cfg(test)]
mod tests;
