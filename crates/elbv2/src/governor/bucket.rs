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
mod tests {
    use super::*;

    const AIMD: AimdSpec = AimdSpec {
        floor_per_second: 1.0,
        increase_per_success: 0.5,
    };

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn burst_then_refill() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(BucketSpec::new(40.0, 10.0), AIMD, t0);
        for _ in 0..40 {
            assert_eq!(bucket.try_take(t0, 0.0), Ok(()));
        }
        let wait = bucket.try_take(t0, 0.0).unwrap_err();
        assert!((wait.as_secs_f64() - 0.1).abs() < 1e-6, "{wait:?}");
        // 1 s later: 10 tokens, no more.
        let t1 = t0 + secs(1.0);
        for _ in 0..10 {
            assert_eq!(bucket.try_take(t1, 0.0), Ok(()));
        }
        assert!(bucket.try_take(t1, 0.0).is_err());
        // Refill stops at capacity.
        let t2 = t1 + secs(100.0);
        assert!((bucket.tokens(t2) - 40.0).abs() < 1e-9);
    }

    #[test]
    fn reserve_is_kept_from_lower_priorities() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(BucketSpec::new(10.0, 1.0), AIMD, t0);
        // A caller that must leave 4 tokens gets 6, then waits.
        let mut granted = 0;
        while bucket.try_take(t0, 4.0).is_ok() {
            granted += 1;
        }
        assert_eq!(granted, 6);
        // A caller without reserve still gets the remaining 4.
        for _ in 0..4 {
            assert_eq!(bucket.try_take(t0, 0.0), Ok(()));
        }
        assert!(bucket.try_take(t0, 0.0).is_err());
        // The reserved caller needs 5 tokens before its next one: 5 s at 1/s.
        let wait = bucket.try_take(t0, 4.0).unwrap_err();
        assert!((wait.as_secs_f64() - 5.0).abs() < 1e-6, "{wait:?}");
    }

    #[test]
    fn reserve_never_exceeds_what_the_bucket_can_hold() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(BucketSpec::new(2.0, 1.0), AIMD, t0);
        // A reserve of 100 acts as capacity - 1: one token is still grantable from full.
        assert_eq!(bucket.try_take(t0, 100.0), Ok(()));
        assert!(bucket.try_take(t0, 100.0).is_err());
    }

    #[test]
    fn aimd_halves_on_throttle_and_recovers_gradually() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(BucketSpec::new(20.0, 8.0), AIMD, t0);
        bucket.on_throttle(t0);
        assert_eq!(bucket.rate(), 4.0);
        assert_eq!(bucket.tokens(t0), 0.0, "a throttle empties the bucket");
        bucket.on_throttle(t0);
        bucket.on_throttle(t0);
        assert_eq!(bucket.rate(), 1.0);
        bucket.on_throttle(t0);
        assert_eq!(bucket.rate(), 1.0, "floor holds");
        let mut rates = Vec::new();
        for _ in 0..16 {
            bucket.on_success(t0);
            rates.push(bucket.rate());
        }
        assert_eq!(rates[0], 1.5);
        assert_eq!(rates[1], 2.0);
        assert_eq!(rates[13], 8.0);
        assert_eq!(
            *rates.last().unwrap(),
            8.0,
            "never above the configured rate"
        );
    }

    #[test]
    fn a_reserve_costs_the_same_refill_time_whatever_the_aimd_rate() {
        let t0 = Instant::now();
        let aimd = AimdSpec {
            floor_per_second: 0.25,
            increase_per_success: 0.25,
        };
        let mut bucket = TokenBucket::new(BucketSpec::new(20.0, 5.0), aimd, t0);
        // At the configured rate a 6-token reserve from empty costs 6/5 s plus one token.
        for _ in 0..20 {
            bucket.try_take(t0, 0.0).unwrap();
        }
        let wait = bucket.wait_for(t0, 6.0).as_secs_f64();
        assert!((wait - (1.2 + 0.2)).abs() < 1e-6, "{wait}");
        // Three throttles: 5 → 0.625/s. The reserve shrinks to 0.75 tokens, so the wait is
        // still 1.2 s of reserve plus one token at the reduced rate (1.6 s), not 7 / 0.625 s.
        bucket.on_throttle(t0);
        bucket.on_throttle(t0);
        bucket.on_throttle(t0);
        assert_eq!(bucket.rate(), 0.625);
        let wait = bucket.try_take(t0, 6.0).unwrap_err().as_secs_f64();
        assert!((wait - (1.2 + 1.6)).abs() < 1e-6, "{wait}");
        // Without a reserve: one token at the reduced rate.
        let wait = bucket.wait_for(t0, 0.0).as_secs_f64();
        assert!((wait - 1.6).abs() < 1e-6, "{wait}");
        assert_eq!(bucket.try_take(t0 + secs(1.6), 0.0), Ok(()));
    }

    #[test]
    fn refill_uses_the_rate_in_force_during_each_interval() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(BucketSpec::new(100.0, 10.0), AIMD, t0);
        for _ in 0..100 {
            bucket.try_take(t0, 0.0).unwrap();
        }
        // 1 s at 10/s, then a throttle (zeroes and halves), then 1 s at 5/s.
        let t1 = t0 + secs(1.0);
        assert!((bucket.tokens(t1) - 10.0).abs() < 1e-9);
        bucket.on_throttle(t1);
        let t2 = t1 + secs(1.0);
        assert!((bucket.tokens(t2) - 5.0).abs() < 1e-9);
    }

    #[test]
    fn scaled_spec_keeps_a_usable_bucket() {
        let spec = BucketSpec::new(40.0, 10.0).scaled(0.5);
        assert_eq!(spec, BucketSpec::new(20.0, 5.0));
        let tiny = BucketSpec::new(1.0, 1.0).scaled(0.01);
        assert_eq!(tiny.capacity, 1.0);
        assert!(tiny.refill_per_second > 0.0);
    }

    #[test]
    fn time_going_backwards_does_not_add_tokens() {
        let t0 = Instant::now() + secs(10.0);
        let mut bucket = TokenBucket::new(BucketSpec::new(1.0, 1.0), AIMD, t0);
        bucket.try_take(t0, 0.0).unwrap();
        assert!(bucket.try_take(t0 - secs(5.0), 0.0).is_err());
    }
}
