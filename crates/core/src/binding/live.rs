//! A live pass with good input: the sync plan (registrations first, then deregistrations of
//! owned surplus targets, each with its guard), the ledger writes around them, every gated
//! pod's condition, the status, and the targets that decide the next poll.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use lbgate_api::consts::{
    EVENT_REASON_CIRCUIT_BREAKER_TRIPPED, EVENT_REASON_DEREGISTERED_TARGETS,
    EVENT_REASON_REGISTERED_TARGETS,
};
use lbgate_api::v1beta1::TargetType;

use super::memory::{BindingMemory, elapsed};
use super::poll::{self, PollPlan};
use super::wanted::Wanted;
use super::{
    Allowed, BindingEvent, Deregistration, GatePhase, GateWrite, Guard, NextPass, PassInput,
    PassKind, PassPlan, Step, TargetsView, batch_event, binding_id, first_steps,
};
use crate::diff::{DiffInput, Hold, SyncPlan, owner_of, plan_sync};
use crate::endpoints::PodRef;
use crate::gates::{GateSource, carries_gate, decide_gate};
use crate::schedule::HealthCheckSettings;
use crate::status::{binding_status, breaker_message, status_changed, target_counts};
use crate::target::{ObservedTarget, TargetKey};
use crate::validate::TargetGroupFacts;

/// What a live pass found out before planning.
pub(crate) struct Found<'a> {
    /// The target group.
    pub facts: TargetGroupFacts<'a>,
    /// The binding's target type.
    pub mode: TargetType,
    /// Its readiness-gate condition type.
    pub gate: &'a str,
    /// What it wants registered.
    pub wanted: Wanted,
    /// The group's targets and our ledgers.
    pub targets: TargetsView<'a>,
}

/// Plans a live pass.
pub(crate) fn plan(input: &PassInput<'_>, found: Found<'_>) -> PassPlan {
    let binding = input.binding;
    let now = input.now;
    let mut memory = input.memory.clone();
    memory.ledger = Some(found.targets.ledger.clone());
    memory.lbc_ledger = Some(found.targets.lbc_ledger.cloned());
    let desired = found.wanted.keys();
    let diff = DiffInput {
        desired: &desired,
        observed: found.targets.observed,
        ledger: found.targets.ledger,
        lbc_ledger: found.targets.lbc_ledger,
        own_addresses: &found.wanted.own_addresses,
        serving_ids: &found.wanted.serving_ids,
        multi_cluster: binding.spec.multi_cluster_target_group,
        deleting: false,
        hold_started: memory.hold_started,
        now,
    };
    let sync = plan_sync(diff, input.config.diff);
    memory.hold_started = sync.hold.map(|hold| hold.started);

    let mut steps = first_steps(binding);
    if let Some(trip) = &sync.breaker {
        steps.push(Step::Event(BindingEvent {
            warning: true,
            reason: EVENT_REASON_CIRCUIT_BREAKER_TRIPPED,
            action: "Deregister",
            note: breaker_message(trip),
        }));
    }
    steps.extend(target_steps(&sync, &diff, found.targets.ledger));

    let seen = Seen {
        pods: PodIndex::new(input.cluster.pods),
        observed: found
            .targets
            .observed
            .iter()
            .map(|target| (&target.key, target))
            .collect(),
        registering: sync.register.iter().collect(),
    };
    let mut phases = Vec::new();
    if found.mode == TargetType::Ip {
        let gates = plan_gates(&found, &seen, &mut memory, now);
        steps.extend(gates.writes.into_iter().map(Step::WriteGate));
        phases = gates.phases;
    }

    let counts = target_counts(
        desired.len(),
        found
            .targets
            .observed
            .iter()
            .filter(|t| desired.contains(&t.key) || sync.ledger_after.contains(&t.key)),
    );
    let status = binding_status(
        binding,
        &[],
        sync.breaker.as_ref(),
        Some(counts),
        &Time(now),
    );
    if status_changed(binding, &status) {
        steps.push(Step::WriteStatus(Box::new(status)));
    }

    let watch_all =
        sync.hold.is_some() || sync.breaker.is_some() || found.mode == TargetType::Instance;
    let pending = found
        .wanted
        .targets
        .iter()
        .filter_map(|(target, pod_ref)| {
            let registering = seen.registering.contains(target);
            let gated = pod_ref
                .as_ref()
                .and_then(|pod_ref| seen.pods.get(pod_ref))
                .is_some_and(|pod| carries_gate(pod, found.gate));
            if !(watch_all || gated || registering) {
                return None;
            }
            let why = poll::pending(registering, seen.observed.get(target).copied())?;
            Some((target.clone(), why))
        })
        .collect();
    let seed = memory.next_seed(&binding_id(binding));
    PassPlan {
        kind: PassKind::Synced,
        steps,
        memory,
        problems: Vec::new(),
        phases,
        counts: Some(counts),
        breaker: sync.breaker.clone(),
        next: NextPass::Health(PollPlan {
            settings: HealthCheckSettings::of(&found.facts),
            pending,
            config: input.config.schedule,
            seed,
        }),
    }
}

