//! `elbv2.k8s.aws/v1alpha1` `TargetGroupBinding`: served so that manifests written against it
//! keep applying. It is never stored and lbgate never reads it (the API server serves every
//! object as v1beta1 on request). It lacks targetGroupProtocol, nodeSelector, ipAddressType,
//! vpcID and status.conditions, so writes through it drop those fields.

use kube_derive::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::shared::is_false;
pub use crate::shared::{
    IpBlock, NetworkingIngressRule, NetworkingPeer, NetworkingPort, NetworkingProtocol,
    SecurityGroupRef, ServicePortRef, ServiceReference, TargetGroupBindingNetworking, TargetType,
};

/// Which target group, and which Service port's backends to keep registered in it. v1alpha1
/// lacks the fields v1beta1 added.
// Clippy reads the repeated keys of sibling `printcolumn(...)` lists as duplicated attributes.
#[expect(
    clippy::duplicated_attributes,
    reason = "false positive on kube-derive printcolumn lists"
)]
#[derive(CustomResource, Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[kube(
    group = "elbv2.k8s.aws",
    version = "v1alpha1",
    kind = "TargetGroupBinding",
    plural = "targetgroupbindings",
    namespaced,
    status = "TargetGroupBindingStatus",
    derive = "PartialEq",
    storage = false,
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

    /// The Service and Service port whose backends become targets.
    pub service_ref: ServiceReference,

    /// Security-group rules that let the load balancer reach the targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub networking: Option<TargetGroupBindingNetworking>,

    /// IAM role to assume for ELBv2 calls, for a target group in another AWS account.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub iam_role_arn_to_assume: String,

    /// External ID to present when assuming iamRoleArnToAssume.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub assume_role_external_id: String,
}

/// The v1alpha1 status: only the observed generation.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupBindingStatus {
    /// The metadata.generation of the spec this status reflects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}
