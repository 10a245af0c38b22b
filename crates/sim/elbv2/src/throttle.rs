//! ELB's per-account request-rate token buckets.
//!
//! The ELB user guide ("Request throttling for the Elastic Load Balancing API") describes one
//! bucket per action group: non-mutating `Describe*` actions hold 40 tokens and refill 10 per
//! second. The registration actions (RegisterTargets, DeregisterTargets: 20 / 4 per second) and
//! `Modify*` actions (20 / 3 per second) have their own buckets (the numbers the AWS Load
//! Balancer Controller adopted from that page in March 2026). Buckets run on wall time, never on
//! the simulated clock: throttling is about real request rates.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Size and refill rate of one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BucketConfig {
    pub capacity: f64,
    pub refill_per_second: f64,
}

impl BucketConfig {
    pub const fn new(capacity: f64, refill_per_second: f64) -> Self {
        Self {
            capacity,
            refill_per_second,
        }
    }
}

/// The buckets of one account. `enabled: false` turns throttling off.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ThrottleConfig {
    pub enabled: bool,
    /// `Describe*` actions.
    pub describe: BucketConfig,
    /// RegisterTargets and DeregisterTargets.
    pub registration: BucketConfig,
    /// `Modify*` and SetRulePriorities.
    pub modify: BucketConfig,
    /// Every other mutating action (Create*, Delete*, AddTags, RemoveTags). The guide's numbers
    /// for this group could not be confirmed here; they default to the `Modify*` bucket's.
    pub other_mutating: BucketConfig,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            describe: BucketConfig::new(40.0, 10.0),
            registration: BucketConfig::new(20.0, 4.0),
            modify: BucketConfig::new(20.0, 3.0),
            other_mutating: BucketConfig::new(20.0, 3.0),
        }
    }
}

impl ThrottleConfig {
    /// No throttling at all.
    pub fn disabled() -> Self {
        Self {
            enabled: false,
            ..Self::default()
        }
    }
}

/// Which bucket an action draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BucketClass {
    Describe,
    Registration,
    Modify,
    OtherMutating,
}

impl BucketClass {
    pub fn of(action: &str) -> Self {
        match action {
            "RegisterTargets" | "DeregisterTargets" => Self::Registration,
            a if a.starts_with("Describe") => Self::Describe,
            a if a.starts_with("Modify") || a == "SetRulePriorities" => Self::Modify,
            _ => Self::OtherMutating,
        }
    }
}

/// One bucket. Refills come in whole-second steps ("a set number of tokens is added back every
/// second"), counted from the moment a full bucket is first drawn on, so 41 `Describe*` calls
/// within one second always throttle the 41st.
#[derive(Debug, Clone)]
struct Bucket {
    config: BucketConfig,
    tokens: f64,
    last_refill: Instant,
}

impl Bucket {
    fn new(config: BucketConfig, now: Instant) -> Self {
        Self {
            config,
            tokens: config.capacity,
            last_refill: now,
        }
    }

    fn try_take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last_refill);
        let ticks = elapsed.as_secs();
        if ticks > 0 {
            self.tokens = (self.tokens + ticks as f64 * self.config.refill_per_second)
                .min(self.config.capacity);
            self.last_refill += Duration::from_secs(ticks);
        }
        if self.tokens >= self.config.capacity {
            // A full bucket starts a new refill period when it is next drawn on.
            self.last_refill = now;
        }
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The account's buckets.
#[derive(Debug, Clone)]
pub struct Throttler {
    enabled: bool,
    describe: Bucket,
    registration: Bucket,
    modify: Bucket,
    other_mutating: Bucket,
}

impl Throttler {
    pub fn new(config: ThrottleConfig, now: Instant) -> Self {
        Self {
            enabled: config.enabled,
            describe: Bucket::new(config.describe, now),
            registration: Bucket::new(config.registration, now),
            modify: Bucket::new(config.modify, now),
            other_mutating: Bucket::new(config.other_mutating, now),
        }
    }

    /// Takes a token for `action`; `false` means the call is throttled.
    pub fn try_acquire(&mut self, action: &str, now: Instant) -> bool {
        if !self.enabled {
            return true;
        }
        let bucket = match BucketClass::of(action) {
            BucketClass::Describe => &mut self.describe,
            BucketClass::Registration => &mut self.registration,
            BucketClass::Modify => &mut self.modify,
            BucketClass::OtherMutating => &mut self.other_mutating,
        };
        bucket.try_take(now)
    }
}

#[cfg(test)]
mod tests;
