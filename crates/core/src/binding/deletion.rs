//! The pass of a binding being deleted: deregister the targets it owns (no hold, no breaker),
//! release its gates on the pods that remain, delete its ledger, remove the finalizer. A target
//! group that no longer exists means there is nothing to deregister, never a stuck finalizer.

use std::collections::BTreeSet;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use lbgate_api::conditions::pod_condition_type;
use lbgate_api::consts::EVENT_REASON_DEREGISTERED_TARGETS;

use super::live::guarded;
use super::wanted::addresses_at_deletion;
use super::{
    AwsView, GateWrite, NextPass, PassInput, PassKind, PassPlan, Step, batch_event, has_finalizer,
};
use crate::diff::{DiffInput, plan_sync};
use crate::endpoints::PodRef;
use crate::gates::{GateSource, decide_gate};
use crate::target::TargetKey;

/// Plans the clean-up of a binding with a deletionTimestamp; nothing to do without our
/// finalizer.
pub(crate) fn plan(input: &PassInput<'_>) -> PassPlan {
    let mut plan = PassPlan {
        kind: PassKind::Cleaned,
        steps: Vec::new(),
        memory: input.memory.clone(),
        problems: Vec::new(),
        phases: Vec::new(),
        counts: None,
        breaker: None,
        next: NextPass::AwaitChange,
    };
    let binding = input.binding;
    if !has_finalizer(binding) {
        return plan;
    }
    if let AwsView::Found { targets, .. } = input.aws {
        let nothing = BTreeSet::new();
        let own_addresses = addresses_at_deletion(&input.cluster);
        let diff = DiffInput {
            desired: &nothing,
            observed: targets.observed,
            ledger: targets.ledger,
            lbc_ledger: targets.lbc_ledger,
            own_addresses: &own_addresses,
            serving_ids: &BTreeSet::new(),
            multi_cluster: binding.spec.multi_cluster_target_group,
            deleting: true,
            hold_started: None,
            now: input.now,
        };
        let sync = plan_sync(diff, input.config.diff);
        let deregistrations = guarded(&sync.deregister, &diff, None);
        if !deregistrations.is_empty() {
            let keys: Vec<TargetKey> = deregistrations.iter().map(|d| d.target.clone()).collect();
            plan.steps.push(Step::Deregister(deregistrations));
            plan.steps.push(Step::Event(batch_event(
                EVENT_REASON_DEREGISTERED_TARGETS,
                "Deregister",
                "binding deleted: deregistered",
                &keys,
            )));
        }
    }
    let name = binding.metadata.name.as_deref().unwrap_or_default();
    if let Ok(gate) = pod_condition_type(name) {
        let now = Time(input.now);
        for pod in input.cluster.pods {
            let write = decide_gate(pod, &gate, GateSource::BindingDeleted, &now)
                .and_then(|decision| decision.write);
            if let (Some(condition), Some(pod)) = (write, PodRef::of(pod)) {
                plan.steps.push(Step::WriteGate(GateWrite {
                    pod,
                    condition,
                    phases: Vec::new(),
                }));
            }
        }
    }
    plan.steps.push(Step::DeleteLedger);
    plan.steps.push(Step::RemoveFinalizer);
    plan
}
