//! Bounded polling: every wait of a scenario ends, and a wait that runs out says what it waited
//! for and what the world looked like then.

use std::time::{Duration, Instant};

use anyhow::bail;

/// Polls `check` every `poll` until it answers `Some`, for at most `within` of wall time. The
/// error names `what`, the last error `check` returned and `context()` taken at the deadline
/// (logs, diagnostics).
pub async fn eventually<T>(
    what: &str,
    within: Duration,
    poll: Duration,
    context: impl Fn() -> String,
    mut check: impl AsyncFnMut() -> anyhow::Result<Option<T>>,
) -> anyhow::Result<T> {
    let until = Instant::now() + within;
    let mut last_error = String::new();
    loop {
        match check().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => last_error.clear(),
            Err(error) => last_error = format!(" (last error: {error:#})"),
        }
        if Instant::now() >= until {
            bail!(
                "timed out after {within:?} waiting for {what}{last_error}\n{}",
                context()
            );
        }
        tokio::time::sleep(poll).await;
    }
}

#[cfg(test)]
mod tests;
