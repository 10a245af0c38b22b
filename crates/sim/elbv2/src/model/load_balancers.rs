//! Load balancers: creation with subnets, DNS names, provisioning → active.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::super::errors::ApiError;
use super::target_groups::{Page, paginate};
use super::{LoadBalancerType, Model, arn};

/// One load balancer.
#[derive(Debug, Clone, Serialize)]
pub struct LoadBalancer {
    pub arn: String,
    pub name: String,
    pub kind: LoadBalancerType,
    pub scheme: String,
    pub vpc_id: String,
    /// (subnet ID, Availability Zone), in request order.
    pub subnets: Vec<(String, String)>,
    pub security_groups: Vec<String>,
    pub ip_address_type: String,
    pub dns_name: String,
    pub canonical_hosted_zone_id: String,
    pub created_at: Duration,
    /// When the state turns from `provisioning` to `active`.
    pub active_at: Duration,
    pub tags: BTreeMap<String, String>,
}

impl LoadBalancer {
    pub fn state(&self, now: Duration) -> &'static str {
        if now >= self.active_at {
            "active"
        } else {
            "provisioning"
        }
    }
}

/// What CreateLoadBalancer asks for.
#[derive(Debug, Clone, Default)]
pub struct LoadBalancerInput {
    pub name: String,
    pub kind: Option<String>,
    pub scheme: Option<String>,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub ip_address_type: Option<String>,
}

/// Route 53 hosted zones of ELB DNS names (ALB, NLB) for a few regions; others fall back to
/// us-west-2's.
fn hosted_zone(region: &str, kind: LoadBalancerType) -> &'static str {
    let (alb, nlb) = match region {
        "us-east-1" => ("Z35SXDOTRQ7X7K", "Z26RNL4JYFTOTI"),
        "us-east-2" => ("Z3AADJGX6KTTL2", "ZLMOA37VPKANP"),
        "us-west-1" => ("Z368ELLRRE2KJ0", "Z24FKFUX50B4VW"),
        "eu-west-1" => ("Z32O12XQLNTSW2", "Z2IFOLAFXWLO4F"),
        "eu-central-1" => ("Z215JYRZR1TBD5", "Z3F0SRJ5LGBH90"),
        _ => ("Z1H1FL5HABSF5", "Z18D5FSROUN65G"),
    };
    match kind {
        LoadBalancerType::Application => alb,
        LoadBalancerType::Network => nlb,
    }
}

fn validate_name(name: &str) -> Result<(), ApiError> {
    if name.len() > 32 {
        return Err(ApiError::validation(format!(
            "Load balancer name '{name}' cannot be longer than '32' characters"
        )));
    }
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(ApiError::validation(format!(
            "Load balancer name '{name}' can only contain characters that are alphanumeric characters or hyphens(-)"
        )));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err(ApiError::validation(format!(
            "Load balancer name '{name}' cannot begin or end with '-'"
        )));
    }
    if name.starts_with("internal-") {
        return Err(ApiError::validation(format!(
            "Load balancer name '{name}' cannot begin with 'internal-'"
        )));
    }
    Ok(())
}

