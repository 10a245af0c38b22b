//! RegisterTargets, DeregisterTargets, DescribeTargetHealth.

use std::time::Duration;

use super::super::errors::ApiError;
use super::super::model::Model;
use super::super::query::Params;
use super::super::xml::Xml;
use super::target_inputs;

pub fn register(params: &Params, model: &mut Model, now: Duration) -> Result<String, ApiError> {
    let arn = params.required("TargetGroupArn")?;
    if !params.has_prefix("Targets") {
        return Err(ApiError::missing("targets"));
    }
    model.register_targets(arn, &target_inputs(params, "Targets")?, now)?;
    Ok(String::new())
}

pub fn deregister(params: &Params, model: &mut Model, now: Duration) -> Result<String, ApiError> {
    let arn = params.required("TargetGroupArn")?;
    if !params.has_prefix("Targets") {
        return Err(ApiError::missing("targets"));
    }
    model.deregister_targets(arn, &target_inputs(params, "Targets")?, now)?;
    Ok(String::new())
}

pub fn describe_health(
    params: &Params,
    model: &mut Model,
    now: Duration,
) -> Result<String, ApiError> {
    let arn = params.required("TargetGroupArn")?;
    let rows = model.describe_target_health(arn, &target_inputs(params, "Targets")?, now)?;
    let mut xml = Xml::new();
    xml.members("TargetHealthDescriptions", &rows, |x, row| {
        x.element("Target", |x| {
            x.leaf("Id", &row.id);
            x.opt_leaf("Port", row.port.map(|p| p.to_string()).as_deref());
            x.opt_leaf("AvailabilityZone", row.availability_zone.as_deref());
        });
        x.opt_leaf("HealthCheckPort", row.health_check_port.as_deref());
        x.element("TargetHealth", |x| {
            x.leaf("State", row.health.state.as_str());
            x.opt_leaf("Reason", row.health.reason);
            x.opt_leaf("Description", row.health.description.as_deref());
        });
    });
    Ok(xml.finish())
}
