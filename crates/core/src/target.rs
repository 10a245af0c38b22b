//! Targets as core sees them: an identity (`id:port`), the AWS health state and what AWS said.
//!
//! The controller maps the ELBv2 port's types onto these, so the decisions never depend on the
//! AWS crates.

use std::fmt;

/// AWS reason for a target that AWS does not know in the target group (`unused`).
pub const REASON_TARGET_NOT_REGISTERED: &str = "Target.NotRegistered";

/// Identity of a target: a pod IP or instance ID, and the port traffic goes to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TargetKey {
    /// Pod IP (ip mode) or EC2 instance ID (instance mode).
    pub id: String,
    /// Container port (ip mode) or node port (instance mode).
    pub port: i32,
}

impl TargetKey {
    /// A key from its parts.
    pub fn new(id: impl Into<String>, port: i32) -> Self {
        Self {
            id: id.into(),
            port,
        }
    }

    /// Parses `id:port`. The port is after the last `:`, so IPv6 addresses parse too.
    pub fn parse(text: &str) -> Option<Self> {
        let (id, port) = text.rsplit_once(':')?;
        if id.is_empty() || id.chars().any(char::is_whitespace) {
            return None;
        }
        let port: i32 = port.parse().ok()?;
        (1..=65535).contains(&port).then(|| Self::new(id, port))
    }
}

impl fmt::Display for TargetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.id, self.port)
    }
}

/// Health state of a registered target, as `DescribeTargetHealth` reports it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TargetState {
    /// Registering, or in its first health checks.
    Initial,
    /// Passing health checks.
    Healthy,
    /// Failing health checks.
    Unhealthy,
    /// Failing health checks while being deregistered.
    UnhealthyDraining,
    /// Being deregistered.
    Draining,
    /// Not in use (no listener, AZ not enabled, or not registered at all).
    Unused,
    /// Health checks are disabled.
    Unavailable,
    /// A state this build does not know, kept verbatim.
    Unknown(String),
}

impl TargetState {
    /// The spelling AWS uses on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Initial => "initial",
            Self::Healthy => "healthy",
            Self::Unhealthy => "unhealthy",
            Self::UnhealthyDraining => "unhealthy.draining",
            Self::Draining => "draining",
            Self::Unused => "unused",
            Self::Unavailable => "unavailable",
            Self::Unknown(state) => state,
        }
    }

    /// Parses AWS's spelling; anything unknown is kept as [`TargetState::Unknown`].
    pub fn from_aws(state: &str) -> Self {
        match state {
            "initial" => Self::Initial,
            "healthy" => Self::Healthy,
            "unhealthy" => Self::Unhealthy,
            "unhealthy.draining" => Self::UnhealthyDraining,
            "draining" => Self::Draining,
            "unused" => Self::Unused,
            "unavailable" => Self::Unavailable,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// Whether the target is on its way out of the group.
    pub fn is_draining(&self) -> bool {
        matches!(self, Self::Draining | Self::UnhealthyDraining)
    }
}

impl fmt::Display for TargetState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of `DescribeTargetHealth`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedTarget {
    /// Which target.
    pub key: TargetKey,
    /// Its health state.
    pub state: TargetState,
    /// AWS's reason code (`Elb.InitialHealthChecking`, `Target.Timeout`, …), if any.
    pub reason: Option<String>,
    /// AWS's description, if any.
    pub description: Option<String>,
}

impl ObservedTarget {
    /// An observation without reason or description.
    pub fn new(key: TargetKey, state: TargetState) -> Self {
        Self {
            key,
            state,
            reason: None,
            description: None,
        }
    }

    /// Whether the target counts as registered: draining targets are leaving, and
    /// `unused`/`Target.NotRegistered` means AWS does not have it at all.
    pub fn is_registered(&self) -> bool {
        !self.state.is_draining() && !self.is_not_registered()
    }

    /// Whether AWS reports the target as not registered at all.
    pub fn is_not_registered(&self) -> bool {
        self.state == TargetState::Unused
            && self.reason.as_deref() == Some(REASON_TARGET_NOT_REGISTERED)
    }

    /// Whether the target is registered and passing health checks.
    pub fn is_healthy(&self) -> bool {
        self.state == TargetState::Healthy
    }
}

#[cfg(test)]
mod tests;
