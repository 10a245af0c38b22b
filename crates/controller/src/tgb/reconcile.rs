//! One reconcile pass of a TargetGroupBinding, and the error policy.
//!
//! Order of a live pass: stores synced → finalizer → validation (bad input: condition + Event,
//! no AWS mutation, slow requeue) → target group (cached) → target health (one
//! DescribeTargetHealth, or the group's held answer when nothing can have changed it) → core's
//! plan → ledger_before → register → deregister → ledger_after → gates → status → requeue at
//! the next health poll.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use kube::runtime::controller::Action;
use kube::runtime::events::EventType;
use lbgate_api::TargetGroupBinding;
use lbgate_api::conditions::pod_condition_type;
use lbgate_api::v1beta1::TargetType;
use lbgate_core::diff::{DiffInput, SyncPlan, plan_sync};
use lbgate_core::schedule::requeue_after;
use lbgate_core::status::{breaker_message, target_counts};
use lbgate_core::target::{ObservedTarget, TargetKey};
use lbgate_core::validate::{
    BindingClaim, Problem, TargetGroupFacts, ValidationInput, effective_target_type, validate,
};
use lbgate_elbv2::TargetGroup;

use super::inputs::{Desired, desired};
use super::{
    BindingKey, cleanup, finalizer, gates, ledger, publish, publish_batch, schedule, status, sync,
};
use crate::context::Context;
use crate::error::Error;
use crate::metrics::ReconcileResult;

/// How a successful pass ended.
pub(crate) struct Pass {
    pub action: Action,
    pub result: ReconcileResult,
    /// The health wait, kept so an error never pushes a pending poll later.
    pub health_wait: Option<Duration>,
}

/// Reconciles one binding.
pub async fn reconcile(
    binding: Arc<TargetGroupBinding>,
    ctx: Arc<Context>,
) -> Result<Action, Error> {
    let started = std::time::Instant::now();
    let key = BindingKey::of(&binding)?;
    let id = key.id();
    let outcome = pass(&binding, &key, &ctx).await;
    match &outcome {
        Ok(pass) => {
            ctx.metrics.reconciled(pass.result, None, started);
            if pass.result != ReconcileResult::Cleaned {
                ctx.update_state(&id, |state| {
                    state.backoff.reset();
                    state.health_wait = pass.health_wait;
                });
            }
        }
        Err(error) => {
            ctx.metrics
                .reconciled(ReconcileResult::Error, Some(error), started);
            tracing::warn!(binding = %id, category = error.category(), error = %error, "reconcile failed");
        }
    }
    outcome.map(|pass| pass.action)
}

/// Backs off the failing binding only, never past its pending health poll.
pub fn error_policy(binding: Arc<TargetGroupBinding>, error: &Error, ctx: Arc<Context>) -> Action {
    let id = format!(
        "{}/{}",
        binding.metadata.namespace.as_deref().unwrap_or_default(),
        binding.metadata.name.as_deref().unwrap_or_default()
    );
    let after = error_delay(&ctx, &id);
    let note = error.to_string();
    let category = error.category();
    let event_ctx = Arc::clone(&ctx);
    tokio::spawn(async move {
        publish(
            &event_ctx,
            &binding,
            EventType::Warning,
            category,
            "Reconcile",
            note,
        )
        .await;
    });
    Action::requeue(after)
}

/// Records one more failure of binding `id` and returns its retry delay: jittered exponential
/// backoff, but never later than the health poll the binding was already waiting for.
pub(crate) fn error_delay(ctx: &Context, id: &str) -> Duration {
    let (delay, health_wait) = ctx.update_state(id, |state| {
        state.backoff.record_failure();
        state.passes = state.passes.wrapping_add(1);
        (
            state.backoff.delay(seed(id, state.passes)),
            state.health_wait,
        )
    });
    requeue_after(health_wait.unwrap_or(ctx.config.error_backoff_cap), delay)
}

pub(crate) fn seed(id: &str, pass: u64) -> u64 {
    let mut hasher = DefaultHasher::new();
    id.hash(&mut hasher);
    pass.hash(&mut hasher);
    hasher.finish()
}

