use super::*;
use lbgate_sim_clock::ManualClock;

#[tokio::test]
async fn waits_for_a_manual_clock_and_honours_the_cap() {
    let clock = ManualClock::new();
    clock.set(Duration::from_secs(5));
    let polling = Polling {
        interval: Duration::from_millis(1),
        cap: Duration::from_millis(30),
    };
    assert_eq!(
        wait_until(&clock, Duration::from_secs(5), polling, || false).await,
        WaitEnd::Reached
    );
    assert_eq!(
        wait_until(&clock, Duration::from_secs(6), polling, || false).await,
        WaitEnd::TimedOut
    );
    assert_eq!(
        wait_until(&clock, Duration::from_secs(6), polling, || true).await,
        WaitEnd::Interrupted
    );
}
