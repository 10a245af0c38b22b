//! One pass of a TargetGroupBinding, as data: [`plan_pass`] takes everything the pass observed
//! and the binding's memory, and returns a [`PassPlan`] — the ordered [`Step`]s to carry out, the
//! memory to keep, and when to look again. The controller only gathers the inputs, executes the
//! steps in order (stopping at the first that fails) and reports each effect back to the memory.
//!
//! A pass is one of three kinds:
//! - **deletion**: the binding has a deletionTimestamp: deregister the targets it
//!   owns (no hold, no breaker), release its gates, delete its ledger, remove the finalizer;
//! - **invalid**: bad input (unknown target group, missing Service or port, a conflicting
//!   binding, …): a condition and a Warning Event per problem, nothing touched in AWS;
//! - **live**: register missing targets, deregister surplus ones this binding owns
//!   (each with the [`Guard`] that allowed it), write each gated pod's condition
//!   ([`crate::gates::decide_gate`]), the status, and plan the next health poll ([`poll`]).

use std::collections::BTreeSet;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, Pod, PodCondition, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use lbgate_api::consts::{CONDITION_READY, FINALIZER, REASON_INVALID_INPUT};
use lbgate_api::v1beta1::TargetCounts;
use lbgate_api::{TargetGroupBinding, TargetGroupBindingStatus};

pub use crate::diff::Owner;
use crate::diff::{BreakerTrip, DiffConfig};
use crate::endpoints::PodRef;
use crate::schedule::ScheduleConfig;
use crate::status::{binding_status, status_changed};
use crate::target::{ObservedTarget, TargetKey};
use crate::validate::{
    BindingClaim, Problem, TargetGroupFacts, ValidationInput, effective_target_type, validate,
};

mod deletion;
mod live;
pub mod memory;
pub mod poll;
mod wanted;

pub use memory::{BindingMemory, StepOutcome};
pub use poll::{Pending, PollPlan};

/// Everything one pass observed.
#[derive(Clone, Copy, Debug)]
pub struct PassInput<'a> {
    /// The binding, as the store holds it.
    pub binding: &'a TargetGroupBinding,
    /// The Kubernetes objects around it.
    pub cluster: ClusterView<'a>,
    /// What AWS said.
    pub aws: AwsView<'a>,
    /// What the binding remembers from earlier passes.
    pub memory: &'a BindingMemory,
    /// The tunables.
    pub config: &'a PassConfig,
    /// Now.
    pub now: Timestamp,
}

/// The Kubernetes objects a pass reads.
#[derive(Clone, Copy, Debug)]
pub struct ClusterView<'a> {
    /// The binding's Service, if it exists.
    pub service: Option<&'a Service>,
    /// The Service's EndpointSlices.
    pub slices: &'a [EndpointSlice],
    /// The pods of the binding's namespace.
    pub pods: &'a [Pod],
    /// Every node.
    pub nodes: &'a [Node],
    /// The other bindings on the same target group ARN, cluster-wide.
    pub rivals: &'a [BindingClaim<'a>],
}

/// What AWS said about the binding's target group.
#[derive(Clone, Copy, Debug)]
pub enum AwsView<'a> {
    /// The binding names no target group.
    NoArn,
    /// AWS does not know the target group (DescribeTargetGroups, or a deletion's
    /// DescribeTargetHealth, said `TargetGroupNotFound`).
    Missing,
    /// The target group and its targets.
    Found {
        /// What DescribeTargetGroups said about it.
        facts: TargetGroupFacts<'a>,
        /// Its targets and our ledgers of them.
        targets: TargetsView<'a>,
    },
}

impl<'a> AwsView<'a> {
    /// The group's facts, when it exists.
    pub fn facts(&self) -> Option<TargetGroupFacts<'a>> {
        match self {
            Self::Found { facts, .. } => Some(*facts),
            Self::NoArn | Self::Missing => None,
        }
    }

    /// The group's targets, when it exists.
    pub fn targets(&self) -> Option<TargetsView<'a>> {
        match self {
            Self::Found { targets, .. } => Some(*targets),
            Self::NoArn | Self::Missing => None,
        }
    }
}

/// The group's targets and the ledgers that say which of them are ours.
#[derive(Clone, Copy, Debug)]
pub struct TargetsView<'a> {
    /// Every target of the group, as one DescribeTargetHealth answered.
    pub observed: &'a [ObservedTarget],
    /// Our ledger of the binding.
    pub ledger: &'a BTreeSet<TargetKey>,
    /// LBC's multi-cluster ledger of the binding, when its ConfigMap exists.
    pub lbc_ledger: Option<&'a BTreeSet<TargetKey>>,
}

