//! The fake's target groups, targets and attributes.

use std::collections::BTreeMap;

use crate::batch::{TargetBatchOutcome, send_in_chunks};
use crate::error::Elbv2Error;
use crate::operation::Operation;
use crate::port::ApiFuture;
use crate::requests::{CallOptions, CreateTargetGroupSpec, TargetGroupQuery};
use crate::testing::{FakeElbv2, FakeState, FakeTargetGroup, aws_error};
use crate::types::{
    Action, HealthCheck, Matcher, Protocol, Target, TargetGroup, TargetHealth, TargetHealthState,
};

const TG_NOT_FOUND: &str = "One or more target groups not found";
pub(super) const MAX_TAGS: usize = 50;
pub(super) const ONE_RESOURCE: &str = "Only one resource can be tagged at a time";

pub(super) fn tg_not_found(operation: Operation) -> Elbv2Error {
    aws_error(operation, "TargetGroupNotFound", TG_NOT_FOUND)
}

fn group_mut<'a>(
    state: &'a mut FakeState,
    operation: Operation,
    arn: &str,
) -> Result<&'a mut FakeTargetGroup, Elbv2Error> {
    state
        .target_groups
        .get_mut(arn)
        .ok_or_else(|| tg_not_found(operation))
}

fn reason_for(state: &TargetHealthState) -> Option<(&'static str, &'static str)> {
    match state {
        TargetHealthState::Initial => Some((
            "Elb.RegistrationInProgress",
            "Target registration is in progress",
        )),
        TargetHealthState::Unhealthy => Some(("Target.FailedHealthChecks", "Health checks failed")),
        TargetHealthState::Draining => Some((
            "Target.DeregistrationInProgress",
            "Target deregistration is in progress",
        )),
        TargetHealthState::Unused => Some((
            "Target.NotRegistered",
            "Target is not registered to the target group",
        )),
        _ => None,
    }
}

fn default_health_check(protocol: Option<&Protocol>, given: &HealthCheck) -> HealthCheck {
    let http = matches!(protocol, Some(Protocol::Http | Protocol::Https) | None);
    HealthCheck {
        enabled: Some(given.enabled.unwrap_or(true)),
        protocol: given.protocol.clone().or_else(|| protocol.cloned()),
        port: Some(given.port.clone().unwrap_or_else(|| "traffic-port".into())),
        path: given.path.clone().or_else(|| http.then(|| "/".into())),
        interval_seconds: Some(given.interval_seconds.unwrap_or(30)),
        timeout_seconds: Some(given.timeout_seconds.unwrap_or(if http { 5 } else { 10 })),
        healthy_threshold: Some(given.healthy_threshold.unwrap_or(5)),
        unhealthy_threshold: Some(given.unhealthy_threshold.unwrap_or(2)),
        matcher: given.matcher.clone().or_else(|| {
            http.then(|| Matcher {
                http_code: Some("200".into()),
                grpc_code: None,
            })
        }),
    }
}

fn merge_health_check(current: &mut HealthCheck, change: HealthCheck) {
    macro_rules! take {
        ($($field:ident),*) => { $(if change.$field.is_some() { current.$field = change.$field; })* };
    }
    take!(
        enabled,
        protocol,
        port,
        path,
        interval_seconds,
        timeout_seconds,
        healthy_threshold,
        unhealthy_threshold,
        matcher
    );
}

