//! Domain types of the ELBv2 port: what lbgate needs to know about target groups, targets,
//! load balancers, listeners, rules and tags, independent of the AWS SDK's own types so that
//! callers and fakes never depend on the SDK.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// Defines an enum of AWS wire strings with a forward-compatible `Unknown(String)` arm.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($variant,)+
            /// A value this build does not know yet, kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// The exact string AWS uses on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Unknown(other) => other.as_str(),
                }
            }

            /// Parses the AWS wire string; unknown values are preserved, never rejected.
            pub fn from_wire(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)+
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum!(
    /// Listener, target-group and health-check protocol.
    Protocol {
        Http => "HTTP",
        Https => "HTTPS",
        Tcp => "TCP",
        Tls => "TLS",
        Udp => "UDP",
        TcpUdp => "TCP_UDP",
        Geneve => "GENEVE",
    }
);

wire_enum!(
    /// How targets of a target group are addressed.
    TargetType {
        Instance => "instance",
        Ip => "ip",
        Lambda => "lambda",
        Alb => "alb",
    }
);

wire_enum!(
    /// Address family of a target group's targets.
    IpAddressType {
        Ipv4 => "ipv4",
        Ipv6 => "ipv6",
    }
);

wire_enum!(
    /// Kind of load balancer.
    LoadBalancerType {
        Application => "application",
        Network => "network",
        Gateway => "gateway",
    }
);

wire_enum!(
    /// Provisioning state of a load balancer.
    LoadBalancerState {
        Active => "active",
        Provisioning => "provisioning",
        ActiveImpaired => "active_impaired",
        Failed => "failed",
    }
);

wire_enum!(
    /// State of one target in one target group, as `DescribeTargetHealth` reports it.
    TargetHealthState {
        Initial => "initial",
        Healthy => "healthy",
        Unhealthy => "unhealthy",
        UnhealthyDraining => "unhealthy.draining",
        Unused => "unused",
        Draining => "draining",
        Unavailable => "unavailable",
    }
);

/// One target of a target group. AWS identifies a registration by `id` + `port`, so equality,
/// hashing and ordering use exactly those two fields; the availability zone is carried along
/// (it matters when registering an IP outside the VPC) but is not part of the identity.
#[derive(Debug, Clone)]
pub struct Target {
    /// Instance id (`i-…`), IP address, Lambda ARN or ALB ARN.
    pub id: String,
    /// Port override; AWS uses the target group's port when absent.
    pub port: Option<u16>,
    /// `all` for IPs outside the VPC, or a zone name; usually absent.
    pub availability_zone: Option<String>,
}

impl Target {
    /// A target on an explicit port, the common case for ip-mode bindings.
    pub fn new(id: impl Into<String>, port: u16) -> Self {
        Self {
            id: id.into(),
            port: Some(port),
            availability_zone: None,
        }
    }

    fn identity(&self) -> (&str, Option<u16>) {
        (self.id.as_str(), self.port)
    }
}

impl PartialEq for Target {
    fn eq(&self, other: &Self) -> bool {
        self.identity() == other.identity()
    }
}

impl Eq for Target {}

impl Hash for Target {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.identity().hash(state);
    }
}

impl PartialOrd for Target {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Target {
    fn cmp(&self, other: &Self) -> Ordering {
        self.identity().cmp(&other.identity())
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => write!(f, "{}:{port}", self.id),
            None => f.write_str(&self.id),
        }
    }
}

/// Health of one target as reported by `DescribeTargetHealth`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetHealth {
    pub target: Target,
    pub state: TargetHealthState,
    /// AWS wire value, e.g. `Elb.InitialHealthChecking`; absent when healthy.
    pub reason: Option<String>,
    pub description: Option<String>,
    /// The port health checks go to (`traffic-port` or a number), when AWS reports it.
    pub health_check_port: Option<String>,
}

/// Success codes a health check accepts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Matcher {
    /// e.g. `200` or `200-399` (HTTP/HTTPS target groups).
    pub http_code: Option<String>,
    /// e.g. `12` (gRPC target groups).
    pub grpc_code: Option<String>,
}

/// Health-check settings of a target group. Every field is optional so the same struct serves
/// for reading (AWS fills them all), creating (AWS applies its per-protocol defaults) and
/// modifying (only what is set is changed).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HealthCheck {
    pub enabled: Option<bool>,
    pub protocol: Option<Protocol>,
    /// `traffic-port` or a port number.
    pub port: Option<String>,
    pub path: Option<String>,
    pub interval_seconds: Option<u32>,
    pub timeout_seconds: Option<u32>,
    pub healthy_threshold: Option<u32>,
    pub unhealthy_threshold: Option<u32>,
    pub matcher: Option<Matcher>,
}

/// A target group as AWS describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetGroup {
    pub arn: String,
    pub name: String,
    pub protocol: Option<Protocol>,
    pub port: Option<u16>,
    pub vpc_id: Option<String>,
    pub target_type: Option<TargetType>,
    pub ip_address_type: Option<IpAddressType>,
    pub protocol_version: Option<String>,
    pub health_check: HealthCheck,
    /// Load balancers whose listeners or rules forward to this group.
    pub load_balancer_arns: Vec<String>,
}

/// A resource tag. AWS allows a key without a value; that reads as an empty string here.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

impl Tag {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// A load balancer as AWS describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadBalancer {
    pub arn: String,
    pub name: String,
    pub lb_type: Option<LoadBalancerType>,
    pub dns_name: Option<String>,
    pub state: Option<LoadBalancerState>,
    pub vpc_id: Option<String>,
}

/// One target group of a forward action, with its weight for weighted routing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightedTargetGroup {
    pub arn: String,
    pub weight: Option<u32>,
}

/// What a listener or rule does with a matching request. Only the kinds lbgate manages are
/// modelled; others are kept by type name so a rule can still be described and compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Forward {
        target_groups: Vec<WeightedTargetGroup>,
        /// Target-group stickiness duration, when enabled.
        stickiness_seconds: Option<u32>,
    },
    FixedResponse {
        status_code: String,
        content_type: Option<String>,
        message_body: Option<String>,
    },
    /// Any other action type (`redirect`, `authenticate-oidc`, …), by its wire name.
    Other { action_type: String },
}

impl Action {
    /// A plain forward to one target group.
    pub fn forward_to(target_group_arn: impl Into<String>) -> Self {
        Self::Forward {
            target_groups: vec![WeightedTargetGroup {
                arn: target_group_arn.into(),
                weight: None,
            }],
            stickiness_seconds: None,
        }
    }
}

/// A rule condition. Path patterns and host headers are what lbgate writes; anything else is
/// preserved by field name and values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleCondition {
    PathPattern(Vec<String>),
    HostHeader(Vec<String>),
    Other { field: String, values: Vec<String> },
}

/// A listener of a load balancer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    pub arn: String,
    pub load_balancer_arn: Option<String>,
    pub port: Option<u16>,
    pub protocol: Option<Protocol>,
    pub default_actions: Vec<Action>,
}

/// A listener rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub arn: String,
    /// AWS reports `default` for the listener's default rule, else a number as text.
    pub priority: String,
    pub is_default: bool,
    pub conditions: Vec<RuleCondition>,
    pub actions: Vec<Action>,
}

impl Rule {
    /// The numeric priority, or `None` for the default rule.
    pub fn priority_number(&self) -> Option<u32> {
        self.priority.parse().ok()
    }
}

#[cfg(test)]
mod tests;
