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
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_wait_returns_the_first_value_or_says_why_it_ran_out() {
        let mut calls = 0;
        let value = eventually(
            "three calls",
            Duration::from_secs(5),
            Duration::from_millis(1),
            String::new,
            async || {
                calls += 1;
                Ok((calls == 3).then_some(calls))
            },
        )
        .await
        .unwrap();
        assert_eq!(value, 3);

        let error = eventually::<()>(
            "nothing",
            Duration::from_millis(50),
            Duration::from_millis(5),
            || "the log".to_owned(),
            async || anyhow::bail!("not yet"),
        )
        .await
        .unwrap_err()
        .to_string();
        assert_eq!(
            error,
            "timed out after 50ms waiting for nothing (last error: not yet)\nthe log"
        );
    }
}
