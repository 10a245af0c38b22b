//! The invariants every plan keeps, checked from the raw inputs (never through the code under
//! test): a deregistration only of a target the inputs prove is the binding's, removable now and
//! within the breaker's share; a gate True only for a pod whose target AWS reports healthy (or
//! the binding is being deleted); nothing touched in AWS for bad input; ownership recorded
//! before a registration.

use std::collections::BTreeSet;

use lbgate_api::consts::GATE_REASON_TARGET_GROUP_BINDING_DELETED;
use lbgate_api::v1beta1::TargetType;

use super::super::{Allowed, AwsView, Deregistration, Owner, PassInput, PassKind, PassPlan, Step};
use crate::gates::carries_gate;
use crate::instance::instance_id;
use crate::target::{ObservedTarget, TargetKey};

/// Checks every invariant of `plan` against `input`; the message names the first one broken.
pub fn check(input: &PassInput<'_>, plan: &PassPlan) -> Result<(), String> {
    let touches_aws = plan.steps.iter().any(|step| {
        matches!(
            step,
            Step::Register(_) | Step::Deregister(_) | Step::WriteLedger(_)
        )
    });
    if plan.kind == PassKind::Invalid && touches_aws {
        return Err(format!("bad input touched AWS: {:?}", plan.steps));
    }
    let deleting = input.binding.metadata.deletion_timestamp.is_some();
    let observed = input.aws.targets().map(|t| t.observed).unwrap_or_default();
    let mut deregistered_healthy = 0;
    let mut registered = BTreeSet::new();
    let mut ledger_written: Option<&BTreeSet<TargetKey>> = None;
    for step in &plan.steps {
        match step {
            Step::WriteLedger(targets) => ledger_written = Some(targets),
            Step::Register(targets) => {
                let recorded = ledger_written
                    .or(input.aws.targets().map(|t| t.ledger))
                    .unwrap_or(&BTreeSet::new())
                    .clone();
                for target in targets {
                    if !recorded.contains(target) {
                        return Err(format!("{target} registered before our ledger records it"));
                    }
                    registered.insert(target.clone());
                }
            }
            Step::Deregister(deregistrations) => {
                for deregistration in deregistrations {
                    check_deregistration(input, deregistration, observed, deleting)?;
                    if deregistration.guard.healthy {
                        deregistered_healthy += 1;
                    }
                }
            }
            Step::WriteGate(write) => {
                let pod = input
                    .cluster
                    .pods
                    .iter()
                    .find(|pod| pod.metadata.name.as_deref() == Some(write.pod.name.as_str()))
                    .ok_or_else(|| format!("gate written on unknown pod {}", write.pod.name))?;
                if !carries_gate(pod, &write.condition.type_) {
                    return Err(format!(
                        "{} does not carry {}",
                        write.pod.name, write.condition.type_
                    ));
                }
                if write.condition.status == "True" {
                    check_gate_true(pod, write, observed, &registered, deleting)?;
                }
            }
            _ => {}
        }
    }
    if !deleting {
        let healthy_total = observed
            .iter()
            .filter(|t| t.is_registered() && t.is_healthy())
            .map(|t| &t.key)
            .collect::<BTreeSet<_>>()
            .len();
        if healthy_total > 0 && deregistered_healthy >= healthy_total {
            return Err(format!(
                "a live pass deregistered all {healthy_total} healthy targets"
            ));
        }
        let share = input.config.diff.max_deregister_share;
        let allowed = ((share * healthy_total as f64).floor() as usize)
            .max(1)
            .min(healthy_total.saturating_sub(1));
        if deregistered_healthy > allowed {
            return Err(format!(
                "{deregistered_healthy} healthy targets deregistered, the breaker allows {allowed}"
            ));
        }
    }
    Ok(())
}