async fn pass(
    binding: &TargetGroupBinding,
    key: &BindingKey,
    ctx: &Context,
) -> Result<Pass, Error> {
    ctx.stores
        .wait_synced(ctx.config.store_sync_timeout)
        .await?;
    if binding.metadata.deletion_timestamp.is_some() {
        return cleanup::cleanup(ctx, binding, key).await;
    }
    finalizer::ensure(ctx, binding, key).await?;
    let id = key.id();
    let now = Timestamp::now();
    let now_time = Time(now);
    let spec = &binding.spec;

    let service = ctx.stores.service(&key.namespace, &spec.service_ref.name);
    let group = match spec.arn() {
        Some(arn) => sync::target_group(ctx, &id, arn).await?,
        None => None,
    };
    let facts = group.as_ref().map(|g| TargetGroupFacts {
        target_type: g.target_type.as_ref().map_or("", |t| t.as_str()),
        ip_address_type: g.ip_address_type.as_ref().map(|t| t.as_str()),
    });
    let rivals = ctx.stores.bindings.state();
    let claims: Vec<BindingClaim<'_>> = rivals
        .iter()
        .filter(|other| spec.arn().is_some() && other.spec.arn() == spec.arn())
        .map(|other| BindingClaim::of(other))
        .collect();
    let mut problems = validate(ValidationInput {
        binding,
        service: service.as_deref(),
        target_group: facts,
        others_on_arn: &claims,
    });
    let mode = effective_target_type(binding, facts);
    let gate = pod_condition_type(&key.name).unwrap_or_default();
    let found = match (&service, mode, &group) {
        (Some(service), Some(mode), Some(_)) if problems.is_empty() => {
            match desired(ctx, binding, &key.namespace, service, mode, &gate) {
                Ok(found) => Some(found),
                Err(problem) => {
                    problems.push(Problem {
                        condition_type: lbgate_api::consts::CONDITION_READY,
                        reason: super::REASON_INVALID_INPUT,
                        message: problem.0,
                    });
                    None
                }
            }
        }
        _ => None,
    };
    let (Some(group), Some(mode), Some(found), true) = (group, mode, found, problems.is_empty())
    else {
        return invalid(ctx, binding, key, &problems, &now_time).await;
    };
    sync_targets(ctx, binding, key, &group, mode, &gate, found, now).await
}

/// Bad input: condition + Event for each problem, nothing touched in AWS.
async fn invalid(
    ctx: &Context,
    binding: &TargetGroupBinding,
    key: &BindingKey,
    problems: &[Problem],
    now: &Time,
) -> Result<Pass, Error> {
    for problem in problems {
        tracing::info!(binding = %key.id(), reason = problem.reason, message = %problem.message, "bad input");
        publish(
            ctx,
            binding,
            EventType::Warning,
            problem.reason,
            "Validate",
            problem.message.clone(),
        )
        .await;
    }
    let desired = status::desired_status(binding, problems, None, None, now);
    status::write_status(ctx, binding, key, &desired).await?;
    Ok(Pass {
        action: Action::requeue(ctx.config.invalid_requeue),
        result: ReconcileResult::Invalid,
        health_wait: None,
    })
}

