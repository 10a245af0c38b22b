//! `elbv2.k8s.aws/v1beta1` `TargetGroupBinding`: the storage version, and the one lbgate reads
//! and writes. The spec is field-for-field LBC's; the status adds target counts and a sync time.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, LabelSelector, Time};
use kube_derive::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::shared::is_false;
pub use crate::shared::{
    IpBlock, NetworkingIngressRule, NetworkingPeer, NetworkingPort, NetworkingProtocol,
    SecurityGroupRef, ServicePortRef, ServiceReference, TargetGroupBindingNetworking, TargetType,
};

/// Binds an existing ELBv2 target group to a Service port: the Service's backends are kept
/// registered as targets.
// Clippy reads the repeated keys of sibling `printcolumn(...)` lists as duplicated attributes.
#[expect(
    clippy::duplicated_attributes,
    reason = "false positive on kube-derive printcolumn lists"
)]
#[derive(CustomResource, Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[kube(
    group = "elbv2.k8s.aws",
    version = "v1beta1",
    kind = "TargetGroupBinding",
    plural = "targetgroupbindings",
    namespaced,
    status = "TargetGroupBindingStatus",
    derive = "PartialEq",
    doc = "Keeps the backends of a Kubernetes Service port registered in an ELBv2 target group.",
    crates(
        kube_core = "::kube_core",
        k8s_openapi = "::k8s_openapi",
        schemars = "::schemars",
        serde = "::serde",
        serde_json = "::serde_json"
    )
)]
#[kube(printcolumn(
    name = "SERVICE-NAME",
    type_ = "string",
    json_path = ".spec.serviceRef.name",
    description = "Name of the bound Service"
))]
#[kube(printcolumn(
    name = "SERVICE-PORT",
    type_ = "string",
    json_path = ".spec.serviceRef.port",
    description = "Port of the bound Service"
))]
#[kube(printcolumn(
    name = "TARGET-TYPE",
    type_ = "string",
    json_path = ".spec.targetType",
    description = "Target type of the target group"
))]
#[kube(printcolumn(
    name = "ARN",
    type_ = "string",
    json_path = ".spec.targetGroupARN",
    description = "ARN of the target group",
    priority = 1
))]
#[kube(printcolumn(
    name = "NAME",
    type_ = "string",
    json_path = ".spec.targetGroupName",
    description = "Name of the target group",
    priority = 2
))]
#[kube(printcolumn(
    name = "READY",
    type_ = "integer",
    json_path = ".status.targets.desired",
    description = "targets lbgate wants registered"
))]
#[kube(printcolumn(
    name = "HEALTHY",
    type_ = "integer",
    json_path = ".status.targets.healthy",
    description = "targets AWS reports healthy"
))]
#[kube(printcolumn(
    name = "AGE",
    type_ = "date",
    json_path = ".metadata.creationTimestamp"
))]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupBindingSpec {
    /// ARN of the target group. Set from targetGroupName at creation when empty; immutable.
    #[serde(
        rename = "targetGroupARN",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub target_group_arn: String,

    /// Name of the target group, used to look up its ARN when targetGroupARN is empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub target_group_name: String,

    /// Whether other clusters register targets in the same target group; if so, only targets
    /// this binding registered are ever deregistered.
    #[serde(default, skip_serializing_if = "is_false")]
    pub multi_cluster_target_group: bool,

    /// Target type of the target group; taken from AWS at creation when unset. Immutable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_type: Option<TargetType>,

    /// Protocol of the target group; taken from AWS at creation when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_group_protocol: Option<TargetGroupProtocol>,

    /// The Service and Service port whose backends become targets.
    pub service_ref: ServiceReference,

    /// Security-group rules that let the load balancer reach the targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub networking: Option<TargetGroupBindingNetworking>,

    /// For instance targets: register only nodes matching this selector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::schema::label_selector")]
    pub node_selector: Option<LabelSelector>,

    /// IP family of the target group; taken from AWS at creation when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address_type: Option<IpAddressType>,

    /// VPC of the target group; taken from AWS at creation when unset.
    #[serde(rename = "vpcID", default, skip_serializing_if = "String::is_empty")]
    pub vpc_id: String,

    /// IAM role to assume for ELBv2 calls, for a target group in another AWS account.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub iam_role_arn_to_assume: String,

    /// External ID to present when assuming iamRoleArnToAssume.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub assume_role_external_id: String,
}

/// IP family of a target group.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IpAddressType {
    // IPv4 targets; also what an unset field means.
    #[serde(rename = "ipv4")]
    Ipv4,
    // IPv6 targets.
    #[serde(rename = "ipv6")]
    Ipv6,
}

impl IpAddressType {
    /// The spelling used in the spec and by the ELBv2 API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ipv4 => "ipv4",
            Self::Ipv6 => "ipv6",
        }
    }

    /// Parses a target group's `IpAddressType` as AWS reports it.
    pub fn from_aws(value: &str) -> Option<Self> {
        match value {
            "ipv4" => Some(Self::Ipv4),
            "ipv6" => Some(Self::Ipv6),
            _ => None,
        }
    }
}