fn check_deregistration(
    input: &PassInput<'_>,
    deregistration: &Deregistration,
    observed: &[ObservedTarget],
    deleting: bool,
) -> Result<(), String> {
    let target = &deregistration.target;
    let guard = deregistration.guard;
    let Some(targets) = input.aws.targets() else {
        return Err(format!(
            "{target} deregistered without looking at the group"
        ));
    };
    let proven = match guard.owner {
        Owner::Ledger => targets.ledger.contains(target),
        Owner::LbcLedger => targets.lbc_ledger.is_some_and(|l| l.contains(target)),
        Owner::OwnAddress => {
            !input.binding.spec.multi_cluster_target_group && own_ids(input).contains(&target.id)
        }
    };
    if !proven {
        return Err(format!(
            "{target}: the inputs do not prove {:?}",
            guard.owner
        ));
    }
    let registered = observed
        .iter()
        .find(|t| t.key == *target && t.is_registered());
    let Some(registered) = registered else {
        return Err(format!("{target} deregistered but not registered"));
    };
    if registered.is_healthy() != guard.healthy {
        return Err(format!("{target}: guard says healthy={}", guard.healthy));
    }
    match (deleting, guard.allowed) {
        (true, Allowed::BindingDeleted) => Ok(()),
        (true, other) | (false, other @ Allowed::BindingDeleted) => {
            Err(format!("{target}: {other:?} while deleting={deleting}"))
        }
        (false, _) if pod_serving_and_desired(input, target) => {
            Err(format!("{target} is desired, yet deregistered"))
        }
        (false, _) => Ok(()),
    }
}

fn check_gate_true(
    pod: &k8s_openapi::api::core::v1::Pod,
    write: &super::super::GateWrite,
    observed: &[ObservedTarget],
    registered: &BTreeSet<TargetKey>,
    deleting: bool,
) -> Result<(), String> {
    if deleting {
        return if write.condition.reason.as_deref()
            == Some(GATE_REASON_TARGET_GROUP_BINDING_DELETED)
        {
            Ok(())
        } else {
            Err(format!("{} released without saying why", write.pod.name))
        };
    }
    let ips: BTreeSet<&str> = pod_ips(pod).collect();
    let healthy = observed
        .iter()
        .filter(|t| ips.contains(t.key.id.as_str()))
        .filter(|t| !registered.contains(&t.key))
        .any(ObservedTarget::is_healthy);
    if healthy {
        Ok(())
    } else {
        Err(format!(
            "gate of {} written True, but AWS reports no healthy target of it",
            write.pod.name
        ))
    }
}

/// Whether a ready endpoint of a live, ready pod stands behind `target` (then it is desired).
fn pod_serving_and_desired(input: &PassInput<'_>, target: &TargetKey) -> bool {
    input.cluster.slices.iter().any(|slice| {
        slice.endpoints.iter().any(|endpoint| {
            let ready = endpoint
                .conditions
                .as_ref()
                .and_then(|c| c.ready)
                .unwrap_or(true);
            let terminating = endpoint
                .conditions
                .as_ref()
                .and_then(|c| c.terminating)
                .unwrap_or(false);
            let pod_alive = endpoint
                .target_ref
                .as_ref()
                .and_then(|r| r.name.as_deref())
                .and_then(|name| {
                    input
                        .cluster
                        .pods
                        .iter()
                        .find(|pod| pod.metadata.name.as_deref() == Some(name))
                })
                .is_some_and(|pod| pod.metadata.deletion_timestamp.is_none());
            ready
                && !terminating
                && pod_alive
                && endpoint.addresses.first() == Some(&target.id)
                && input.binding.spec.target_type != Some(TargetType::Instance)
        })
    })
}

/// Every ID the binding's own pods, endpoints and nodes carry.
fn own_ids(input: &PassInput<'_>) -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = input
        .cluster
        .pods
        .iter()
        .flat_map(|pod| pod_ips(pod).map(str::to_owned).collect::<Vec<_>>())
        .collect();
    ids.extend(
        input
            .cluster
            .slices
            .iter()
            .flat_map(|slice| slice.endpoints.iter())
            .filter_map(|endpoint| endpoint.addresses.first().cloned()),
    );
    if !matches!(input.aws, AwsView::NoArn) {
        ids.extend(
            input
                .cluster
                .nodes
                .iter()
                .filter_map(|n| instance_id(n).ok()),
        );
    }
    ids
}

fn pod_ips(pod: &k8s_openapi::api::core::v1::Pod) -> impl Iterator<Item = &str> {
    let status = pod.status.as_ref();
    status.and_then(|s| s.pod_ip.as_deref()).into_iter().chain(
        status
            .and_then(|s| s.pod_ips.as_deref())
            .unwrap_or_default()
            .iter()
            .map(|ip| ip.ip.as_str()),
    )
}