/// The AWS calls of a sync plan and the ledger writes around them: ownership is recorded before
/// AWS can hold a target we might forget we registered, and trimmed once the calls succeeded. A
/// pass that calls AWS for nothing writes nothing.
fn target_steps(sync: &SyncPlan, diff: &DiffInput<'_>, ledger: &BTreeSet<TargetKey>) -> Vec<Step> {
    let mut steps = Vec::new();
    if sync.is_noop() {
        return steps;
    }
    if sync.ledger_before != *ledger {
        steps.push(Step::WriteLedger(sync.ledger_before.clone()));
    }
    if !sync.register.is_empty() {
        steps.push(Step::Register(sync.register.clone()));
        steps.push(Step::Event(batch_event(
            EVENT_REASON_REGISTERED_TARGETS,
            "Register",
            "registered",
            &sync.register,
        )));
    }
    let deregistrations = guarded(&sync.deregister, diff, sync.hold);
    if !deregistrations.is_empty() {
        let targets: Vec<TargetKey> = deregistrations.iter().map(|d| d.target.clone()).collect();
        steps.push(Step::Deregister(deregistrations));
        steps.push(Step::Event(batch_event(
            EVENT_REASON_DEREGISTERED_TARGETS,
            "Deregister",
            "deregistered",
            &targets,
        )));
    }
    if sync.ledger_after != sync.ledger_before {
        steps.push(Step::WriteLedger(sync.ledger_after.clone()));
    }
    steps
}

/// Each target the diff deregisters, with what allowed it. A target for which no guard can be
/// given is left registered: a deregistration nothing vouches for never happens.
pub(crate) fn guarded(
    targets: &[TargetKey],
    diff: &DiffInput<'_>,
    hold: Option<Hold>,
) -> Vec<Deregistration> {
    let healthy: BTreeSet<&TargetKey> = diff
        .observed
        .iter()
        .filter(|t| t.is_registered() && t.is_healthy())
        .map(|t| &t.key)
        .collect();
    targets
        .iter()
        .filter_map(|target| {
            let owner = owner_of(diff, target)?;
            let allowed = if diff.deleting {
                Allowed::BindingDeleted
            } else if diff.desired.contains(target) {
                return None;
            } else if !diff.serving_ids.contains(&target.id) {
                Allowed::NotServing
            } else if hold.is_some_and(|hold| hold.expired) {
                Allowed::HoldExpired
            } else if hold.is_none() {
                Allowed::Replaced
            } else {
                return None;
            };
            Some(Deregistration {
                target: target.clone(),
                guard: Guard {
                    owner,
                    allowed,
                    healthy: healthy.contains(target),
                },
            })
        })
        .collect()
}

/// The pods of the namespace by name and UID, as desired targets name them.
struct PodIndex<'a>(BTreeMap<(&'a str, &'a str), &'a Pod>);

impl<'a> PodIndex<'a> {
    fn new(pods: &'a [Pod]) -> Self {
        Self(
            pods.iter()
                .filter_map(|pod| {
                    let name = pod.metadata.name.as_deref()?;
                    let uid = pod.metadata.uid.as_deref().unwrap_or_default();
                    Some(((name, uid), pod))
                })
                .collect(),
        )
    }

    fn get(&self, pod: &PodRef) -> Option<&'a Pod> {
        self.0.get(&(pod.name.as_str(), pod.uid.as_str())).copied()
    }
}

/// What the pass saw, indexed: the namespace's pods, AWS's answer by target, and the targets it
/// registers.
struct Seen<'a> {
    pods: PodIndex<'a>,
    observed: BTreeMap<&'a TargetKey, &'a ObservedTarget>,
    registering: BTreeSet<&'a TargetKey>,
}

/// The gate writes of a live pass and the phases its observations completed.
struct GatePlan {
    writes: Vec<GateWrite>,
    phases: Vec<(GatePhase, std::time::Duration)>,
}

/// Every gated pod behind a desired target: its condition (written only when it changes), when
/// its target was first seen healthy, and which gates are still pending.
fn plan_gates(
    found: &Found<'_>,
    seen: &Seen<'_>,
    memory: &mut BindingMemory,
    now: k8s_openapi::jiff::Timestamp,
) -> GatePlan {
    let now_time = Time(now);
    let mut plan = GatePlan {
        writes: Vec::new(),
        phases: Vec::new(),
    };
    let mut pending = BTreeMap::new();
    for (target, pod_ref) in &found.wanted.targets {
        let Some(pod_ref) = pod_ref else { continue };
        let Some(pod) = seen.pods.get(pod_ref) else {
            continue;
        };
        let source = if seen.registering.contains(target) {
            GateSource::Registering
        } else {
            GateSource::Observed(seen.observed.get(target).copied())
        };
        let Some(decision) = decide_gate(pod, found.gate, source, &now_time) else {
            continue;
        };
        // The latest pass that saw the target healthy; the first one since its registration
        // completes the registered → healthy phase.
        if let GateSource::Observed(Some(seen)) = source
            && seen.is_healthy()
            && memory.healthy_at.insert(target.clone(), now).is_none()
            && let Some(registered) = memory.registered_at.get(target)
        {
            plan.phases
                .push((GatePhase::RegisteredToHealthy, elapsed(*registered, now)));
        }
        let last_false = decision
            .current
            .as_ref()
            .filter(|condition| condition.status != "True")
            .and_then(|condition| condition.last_transition_time.as_ref())
            .map(|time| time.0);
        if !decision.is_true() {
            pending.insert(pod_ref.key(), last_false.unwrap_or(now));
        }
        let Some(condition) = decision.write.clone() else {
            continue;
        };
        let mut phases = Vec::new();
        if decision.is_true() {
            if let Some(since) = last_false {
                phases.push((GatePhase::PendingToGateTrue, elapsed(since, now)));
            }
            if let Some(healthy) = memory.healthy_at.get(target) {
                phases.push((GatePhase::HealthyToGateTrue, elapsed(*healthy, now)));
            }
        }
        plan.writes.push(GateWrite {
            pod: pod_ref.clone(),
            condition,
            phases,
        });
    }
    memory.pending_gates = pending;
    plan
}
