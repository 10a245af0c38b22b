//! The fake's [`TargetsApi`]: target groups as they are, targets registered, deregistered and
//! described.

use lbgate_elbv2::batch::{TARGETS_PER_CALL, TargetBatchOutcome, send_in_chunks};
use lbgate_elbv2::{
    ApiFuture, CallOptions, Elbv2Error, Operation, Target, TargetGroup, TargetGroupQuery,
    TargetHealth, TargetHealthState, TargetsApi,
};

use super::{FakeElbv2, FakeState, FakeTargetGroup, aws_error};

fn tg_not_found(operation: Operation) -> Elbv2Error {
    aws_error(
        operation,
        "TargetGroupNotFound",
        "One or more target groups not found",
    )
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

/// The reason and description AWS gives with a state.
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

impl FakeElbv2 {
    /// One register or deregister call of at most one chunk.
    async fn change_targets(
        &self,
        operation: Operation,
        arn: String,
        chunk: Vec<Target>,
    ) -> Result<(), Elbv2Error> {
        self.enter(operation).await?;
        let mut state = self.state();
        state.largest_target_batch = state.largest_target_batch.max(chunk.len());
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

    /// Register or deregister `targets` in chunks, as the SDK adapter sends them.
    fn change_in_chunks(
        &self,
        operation: Operation,
        target_group_arn: String,
        targets: Vec<Target>,
    ) -> ApiFuture<'_, TargetBatchOutcome> {
        Box::pin(async move {
            Ok(send_in_chunks(targets, TARGETS_PER_CALL, |chunk| {
                self.change_targets(operation, target_group_arn.clone(), chunk)
            })
            .await)
        })
    }
}

impl TargetsApi for FakeElbv2 {
    fn describe_target_groups(
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
                TargetGroupQuery::LoadBalancer(_) => Err(aws_error(
                    OP,
                    "LoadBalancerNotFound",
                    "One or more load balancers not found",
                )),
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

    fn describe_target_health(
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

    fn register_targets(
        &self,
        target_group_arn: String,
        targets: Vec<Target>,
        _opts: CallOptions,
    ) -> ApiFuture<'_, TargetBatchOutcome> {
        self.change_in_chunks(Operation::RegisterTargets, target_group_arn, targets)
    }

    fn deregister_targets(
        &self,
        target_group_arn: String,
        targets: Vec<Target>,
        _opts: CallOptions,
    ) -> ApiFuture<'_, TargetBatchOutcome> {
        self.change_in_chunks(Operation::DeregisterTargets, target_group_arn, targets)
    }
}
