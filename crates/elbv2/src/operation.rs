//! Names of the ELBv2 actions lbgate calls, the throttling bucket each one draws from, and the
//! priorities callers attach to them.

use std::fmt;

/// An ELBv2 API action. `as_str()` is the AWS action name, used as the `operation` metric label
/// and in error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    DescribeTargetGroups,
    DescribeTargetHealth,
    RegisterTargets,
    DeregisterTargets,
    CreateTargetGroup,
    ModifyTargetGroup,
    DeleteTargetGroup,
    DescribeTargetGroupAttributes,
    ModifyTargetGroupAttributes,
    AddTags,
    RemoveTags,
    DescribeTags,
    DescribeLoadBalancers,
    DescribeListeners,
    DescribeRules,
    CreateListener,
    ModifyListener,
    DeleteListener,
    CreateRule,
    ModifyRule,
    DeleteRule,
}

impl Operation {
    /// Every operation, for pre-registering metric label values and for tests.
    pub const ALL: [Operation; 21] = [
        Self::DescribeTargetGroups,
        Self::DescribeTargetHealth,
        Self::RegisterTargets,
        Self::DeregisterTargets,
        Self::CreateTargetGroup,
        Self::ModifyTargetGroup,
        Self::DeleteTargetGroup,
        Self::DescribeTargetGroupAttributes,
        Self::ModifyTargetGroupAttributes,
        Self::AddTags,
        Self::RemoveTags,
        Self::DescribeTags,
        Self::DescribeLoadBalancers,
        Self::DescribeListeners,
        Self::DescribeRules,
        Self::CreateListener,
        Self::ModifyListener,
        Self::DeleteListener,
        Self::CreateRule,
        Self::ModifyRule,
        Self::DeleteRule,
    ];

    /// The AWS action name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DescribeTargetGroups => "DescribeTargetGroups",
            Self::DescribeTargetHealth => "DescribeTargetHealth",
            Self::RegisterTargets => "RegisterTargets",
            Self::DeregisterTargets => "DeregisterTargets",
            Self::CreateTargetGroup => "CreateTargetGroup",
            Self::ModifyTargetGroup => "ModifyTargetGroup",
            Self::DeleteTargetGroup => "DeleteTargetGroup",
            Self::DescribeTargetGroupAttributes => "DescribeTargetGroupAttributes",
            Self::ModifyTargetGroupAttributes => "ModifyTargetGroupAttributes",
            Self::AddTags => "AddTags",
            Self::RemoveTags => "RemoveTags",
            Self::DescribeTags => "DescribeTags",
            Self::DescribeLoadBalancers => "DescribeLoadBalancers",
            Self::DescribeListeners => "DescribeListeners",
            Self::DescribeRules => "DescribeRules",
            Self::CreateListener => "CreateListener",
            Self::ModifyListener => "ModifyListener",
            Self::DeleteListener => "DeleteListener",
            Self::CreateRule => "CreateRule",
            Self::ModifyRule => "ModifyRule",
            Self::DeleteRule => "DeleteRule",
        }
    }

    /// The account-level token bucket AWS charges this action to.
    pub fn class(self) -> ApiClass {
        match self {
            Self::DescribeTargetGroups
            | Self::DescribeTargetHealth
            | Self::DescribeTargetGroupAttributes
            | Self::DescribeTags
            | Self::DescribeLoadBalancers
            | Self::DescribeListeners
            | Self::DescribeRules => ApiClass::Describe,
            Self::RegisterTargets | Self::DeregisterTargets => ApiClass::Targets,
            Self::ModifyTargetGroup
            | Self::ModifyTargetGroupAttributes
            | Self::ModifyListener
            | Self::ModifyRule => ApiClass::Modify,
            Self::CreateTargetGroup
            | Self::DeleteTargetGroup
            | Self::AddTags
            | Self::RemoveTags
            | Self::CreateListener
            | Self::DeleteListener
            | Self::CreateRule
            | Self::DeleteRule => ApiClass::Mutate,
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A throttling bucket: the groups of actions that ELB throttles together per account and
/// region (see `GovernorConfig` for the published sizes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ApiClass {
    /// `Describe*`.
    Describe,
    /// `RegisterTargets` and `DeregisterTargets`.
    Targets,
    /// `Modify*`.
    Modify,
    /// The other mutating actions lbgate uses: `Create*`, `Delete*`, `AddTags`, `RemoveTags`.
    Mutate,
}

impl ApiClass {
    pub const ALL: [ApiClass; 4] = [Self::Describe, Self::Targets, Self::Modify, Self::Mutate];

    /// Stable metric label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Describe => "describe",
            Self::Targets => "targets",
            Self::Modify => "modify",
            Self::Mutate => "mutate",
        }
    }
}

impl fmt::Display for ApiClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a call is made, which decides who goes first when callers wait on the same bucket.
/// Declared from lowest to highest so the derived `Ord` ranks them: taking a pod out of
/// service (`Deregister`) beats putting one in (`Register`), which beats changing load-balancer
/// wiring (`Mutate`), which beats polling health for pending gates (`DescribeHealth`), which
/// beats background drift detection (`DriftScan`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Priority {
    DriftScan,
    DescribeHealth,
    Mutate,
    Register,
    Deregister,
}

impl Priority {
    pub const ALL: [Priority; 5] = [
        Self::DriftScan,
        Self::DescribeHealth,
        Self::Mutate,
        Self::Register,
        Self::Deregister,
    ];

    /// Stable metric label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DriftScan => "drift_scan",
            Self::DescribeHealth => "describe_health",
            Self::Mutate => "mutate",
            Self::Register => "register",
            Self::Deregister => "deregister",
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests;