/// The tunables of a pass.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PassConfig {
    /// Ownership, make-before-break and circuit breaker.
    pub diff: DiffConfig,
    /// The health-poll schedule.
    pub schedule: ScheduleConfig,
    /// When to look again at a binding with bad input (any change to its inputs wakes it
    /// earlier).
    pub invalid_requeue: Duration,
}

/// What a pass does, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct PassPlan {
    /// Which kind of pass it is.
    pub kind: PassKind,
    /// The steps, to be carried out in order; the first that fails ends the pass.
    pub steps: Vec<Step>,
    /// The memory to keep, before the effects of the steps are recorded.
    pub memory: BindingMemory,
    /// The bad input found (invalid passes).
    pub problems: Vec<Problem>,
    /// Gate phases completed by what this pass observed (a target first seen healthy).
    pub phases: Vec<(GatePhase, Duration)>,
    /// Target counts by state, when the pass looked at targets.
    pub counts: Option<TargetCounts>,
    /// The circuit breaker, when it held back deregistrations.
    pub breaker: Option<BreakerTrip>,
    /// When to look at the binding again.
    pub next: NextPass,
}

/// The kind of a pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PassKind {
    /// Targets, gates and status brought in line with the inputs.
    Synced,
    /// Bad input: reported, nothing touched in AWS.
    Invalid,
    /// The binding is being deleted: cleaned up (its memory is to be forgotten).
    Cleaned,
}

/// When to look at the binding again.
#[derive(Clone, Debug, PartialEq)]
pub enum NextPass {
    /// Only when the binding changes.
    AwaitChange,
    /// After this long.
    After(Duration),
    /// At the next health poll, computed when the pass ends.
    Health(PollPlan),
}

/// One effect of a pass.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Add our finalizer to the binding.
    AddFinalizer,
    /// Publish an Event on the binding.
    Event(BindingEvent),
    /// Write our ledger with exactly these targets.
    WriteLedger(BTreeSet<TargetKey>),
    /// RegisterTargets.
    Register(Vec<TargetKey>),
    /// DeregisterTargets, each with the guard that allowed it.
    Deregister(Vec<Deregistration>),
    /// Patch one pod's gate condition.
    WriteGate(GateWrite),
    /// Write the binding's status.
    WriteStatus(Box<TargetGroupBindingStatus>),
    /// Delete our ledger ConfigMap.
    DeleteLedger,
    /// Remove our finalizer from the binding.
    RemoveFinalizer,
}

/// An Event to publish on the binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BindingEvent {
    /// Warning (something is wrong) or Normal.
    pub warning: bool,
    /// Stable reason (a `lbgate_api::consts` reason).
    pub reason: &'static str,
    /// What lbgate was doing.
    pub action: &'static str,
    /// For people.
    pub note: String,
}

/// One target to deregister and what allowed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deregistration {
    /// The target.
    pub target: TargetKey,
    /// Why it may go.
    pub guard: Guard,
}

/// What allowed a deregistration: proof that the target is this binding's, and why it may go now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Guard {
    /// What proves the binding owns the target.
    pub owner: Owner,
    /// Why it may leave now.
    pub allowed: Allowed,
    /// Whether AWS reported it healthy (those count against the circuit breaker's share).
    pub healthy: bool,
}

/// Why an owned target may leave now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Allowed {
    /// The binding is being deleted.
    BindingDeleted,
    /// Not desired, and its pod or node no longer serves.
    NotServing,
    /// Not desired; its pod or node still serves, and nothing desired is waiting for health.
    Replaced,
    /// Not desired; held for make-before-break until the hold ran out.
    HoldExpired,
}

/// A pod's gate condition to write.
#[derive(Clone, Debug, PartialEq)]
pub struct GateWrite {
    /// The pod (its UID is the write's precondition).
    pub pod: PodRef,
    /// The condition.
    pub condition: PodCondition,
    /// Phases this write completes (observe them only when it lands).
    pub phases: Vec<(GatePhase, Duration)>,
}

/// A phase of a gate's life, for the phase histogram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GatePhase {
    /// RegisterTargets returned → first answer that saw the target healthy.
    RegisteredToHealthy,
    /// Seen healthy → gate written True.
    HealthyToGateTrue,
    /// The gate's last transition to False → gate written True.
    PendingToGateTrue,
}

impl GatePhase {
    /// The metric label.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::RegisteredToHealthy => "registered_to_healthy",
            Self::HealthyToGateTrue => "healthy_to_gate_true",
            Self::PendingToGateTrue => "pending_to_gate_true",
        }
    }
}

