//! Target groups: describe (paginated), create, modify health checks, delete, attributes.

use std::collections::BTreeMap;

use aws_sdk_elasticloadbalancingv2::types as sdk;

use crate::error::Elbv2Error;
use crate::operation::Operation;
use crate::requests::{CreateTargetGroupSpec, TargetGroupQuery};
use crate::sdk::errors::map_sdk_error;
use crate::sdk::{SdkElbv2, count_from, missing, paginate, port_from, to_i32};
use crate::types::{HealthCheck, IpAddressType, Matcher, Protocol, TargetGroup, TargetType};

pub(crate) fn target_group_from_sdk(
    operation: Operation,
    tg: &sdk::TargetGroup,
) -> Result<TargetGroup, Elbv2Error> {
    let arn = tg
        .target_group_arn()
        .ok_or_else(|| missing(operation, "TargetGroupArn"))?;
    let name = tg
        .target_group_name()
        .ok_or_else(|| missing(operation, "TargetGroupName"))?;
    Ok(TargetGroup {
        arn: arn.to_owned(),
        name: name.to_owned(),
        protocol: tg.protocol().map(|p| Protocol::from_wire(p.as_str())),
        port: port_from(tg.port()),
        vpc_id: tg.vpc_id().map(str::to_owned),
        target_type: tg.target_type().map(|t| TargetType::from_wire(t.as_str())),
        ip_address_type: tg
            .ip_address_type()
            .map(|t| IpAddressType::from_wire(t.as_str())),
        protocol_version: tg.protocol_version().map(str::to_owned),
        health_check: HealthCheck {
            enabled: tg.health_check_enabled(),
            protocol: tg
                .health_check_protocol()
                .map(|p| Protocol::from_wire(p.as_str())),
            port: tg.health_check_port().map(str::to_owned),
            path: tg.health_check_path().map(str::to_owned),
            interval_seconds: count_from(tg.health_check_interval_seconds()),
            timeout_seconds: count_from(tg.health_check_timeout_seconds()),
            healthy_threshold: count_from(tg.healthy_threshold_count()),
            unhealthy_threshold: count_from(tg.unhealthy_threshold_count()),
            matcher: tg.matcher().map(|m| Matcher {
                http_code: m.http_code().map(str::to_owned),
                grpc_code: m.grpc_code().map(str::to_owned),
            }),
        },
        load_balancer_arns: tg.load_balancer_arns().to_vec(),
    })
}

fn matcher_to_sdk(matcher: &Matcher) -> sdk::Matcher {
    sdk::Matcher::builder()
        .set_http_code(matcher.http_code.clone())
        .set_grpc_code(matcher.grpc_code.clone())
        .build()
}

fn protocol_to_sdk(protocol: &Protocol) -> sdk::ProtocolEnum {
    sdk::ProtocolEnum::from(protocol.as_str())
}

fn first_target_group(
    operation: Operation,
    groups: &[sdk::TargetGroup],
) -> Result<TargetGroup, Elbv2Error> {
    let tg = groups
        .first()
        .ok_or_else(|| missing(operation, "TargetGroups.member.1"))?;
    target_group_from_sdk(operation, tg)
}

fn attributes_from_sdk(attributes: &[sdk::TargetGroupAttribute]) -> BTreeMap<String, String> {
    attributes
        .iter()
        .filter_map(|a| {
            a.key()
                .map(|key| (key.to_owned(), a.value().unwrap_or_default().to_owned()))
        })
        .collect()
}

impl SdkElbv2 {
    pub(crate) async fn sdk_describe_target_groups(
        &self,
        query: TargetGroupQuery,
    ) -> Result<Vec<TargetGroup>, Elbv2Error> {
        const OP: Operation = Operation::DescribeTargetGroups;
        // An empty ARN or name list would ask AWS for every target group.
        match &query {
            TargetGroupQuery::Arns(list) | TargetGroupQuery::Names(list) if list.is_empty() => {
                return Ok(Vec::new());
            }
            _ => {}
        }
        paginate(OP, |marker| {
            let mut request = self
                .client
                .describe_target_groups()
                .page_size(self.page_size)
                .set_marker(marker);
            request = match &query {
                TargetGroupQuery::All => request,
                TargetGroupQuery::Arns(arns) => request.set_target_group_arns(Some(arns.clone())),
                TargetGroupQuery::Names(names) => request.set_names(Some(names.clone())),
                TargetGroupQuery::LoadBalancer(arn) => request.load_balancer_arn(arn),
            };
            async move {
                let output = request.send().await.map_err(|e| map_sdk_error(OP, e))?;
                let page = output
                    .target_groups()
                    .iter()
                    .map(|tg| target_group_from_sdk(OP, tg))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((page, output.next_marker().map(str::to_owned)))
            }
        })
        .await
    }