#[expect(
    clippy::too_many_arguments,
    reason = "one pass's inputs, named for readability"
)]
async fn sync_targets(
    ctx: &Context,
    binding: &TargetGroupBinding,
    key: &BindingKey,
    group: &TargetGroup,
    mode: TargetType,
    gate: &str,
    found: Desired,
    now: Timestamp,
) -> Result<Pass, Error> {
    let id = key.id();
    let arn = group.arn.as_str();
    let settings = sync::health_settings(group);
    let Some(observed) = sync::observe(ctx, arn, Some(&settings)).await? else {
        sync::forget_target_group(ctx, &id);
        return Err(Error::TargetGroupVanished {
            arn: arn.to_owned(),
        });
    };
    let state = ctx.state(&id);
    let our_ledger = match state.ledger.clone() {
        Some(ledger) => ledger,
        None => ledger::load(ctx, key).await?,
    };
    let lbc_ledger = match state.lbc_ledger.clone() {
        Some(lbc) => lbc,
        None => ledger::load_lbc(ctx, key).await?,
    };
    let desired_keys = found.keys();
    let plan = plan_sync(
        DiffInput {
            desired: &desired_keys,
            observed: &observed,
            ledger: &our_ledger,
            lbc_ledger: lbc_ledger.as_ref(),
            own_addresses: &found.own_addresses,
            serving_ids: &found.serving_ids,
            multi_cluster: binding.spec.multi_cluster_target_group,
            deleting: false,
            hold_started: state.hold_started,
            now,
        },
        ctx.config.diff,
    );
    ctx.update_state(&id, |state| {
        state.ledger = Some(our_ledger.clone());
        state.lbc_ledger = Some(lbc_ledger.clone());
        state.hold_started = plan.hold.map(|hold| hold.started);
    });
    apply_plan(ctx, binding, key, arn, &plan, &our_ledger).await?;

    let by_key: BTreeMap<&TargetKey, &ObservedTarget> =
        observed.iter().map(|t| (&t.key, t)).collect();
    if mode == TargetType::Ip {
        gates::write_gates(ctx, key, gate, &found, &plan, &by_key, now).await?;
    }

    let counts = target_counts(
        desired_keys.len(),
        sync::own_observed(&observed, &desired_keys, &plan.ledger_after),
    );
    ctx.metrics.set_targets(&key.namespace, &key.name, &counts);
    let desired_status = status::desired_status(
        binding,
        &[],
        plan.breaker.as_ref(),
        Some(counts),
        &Time(now),
    );
    status::write_status(ctx, binding, key, &desired_status).await?;

    let wait = schedule::schedule(ctx, key, group, &found, &plan, &by_key, mode, gate, now);
    Ok(Pass {
        action: Action::requeue(wait),
        result: ReconcileResult::Synced,
        health_wait: Some(wait),
    })
}

async fn apply_plan(
    ctx: &Context,
    binding: &TargetGroupBinding,
    key: &BindingKey,
    arn: &str,
    plan: &SyncPlan,
    our_ledger: &std::collections::BTreeSet<TargetKey>,
) -> Result<(), Error> {
    let id = key.id();
    if let Some(trip) = &plan.breaker {
        ctx.metrics.breaker_tripped(&key.namespace, &key.name);
        publish(
            ctx,
            binding,
            EventType::Warning,
            super::EVENT_REASON_CIRCUIT_BREAKER_TRIPPED,
            "Deregister",
            breaker_message(trip),
        )
        .await;
    }
    if plan.is_noop() {
        return Ok(());
    }
    // Ownership is recorded before AWS can hold a target we might forget we registered.
    if plan.ledger_before != *our_ledger {
        ledger::store(ctx, key, &plan.ledger_before).await?;
        ctx.update_state(&id, |state| state.ledger = Some(plan.ledger_before.clone()));
    }
    if !plan.register.is_empty() {
        sync::register(ctx, arn, &plan.register).await?;
        // The verdict polls are aimed from here, so it is the call's return, not the pass's
        // start (see `sync::register`).
        let registered = Timestamp::now();
        ctx.update_state(&id, |state| {
            for target in &plan.register {
                state.registered_at.insert(target.clone(), registered);
                state.healthy_at.remove(target);
            }
        });
        publish_batch(
            ctx,
            binding,
            super::EVENT_REASON_REGISTERED_TARGETS,
            "Register",
            "registered",
            &plan.register,
        )
        .await;
    }
    if !plan.deregister.is_empty() {
        sync::deregister(ctx, arn, &plan.deregister).await?;
        ctx.update_state(&id, |state| {
            for target in &plan.deregister {
                state.registered_at.remove(target);
                state.healthy_at.remove(target);
            }
        });
        publish_batch(
            ctx,
            binding,
            super::EVENT_REASON_DEREGISTERED_TARGETS,
            "Deregister",
            "deregistered",
            &plan.deregister,
        )
        .await;
    }
    if plan.ledger_after != plan.ledger_before {
        ledger::store(ctx, key, &plan.ledger_after).await?;
    }
    ctx.update_state(&id, |state| state.ledger = Some(plan.ledger_after.clone()));
    Ok(())
}

#[cfg(test)]
mod tests;
