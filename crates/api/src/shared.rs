//! Spec parts that v1alpha1 and v1beta1 define identically.
//!
//! Both versions are served without a conversion webhook, so the API server only rewrites
//! `apiVersion` between them; sharing these types keeps the two schemas from drifting apart.

use k8s_openapi::api::core::v1::ServicePort;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How the load balancer reaches the Service's backends.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetType {
    // Nodes are registered, on the Service's NodePort.
    #[serde(rename = "instance")]
    Instance,
    // Pod IPs are registered, on the container port behind the Service port.
    #[serde(rename = "ip")]
    Ip,
}

impl TargetType {
    /// The spelling used in the spec and by the ELBv2 API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Instance => "instance",
            Self::Ip => "ip",
        }
    }

    /// Parses the spelling used in the spec and by the ELBv2 API. `lambda` and `alb` target
    /// groups cannot be bound, so they are `None`.
    pub fn from_aws(value: &str) -> Option<Self> {
        match value {
            "instance" => Some(Self::Instance),
            "ip" => Some(Self::Ip),
            _ => None,
        }
    }
}

/// The Service (in the binding's namespace) and the port of it whose backends are registered.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
pub struct ServiceReference {
    /// Name of the Service, in the binding's namespace.
    pub name: String,
    /// The Service port: a number matches `spec.ports[].port`, a string matches
    /// `spec.ports[].name`.
    #[schemars(schema_with = "crate::schema::int_or_string")]
    pub port: IntOrString,
}

/// A borrowed view of [`ServiceReference::port`] that says how it is matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServicePortRef<'a> {
    /// Matches the Service port whose `port` equals this number.
    Number(i32),
    /// Matches the Service port whose `name` equals this string (even if it looks numeric,
    /// as Kubernetes does for a string-typed int-or-string).
    Name(&'a str),
}

impl ServiceReference {
    /// How `port` selects a Service port.
    pub fn port_ref(&self) -> ServicePortRef<'_> {
        match &self.port {
            IntOrString::Int(number) => ServicePortRef::Number(*number),
            IntOrString::String(name) => ServicePortRef::Name(name),
        }
    }
}

impl ServicePortRef<'_> {
    /// Whether `port` is the Service port this reference selects.
    pub fn matches(self, port: &ServicePort) -> bool {
        match self {
            Self::Number(number) => port.port == number,
            Self::Name(name) => port.name.as_deref() == Some(name),
        }
    }

    /// The first port in `ports` this reference selects.
    pub fn find_in(self, ports: &[ServicePort]) -> Option<&ServicePort> {
        ports.iter().find(|port| self.matches(port))
    }
}

impl std::fmt::Display for ServicePortRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Number(number) => write!(f, "{number}"),
            Self::Name(name) => f.write_str(name),
        }
    }
}

/// A CIDR allowed to reach the targets.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
pub struct IpBlock {
    /// An IPv4 or IPv6 CIDR.
    pub cidr: String,
}

/// An EC2 security group allowed to reach the targets.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
pub struct SecurityGroupRef {
    /// The security group ID (`sg-…`).
    #[serde(rename = "groupID")]
    pub group_id: String,
}

/// A traffic source: exactly one of the fields is meant to be set.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NetworkingPeer {
    /// Traffic from a CIDR. Set no other field with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_block: Option<IpBlock>,
    /// Traffic from a security group. Set no other field with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_group: Option<SecurityGroupRef>,
}

/// Transport protocol of a networking rule.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NetworkingProtocol {
    // TCP, also what an unset protocol means.
    #[serde(rename = "TCP")]
    Tcp,
    // UDP.
    #[serde(rename = "UDP")]
    Udp,
}

impl NetworkingProtocol {
    /// The spelling used in the spec and by the EC2 API (upper case).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Tcp => "TCP",
            Self::Udp => "UDP",
        }
    }
}

/// A port (and protocol) the peers may reach on the targets.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
pub struct NetworkingPort {
    /// Protocol to allow; unset means TCP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<NetworkingProtocol>,
    /// Port to allow: a number, or (ip targets only) a container port name. Unset means all
    /// ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::schema::int_or_string")]
    pub port: Option<IntOrString>,
}

impl NetworkingPort {
    /// The protocol this rule allows, with the unset default applied.
    pub fn protocol_or_default(&self) -> NetworkingProtocol {
        self.protocol.unwrap_or(NetworkingProtocol::Tcp)
    }
}

/// One rule of traffic the load balancer needs to reach the targets.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
pub struct NetworkingIngressRule {
    /// Sources allowed by this rule; at least one is expected.
    pub from: Vec<NetworkingPeer>,
    /// Ports allowed by this rule; empty means every TCP port.
    pub ports: Vec<NetworkingPort>,
}

/// Security-group rules that let the load balancer reach the targets.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
pub struct TargetGroupBindingNetworking {
    /// Ingress rules to maintain on the targets' security groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ingress: Vec<NetworkingIngressRule>,
}

pub(crate) fn is_false(value: &bool) -> bool {
    !*value
}
