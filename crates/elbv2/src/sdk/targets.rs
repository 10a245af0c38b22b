//! Targets and their health: register / deregister in chunks, describe health.

use aws_sdk_elasticloadbalancingv2::types as sdk;

use crate::batch::{TARGETS_PER_CALL, TargetBatchOutcome, send_in_chunks};
use crate::error::Elbv2Error;
use crate::operation::Operation;
use crate::sdk::errors::map_sdk_error;
use crate::sdk::{SdkElbv2, missing, port_from};
use crate::types::{Target, TargetHealth, TargetHealthState};

fn target_to_sdk(target: &Target) -> sdk::TargetDescription {
    sdk::TargetDescription::builder()
        .id(&target.id)
        .set_port(target.port.map(i32::from))
        .set_availability_zone(target.availability_zone.clone())
        .build()
}

fn target_from_sdk(
    operation: Operation,
    target: Option<&sdk::TargetDescription>,
) -> Result<Target, Elbv2Error> {
    let target = target.ok_or_else(|| missing(operation, "Target"))?;
    let id = target.id().ok_or_else(|| missing(operation, "Target.Id"))?;
    Ok(Target {
        id: id.to_owned(),
        port: port_from(target.port()),
        availability_zone: target.availability_zone().map(str::to_owned),
    })
}

fn health_from_sdk(
    operation: Operation,
    description: &sdk::TargetHealthDescription,
) -> Result<TargetHealth, Elbv2Error> {
    let target = target_from_sdk(operation, description.target())?;
    let health = description
        .target_health()
        .ok_or_else(|| missing(operation, "TargetHealth"))?;
    let state = health
        .state()
        .ok_or_else(|| missing(operation, "TargetHealth.State"))?;
    Ok(TargetHealth {
        target,
        state: TargetHealthState::from_wire(state.as_str()),
        reason: health.reason().map(|r| r.as_str().to_owned()),
        description: health.description().map(str::to_owned),
        health_check_port: description.health_check_port().map(str::to_owned),
    })
}

impl SdkElbv2 {
    pub(crate) async fn sdk_describe_target_health(
        &self,
        target_group_arn: String,
        targets: Option<Vec<Target>>,
    ) -> Result<Vec<TargetHealth>, Elbv2Error> {
        const OP: Operation = Operation::DescribeTargetHealth;
        // An empty filter would list every target; the caller asked about none.
        if targets.as_ref().is_some_and(Vec::is_empty) {
            return Ok(Vec::new());
        }
        let output = self
            .client
            .describe_target_health()
            .target_group_arn(target_group_arn)
            .set_targets(targets.map(|list| list.iter().map(target_to_sdk).collect()))
            .send()
            .await
            .map_err(|e| map_sdk_error(OP, e))?;
        output
            .target_health_descriptions()
            .iter()
            .map(|description| health_from_sdk(OP, description))
            .collect()
    }

    async fn register_chunk(&self, arn: String, chunk: Vec<Target>) -> Result<(), Elbv2Error> {
        const OP: Operation = Operation::RegisterTargets;
        self.client
            .register_targets()
            .target_group_arn(arn)
            .set_targets(Some(chunk.iter().map(target_to_sdk).collect()))
            .send()
            .await
            .map_err(|e| map_sdk_error(OP, e))?;
        Ok(())
    }

    async fn deregister_chunk(&self, arn: String, chunk: Vec<Target>) -> Result<(), Elbv2Error> {
        const OP: Operation = Operation::DeregisterTargets;
        self.client
            .deregister_targets()
            .target_group_arn(arn)
            .set_targets(Some(chunk.iter().map(target_to_sdk).collect()))
            .send()
            .await
            .map_err(|e| map_sdk_error(OP, e))?;
        Ok(())
    }

    pub(crate) async fn sdk_register_targets(
        &self,
        target_group_arn: String,
        targets: Vec<Target>,
    ) -> TargetBatchOutcome {
        send_in_chunks(targets, TARGETS_PER_CALL, |chunk| {
            self.register_chunk(target_group_arn.clone(), chunk)
        })
        .await
    }

    pub(crate) async fn sdk_deregister_targets(
        &self,
        target_group_arn: String,
        targets: Vec<Target>,
    ) -> TargetBatchOutcome {
        send_in_chunks(targets, TARGETS_PER_CALL, |chunk| {
            self.deregister_chunk(target_group_arn.clone(), chunk)
        })
        .await
    }
}
