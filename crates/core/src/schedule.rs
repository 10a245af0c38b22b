//! When to look at target health next, how long to back off after an error, and when a
//! DescribeTargetHealth answer already held may stand in for a new one.
//!
//! The first two are separate on purpose: a health wait comes from the target group's own
//! settings (a new target's verdict is due at registration + registration allowance + interval ×
//! healthy threshold), while an AWS or API error gets a short capped exponential backoff. The
//! requeue takes the sooner of the two, so an error never pushes a pending gate behind its
//! backoff.
//!
//! What the verdict schedule assumes: each load balancer node runs its first check one interval
//! after the registration took effect (plus the NLB registration allowance) and reports `healthy`
//! at the check that completes the healthy threshold — the lifecycle the ELB guides describe and
//! the simulator models. AWS's real check instants are not exactly predictable: several nodes
//! check on their own grids, and the ALB guide (target-group-health-checks) also says a newly
//! registered target "must pass one health check to be considered healthy". The assumption
//! only ever decides *when* we look, never what a gate says (a gate turns True only on an
//! observed `healthy`), so when it is off: a verdict that appears earlier is seen at the
//! assumed instant at the latest (late, never wrong); one that appears later is caught by the
//! short re-polls of the verdict grace, and past the grace by the ordinary every-interval poll
//! of a pending target (a bounded number of extra calls).

use std::time::Duration;

use lbgate_api::v1beta1::TargetGroupProtocol;

use crate::validate::TargetGroupFacts;

mod reuse;

pub use reuse::{HeldAnswer, may_reuse_health};

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

impl LoadBalancerKind {
    /// The kind that serves a group reporting `protocol` (AWS's spelling): HTTP and HTTPS, or no
    /// protocol at all, are ALB's; every other protocol (TCP, UDP, TLS, QUIC, GENEVE, …) is served
    /// with a registration lag.
    pub fn for_reported_protocol(protocol: Option<&str>) -> Self {
        match protocol.map(TargetGroupProtocol::from_aws) {
            None => Self::Application,
            Some(Some(protocol)) => Self::for_protocol(protocol),
            Some(None) => Self::Network,
        }
    }
}

/// AWS's `HealthCheckIntervalSeconds` when a group does not report one.
pub const DEFAULT_HEALTH_CHECK_INTERVAL_SECONDS: u32 = 30;
/// AWS's `HealthyThresholdCount` when a group does not report one.
pub const DEFAULT_HEALTHY_THRESHOLD_COUNT: u32 = 5;

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

impl HealthCheckSettings {
    /// The settings of a group as `DescribeTargetGroups` describes it; AWS's defaults stand in
    /// for what it leaves out.
    pub fn of(facts: &TargetGroupFacts<'_>) -> Self {
        Self {
            interval: Duration::from_secs(u64::from(
                facts
                    .health_check_interval_seconds
                    .unwrap_or(DEFAULT_HEALTH_CHECK_INTERVAL_SECONDS),
            )),
            healthy_threshold: facts
                .healthy_threshold_count
                .unwrap_or(DEFAULT_HEALTHY_THRESHOLD_COUNT),
            load_balancer: LoadBalancerKind::for_reported_protocol(facts.protocol),
        }
    }
}

/// Default forward jitter of a verdict poll.
pub const DEFAULT_VERDICT_JITTER: Duration = Duration::from_millis(50);
/// Default step between re-polls of a verdict that is due but not visible yet.
pub const DEFAULT_VERDICT_REPOLL: Duration = Duration::from_millis(250);
/// Default time after a verdict's expected instant during which it is re-polled.
pub const DEFAULT_VERDICT_GRACE: Duration = Duration::from_secs(2);
/// Re-polls never come closer together than this, whatever the configuration says.
const MIN_VERDICT_REPOLL: Duration = Duration::from_millis(10);
/// Default age up to which a DescribeTargetHealth answer is shared and reused.
pub const DEFAULT_HEALTH_MAX_AGE: Duration = Duration::from_secs(3);