/// Plans one pass of a binding: the entry point of every TargetGroupBinding decision.
pub fn plan_pass(input: &PassInput<'_>) -> PassPlan {
    if input.binding.metadata.deletion_timestamp.is_some() {
        return deletion::plan(input);
    }
    let facts = input.aws.facts();
    let mut problems = validate(ValidationInput {
        binding: input.binding,
        service: input.cluster.service,
        target_group: facts,
        others_on_arn: input.cluster.rivals,
    });
    let mode = effective_target_type(input.binding, facts);
    let gate = gate_type(input.binding);
    if problems.is_empty()
        && let (AwsView::Found { facts, targets }, Some(mode), Some(service)) =
            (input.aws, mode, input.cluster.service)
    {
        match wanted::wanted(input.binding, service, mode, &input.cluster, &gate) {
            Ok(wanted) => {
                return live::plan(
                    input,
                    live::Found {
                        facts,
                        mode,
                        gate: &gate,
                        wanted,
                        targets,
                    },
                );
            }
            Err(message) => problems.push(Problem {
                condition_type: CONDITION_READY,
                reason: REASON_INVALID_INPUT,
                message,
            }),
        }
    }
    if problems.is_empty() {
        // Validation names every reason a live pass cannot run; this keeps Ready honest should
        // one ever slip through.
        problems.push(Problem {
            condition_type: CONDITION_READY,
            reason: REASON_INVALID_INPUT,
            message: "the binding's targets cannot be worked out from its inputs".to_owned(),
        });
    }
    invalid(input, problems)
}

/// Bad input: a Warning Event per problem and the conditions; nothing touched in AWS.
fn invalid(input: &PassInput<'_>, problems: Vec<Problem>) -> PassPlan {
    let mut steps = first_steps(input.binding);
    steps.extend(problems.iter().map(|problem| {
        Step::Event(BindingEvent {
            warning: true,
            reason: problem.reason,
            action: "Validate",
            note: problem.message.clone(),
        })
    }));
    let status = binding_status(input.binding, &problems, None, None, &Time(input.now));
    if status_changed(input.binding, &status) {
        steps.push(Step::WriteStatus(Box::new(status)));
    }
    PassPlan {
        kind: PassKind::Invalid,
        steps,
        memory: input.memory.clone(),
        problems,
        phases: Vec::new(),
        counts: None,
        breaker: None,
        next: NextPass::After(input.config.invalid_requeue),
    }
}

/// The steps every live pass starts with: the finalizer, so that nothing can be registered for
/// a binding whose deletion would not clean it up.
fn first_steps(binding: &TargetGroupBinding) -> Vec<Step> {
    if has_finalizer(binding) {
        Vec::new()
    } else {
        vec![Step::AddFinalizer]
    }
}

/// Whether the binding carries our finalizer.
pub fn has_finalizer(binding: &TargetGroupBinding) -> bool {
    binding
        .metadata
        .finalizers
        .iter()
        .flatten()
        .any(|finalizer| finalizer == FINALIZER)
}

/// `namespace/name` of the binding, the key of its memory.
pub fn binding_id(binding: &TargetGroupBinding) -> String {
    format!(
        "{}/{}",
        binding.metadata.namespace.as_deref().unwrap_or_default(),
        binding.metadata.name.as_deref().unwrap_or_default()
    )
}

/// The binding's readiness-gate condition type; empty when its name cannot name one (such a
/// binding is invalid in ip mode, and no pod can carry that gate).
fn gate_type(binding: &TargetGroupBinding) -> String {
    lbgate_api::conditions::pod_condition_type(binding.metadata.name.as_deref().unwrap_or_default())
        .unwrap_or_default()
}

/// `a, b, c` for at most `limit` items, then `and N more`.
fn summarize<T: std::fmt::Display>(items: &[T], limit: usize) -> String {
    let mut text = items
        .iter()
        .take(limit)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > limit {
        text.push_str(&format!(" and {} more", items.len() - limit));
    }
    text
}

/// Targets named in one register/deregister Event; the rest are counted.
const EVENT_TARGETS: usize = 20;

/// The Normal Event for a batch of targets just registered or deregistered: `what` says what
/// happened (e.g. "registered"), followed by the count and the first targets.
fn batch_event(
    reason: &'static str,
    action: &'static str,
    what: &str,
    targets: &[TargetKey],
) -> BindingEvent {
    BindingEvent {
        warning: false,
        reason,
        action,
        note: format!(
            "{what} {} targets: {}",
            targets.len(),
            summarize(targets, EVENT_TARGETS)
        ),
    }
}

#[cfg(test)]
mod tests;