fn default_attributes() -> BTreeMap<String, String> {
    [
        ("deregistration_delay.timeout_seconds", "300"),
        ("stickiness.enabled", "false"),
        ("stickiness.type", "lb_cookie"),
        ("load_balancing.algorithm.type", "round_robin"),
        ("slow_start.duration_seconds", "0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 32
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

pub(super) fn check_target_groups_exist(
    state: &FakeState,
    operation: Operation,
    actions: &[Action],
) -> Result<(), Elbv2Error> {
    for action in actions {
        if let Action::Forward { target_groups, .. } = action
            && target_groups
                .iter()
                .any(|tg| !state.target_groups.contains_key(&tg.arn))
        {
            return Err(tg_not_found(operation));
        }
    }
    Ok(())
}

impl FakeElbv2 {
    async fn change_targets(
        &self,
        operation: Operation,
        arn: String,
        chunk: Vec<Target>,
    ) -> Result<(), Elbv2Error> {
        self.enter(operation).await?;
        let mut state = self.state();
        state.note_target_batch(chunk.len());
        if chunk.len() > state.config.max_targets_per_call {
            return Err(aws_error(
                operation,
                "ValidationError",
                "too many targets in one call",
            ));
        }
        let initial = state.config.initial_health.clone();
        let tg = group_mut(&mut state, operation, &arn)?;
        let default_port = tg.group.port;
        for mut target in chunk {
            if target.id.is_empty() {
                return Err(aws_error(
                    operation,
                    "InvalidTarget",
                    "The target Id is empty",
                ));
            }
            target.port = target.port.or(default_port);
            if operation == Operation::RegisterTargets {
                tg.targets.entry(target).or_insert_with(|| initial.clone());
            } else {
                tg.targets.remove(&target);
            }
        }
        Ok(())
    }
}

impl FakeElbv2 {
    pub(super) fn fake_describe_target_groups(
        &self,
        query: TargetGroupQuery,
        _opts: CallOptions,
    ) -> ApiFuture<'_, Vec<TargetGroup>> {
        Box::pin(async move {
            const OP: Operation = Operation::DescribeTargetGroups;
            self.enter(OP).await?;
            let state = self.state();
            let all = state.target_groups.values().map(|tg| &tg.group);
            match query {
                TargetGroupQuery::All => Ok(all.cloned().collect()),
                TargetGroupQuery::LoadBalancer(lb) => {
                    if !state.load_balancers.contains_key(&lb) {
                        return Err(aws_error(
                            OP,
                            "LoadBalancerNotFound",
                            "One or more load balancers not found",
                        ));
                    }
                    Ok(all
                        .filter(|g| g.load_balancer_arns.contains(&lb))
                        .cloned()
                        .collect())
                }
                TargetGroupQuery::Arns(wanted) | TargetGroupQuery::Names(wanted) => {
                    let found: Vec<TargetGroup> = all
                        .filter(|g| wanted.contains(&g.arn) || wanted.contains(&g.name))
                        .cloned()
                        .collect();
                    if found.len() < wanted.len() {
                        return Err(tg_not_found(OP));
                    }
                    Ok(found)
                }
            }
        })
    }

    pub(super) fn fake_describe_target_health(
        &self,
        target_group_arn: String,
        targets: Option<Vec<Target>>,
        _opts: CallOptions,
    ) -> ApiFuture<'_, Vec<TargetHealth>> {
        Box::pin(async move {
            const OP: Operation = Operation::DescribeTargetHealth;
            self.enter(OP).await?;
            let mut state = self.state();
            let tg = group_mut(&mut state, OP, &target_group_arn)?;
            let health = |target: &Target, state: TargetHealthState| {
                let reason = reason_for(&state);
                TargetHealth {
                    target: target.clone(),
                    state,
                    reason: reason.map(|(r, _)| r.to_owned()),
                    description: reason.map(|(_, d)| d.to_owned()),
                    health_check_port: Some(target.port.map(|p| p.to_string()).unwrap_or_default()),
                }
            };
            Ok(match targets {
                None => tg
                    .targets
                    .iter()
                    .map(|(t, s)| health(t, s.clone()))
                    .collect(),
                Some(wanted) => wanted
                    .iter()
                    .map(|t| {
                        let mut t = t.clone();
                        t.port = t.port.or(tg.group.port);
                        let state = tg
                            .targets
                            .get(&t)
                            .cloned()
                            .unwrap_or(TargetHealthState::Unused);
                        health(&t, state)
                    })
                    .collect(),
            })
        })
    }

    pub(super) fn fake_register_targets(
        &self,
        target_group_arn: String,
        targets: Vec<Target>,
        _opts: CallOptions,
    ) -> ApiFuture<'_, TargetBatchOutcome> {
        Box::pin(async move {
            Ok(
                send_in_chunks(targets, crate::batch::TARGETS_PER_CALL, |chunk| {
                    self.change_targets(Operation::RegisterTargets, target_group_arn.clone(), chunk)
                })
                .await,
            )
        })
    }

    pub(super) fn fake_deregister_targets(
        &self,
        target_group_arn: String,
        targets: Vec<Target>,
        _opts: CallOptions,
    ) -> ApiFuture<'_, TargetBatchOutcome> {
        Box::pin(async move {
            Ok(
                send_in_chunks(targets, crate::batch::TARGETS_PER_CALL, |chunk| {
                    self.change_targets(
                        Operation::DeregisterTargets,
                        target_group_arn.clone(),
                        chunk,
                    )
                })
                .await,
            )
        })
    }

    pub(super) fn fake_create_target_group(
        &self,
        spec: CreateTargetGroupSpec,
        _opts: CallOptions,
    ) -> ApiFuture<'_, TargetGroup> {
        Box::pin(async move {
            const OP: Operation = Operation::CreateTargetGroup;
            self.enter(OP).await?;
            let mut state = self.state();
            if !valid_name(&spec.name) {
                return Err(aws_error(
                    OP,
                    "ValidationError",
                    format!("Target group name '{}' is not valid", spec.name),
                ));
            }
            let group = TargetGroup {
                arn: String::new(),
                name: spec.name.clone(),
                protocol: spec.protocol.clone(),
                port: spec.port,
                vpc_id: spec.vpc_id.clone(),
                target_type: spec.target_type.clone(),
                ip_address_type: spec.ip_address_type.clone(),
                protocol_version: spec.protocol_version.clone(),
                health_check: default_health_check(spec.protocol.as_ref(), &spec.health_check),
                load_balancer_arns: Vec::new(),
            };
            if let Some(existing) = state
                .target_groups
                .values()
                .find(|tg| tg.group.name == spec.name)
            {
                let same = TargetGroup {
                    arn: existing.group.arn.clone(),
                    load_balancer_arns: existing.group.load_balancer_arns.clone(),
                    ..group
                };
                return if same == existing.group {
                    Ok(same)
                } else {
                    Err(aws_error(
                        OP,
                        "DuplicateTargetGroupName",
                        "A target group with the same name exists, but with different settings",
                    ))
                };
            }
            let arn = state.arn(&format!("targetgroup/{}", spec.name));
            let group = TargetGroup {
                arn: arn.clone(),
                ..group
            };
            state.target_groups.insert(
                arn.clone(),
                FakeTargetGroup {
                    group: group.clone(),
                    targets: BTreeMap::new(),
                    attributes: default_attributes(),
                },
            );
            if !spec.tags.is_empty() {
                state.tags.insert(
                    arn,
                    spec.tags.into_iter().map(|t| (t.key, t.value)).collect(),
                );
            }
            Ok(group)
        })
    }

    pub(super) fn fake_modify_target_group(
        &self,
        target_group_arn: String,
        health_check: HealthCheck,
        _opts: CallOptions,
    ) -> ApiFuture<'_, TargetGroup> {
        Box::pin(async move {
            const OP: Operation = Operation::ModifyTargetGroup;
            self.enter(OP).await?;
            let mut state = self.state();
            let tg = group_mut(&mut state, OP, &target_group_arn)?;
            merge_health_check(&mut tg.group.health_check, health_check);
            Ok(tg.group.clone())
        })
    }

    pub(super) fn fake_delete_target_group(
        &self,
        target_group_arn: String,
        _opts: CallOptions,
    ) -> ApiFuture<'_, ()> {
        Box::pin(async move {
            const OP: Operation = Operation::DeleteTargetGroup;
            self.enter(OP).await?;
            let mut state = self.state();
            if let Some(tg) = state.target_groups.get(&target_group_arn)
                && !tg.group.load_balancer_arns.is_empty()
            {
                return Err(aws_error(
                    OP,
                    "ResourceInUse",
                    format!(
                        "Target group '{target_group_arn}' is currently in use by a listener or a rule"
                    ),
                ));
            }
            state.target_groups.remove(&target_group_arn);
            state.tags.remove(&target_group_arn);
            Ok(())
        })
    }

    pub(super) fn fake_describe_target_group_attributes(
        &self,
        target_group_arn: String,
        _opts: CallOptions,
    ) -> ApiFuture<'_, BTreeMap<String, String>> {
        Box::pin(async move {
            const OP: Operation = Operation::DescribeTargetGroupAttributes;
            self.enter(OP).await?;
            let mut state = self.state();
            Ok(group_mut(&mut state, OP, &target_group_arn)?
                .attributes
                .clone())
        })
    }

    pub(super) fn fake_modify_target_group_attributes(
        &self,
        target_group_arn: String,
        attributes: BTreeMap<String, String>,
        _opts: CallOptions,
    ) -> ApiFuture<'_, BTreeMap<String, String>> {
        Box::pin(async move {
            const OP: Operation = Operation::ModifyTargetGroupAttributes;
            self.enter(OP).await?;
            let mut state = self.state();
            let tg = group_mut(&mut state, OP, &target_group_arn)?;
            tg.attributes.extend(attributes);
            Ok(tg.attributes.clone())
        })
    }
}
