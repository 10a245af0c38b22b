//! Time sources for the simulators.
//!
//! Simulated time is a [`Duration`] since the clock's origin. [`ScaledClock`] follows the wall
//! clock at a configurable speed; [`ManualClock`] only moves when a test moves it, which makes
//! lifecycle tests instant and deterministic.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A source of simulated time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Simulated time elapsed since the clock's origin.
    fn now(&self) -> Duration;
}

/// Simulated time derived from the wall clock.
///
/// `time_scale` is real seconds per simulated second: 1.0 is real time, 0.1 makes simulated time
/// run ten times faster than the wall clock.
#[derive(Debug, Clone)]
pub struct ScaledClock {
    origin: Instant,
    time_scale: f64,
}

impl ScaledClock {
    /// A clock starting now. A scale that is not a positive finite number falls back to 1.0.
    pub fn new(time_scale: f64) -> Self {
        Self {
            origin: Instant::now(),
            time_scale: sanitize_scale(time_scale),
        }
    }

    /// Real seconds per simulated second.
    pub fn time_scale(&self) -> f64 {
        self.time_scale
    }

    /// The simulated time that corresponds to `real` elapsed wall time.
    pub fn real_to_sim(&self, real: Duration) -> Duration {
        scale_duration(real, 1.0 / self.time_scale)
    }

    /// The wall time it takes for `sim` simulated time to pass.
    pub fn sim_to_real(&self, sim: Duration) -> Duration {
        scale_duration(sim, self.time_scale)
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> Duration {
        self.real_to_sim(self.origin.elapsed())
    }
}

/// A clock that only moves when told to.
#[derive(Debug, Default)]
pub struct ManualClock {
    now: Mutex<Duration>,
}

impl ManualClock {
    /// A clock at simulated time zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now = now.saturating_add(by);
    }

    /// Sets the clock to `to`; it may move backwards, which only tests should do.
    pub fn set(&self, to: Duration) {
        *self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        *self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn sanitize_scale(scale: f64) -> f64 {
    if scale.is_finite() && scale > 0.0 {
        scale
    } else {
        1.0
    }
}

fn scale_duration(d: Duration, factor: f64) -> Duration {
    let secs = d.as_secs_f64() * factor;
    Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX)
}

/// A UTC timestamp `YYYY-MM-DDTHH:MM:SS[.mmm]Z` for a time since the Unix epoch: with
/// milliseconds as AWS's XML answers carry them, without as Kubernetes' RFC 3339 times.
pub fn utc_timestamp(since_epoch: Duration, millis: bool) -> String {
    let seconds = i64::try_from(since_epoch.as_secs()).unwrap_or(i64::MAX);
    format_utc(seconds, millis.then(|| since_epoch.subsec_millis()))
}

/// Whole seconds since the Unix epoch (negative before it) as RFC 3339 UTC, the form
/// kube-apiserver prints timestamps in.
pub fn utc_seconds_timestamp(seconds: i64) -> String {
    format_utc(seconds, None)
}

fn format_utc(seconds: i64, millis: Option<u32>) -> String {
    let days = seconds.div_euclid(86_400);
    let rem = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let (hour, minute, second) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    match millis {
        Some(ms) => {
            format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{ms:03}Z")
        }
        None => format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z"),
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests;
