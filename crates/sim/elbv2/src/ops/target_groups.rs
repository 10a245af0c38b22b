//! CreateTargetGroup, DescribeTargetGroups, ModifyTargetGroup, DeleteTargetGroup and the
//! attribute actions.

use std::time::Duration;

use super::super::errors::ApiError;
use super::super::model::Model;
use super::super::model::target_group::{TargetGroup, TargetGroupChanges, TargetGroupInput};
use super::super::model::target_groups::TargetGroupFilter;
use super::super::query::Params;
use super::super::xml::Xml;
use super::{page_size, tag_inputs};

pub fn create(params: &Params, model: &mut Model, now: Duration) -> Result<String, ApiError> {
    let matcher = params.nested("Matcher");
    let input = TargetGroupInput {
        name: params.required("Name")?.to_owned(),
        protocol: params.get("Protocol").map(str::to_owned),
        protocol_version: params.get("ProtocolVersion").map(str::to_owned),
        port: params.int("Port")?,
        vpc_id: params.get("VpcId").map(str::to_owned),
        health_check_protocol: params.get("HealthCheckProtocol").map(str::to_owned),
        health_check_port: params.get("HealthCheckPort").map(str::to_owned),
        health_check_enabled: params.bool("HealthCheckEnabled")?,
        health_check_path: params.get("HealthCheckPath").map(str::to_owned),
        health_check_interval_seconds: params.int("HealthCheckIntervalSeconds")?,
        health_check_timeout_seconds: params.int("HealthCheckTimeoutSeconds")?,
        healthy_threshold_count: params.int("HealthyThresholdCount")?,
        unhealthy_threshold_count: params.int("UnhealthyThresholdCount")?,
        matcher_http_code: matcher.get("HttpCode").map(str::to_owned),
        matcher_grpc_code: matcher.get("GrpcCode").map(str::to_owned),
        target_type: params.get("TargetType").map(str::to_owned),
        ip_address_type: params.get("IpAddressType").map(str::to_owned),
    };
    let tg = model.create_target_group(&input, &tag_inputs(params), now)?;
    let load_balancers = model.load_balancers_using(&tg.arn);
    let mut xml = Xml::new();
    xml.members("TargetGroups", [&tg], |x, tg| {
        write_target_group(x, tg, &load_balancers)
    });
    Ok(xml.finish())
}

pub fn describe(params: &Params, model: &mut Model, now: Duration) -> Result<String, ApiError> {
    let filter = TargetGroupFilter {
        arns: params.list("TargetGroupArns"),
        names: params.list("Names"),
        load_balancer_arn: params.get("LoadBalancerArn").map(str::to_owned),
    };
    let page =
        model.describe_target_groups(&filter, params.get("Marker"), page_size(params)?, now)?;
    let mut xml = Xml::new();
    xml.members("TargetGroups", &page.items, |x, tg| {
        write_target_group(x, tg, &model.load_balancers_using(&tg.arn));
    });
    xml.opt_leaf("NextMarker", page.next_marker.as_deref());
    Ok(xml.finish())
}

pub fn modify(params: &Params, model: &mut Model, now: Duration) -> Result<String, ApiError> {
    let arn = params.required("TargetGroupArn")?;
    let matcher = params.nested("Matcher");
    let changes = TargetGroupChanges {
        health_check_protocol: params.get("HealthCheckProtocol").map(str::to_owned),
        health_check_port: params.get("HealthCheckPort").map(str::to_owned),
        health_check_path: params.get("HealthCheckPath").map(str::to_owned),
        health_check_enabled: params.bool("HealthCheckEnabled")?,
        health_check_interval_seconds: params.int("HealthCheckIntervalSeconds")?,
        health_check_timeout_seconds: params.int("HealthCheckTimeoutSeconds")?,
        healthy_threshold_count: params.int("HealthyThresholdCount")?,
        unhealthy_threshold_count: params.int("UnhealthyThresholdCount")?,
        matcher_http_code: matcher.get("HttpCode").map(str::to_owned),
        matcher_grpc_code: matcher.get("GrpcCode").map(str::to_owned),
    };
    let tg = model.modify_target_group(arn, &changes, now)?;
    let load_balancers = model.load_balancers_using(&tg.arn);
    let mut xml = Xml::new();
    xml.members("TargetGroups", [&tg], |x, tg| {
        write_target_group(x, tg, &load_balancers)
    });
    Ok(xml.finish())
}

