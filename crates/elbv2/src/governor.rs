//! The API budget governor: one token bucket per ELB throttling class, sized from ELB's published
//! per-account buckets and run at a fraction of them; callers queue by priority with reserves
//! kept for higher priorities; AIMD slows a class down when AWS throttles it; retries with
//! jittered back-off, bounded by count, deadline and cancellation. [`Governed`] applies all of
//! this to any port implementation (see [`crate::port`]).
//!
//! Reserves exist so that a higher priority that is using a class (deregistrations during a
//! rollout, say) finds tokens for its next burst even while lower priorities (health polls,
//! drift scans) drain the bucket. Two rules keep them from delaying anyone for nothing:
//! - a caller keeps its reserve back only while a higher priority *competes* for that class:
//!   one of its callers asked for or took a token of the class within
//!   [`GovernorConfig::contention_window`] (a queued caller counts from its arrival). With no
//!   competitor the whole bucket is available, and the priority queue still serves any higher
//!   caller that arrives first;
//! - a reserve is stated at the configured rate and shrinks with the AIMD rate, so keeping it
//!   costs a fixed refill time (`share × capacity / configured rate`, 1.2 s for a health poll
//!   by default) however far AIMD has cut the rate. After a `Throttling` answer (which empties
//!   the bucket) a retry therefore waits about one token at the reduced rate, plus that fixed
//!   time only when a higher priority competes — never a whole reserve refilled at a fraction
//!   of the rate, which would push a pending gate behind many seconds of budget wait.

pub mod backoff;
pub mod bucket;
pub mod config;
pub mod contention;
mod governed;
pub mod limiter;

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

pub use bucket::{AimdSpec, BucketSpec, TokenBucket};
pub use config::{AimdConfig, ClassBuckets, GovernorConfig, ReserveShares, RetryPolicy};
pub use governed::Governed;
pub use limiter::AcquireError;

use crate::governor::backoff::JitterRng;
use crate::governor::limiter::ClassLimiter;
use crate::metrics::Elbv2Metrics;
use crate::operation::{ApiClass, Priority};

/// Shared budget state for every ELBv2 call of one process (one per AWS account and region).
#[derive(Debug)]
pub struct Governor {
    config: GovernorConfig,
    describe: ClassLimiter,
    targets: ClassLimiter,
    modify: ClassLimiter,
    mutate: ClassLimiter,
    rng: Mutex<JitterRng>,
    metrics: Option<Elbv2Metrics>,
}

impl Governor {
    pub fn new(config: GovernorConfig) -> Self {
        Self::build(config, None)
    }

    /// A governor that also reports budget waits and rates (and lets [`Governed`] report calls).
    pub fn with_metrics(config: GovernorConfig, metrics: Elbv2Metrics) -> Self {
        Self::build(config, Some(metrics))
    }

    fn build(config: GovernorConfig, metrics: Option<Elbv2Metrics>) -> Self {
        let limiter = |class| {
            ClassLimiter::new(
                config.effective_bucket(class),
                config.aimd_spec(class),
                config.contention_window,
            )
        };
        let rng = config
            .jitter_seed
            .map(JitterRng::new)
            .unwrap_or_else(JitterRng::from_clock);
        let governor = Self {
            describe: limiter(ApiClass::Describe),
            targets: limiter(ApiClass::Targets),
            modify: limiter(ApiClass::Modify),
            mutate: limiter(ApiClass::Mutate),
            rng: Mutex::new(rng),
            metrics,
            config,
        };
        if let Some(metrics) = &governor.metrics {
            for class in ApiClass::ALL {
                metrics.budget_rate(class, governor.limiter(class).rate());
            }
        }
        governor
    }

    pub fn config(&self) -> &GovernorConfig {
        &self.config
    }

    pub fn metrics(&self) -> Option<&Elbv2Metrics> {
        self.metrics.as_ref()
    }

    fn limiter(&self, class: ApiClass) -> &ClassLimiter {
        match class {
            ApiClass::Describe => &self.describe,
            ApiClass::Targets => &self.targets,
            ApiClass::Modify => &self.modify,
            ApiClass::Mutate => &self.mutate,
        }
    }

    /// Waits for one token of `class` at `priority`; returns how long the caller waited.
    pub async fn acquire(
        &self,
        class: ApiClass,
        priority: Priority,
        deadline: Instant,
        cancel: Option<&CancellationToken>,
    ) -> Result<Duration, AcquireError> {
        let reserve = self.config.reserve_tokens(class, priority);
        let waited = self
            .limiter(class)
            .acquire(priority, reserve, deadline, cancel)
            .await?;
        if let Some(metrics) = &self.metrics {
            metrics.budget_wait(class, priority, waited);
        }
        Ok(waited)
    }

    /// AWS throttled a call of `class`: halve its rate.
    pub fn record_throttle(&self, class: ApiClass) {
        let rate = self.limiter(class).on_throttle();
        tracing::debug!(class = %class, rate, "ELBv2 throttled; budget rate lowered");
        if let Some(metrics) = &self.metrics {
            metrics.budget_rate(class, rate);
        }
    }

    /// A call of `class` succeeded: raise its rate a little.
    pub fn record_success(&self, class: ApiClass) {
        let rate = self.limiter(class).on_success();
        if let Some(metrics) = &self.metrics {
            metrics.budget_rate(class, rate);
        }
    }

    /// Current refill rate of `class` (tokens per second, after AIMD).
    pub fn current_rate(&self, class: ApiClass) -> f64 {
        self.limiter(class).rate()
    }

    /// Tokens currently in `class`'s bucket.
    pub fn available_tokens(&self, class: ApiClass) -> f64 {
        self.limiter(class).tokens()
    }

    /// Callers currently queued on `class`.
    pub fn waiting(&self, class: ApiClass) -> usize {
        self.limiter(class).waiting()
    }

    fn next_unit(&self) -> f64 {
        self.rng
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .next_unit()
    }

    /// Delay before the `attempt`-th retry after a throttle (attempt ≥ 1).
    pub fn throttle_delay(&self, attempt: u32) -> Duration {
        let retry = &self.config.retry;
        backoff::equal_jitter(
            retry.throttle_base,
            retry.throttle_cap,
            attempt,
            self.next_unit(),
        )
    }

    /// Delay before the `attempt`-th retry after a transient failure (attempt ≥ 1).
    pub fn transient_delay(&self, attempt: u32) -> Duration {
        let retry = &self.config.retry;
        backoff::full_jitter(
            retry.transient_base,
            retry.transient_cap,
            attempt,
            self.next_unit(),
        )
    }
}

#[cfg(test)]
mod tests;
