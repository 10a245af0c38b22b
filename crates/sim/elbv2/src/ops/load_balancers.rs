//! CreateLoadBalancer, DescribeLoadBalancers, DeleteLoadBalancer.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::super::errors::ApiError;
use super::super::model::Model;
use super::super::model::load_balancers::{LoadBalancer, LoadBalancerInput};
use super::super::query::Params;
use super::super::xml::Xml;
use super::{page_size, tag_inputs};

pub fn create(params: &Params, model: &mut Model, now: Duration) -> Result<String, ApiError> {
    let mut subnets = params.list("Subnets");
    subnets.extend(
        params
            .members("SubnetMappings")
            .into_iter()
            .filter_map(|m| m.get("SubnetId").map(str::to_owned)),
    );
    let input = LoadBalancerInput {
        name: params.required("Name")?.to_owned(),
        kind: params.get("Type").map(str::to_owned),
        scheme: params.get("Scheme").map(str::to_owned),
        subnets,
        security_groups: params.list("SecurityGroups"),
        ip_address_type: params.get("IpAddressType").map(str::to_owned),
    };
    let lb = model.create_load_balancer(&input, &tag_inputs(params), now)?;
    let mut xml = Xml::new();
    xml.members("LoadBalancers", [&lb], |x, lb| {
        write_load_balancer(x, lb, model, now)
    });
    Ok(xml.finish())
}

pub fn describe(params: &Params, model: &mut Model, now: Duration) -> Result<String, ApiError> {
    let arns = params.list("LoadBalancerArns");
    let names = params.list("Names");
    let page =
        model.describe_load_balancers(&arns, &names, params.get("Marker"), page_size(params)?)?;
    let mut xml = Xml::new();
    xml.members("LoadBalancers", &page.items, |x, lb| {
        write_load_balancer(x, lb, model, now)
    });
    xml.opt_leaf("NextMarker", page.next_marker.as_deref());
    Ok(xml.finish())
}

pub fn delete(params: &Params, model: &mut Model, now: Duration) -> Result<String, ApiError> {
    model.delete_load_balancer(params.required("LoadBalancerArn")?, now)?;
    Ok(String::new())
}

fn write_load_balancer(xml: &mut Xml, lb: &LoadBalancer, model: &Model, now: Duration) {
    xml.leaf("LoadBalancerArn", &lb.arn)
        .leaf("DNSName", &lb.dns_name)
        .leaf("CanonicalHostedZoneId", &lb.canonical_hosted_zone_id)
        .leaf("CreatedTime", &iso8601(model.wall_time(lb.created_at)))
        .leaf("LoadBalancerName", &lb.name)
        .leaf("Scheme", &lb.scheme)
        .leaf("VpcId", &lb.vpc_id);
    xml.element("State", |x| {
        x.leaf("Code", lb.state(now));
    });
    xml.leaf("Type", lb.kind.as_str());
    xml.members("AvailabilityZones", &lb.subnets, |x, (subnet, zone)| {
        x.leaf("ZoneName", zone).leaf("SubnetId", subnet);
    });
    xml.members("SecurityGroups", &lb.security_groups, |x, group| {
        x.text(group);
    });
    xml.leaf("IpAddressType", &lb.ip_address_type);
}

/// `2016-03-25T21:26:12.920Z`, the timestamp form ELBv2 uses.
pub fn iso8601(at: SystemTime) -> String {
    lbgate_sim_clock::utc_timestamp(at.duration_since(UNIX_EPOCH).unwrap_or_default(), true)
}

#[cfg(test)]
mod tests;
