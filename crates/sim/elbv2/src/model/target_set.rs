//! The targets a target group holds, keyed as AWS keys them.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::super::health::Lifecycle;

/// A target's identity inside a target group: AWS keys targets by ID and port.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct TargetKey {
    pub id: String,
    pub port: u16,
}

/// One registered (or draining) target.
#[derive(Debug, Clone)]
pub struct RegisteredTarget {
    pub key: TargetKey,
    pub availability_zone: Option<String>,
    pub lifecycle: Lifecycle,
    /// Describe* calls do not see it before this instant (eventual consistency).
    pub visible_at: Duration,
}

pub type TargetSet = BTreeMap<TargetKey, RegisteredTarget>;