/// Tunables of the health-poll schedule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScheduleConfig {
    /// Registration lag allowed to NLB target groups.
    pub nlb_registration_allowance: Duration,
    /// A verdict poll lands up to this much after the verdict's expected instant (forward
    /// only, so it never lands before it); spreads polls of bindings with equal instants.
    pub verdict_jitter: Duration,
    /// Step between re-polls of a verdict that is due but not visible yet.
    pub verdict_repoll: Duration,
    /// How long after the expected instant such re-polls go on; after that a pending target
    /// is polled every interval like any other.
    pub verdict_grace: Duration,
    /// Poll interval when nothing is pending.
    pub resync: Duration,
    /// Shortest interval poll (watching, overdue, resync). Verdict polls ignore it: they are
    /// aimed at an instant, and few.
    pub floor: Duration,
    /// Longest wait.
    pub cap: Duration,
    /// Jitter of interval polls as a fraction of the wait (0.1 = ±10 %).
    pub jitter: f64,
    /// Age up to which a DescribeTargetHealth answer may stand in for a new one when nothing
    /// can have changed it (see [`may_reuse_health`]); zero turns reuse off. It is also how
    /// late an unexpected change (a healthy target turning unhealthy) can be seen by a pass.
    pub health_max_age: Duration,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        Self {
            nlb_registration_allowance: DEFAULT_NLB_REGISTRATION_ALLOWANCE,
            verdict_jitter: DEFAULT_VERDICT_JITTER,
            verdict_repoll: DEFAULT_VERDICT_REPOLL,
            verdict_grace: DEFAULT_VERDICT_GRACE,
            resync: DEFAULT_RESYNC,
            floor: Duration::from_secs(1),
            cap: Duration::from_secs(600),
            jitter: 0.1,
            health_max_age: DEFAULT_HEALTH_MAX_AGE,
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
    /// A verdict is due but was not visible at the last look: short re-poll.
    VerdictRepoll,
    /// A verdict is overdue past its grace, or its registration time unknown: poll every
    /// interval.
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

/// When a new target's verdict can be visible, counted from its registration: it opens at
/// the earliest instant the group's checks can have produced it (see the module notes for
/// the assumption) and closes `verdict_grace` later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerdictWindow {
    /// Registration allowance + interval × healthy threshold.
    pub opens: Duration,
    /// `opens` + the grace.
    pub closes: Duration,
}

/// The verdict window of a target newly registered in a group with `settings`.
pub fn verdict_window(settings: &HealthCheckSettings, config: &ScheduleConfig) -> VerdictWindow {
    let allowance = match settings.load_balancer {
        LoadBalancerKind::Application => Duration::ZERO,
        LoadBalancerKind::Network => config.nlb_registration_allowance,
    };
    let opens = allowance.saturating_add(
        settings
            .interval
            .saturating_mul(settings.healthy_threshold.max(1)),
    );
    VerdictWindow {
        opens,
        closes: opens.saturating_add(config.verdict_grace),
    }
}

/// When to poll target health next. `seed` makes the jitter deterministic (use something
/// stable per binding and pass, such as a hash of its key and a counter).
pub fn next_health_poll(
    settings: &HealthCheckSettings,
    pending: &[PendingTarget],
    config: &ScheduleConfig,
    seed: u64,
) -> HealthWait {
    let interval = settings.interval.max(config.floor);
    let window = verdict_window(settings, config);
    let earliest = pending
        .iter()
        .map(|target| match target {
            PendingTarget::Initial {
                since_registration: Some(since),
            } if *since < window.opens => (
                window.opens.saturating_sub(*since),
                WaitReason::ExpectedVerdict,
            ),
            PendingTarget::Initial {
                since_registration: Some(since),
            } if *since < window.closes => (
                config
                    .verdict_repoll
                    .max(MIN_VERDICT_REPOLL)
                    .min(window.closes.saturating_sub(*since)),
                WaitReason::VerdictRepoll,
            ),
            PendingTarget::Initial { .. } => (interval, WaitReason::StillPending),
            PendingTarget::Watching => (interval, WaitReason::Watching),
        })
        .min_by_key(|(after, _)| *after);
    let unit = unit_interval(seed);
    let (base, reason) = earliest.unwrap_or((config.resync, WaitReason::Resync));
    let after = match reason {
        // Aimed polls: forward jitter only (never before the instant), small and absolute
        // rather than a share of a wait that may be minutes long.
        WaitReason::ExpectedVerdict | WaitReason::VerdictRepoll => base
            .saturating_add(scale(config.verdict_jitter, unit, Duration::ZERO))
            .min(config.cap),
        _ => {
            let jitter = if config.jitter.is_finite() {
                config.jitter.clamp(0.0, 1.0)
            } else {
                0.0
            };
            scale(base, 1.0 + jitter * (2.0 * unit - 1.0), config.cap)
                .clamp(config.floor, config.cap.max(config.floor))
        }
    };
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