pub fn delete(params: &Params, model: &mut Model, now: Duration) -> Result<String, ApiError> {
    model.delete_target_group(params.required("TargetGroupArn")?, now)?;
    Ok(String::new())
}

pub fn describe_attributes(
    params: &Params,
    model: &mut Model,
    now: Duration,
) -> Result<String, ApiError> {
    let attributes = model.target_group_attributes(params.required("TargetGroupArn")?, now)?;
    Ok(attributes_xml(&attributes))
}

pub fn modify_attributes(
    params: &Params,
    model: &mut Model,
    now: Duration,
) -> Result<String, ApiError> {
    let arn = params.required("TargetGroupArn")?;
    if !params.has_prefix("Attributes") {
        return Err(ApiError::missing("attributes"));
    }
    let mut changes = Vec::new();
    for (index, member) in params.members("Attributes").into_iter().enumerate() {
        let key = member
            .get("Key")
            .ok_or_else(|| ApiError::missing(&format!("attributes.{}.member.key", index + 1)))?;
        changes.push((
            key.to_owned(),
            member.get("Value").unwrap_or_default().to_owned(),
        ));
    }
    let attributes = model.modify_target_group_attributes(arn, &changes, now)?;
    Ok(attributes_xml(&attributes))
}

fn attributes_xml(attributes: &[(String, String)]) -> String {
    let mut xml = Xml::new();
    xml.members("Attributes", attributes, |x, (key, value)| {
        x.leaf("Key", key).leaf("Value", value);
    });
    xml.finish()
}

/// The `TargetGroup` structure (element names from the SDK's `shape_target_group` deserializer).
pub fn write_target_group(xml: &mut Xml, tg: &TargetGroup, load_balancers: &[String]) {
    let spec = &tg.spec;
    xml.leaf("TargetGroupArn", &tg.arn)
        .leaf("TargetGroupName", &tg.name);
    xml.opt_leaf("Protocol", spec.protocol.as_deref());
    xml.opt_leaf("Port", spec.port.map(|p| p.to_string()).as_deref());
    xml.opt_leaf("VpcId", spec.vpc_id.as_deref());
    xml.opt_leaf("HealthCheckProtocol", spec.health_check_protocol.as_deref());
    xml.opt_leaf("HealthCheckPort", spec.health_check_port.as_deref());
    xml.leaf("HealthCheckEnabled", &spec.health_check_enabled.to_string());
    xml.leaf(
        "HealthCheckIntervalSeconds",
        &spec.health_check_interval_seconds.to_string(),
    );
    xml.leaf(
        "HealthCheckTimeoutSeconds",
        &spec.health_check_timeout_seconds.to_string(),
    );
    xml.leaf(
        "HealthyThresholdCount",
        &spec.healthy_threshold_count.to_string(),
    );
    xml.leaf(
        "UnhealthyThresholdCount",
        &spec.unhealthy_threshold_count.to_string(),
    );
    xml.opt_leaf("HealthCheckPath", spec.health_check_path.as_deref());
    if spec.matcher_http_code.is_some() || spec.matcher_grpc_code.is_some() {
        xml.element("Matcher", |x| {
            x.opt_leaf("HttpCode", spec.matcher_http_code.as_deref());
            x.opt_leaf("GrpcCode", spec.matcher_grpc_code.as_deref());
        });
    }
    xml.members("LoadBalancerArns", load_balancers, |x, arn| {
        x.text(arn);
    });
    xml.leaf("TargetType", &spec.target_type);
    xml.opt_leaf("ProtocolVersion", spec.protocol_version.as_deref());
    xml.leaf("IpAddressType", &spec.ip_address_type);
}
