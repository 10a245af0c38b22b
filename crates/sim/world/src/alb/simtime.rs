//! Waiting for simulated time.
//!
//! The clock may be scaled wall time or a manual clock that only a test moves, so the only
//! portable way to wait is to look at it repeatedly. A wall-clock cap keeps a forgotten manual
//! clock from hanging a caller forever.

use std::time::{Duration, Instant};

use lbgate_sim_clock::Clock;

/// Why a wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitEnd {
    /// The clock reached the instant.
    Reached,
    /// The interruption check said stop.
    Interrupted,
    /// The wall-clock cap passed first.
    TimedOut,
}

/// How to poll.
#[derive(Debug, Clone, Copy)]
pub struct Polling {
    /// Real time between looks at the clock.
    pub interval: Duration,
    /// Real time after which the wait gives up.
    pub cap: Duration,
}

impl Default for Polling {
    fn default() -> Self {
        Self {
            interval: Duration::from_millis(1),
            cap: Duration::from_secs(60),
        }
    }
}

/// Waits until `clock` reads `at` or later, unless `interrupted` says stop first. The clock is
/// read before the check: when both happened between two looks their order is unknown, and the
/// wait counts as complete.
pub async fn wait_until(
    clock: &dyn Clock,
    at: Duration,
    polling: Polling,
    mut interrupted: impl FnMut() -> bool,
) -> WaitEnd {
    let deadline = Instant::now() + polling.cap;
    loop {
        if clock.now() >= at {
            return WaitEnd::Reached;
        }
        if interrupted() {
            return WaitEnd::Interrupted;
        }
        if Instant::now() >= deadline {
            return WaitEnd::TimedOut;
        }
        tokio::time::sleep(polling.interval).await;
    }
}

#[cfg(test)]
mod tests;
