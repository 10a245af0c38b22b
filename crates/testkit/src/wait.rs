//! One bounded wait for every test that polls the world until it looks right: [`eventually`],
//! and [`Patience`], a suite's deadline and poll interval with a wait that fails the test.

use std::time::Duration;

use tokio::time::Instant;

/// A wait that ran out: what it waited for and for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimedOut {
    pub what: String,
    pub deadline: Duration,
}

impl std::fmt::Display for TimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "timed out after {:?} waiting for {}",
            self.deadline, self.what
        )
    }
}

impl std::error::Error for TimedOut {}

/// Calls `check` every `poll` until it answers `Some`, and returns that value; gives up with
/// [`TimedOut`] naming `what` once `deadline` has passed.
///
/// Every wait ends: a check still running at the deadline is dropped, and the last sleep is cut
/// short so that one check runs at the deadline itself. Time is tokio's, so on a paused clock
/// the deadline is virtual too. `check` is an async closure (`async || …`) or a closure that
/// returns a future (`|| async { … }`); an async closure may borrow what it captures mutably
/// across its await points, to remember what the last look saw.
pub async fn eventually<T>(
    what: &str,
    deadline: Duration,
    poll: Duration,
    mut check: impl AsyncFnMut() -> Option<T>,
) -> Result<T, TimedOut> {
    let until = Instant::now() + deadline;
    let timed_out = || TimedOut {
        what: what.to_owned(),
        deadline,
    };
    loop {
        match tokio::time::timeout_at(until, check()).await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(_) => return Err(timed_out()),
        }
        let now = Instant::now();
        if now >= until {
            return Err(timed_out());
        }
        tokio::time::sleep_until((now + poll).min(until)).await;
    }
}

/// How long a suite waits at most and how often it looks again: the bound its tests share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Patience {
    pub deadline: Duration,
    pub poll: Duration,
}

impl Patience {
    pub const fn new(deadline: Duration, poll: Duration) -> Self {
        Self { deadline, poll }
    }

    /// [`eventually`] within this patience, for a test: a wait that runs out fails the test
    /// with the [`TimedOut`] message.
    ///
    /// # Panics
    /// When `check` has not answered by the deadline.
    #[expect(
        clippy::panic,
        reason = "a wait that runs out fails the test that waited"
    )]
    pub async fn eventually<T>(self, what: &str, check: impl AsyncFnMut() -> Option<T>) -> T {
        match eventually(what, self.deadline, self.poll, check).await {
            Ok(value) => value,
            Err(timed_out) => panic!("{timed_out}"),
        }
    }
}

#[cfg(test)]
mod tests;
