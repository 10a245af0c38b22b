//! Token-bucket maths with explicit instants (no async, no clock of its own), so every rule of
//! the governor can be unit-tested with hand-made time: refill, reserves kept back from lower
//! priorities, and AIMD on throttling.

use std::time::{Duration, Instant};

/// Size and refill of one bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketSpec {
    /// Tokens the bucket holds when full (the burst).
    pub capacity: f64,
    /// Tokens added per second.
    pub refill_per_second: f64,
}

impl BucketSpec {
    pub const fn new(capacity: f64, refill_per_second: f64) -> Self {
        Self {
            capacity,
            refill_per_second,
        }
    }

    /// The same bucket shrunk to `fraction` of its size and rate, never below one token and a
    /// small positive rate (a zero rate would make every wait infinite).
    pub fn scaled(self, fraction: f64) -> Self {
        let fraction = if fraction.is_finite() {
            fraction.clamp(0.0, 1.0)
        } else {
            1.0
        };
        Self {
            capacity: (self.capacity * fraction).max(1.0),
            refill_per_second: (self.refill_per_second * fraction).max(MIN_RATE),
        }
    }
}

/// Additive-increase / multiplicative-decrease of the refill rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AimdSpec {
    /// The rate never drops below this (tokens per second).
    pub floor_per_second: f64,
    /// Added back to the rate after each successful call (tokens per second).
    pub increase_per_success: f64,
}

/// Rates below this are treated as this, so waits stay finite.
const MIN_RATE: f64 = 0.001;
/// Float slack so that a bucket refilled to exactly one token grants it.
const EPSILON: f64 = 1e-9;

/// One throttling bucket with a rate that adapts to the server's throttling.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    capacity: f64,
    target_rate: f64,
    rate: f64,
    aimd: AimdSpec,
    tokens: f64,
    updated: Instant,
}

impl TokenBucket {
    /// A full bucket running at its configured rate.
    pub fn new(spec: BucketSpec, aimd: AimdSpec, now: Instant) -> Self {
        let capacity = spec.capacity.max(1.0);
        let target_rate = spec.refill_per_second.max(MIN_RATE);
        let floor = aimd.floor_per_second.clamp(MIN_RATE, target_rate);
        Self {
            capacity,
            target_rate,
            rate: target_rate,
            aimd: AimdSpec {
                floor_per_second: floor,
                increase_per_success: aimd.increase_per_success.max(0.0),
            },
            tokens: capacity,
            updated: now,
        }
    }

    pub fn capacity(&self) -> f64 {
        self.capacity
    }

    /// Current refill rate (after AIMD), tokens per second.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// The configured rate AIMD climbs back to.
    pub fn target_rate(&self) -> f64 {
        self.target_rate
    }

    /// Tokens available at `now`.
    pub fn tokens(&mut self, now: Instant) -> f64 {
        self.refill(now);
        self.tokens
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        if now > self.updated {
            self.updated = now;
        }
    }

    /// The number of tokens a caller must leave behind. `reserve` is stated at the configured
    /// rate and shrinks with the AIMD rate, so keeping it back always costs the same refill time
    /// (`reserve / target_rate`): after a throttle a lower priority waits for one token at the
    /// reduced rate plus that fixed time, not for a whole reserve at a fraction of the rate.
    /// Clamped so that every caller can eventually be served (a reserve of the whole bucket
    /// would starve it forever).
    fn effective_reserve(&self, reserve: f64) -> f64 {
        if reserve.is_finite() {
            let scaled = reserve * (self.rate / self.target_rate);
            scaled.clamp(0.0, (self.capacity - 1.0).max(0.0))
        } else {
            0.0
        }
    }

    /// How long until one token can be taken leaving `reserve` behind (zero if it can now).
    pub fn wait_for(&mut self, now: Instant, reserve: f64) -> Duration {
        self.refill(now);
        let needed = self.effective_reserve(reserve) + 1.0;
        if self.tokens + EPSILON >= needed {
            Duration::ZERO
        } else {
            let seconds = (needed - self.tokens) / self.rate;
            // Never zero: a wait that rounds to nothing would grant a token that is not there.
            Duration::try_from_secs_f64(seconds)
                .unwrap_or(Duration::MAX)
                .max(Duration::from_nanos(1))
        }
    }

    /// Takes one token if at least `reserve` tokens (see `effective_reserve`) remain
    /// afterwards; otherwise tells how long until that will be true at the current rate.
    pub fn try_take(&mut self, now: Instant, reserve: f64) -> Result<(), Duration> {
        let wait = self.wait_for(now, reserve);
        if wait.is_zero() {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(wait)
        }
    }

    /// AWS answered `Throttling`: its bucket for this class is empty, so ours is emptied too,
    /// and the refill rate is halved (not below the floor).
    pub fn on_throttle(&mut self, now: Instant) {
        self.refill(now);
        self.tokens = self.tokens.min(0.0);
        self.rate = (self.rate / 2.0).max(self.aimd.floor_per_second);
    }

    /// A call succeeded: creep back towards the configured rate.
    pub fn on_success(&mut self, now: Instant) {
        self.refill(now);
        self.rate = (self.rate + self.aimd.increase_per_success).min(self.target_rate);
    }
}

#[cfg(test)]
mod tests;
