//! When to look at target health next, and how long to back off after an error.
//!
//! The two are separate on purpose: a health wait comes from the target group's own settings
//! (a new target's verdict is due at registration + registration allowance + interval × healthy
//! threshold), while an AWS or API error gets a short capped exponential backoff. The requeue
//! takes the sooner of the two, so an error never pushes a pending gate behind its backoff.

use std::time::Duration;

use lbgate_api::v1beta1::TargetGroupProtocol;

/// Default extra time an NLB takes to start health-checking a newly registered target.
pub const DEFAULT_NLB_REGISTRATION_ALLOWANCE: Duration = Duration::from_secs(30);
/// Default poll interval when nothing is pending.
pub const DEFAULT_RESYNC: Duration = Duration::from_secs(300);
/// Default base of the error backoff.
pub const DEFAULT_ERROR_BACKOFF_BASE: Duration = Duration::from_millis(500);
/// Default cap of the error backoff.
pub const DEFAULT_ERROR_BACKOFF_CAP: Duration = Duration::from_secs(30);

/// The kind of load balancer in front of a target group, which sets its registration lag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoadBalancerKind {
    /// ALB (HTTP, HTTPS): health checks start at registration.
    Application,
    /// NLB (TCP, TLS, UDP, TCP_UDP, QUIC, TCP_QUIC): registration takes a while to propagate.
    Network,
}

impl LoadBalancerKind {
    /// The kind that serves target groups of `protocol`.
    pub const fn for_protocol(protocol: TargetGroupProtocol) -> Self {
        match protocol {
            TargetGroupProtocol::Http | TargetGroupProtocol::Https => Self::Application,
            _ => Self::Network,
        }
    }
}

/// The health-check settings of a target group, as `DescribeTargetGroups` reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HealthCheckSettings {
    /// `HealthCheckIntervalSeconds`.
    pub interval: Duration,
    /// `HealthyThresholdCount`.
    pub healthy_threshold: u32,
    /// Which load balancer kind serves the group.
    pub load_balancer: LoadBalancerKind,
}

/// Tunables of the health-poll schedule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScheduleConfig {
    /// Registration lag allowed to NLB target groups.
    pub nlb_registration_allowance: Duration,
    /// Added after an expected verdict, so the poll lands after it.
    pub verdict_slack: Duration,
    /// Poll interval when nothing is pending.
    pub resync: Duration,
    /// Shortest wait.
    pub floor: Duration,
    /// Longest wait.
    pub cap: Duration,
    /// Jitter as a fraction of the wait (0.1 = ±10 %).
    pub jitter: f64,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        Self {
            nlb_registration_allowance: DEFAULT_NLB_REGISTRATION_ALLOWANCE,
            verdict_slack: Duration::from_secs(1),
            resync: DEFAULT_RESYNC,
            floor: Duration::from_secs(1),
            cap: Duration::from_secs(600),
            jitter: 0.1,
        }
    }
}

/// A target whose health the binding is waiting on or watching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PendingTarget {
    /// In `initial`; `since_registration` is how long ago it was registered, when known.
    Initial {
        /// Time since RegisterTargets succeeded for it.
        since_registration: Option<Duration>,
    },
    /// Any other state whose flip matters (unhealthy, unused, unavailable, …).
    Watching,
}

/// Why the next poll is when it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WaitReason {
    /// A new target's first verdict is due.
    ExpectedVerdict,
    /// A verdict is overdue or its registration time unknown: poll every interval.
    StillPending,
    /// A target is watched for a flip: poll every interval.
    Watching,
    /// Nothing pending: slow resync.
    Resync,
}

/// The next health poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HealthWait {
    /// Wait this long.
    pub after: Duration,
    /// Why.
    pub reason: WaitReason,
}

