//! Retry delays: capped exponential back-off with jitter, from a small seeded generator (no
//! dependency, reproducible in tests).

use std::time::Duration;

/// SplitMix64: tiny, fast, good enough to spread retries; not for anything secret.
#[derive(Debug, Clone)]
pub struct JitterRng {
    state: u64,
}

impl JitterRng {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// Seeds from the wall clock so that replicas do not retry in lockstep.
    pub fn from_clock() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        // Truncation is fine: only the low, fast-changing bits matter for a seed.
        Self::new(nanos as u64 ^ u64::from(std::process::id()).rotate_left(32))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn next_unit(&mut self) -> f64 {
        // 53 random bits fill an f64 mantissa exactly.
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `min(cap, base × 2^(attempt-1))` for attempt ≥ 1.
pub fn exponential(base: Duration, cap: Duration, attempt: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
    base.saturating_mul(factor).min(cap)
}

/// Full jitter: uniform in `[0, exponential)`. Spreads transient retries widely.
pub fn full_jitter(base: Duration, cap: Duration, attempt: u32, unit: f64) -> Duration {
    exponential(base, cap, attempt).mul_f64(unit.clamp(0.0, 1.0))
}

/// Equal jitter: uniform in `[exponential/2, exponential)`. After a throttle some wait is always
/// wanted, so the lower half is kept.
pub fn equal_jitter(base: Duration, cap: Duration, attempt: u32, unit: f64) -> Duration {
    let step = exponential(base, cap, attempt);
    step / 2 + (step / 2).mul_f64(unit.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests;