impl Model {
    /// CreateLoadBalancer (idempotent for identical settings).
    pub fn create_load_balancer(
        &mut self,
        input: &LoadBalancerInput,
        tags: &[(String, Option<String>)],
        now: Duration,
    ) -> Result<LoadBalancer, ApiError> {
        validate_name(&input.name)?;
        let kind = match input.kind.as_deref() {
            None | Some("application") => LoadBalancerType::Application,
            Some("network") => LoadBalancerType::Network,
            Some(other) => {
                return Err(ApiError::not_in_enum(
                    "type",
                    other,
                    &["application", "network", "gateway"],
                ));
            }
        };
        let scheme = super::target_group::enum_value(
            "scheme",
            input.scheme.as_deref(),
            &["internet-facing", "internal"],
        )?
        .unwrap_or_else(|| "internet-facing".to_owned());
        let ip_address_type = super::target_group::enum_value(
            "ipAddressType",
            input.ip_address_type.as_deref(),
            &["ipv4", "dualstack", "dualstack-without-public-ipv4"],
        )?
        .unwrap_or_else(|| "ipv4".to_owned());
        let mut subnets = Vec::new();
        let mut vpc_id = None;
        for subnet_id in &input.subnets {
            let (vpc, subnet) = self
                .vpcs
                .iter()
                .find_map(|v| {
                    v.subnets
                        .iter()
                        .find(|s| &s.id == subnet_id)
                        .map(|s| (v, s))
                })
                .ok_or_else(|| {
                    ApiError::new(
                        400,
                        "SubnetNotFound",
                        format!("The subnet ID '{subnet_id}' is not valid"),
                    )
                })?;
            if vpc_id.get_or_insert_with(|| vpc.id.clone()) != &vpc.id {
                return Err(ApiError::new(
                    400,
                    "InvalidSubnet",
                    "The subnets must all belong to the same VPC",
                ));
            }
            subnets.push((subnet.id.clone(), subnet.availability_zone.clone()));
        }
        let zones: std::collections::BTreeSet<&str> =
            subnets.iter().map(|(_, z)| z.as_str()).collect();
        if zones.len() < subnets.len() {
            return Err(ApiError::invalid_configuration(
                "A load balancer cannot be attached to multiple subnets in the same Availability Zone",
            ));
        }
        if kind == LoadBalancerType::Application && zones.len() < 2 {
            return Err(ApiError::validation(
                "At least two subnets in two different Availability Zones must be specified",
            ));
        }
        let Some(vpc_id) = vpc_id else {
            return Err(ApiError::validation(
                "At least one subnet must be specified",
            ));
        };
        let mut security_groups = input.security_groups.clone();
        if kind == LoadBalancerType::Application && security_groups.is_empty() {
            security_groups.push(format!("sg-{}", hex_of(&vpc_id)));
        }
        if let Some(existing) = self.load_balancers.iter().find(|lb| lb.name == input.name) {
            let same =
                existing.kind == kind && existing.scheme == scheme && existing.subnets == subnets;
            return if same {
                Ok(existing.clone())
            } else {
                Err(ApiError::duplicate_load_balancer_name(&input.name))
            };
        }
        super::tags::validate_new(tags)?;
        let id = self.ids.hex16();
        let internal = if scheme == "internal" {
            "internal-"
        } else {
            ""
        };
        let dns_name = match kind {
            LoadBalancerType::Application => {
                let number = self.ids.next_u64() % 2_000_000_000;
                format!(
                    "{internal}{}-{number}.{}.elb.amazonaws.com",
                    input.name, self.region
                )
            }
            LoadBalancerType::Network => format!(
                "{internal}{}-{id}.elb.{}.amazonaws.com",
                input.name, self.region
            ),
        };
        let lb = LoadBalancer {
            arn: self
                .arns
                .load_balancer(kind.arn_segment(), &input.name, &id),
            name: input.name.clone(),
            kind,
            scheme,
            vpc_id,
            subnets,
            security_groups,
            ip_address_type,
            dns_name,
            canonical_hosted_zone_id: hosted_zone(&self.region, kind).to_owned(),
            created_at: now,
            active_at: now.saturating_add(self.timing.load_balancer_provisioning),
            tags: tags
                .iter()
                .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
                .collect(),
        };
        self.load_balancers.push(lb.clone());
        Ok(lb)
    }

    /// DescribeLoadBalancers: by ARNs, by names, or all; paged.
    pub fn describe_load_balancers(
        &self,
        arns: &[String],
        names: &[String],
        marker: Option<&str>,
        page_size: Option<usize>,
    ) -> Result<Page<&LoadBalancer>, ApiError> {
        let selected: Vec<&LoadBalancer> = if !arns.is_empty() {
            for lb_arn in arns {
                self.check_arn(lb_arn, arn::ResourceKind::LoadBalancer, "load balancer")?;
            }
            let found: Vec<&LoadBalancer> = self
                .load_balancers
                .iter()
                .filter(|lb| arns.contains(&lb.arn))
                .collect();
            if found.len() < arns.len() {
                return Err(ApiError::load_balancer_not_found());
            }
            found
        } else if !names.is_empty() {
            let found: Vec<&LoadBalancer> = self
                .load_balancers
                .iter()
                .filter(|lb| names.contains(&lb.name))
                .collect();
            if found.len() < names.len() {
                return Err(ApiError::load_balancer_not_found());
            }
            found
        } else {
            self.load_balancers.iter().collect()
        };
        paginate(selected, marker, page_size)
    }

    /// DeleteLoadBalancer: also deletes its listeners and rules. Deleting one that does not
    /// exist succeeds, as the API reference documents.
    pub fn delete_load_balancer(&mut self, lb_arn: &str, now: Duration) -> Result<(), ApiError> {
        self.check_arn(lb_arn, arn::ResourceKind::LoadBalancer, "load balancer")?;
        let listeners: Vec<String> = self
            .listeners
            .iter()
            .filter(|l| l.load_balancer_arn == lb_arn)
            .map(|l| l.arn.clone())
            .collect();
        self.rules.retain(|r| !listeners.contains(&r.listener_arn));
        self.listeners.retain(|l| l.load_balancer_arn != lb_arn);
        self.load_balancers.retain(|lb| lb.arn != lb_arn);
        self.refresh_usage(now);
        Ok(())
    }
}

/// A stable 17-hex-digit suffix derived from a string (for the default security group).
fn hex_of(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}0")
}
