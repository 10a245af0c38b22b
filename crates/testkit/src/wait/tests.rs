//! On tokio's paused clock, so every instant is exact.

use std::cell::Cell;
use std::future::pending;
use std::time::Duration;

use tokio::time::Instant;

use super::{Patience, TimedOut, eventually};

const MS: Duration = Duration::from_millis(1);

#[tokio::test(start_paused = true)]
async fn the_first_answer_is_returned_without_waiting_longer() {
    let start = Instant::now();
    let calls = Cell::new(0);
    let value = eventually("the third call", Duration::from_secs(1), 10 * MS, || {
        calls.set(calls.get() + 1);
        let n = calls.get();
        async move { (n == 3).then_some(n * 10) }
    })
    .await;
    assert_eq!(value, Ok(30));
    assert_eq!(calls.get(), 3);
    assert_eq!(start.elapsed(), 20 * MS, "two polls between three calls");
}

#[tokio::test(start_paused = true)]
async fn an_answer_at_once_takes_no_time() {
    let start = Instant::now();
    let value = eventually("now", MS, MS, || async { Some("here") }).await;
    assert_eq!(value, Ok("here"));
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn a_wait_that_runs_out_names_what_it_waited_for() {
    let start = Instant::now();
    let calls = Cell::new(0);
    let result = eventually::<()>("the gate", 25 * MS, 10 * MS, || {
        calls.set(calls.get() + 1);
        async { None }
    })
    .await;
    let err = result.unwrap_err();
    assert_eq!(
        err,
        TimedOut {
            what: "the gate".to_owned(),
            deadline: 25 * MS
        }
    );
    assert_eq!(err.to_string(), "timed out after 25ms waiting for the gate");
    assert_eq!(start.elapsed(), 25 * MS, "never past the deadline");
    assert_eq!(calls.get(), 4, "at 0, 10, 20 and at the deadline itself");
}

#[tokio::test(start_paused = true)]
async fn a_check_that_hangs_ends_at_the_deadline() {
    let start = Instant::now();
    let result = eventually::<()>("a hung call", 50 * MS, 10 * MS, pending).await;
    assert!(result.is_err());
    assert_eq!(start.elapsed(), 50 * MS);
}

#[tokio::test(start_paused = true)]
async fn a_slow_answer_within_the_deadline_counts() {
    let result = eventually("a slow call", 50 * MS, 10 * MS, || async {
        tokio::time::sleep(40 * MS).await;
        Some(())
    })
    .await;
    assert_eq!(result, Ok(()));
}

#[tokio::test(start_paused = true)]
async fn patience_returns_the_answer_within_its_bounds() {
    let patience = Patience::new(100 * MS, 10 * MS);
    let start = Instant::now();
    let calls = Cell::new(0);
    let value = patience
        .eventually("the second call", || {
            calls.set(calls.get() + 1);
            let n = calls.get();
            async move { (n == 2).then_some(n) }
        })
        .await;
    assert_eq!(value, 2);
    assert_eq!(start.elapsed(), 10 * MS);
}

#[tokio::test(start_paused = true)]
#[should_panic(expected = "timed out after 30ms waiting for the gate")]
async fn patience_that_runs_out_fails_the_test_naming_what_it_waited_for() {
    Patience::new(30 * MS, 10 * MS)
        .eventually::<()>("the gate", async || None)
        .await;
}
