//! Bounded polling for scenarios, on the kit's one wait ([`lbgate_testkit::eventually`]): a
//! check may fail and the wait goes on, and a wait that runs out says what it waited for, the
//! last error the check returned and what the world looked like then.

use std::time::Duration;

use anyhow::anyhow;

/// Polls `check` every `poll` until it answers `Some`, for at most `within`. The error names
/// `what`, the last error `check` returned and `context()` taken at the deadline (logs,
/// diagnostics).
pub async fn until<T>(
    what: &str,
    within: Duration,
    poll: Duration,
    context: impl Fn() -> String,
    mut check: impl AsyncFnMut() -> anyhow::Result<Option<T>>,
) -> anyhow::Result<T> {
    let mut last_error = String::new();
    let waited = lbgate_testkit::eventually(what, within, poll, async || match check().await {
        Ok(found) => {
            last_error.clear();
            found
        }
        Err(error) => {
            last_error = format!(" (last error: {error:#})");
            None
        }
    })
    .await;
    waited.map_err(|timed_out| anyhow!("{timed_out}{last_error}\n{}", context()))
}

#[cfg(test)]
mod tests;
