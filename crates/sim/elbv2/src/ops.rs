//! Query operations: decode parameters, call the model, write the `…Result` XML.

mod listeners;
mod load_balancers;
mod tags;
mod target_groups;
mod targets;

use std::time::Duration;

use super::errors::ApiError;
use super::model::Model;
use super::model::targets::TargetInput;
use super::query::Params;

type Handler = fn(&Params, &mut Model, Duration) -> Result<String, ApiError>;

/// Every action the simulator answers.
const OPERATIONS: &[(&str, Handler)] = &[
    ("CreateTargetGroup", target_groups::create),
    ("DescribeTargetGroups", target_groups::describe),
    ("ModifyTargetGroup", target_groups::modify),
    ("DeleteTargetGroup", target_groups::delete),
    (
        "DescribeTargetGroupAttributes",
        target_groups::describe_attributes,
    ),
    (
        "ModifyTargetGroupAttributes",
        target_groups::modify_attributes,
    ),
    ("RegisterTargets", targets::register),
    ("DeregisterTargets", targets::deregister),
    ("DescribeTargetHealth", targets::describe_health),
    ("AddTags", tags::add),
    ("RemoveTags", tags::remove),
    ("DescribeTags", tags::describe),
    ("CreateLoadBalancer", load_balancers::create),
    ("DescribeLoadBalancers", load_balancers::describe),
    ("DeleteLoadBalancer", load_balancers::delete),
    ("CreateListener", listeners::create_listener),
    ("DescribeListeners", listeners::describe_listeners),
    ("ModifyListener", listeners::modify_listener),
    ("DeleteListener", listeners::delete_listener),
    ("CreateRule", listeners::create_rule),
    ("DescribeRules", listeners::describe_rules),
    ("ModifyRule", listeners::modify_rule),
    ("DeleteRule", listeners::delete_rule),
    ("SetRulePriorities", listeners::set_rule_priorities),
];

pub fn is_known(action: &str) -> bool {
    OPERATIONS.iter().any(|(name, _)| *name == action)
}

/// Runs `action`; the caller has checked that it is known.
pub fn dispatch(
    action: &str,
    params: &Params,
    model: &mut Model,
    now: Duration,
) -> Result<String, ApiError> {
    let handler = OPERATIONS
        .iter()
        .find(|(name, _)| *name == action)
        .map(|(_, handler)| *handler)
        .ok_or_else(|| ApiError::invalid_action(action))?;
    handler(params, model, now)
}

/// `Targets.member.N.{Id,Port,AvailabilityZone}`.
fn target_inputs(params: &Params, prefix: &str) -> Result<Vec<TargetInput>, ApiError> {
    params
        .members(prefix)
        .into_iter()
        .map(|member| {
            Ok(TargetInput {
                id: member.get("Id").map(str::to_owned),
                port: member.int("Port")?,
                availability_zone: member.get("AvailabilityZone").map(str::to_owned),
            })
        })
        .collect()
}

/// `Tags.member.N.{Key,Value}`.
fn tag_inputs(params: &Params) -> Vec<(String, Option<String>)> {
    params
        .members("Tags")
        .into_iter()
        .map(|member| {
            (
                member.get("Key").unwrap_or_default().to_owned(),
                member.get("Value").map(str::to_owned),
            )
        })
        .collect()
}

/// `PageSize` within 1..=400.
fn page_size(params: &Params) -> Result<Option<usize>, ApiError> {
    params
        .int("PageSize")?
        .map(|size| super::model::target_group::ranged("pageSize", size, 1, 400))
        .transpose()
}

#[cfg(test)]
mod tests;
