//! Inputs of the port's operations: per-call options, describe queries and create/modify specs.

use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::operation::Priority;
use crate::types::{Action, HealthCheck, IpAddressType, Protocol, RuleCondition, Tag, TargetType};

/// Per-call options: who is asking (priority), until when (deadline) and how to give up early
/// (cancellation). Implementations without a governor may ignore priority; the governor bounds
/// every wait and retry by the deadline and the cancellation token.
#[derive(Debug, Clone)]
pub struct CallOptions {
    pub priority: Priority,
    /// When absent, the governor applies `GovernorConfig::default_deadline`.
    pub deadline: Option<Instant>,
    pub cancel: Option<CancellationToken>,
}

impl CallOptions {
    pub fn new(priority: Priority) -> Self {
        Self {
            priority,
            deadline: None,
            cancel: None,
        }
    }

    pub fn with_deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Deadline `timeout` from now (tokio time, so paused-clock tests see it too).
    pub fn with_timeout(self, timeout: Duration) -> Self {
        self.with_deadline(Instant::now() + timeout)
    }

    pub fn with_cancel(mut self, cancel: CancellationToken) -> Self {
        self.cancel = Some(cancel);
        self
    }
}

/// Which target groups `DescribeTargetGroups` returns (all pages are fetched).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetGroupQuery {
    All,
    Arns(Vec<String>),
    Names(Vec<String>),
    LoadBalancer(String),
}

/// Which load balancers `DescribeLoadBalancers` returns (all pages are fetched).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadBalancerQuery {
    All,
    Arns(Vec<String>),
    Names(Vec<String>),
}

/// Which listeners `DescribeListeners` returns (all pages are fetched).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenerQuery {
    LoadBalancer(String),
    Arns(Vec<String>),
}

/// Which rules `DescribeRules` returns (all pages are fetched).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleQuery {
    Listener(String),
    Arns(Vec<String>),
}

/// `CreateTargetGroup` input. Unset health-check fields take AWS's per-protocol defaults.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateTargetGroupSpec {
    pub name: String,
    pub protocol: Option<Protocol>,
    pub protocol_version: Option<String>,
    pub port: Option<u16>,
    pub vpc_id: Option<String>,
    pub target_type: Option<TargetType>,
    pub ip_address_type: Option<IpAddressType>,
    pub health_check: HealthCheck,
    pub tags: Vec<Tag>,
}

/// `CreateListener` input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateListenerSpec {
    pub load_balancer_arn: String,
    pub protocol: Option<Protocol>,
    pub port: Option<u16>,
    pub default_actions: Vec<Action>,
    pub certificate_arns: Vec<String>,
    pub ssl_policy: Option<String>,
}

/// `ModifyListener` input: only what is set changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModifyListenerSpec {
    pub listener_arn: String,
    pub protocol: Option<Protocol>,
    pub port: Option<u16>,
    pub default_actions: Option<Vec<Action>>,
    pub certificate_arns: Option<Vec<String>>,
    pub ssl_policy: Option<String>,
}

/// `CreateRule` input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateRuleSpec {
    pub listener_arn: String,
    pub priority: u32,
    pub conditions: Vec<RuleCondition>,
    pub actions: Vec<Action>,
}

/// `ModifyRule` input: only what is set changes (AWS replaces each list whole).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModifyRuleSpec {
    pub rule_arn: String,
    pub conditions: Option<Vec<RuleCondition>>,
    pub actions: Option<Vec<Action>>,
}
