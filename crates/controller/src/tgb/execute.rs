//! Carries out a pass's plan: each step in order, the first failure ending the pass, and each
//! effect recorded in the binding's memory as it lands.

use kube::runtime::events::{Event, EventType};
use lbgate_api::TargetGroupBinding;
use lbgate_core::binding::{BindingMemory, PassPlan, Step, StepOutcome};

use super::key::BindingKey;
use super::patch::{self, GateWritten};
use super::{aws, finalizer, ledger};
use crate::context::Context;
use crate::error::ReconcileError;

/// Executes `plan` for `binding`; `memory` takes in every effect that landed, also when a later
/// step fails.
pub(crate) async fn execute(
    ctx: &Context,
    binding: &TargetGroupBinding,
    key: &BindingKey,
    plan: &PassPlan,
    memory: &mut BindingMemory,
) -> Result<(), ReconcileError> {
    if plan.breaker.is_some() {
        ctx.metrics.breaker_tripped(&key.namespace, &key.name);
    }
    for (phase, took) in &plan.phases {
        ctx.metrics.gate_phase(*phase, *took);
    }
    let arn = binding.spec.arn().unwrap_or_default();
    for step in &plan.steps {
        match step {
            Step::AddFinalizer => finalizer::ensure(ctx, binding, key).await?,
            Step::Event(event) => ctx.events.publish(
                binding,
                Event {
                    type_: if event.warning {
                        EventType::Warning
                    } else {
                        EventType::Normal
                    },
                    reason: event.reason.to_owned(),
                    note: Some(event.note.clone()),
                    action: event.action.to_owned(),
                    secondary: None,
                },
            ),
            Step::WriteLedger(targets) => {
                ledger::store(ctx, key, targets).await?;
                memory.record(StepOutcome::LedgerWritten(targets.clone()));
            }
            Step::Register(targets) => {
                let at = aws::register(ctx, arn, targets).await?;
                memory.record(StepOutcome::Registered {
                    targets: targets.clone(),
                    at,
                });
            }
            Step::Deregister(deregistrations) => {
                for deregistration in deregistrations {
                    tracing::debug!(
                        target_key = %deregistration.target,
                        guard = ?deregistration.guard,
                        "deregistering"
                    );
                }
                aws::deregister(ctx, arn, deregistrations.iter().map(|d| &d.target)).await?;
                memory.record(StepOutcome::Deregistered(
                    deregistrations.iter().map(|d| d.target.clone()).collect(),
                ));
            }
            Step::WriteGate(write) => {
                match patch::write_gate(ctx, &write.pod, &write.condition).await? {
                    GateWritten::Written => {
                        for (phase, took) in &write.phases {
                            ctx.metrics.gate_phase(*phase, *took);
                        }
                    }
                    GateWritten::PodGone => memory.record(StepOutcome::PodGone(write.pod.key())),
                }
            }
            Step::WriteStatus(status) => patch::write_status(ctx, key, status).await?,
            Step::DeleteLedger => ledger::delete(ctx, key).await?,
            Step::RemoveFinalizer => finalizer::remove(ctx, binding, key).await?,
        }
    }
    Ok(())
}