/// Protocol of a target group, limited to those a binding accepts (GENEVE is not one).
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetGroupProtocol {
    // HTTP (ALB).
    #[serde(rename = "HTTP")]
    Http,
    // HTTPS (ALB).
    #[serde(rename = "HTTPS")]
    Https,
    // TCP (NLB).
    #[serde(rename = "TCP")]
    Tcp,
    // TLS (NLB).
    #[serde(rename = "TLS")]
    Tls,
    // UDP (NLB).
    #[serde(rename = "UDP")]
    Udp,
    // TCP and UDP on one port (NLB).
    #[serde(rename = "TCP_UDP")]
    TcpUdp,
    // QUIC (NLB); targets carry a QUIC server ID.
    #[serde(rename = "QUIC")]
    Quic,
    // TCP and QUIC on one port (NLB); targets carry a QUIC server ID.
    #[serde(rename = "TCP_QUIC")]
    TcpQuic,
}

impl TargetGroupProtocol {
    /// Every protocol, in the order the CRD lists them.
    pub const ALL: [Self; 8] = [
        Self::Http,
        Self::Https,
        Self::Tcp,
        Self::Tls,
        Self::Udp,
        Self::TcpUdp,
        Self::Quic,
        Self::TcpQuic,
    ];

    /// The spelling used in the spec and by the ELBv2 API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Http => "HTTP",
            Self::Https => "HTTPS",
            Self::Tcp => "TCP",
            Self::Tls => "TLS",
            Self::Udp => "UDP",
            Self::TcpUdp => "TCP_UDP",
            Self::Quic => "QUIC",
            Self::TcpQuic => "TCP_QUIC",
        }
    }

    /// Parses a target group's `Protocol` as AWS reports it.
    pub fn from_aws(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|protocol| protocol.as_str() == value)
    }

    /// Whether targets of this protocol are identified with a QUIC server ID.
    pub const fn uses_quic_server_id(self) -> bool {
        matches!(self, Self::Quic | Self::TcpQuic)
    }
}

/// The cross-account role a binding asks lbgate to assume.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AssumeRole<'a> {
    /// ARN of the role.
    pub role_arn: &'a str,
    /// External ID to present, if any.
    pub external_id: Option<&'a str>,
}

impl TargetGroupBindingSpec {
    /// The target group ARN, unless it is still empty (not yet defaulted from the name).
    pub fn arn(&self) -> Option<&str> {
        non_empty(&self.target_group_arn)
    }

    /// The target group name, if one was given.
    pub fn target_group_name(&self) -> Option<&str> {
        non_empty(&self.target_group_name)
    }

    /// The VPC ID, if set.
    pub fn vpc(&self) -> Option<&str> {
        non_empty(&self.vpc_id)
    }

    /// The IP family with the unset default (IPv4) applied.
    pub fn ip_address_type_or_default(&self) -> IpAddressType {
        self.ip_address_type.unwrap_or(IpAddressType::Ipv4)
    }

    /// The role to assume for ELBv2 calls, if any.
    pub fn assume_role(&self) -> Option<AssumeRole<'_>> {
        Some(AssumeRole {
            role_arn: non_empty(&self.iam_role_arn_to_assume)?,
            external_id: non_empty(&self.assume_role_external_id),
        })
    }

    /// The networking rules, or none.
    pub fn ingress_rules(&self) -> &[NetworkingIngressRule] {
        self.networking
            .as_ref()
            .map_or(&[], |networking| networking.ingress.as_slice())
    }
}

fn non_empty(value: &str) -> Option<&str> {
    (!value.is_empty()).then_some(value)
}

/// What lbgate last observed and did for a binding.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupBindingStatus {
    /// The metadata.generation of the spec this status reflects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,

    /// Conditions of the binding (Ready, TargetGroupFound, ServiceFound, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "crate::schema::conditions")]
    pub conditions: Vec<Condition>,

    /// Number of targets in each state, as of lastSyncTime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<TargetCounts>,

    /// When lbgate last compared the target group with the desired targets (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync_time: Option<Time>,
}

impl TargetGroupBindingStatus {
    /// The condition of the given type, if present.
    pub fn condition(&self, condition_type: &str) -> Option<&Condition> {
        self.conditions
            .iter()
            .find(|condition| condition.type_ == condition_type)
    }
}

/// Target counts by state. `desired` is what lbgate wants registered; the others are AWS target
/// health states of the registered targets.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TargetCounts {
    /// Targets lbgate wants registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired: Option<i32>,
    /// Targets currently registered (in any state but draining).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered: Option<i32>,
    /// Registered targets passing health checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthy: Option<i32>,
    /// Targets registering or in their first health checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial: Option<i32>,
    /// Targets failing health checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unhealthy: Option<i32>,
    /// Targets being deregistered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draining: Option<i32>,
    /// Targets not in use (no listener, or an availability zone the load balancer lacks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unused: Option<i32>,
    /// Targets whose health is unavailable (health checks disabled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<i32>,
}
