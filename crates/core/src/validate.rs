//! Bad input, found before anything touches AWS: each problem names the status condition it
//! sets, a stable reason and a message for the condition and the Event.

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use lbgate_api::TargetGroupBinding;
use lbgate_api::conditions::pod_condition_type;
use lbgate_api::consts::{
    CONDITION_CIRCUIT_BREAKER_TRIPPED, CONDITION_CONFLICT, CONDITION_PORT_RESOLVED,
    CONDITION_READY, CONDITION_SERVICE_FOUND, CONDITION_TARGET_GROUP_FOUND,
};
use lbgate_api::v1beta1::{IpAddressType, TargetType};

use crate::gates::ConditionStatus;
use crate::ports::{PortProblem, resolve_node_port, resolve_service_port};
pub use lbgate_api::consts::{
    REASON_CONFLICTING_BINDING, REASON_INVALID_BINDING_NAME, REASON_IP_ADDRESS_TYPE_MISMATCH,
    REASON_NO_NODE_PORT, REASON_PORT_NOT_FOUND, REASON_SERVICE_NOT_FOUND,
    REASON_SERVICE_TYPE_WITHOUT_NODE_PORTS, REASON_TARGET_GROUP_ARN_MISSING,
    REASON_TARGET_GROUP_NOT_FOUND, REASON_TARGET_TYPE_MISMATCH, REASON_UNSUPPORTED_TARGET_TYPE,
};

// Reasons of problem conditions. They are cluster-visible and belong in `lbgate_api::consts`;
// they live here until that crate takes them.

/// One bad input, as a status condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The condition it sets (a `lbgate_api::consts::CONDITION_*`).
    pub condition_type: &'static str,
    /// Stable PascalCase reason.
    pub reason: &'static str,
    /// What is wrong, for people.
    pub message: String,
}

impl Problem {
    /// The status the condition takes: True for conditions that name trouble (`Conflict`,
    /// `CircuitBreakerTripped`), False for those that name health.
    pub fn status(&self) -> ConditionStatus {
        problem_status(self.condition_type)
    }
}

/// The status a problem gives `condition_type`.
pub fn problem_status(condition_type: &str) -> ConditionStatus {
    if condition_type == CONDITION_CONFLICT || condition_type == CONDITION_CIRCUIT_BREAKER_TRIPPED {
        ConditionStatus::True
    } else {
        ConditionStatus::False
    }
}

/// What `DescribeTargetGroups` says about the binding's target group, in AWS's spelling.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TargetGroupFacts<'a> {
    /// `TargetType` (`instance`, `ip`, `lambda`, `alb`).
    pub target_type: &'a str,
    /// `IpAddressType`, when reported.
    pub ip_address_type: Option<&'a str>,
    /// `Protocol` (`HTTP`, `TCP`, …), when reported; lambda groups have none.
    pub protocol: Option<&'a str>,
    /// `HealthCheckIntervalSeconds`, when reported.
    pub health_check_interval_seconds: Option<u32>,
    /// `HealthyThresholdCount`, when reported.
    pub healthy_threshold_count: Option<u32>,
}

/// Another binding's claim on a target group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BindingClaim<'a> {
    /// Namespace.
    pub namespace: &'a str,
    /// Name.
    pub name: &'a str,
    /// UID (the same binding is never its own rival).
    pub uid: &'a str,
    /// creationTimestamp, when known.
    pub created: Option<&'a Time>,
    /// `spec.multiClusterTargetGroup`.
    pub multi_cluster: bool,
}

impl<'a> BindingClaim<'a> {
    /// The claim `binding` makes.
    pub fn of(binding: &'a TargetGroupBinding) -> Self {
        Self {
            namespace: binding.metadata.namespace.as_deref().unwrap_or_default(),
            name: binding.metadata.name.as_deref().unwrap_or_default(),
            uid: binding.metadata.uid.as_deref().unwrap_or_default(),
            created: binding.metadata.creation_timestamp.as_ref(),
            multi_cluster: binding.spec.multi_cluster_target_group,
        }
    }

    /// Older first; ties broken by namespace and name so every replica agrees. A missing time
    /// sorts last: such an object was never persisted.
    fn seniority(&self) -> (bool, Option<&'a Time>, &'a str, &'a str) {
        (
            self.created.is_none(),
            self.created,
            self.namespace,
            self.name,
        )
    }
}

/// Everything [`validate`] reads.
#[derive(Clone, Copy, Debug)]
pub struct ValidationInput<'a> {
    /// The binding.
    pub binding: &'a TargetGroupBinding,
    /// Its Service, if it exists.
    pub service: Option<&'a Service>,
    /// Its target group, if AWS knows the ARN (`None` when it does not).
    pub target_group: Option<TargetGroupFacts<'a>>,
    /// Other bindings on the same ARN, cluster-wide.
    pub others_on_arn: &'a [BindingClaim<'a>],
}

/// The target type a binding works in: its spec, else the target group's.
pub fn effective_target_type(
    binding: &TargetGroupBinding,
    target_group: Option<TargetGroupFacts<'_>>,
) -> Option<TargetType> {
    binding
        .spec
        .target_type
        .or_else(|| target_group.and_then(|tg| TargetType::from_aws(tg.target_type)))
}

