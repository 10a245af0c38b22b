//! The TargetGroupBinding reconciler. A pass gathers what it observes (`gather`), lets
//! `lbgate_core::binding::plan_pass` decide everything, and carries the plan out (`execute`);
//! the binding's memory is taken at the start and put back at the end. [`error_policy`] backs off
//! the failing binding only, never past the health poll it was waiting for.
//!
//! The parts: `aws` (ELBv2 calls, over what the context knows about each target group),
//! `ledger`, `finalizer` and `patch` (Kubernetes writes), `key` (a binding's identity).

mod aws;
mod execute;
mod finalizer;
mod gather;
mod key;
mod ledger;
mod patch;

use std::sync::Arc;

use kube::runtime::controller::Action;
use kube::runtime::events::{Event, EventType};
use lbgate_api::TargetGroupBinding;
use lbgate_core::binding::{NextPass, PassKind, binding_id};
use tracing::Instrument;

use crate::context::Context;
use crate::error::ReconcileError;
use crate::metrics::ReconcileResult;
use key::BindingKey;

/// Reconciles one binding.
pub async fn reconcile(
    binding: Arc<TargetGroupBinding>,
    ctx: Arc<Context>,
) -> Result<Action, ReconcileError> {
    let started = std::time::Instant::now();
    let key = BindingKey::of(&binding)?;
    let span = tracing::info_span!(
        "reconcile",
        binding = %key,
        generation = binding.metadata.generation.unwrap_or_default(),
    );
    let outcome = pass(&binding, &key, &ctx).instrument(span.clone()).await;
    span.in_scope(|| match &outcome {
        Ok((kind, _)) => ctx.metrics.reconciled((*kind).into(), None, started),
        Err(error) => {
            ctx.metrics
                .reconciled(ReconcileResult::Error, Some(error.category()), started);
            tracing::warn!(category = error.category(), error = %error, "reconcile failed");
        }
    });
    outcome.map(|(_, action)| action)
}

/// One pass: gather, plan, execute, remember.
async fn pass(
    binding: &TargetGroupBinding,
    key: &BindingKey,
    ctx: &Context,
) -> Result<(PassKind, Action), ReconcileError> {
    ctx.stores
        .wait_synced(ctx.config.store_sync_timeout)
        .await?;
    let id = key.id();
    let memory = ctx.memories.get(&id, &ctx.config);
    let observed = gather::gather(ctx, binding, key, &memory).await?;
    let now = ctx.now();
    let plan = observed.plan(binding, &memory, &ctx.config.pass(), now);
    for problem in &plan.problems {
        tracing::info!(reason = problem.reason, message = %problem.message, "bad input");
    }
    let mut memory = plan.memory.clone();
    let executed = execute::execute(ctx, binding, key, &plan, &mut memory).await;
    if let Err(error) = executed {
        ctx.memories.put(&id, memory);
        return Err(error);
    }
    if plan.kind == PassKind::Cleaned {
        ctx.memories.forget(&id);
        ctx.metrics.forget_binding(&key.namespace, &key.name);
        ctx.metrics
            .set_pending_gates(ctx.memories.pending_gate_ages(now));
        tracing::info!("binding cleaned up");
        return Ok((plan.kind, Action::await_change()));
    }
    if let Some(counts) = &plan.counts {
        ctx.metrics.set_targets(&key.namespace, &key.name, counts);
    }
    let (action, health_wait) = match &plan.next {
        NextPass::AwaitChange => (Action::await_change(), None),
        NextPass::After(after) => (Action::requeue(*after), None),
        NextPass::Health(poll) => {
            // The wait starts when the pass ends: measured from here, a verdict poll is not
            // late by the pass's own duration.
            let wait = poll.wait(&memory, ctx.now().max(now));
            tracing::debug!(after = ?wait.after, reason = ?wait.reason, "next health poll");
            (Action::requeue(wait.after), Some(wait.after))
        }
    };
    memory.succeeded(health_wait);
    ctx.memories.put(&id, memory);
    ctx.metrics
        .set_pending_gates(ctx.memories.pending_gate_ages(now));
    Ok((plan.kind, action))
}

/// Backs off the failing binding only, never past its pending health poll, and tells people
/// through a Warning Event.
pub fn error_policy(
    binding: Arc<TargetGroupBinding>,
    error: &ReconcileError,
    ctx: Arc<Context>,
) -> Action {
    let id = binding_id(&binding);
    let mut memory = ctx.memories.get(&id, &ctx.config);
    let after = memory.failed(&id, ctx.config.error_backoff_cap);
    ctx.memories.put(&id, memory);
    ctx.events.publish(
        &binding,
        Event {
            type_: EventType::Warning,
            reason: error.category().to_owned(),
            note: Some(error.to_string()),
            action: "Reconcile".to_owned(),
            secondary: None,
        },
    );
    Action::requeue(after)
}