    pub(crate) async fn sdk_create_target_group(
        &self,
        spec: CreateTargetGroupSpec,
    ) -> Result<TargetGroup, Elbv2Error> {
        const OP: Operation = Operation::CreateTargetGroup;
        let hc = &spec.health_check;
        let tags = spec
            .tags
            .iter()
            .map(|t| sdk::Tag::builder().key(&t.key).value(&t.value).build())
            .collect::<Vec<_>>();
        let output = self
            .client
            .create_target_group()
            .name(&spec.name)
            .set_protocol(spec.protocol.as_ref().map(protocol_to_sdk))
            .set_protocol_version(spec.protocol_version.clone())
            .set_port(spec.port.map(i32::from))
            .set_vpc_id(spec.vpc_id.clone())
            .set_target_type(
                spec.target_type
                    .as_ref()
                    .map(|t| sdk::TargetTypeEnum::from(t.as_str())),
            )
            .set_ip_address_type(
                spec.ip_address_type
                    .as_ref()
                    .map(|t| sdk::TargetGroupIpAddressTypeEnum::from(t.as_str())),
            )
            .set_health_check_enabled(hc.enabled)
            .set_health_check_protocol(hc.protocol.as_ref().map(protocol_to_sdk))
            .set_health_check_port(hc.port.clone())
            .set_health_check_path(hc.path.clone())
            .set_health_check_interval_seconds(hc.interval_seconds.map(to_i32))
            .set_health_check_timeout_seconds(hc.timeout_seconds.map(to_i32))
            .set_healthy_threshold_count(hc.healthy_threshold.map(to_i32))
            .set_unhealthy_threshold_count(hc.unhealthy_threshold.map(to_i32))
            .set_matcher(hc.matcher.as_ref().map(matcher_to_sdk))
            .set_tags((!tags.is_empty()).then_some(tags))
            .send()
            .await
            .map_err(|e| map_sdk_error(OP, e))?;
        first_target_group(OP, output.target_groups())
    }

    pub(crate) async fn sdk_modify_target_group(
        &self,
        target_group_arn: String,
        hc: crate::types::HealthCheck,
    ) -> Result<TargetGroup, Elbv2Error> {
        const OP: Operation = Operation::ModifyTargetGroup;
        let output = self
            .client
            .modify_target_group()
            .target_group_arn(target_group_arn)
            .set_health_check_enabled(hc.enabled)
            .set_health_check_protocol(hc.protocol.as_ref().map(protocol_to_sdk))
            .set_health_check_port(hc.port.clone())
            .set_health_check_path(hc.path.clone())
            .set_health_check_interval_seconds(hc.interval_seconds.map(to_i32))
            .set_health_check_timeout_seconds(hc.timeout_seconds.map(to_i32))
            .set_healthy_threshold_count(hc.healthy_threshold.map(to_i32))
            .set_unhealthy_threshold_count(hc.unhealthy_threshold.map(to_i32))
            .set_matcher(hc.matcher.as_ref().map(matcher_to_sdk))
            .send()
            .await
            .map_err(|e| map_sdk_error(OP, e))?;
        first_target_group(OP, output.target_groups())
    }

    pub(crate) async fn sdk_delete_target_group(
        &self,
        target_group_arn: String,
    ) -> Result<(), Elbv2Error> {
        const OP: Operation = Operation::DeleteTargetGroup;
        self.client
            .delete_target_group()
            .target_group_arn(target_group_arn)
            .send()
            .await
            .map_err(|e| map_sdk_error(OP, e))?;
        Ok(())
    }

    pub(crate) async fn sdk_describe_target_group_attributes(
        &self,
        target_group_arn: String,
    ) -> Result<BTreeMap<String, String>, Elbv2Error> {
        const OP: Operation = Operation::DescribeTargetGroupAttributes;
        let output = self
            .client
            .describe_target_group_attributes()
            .target_group_arn(target_group_arn)
            .send()
            .await
            .map_err(|e| map_sdk_error(OP, e))?;
        Ok(attributes_from_sdk(output.attributes()))
    }

    pub(crate) async fn sdk_modify_target_group_attributes(
        &self,
        target_group_arn: String,
        attributes: BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, Elbv2Error> {
        const OP: Operation = Operation::ModifyTargetGroupAttributes;
        let attributes = attributes
            .into_iter()
            .map(|(key, value)| {
                sdk::TargetGroupAttribute::builder()
                    .key(key)
                    .value(value)
                    .build()
            })
            .collect::<Vec<_>>();
        let output = self
            .client
            .modify_target_group_attributes()
            .target_group_arn(target_group_arn)
            .set_attributes(Some(attributes))
            .send()
            .await
            .map_err(|e| map_sdk_error(OP, e))?;
        Ok(attributes_from_sdk(output.attributes()))
    }
}