/// When to poll target health next. `seed` makes the jitter deterministic (use something
/// stable per binding and pass, such as a hash of its key and a counter).
pub fn next_health_poll(
    settings: &HealthCheckSettings,
    pending: &[PendingTarget],
    config: &ScheduleConfig,
    seed: u64,
) -> HealthWait {
    let allowance = match settings.load_balancer {
        LoadBalancerKind::Application => Duration::ZERO,
        LoadBalancerKind::Network => config.nlb_registration_allowance,
    };
    let interval = settings.interval.max(config.floor);
    let verdict_after = allowance.saturating_add(
        settings
            .interval
            .saturating_mul(settings.healthy_threshold.max(1)),
    );
    let earliest = pending
        .iter()
        .map(|target| match target {
            PendingTarget::Initial {
                since_registration: Some(since),
            } if *since < verdict_after => (
                verdict_after
                    .saturating_sub(*since)
                    .saturating_add(config.verdict_slack),
                WaitReason::ExpectedVerdict,
            ),
            PendingTarget::Initial { .. } => (interval, WaitReason::StillPending),
            PendingTarget::Watching => (interval, WaitReason::Watching),
        })
        .min_by_key(|(after, _)| *after);
    let unit = unit_interval(seed);
    let jitter = if config.jitter.is_finite() {
        config.jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (base, reason) = earliest.unwrap_or((config.resync, WaitReason::Resync));
    // A verdict poll only ever moves later, so jitter cannot make it land before the verdict.
    let factor = match reason {
        WaitReason::ExpectedVerdict => 1.0 + jitter * unit,
        _ => 1.0 + jitter * (2.0 * unit - 1.0),
    };
    let after = scale(base, factor, config.cap).clamp(config.floor, config.cap.max(config.floor));
    HealthWait { after, reason }
}

/// Capped exponential backoff with full jitter, for the errors of one binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorBackoff {
    /// First ceiling.
    pub base: Duration,
    /// Largest ceiling.
    pub cap: Duration,
    failures: u32,
}

impl Default for ErrorBackoff {
    fn default() -> Self {
        Self::new(DEFAULT_ERROR_BACKOFF_BASE, DEFAULT_ERROR_BACKOFF_CAP)
    }
}

impl ErrorBackoff {
    /// A backoff with no failure recorded.
    pub const fn new(base: Duration, cap: Duration) -> Self {
        Self {
            base,
            cap,
            failures: 0,
        }
    }

    /// Counts one more consecutive failure.
    pub fn record_failure(&mut self) {
        self.failures = self.failures.saturating_add(1);
    }

    /// Forgets the failures after a successful pass.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// Consecutive failures so far.
    pub const fn failures(&self) -> u32 {
        self.failures
    }

    /// The ceiling of the next delay: `base × 2^(failures − 1)`, capped; zero with no failure.
    pub fn ceiling(&self) -> Duration {
        if self.failures == 0 {
            return Duration::ZERO;
        }
        let doublings = self.failures.saturating_sub(1).min(31);
        self.base.saturating_mul(1_u32 << doublings).min(self.cap)
    }

    /// The next delay, uniform in `[0, ceiling]` from `seed` (full jitter); `None` with no
    /// failure recorded.
    pub fn delay(&self, seed: u64) -> Option<Duration> {
        (self.failures > 0).then(|| scale(self.ceiling(), unit_interval(seed), self.cap))
    }
}

/// The requeue delay of a pass: the health wait, or the error backoff when that is sooner.
/// Never later than the health wait, so a pending gate is never held behind error backoff.
pub fn requeue_after(health_wait: Duration, error_backoff: Option<Duration>) -> Duration {
    error_backoff.map_or(health_wait, |backoff| backoff.min(health_wait))
}

/// `duration × factor`, or `fallback` when that is not a valid duration.
fn scale(duration: Duration, factor: f64, fallback: Duration) -> Duration {
    Duration::try_from_secs_f64(duration.as_secs_f64() * factor).unwrap_or(fallback)
}

/// A number in `[0, 1)` determined by `seed` (splitmix64 finaliser).
fn unit_interval(seed: u64) -> f64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    // The top 53 bits fill an f64 mantissa exactly.
    (z >> 11) as f64 / (1_u64 << 53) as f64
}

#[cfg(test)]
mod tests;