/// Every problem of the binding, in a fixed order; empty when the input is good.
pub fn validate(input: ValidationInput<'_>) -> Vec<Problem> {
    let spec = &input.binding.spec;
    let name = input.binding.metadata.name.as_deref().unwrap_or_default();
    let mut problems = Vec::new();

    match (spec.arn(), input.target_group) {
        (None, _) => problems.push(Problem {
            condition_type: CONDITION_TARGET_GROUP_FOUND,
            reason: REASON_TARGET_GROUP_ARN_MISSING,
            message: "spec.targetGroupARN is empty".to_owned(),
        }),
        (Some(arn), None) => problems.push(Problem {
            condition_type: CONDITION_TARGET_GROUP_FOUND,
            reason: REASON_TARGET_GROUP_NOT_FOUND,
            message: format!("target group {arn} does not exist"),
        }),
        (Some(arn), Some(tg)) => problems.extend(target_group_mismatches(input.binding, arn, tg)),
    }

    let mode = effective_target_type(input.binding, input.target_group);
    match input.service {
        None => problems.push(Problem {
            condition_type: CONDITION_SERVICE_FOUND,
            reason: REASON_SERVICE_NOT_FOUND,
            message: format!("Service {} not found", spec.service_ref.name),
        }),
        Some(service) => {
            let port_ref = spec.service_ref.port_ref();
            let resolved = match mode {
                Some(TargetType::Instance) => resolve_node_port(service, port_ref).map(drop),
                _ => resolve_service_port(service, port_ref).map(drop),
            };
            if let Err(problem) = resolved {
                problems.push(port_problem(&problem));
            }
        }
    }

    if let Some(rival) = older_rival(input.binding, input.others_on_arn) {
        problems.push(Problem {
            condition_type: CONDITION_CONFLICT,
            reason: REASON_CONFLICTING_BINDING,
            message: format!(
                "target group {} is already bound by {}/{}; set multiClusterTargetGroup on every binding of it, or use another target group",
                spec.target_group_arn, rival.namespace, rival.name
            ),
        });
    }

    if mode != Some(TargetType::Instance)
        && let Err(error) = pod_condition_type(name)
    {
        problems.push(Problem {
            condition_type: CONDITION_READY,
            reason: REASON_INVALID_BINDING_NAME,
            message: format!("binding name cannot name a pod readiness gate: {error}"),
        });
    }
    problems
}

fn target_group_mismatches(
    binding: &TargetGroupBinding,
    arn: &str,
    tg: TargetGroupFacts<'_>,
) -> Vec<Problem> {
    let spec = &binding.spec;
    let mut problems = Vec::new();
    match (TargetType::from_aws(tg.target_type), spec.target_type) {
        (None, _) => problems.push(Problem {
            condition_type: CONDITION_READY,
            reason: REASON_UNSUPPORTED_TARGET_TYPE,
            message: format!(
                "target group {arn} has target type {}; only instance and ip can be bound",
                tg.target_type
            ),
        }),
        (Some(actual), Some(wanted)) if actual != wanted => problems.push(Problem {
            condition_type: CONDITION_READY,
            reason: REASON_TARGET_TYPE_MISMATCH,
            message: format!(
                "spec.targetType is {} but target group {arn} has target type {}",
                wanted.as_str(),
                actual.as_str()
            ),
        }),
        _ => {}
    }
    // AWS leaves the field out for IPv4 groups in some responses; LBC reads that as IPv4.
    let actual = match tg.ip_address_type.unwrap_or_default() {
        "" => Some(IpAddressType::Ipv4),
        other => IpAddressType::from_aws(other),
    };
    let wanted = spec.ip_address_type_or_default();
    if actual != Some(wanted) {
        problems.push(Problem {
            condition_type: CONDITION_READY,
            reason: REASON_IP_ADDRESS_TYPE_MISMATCH,
            message: format!(
                "spec.ipAddressType is {} but target group {arn} has IP address type {}",
                wanted.as_str(),
                tg.ip_address_type.unwrap_or("ipv4")
            ),
        });
    }
    problems
}

fn port_problem(problem: &PortProblem) -> Problem {
    let reason = match problem {
        PortProblem::PortNotOnService { .. } => REASON_PORT_NOT_FOUND,
        PortProblem::ServiceTypeWithoutNodePorts { .. } => REASON_SERVICE_TYPE_WITHOUT_NODE_PORTS,
        PortProblem::NoNodePort { .. } => REASON_NO_NODE_PORT,
    };
    Problem {
        condition_type: CONDITION_PORT_RESOLVED,
        reason,
        message: problem.to_string(),
    }
}

/// The oldest other binding on the ARN that this one conflicts with and that is older than it.
fn older_rival<'a>(
    binding: &TargetGroupBinding,
    others: &'a [BindingClaim<'a>],
) -> Option<&'a BindingClaim<'a>> {
    let me = BindingClaim::of(binding);
    others
        .iter()
        .filter(|other| other.uid != me.uid || me.uid.is_empty())
        .filter(|other| (other.namespace, other.name) != (me.namespace, me.name))
        .filter(|other| !(other.multi_cluster && me.multi_cluster))
        .filter(|other| other.seniority() < me.seniority())
        .min_by(|a, b| a.seniority().cmp(&b.seniority()))
}

#[cfg(test)]
mod tests;
