//! The async waiter on a paused tokio clock: bursts and refill, priority order, reserves,
//! AIMD, deadlines and cancellation.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::*;
use crate::governor::config::ReserveShares;

fn full_budget() -> GovernorConfig {
    GovernorConfig {
        budget_fraction: 1.0,
        jitter_seed: Some(7),
        ..GovernorConfig::default()
    }
}

fn no_reserves() -> ReserveShares {
    ReserveShares {
        register: 0.0,
        mutate: 0.0,
        describe_health: 0.0,
        drift_scan: 0.0,
    }
}

fn far() -> Instant {
    Instant::now() + Duration::from_secs(3600)
}

#[tokio::test(start_paused = true)]
async fn burst_then_refill() {
    let governor = Governor::new(full_budget());
    let start = Instant::now();
    for _ in 0..20 {
        let waited = governor
            .acquire(ApiClass::Targets, Priority::Deregister, far(), None)
            .await
            .unwrap();
        assert_eq!(waited, Duration::ZERO);
    }
    // Published RegisterTargets bucket refills at 4/s: the 21st token comes 250 ms later.
    let waited = governor
        .acquire(ApiClass::Targets, Priority::Deregister, far(), None)
        .await
        .unwrap();
    assert_eq!(waited, Duration::from_millis(250));
    for _ in 0..4 {
        governor
            .acquire(ApiClass::Targets, Priority::Deregister, far(), None)
            .await
            .unwrap();
    }
    assert_eq!(start.elapsed(), Duration::from_millis(1250));
    // Other classes have their own buckets.
    let waited = governor
        .acquire(ApiClass::Describe, Priority::DriftScan, far(), None)
        .await
        .unwrap();
    assert_eq!(waited, Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn higher_priority_goes_first_under_contention() {
    let config = GovernorConfig {
        reserves: no_reserves(),
        ..full_budget()
    };
    let governor = Arc::new(Governor::new(config));
    for _ in 0..20 {
        governor
            .acquire(ApiClass::Targets, Priority::Deregister, far(), None)
            .await
            .unwrap();
    }
    let order = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    // Lowest first, so arrival order is the opposite of the expected service order.
    for priority in Priority::ALL {
        let governor = governor.clone();
        let order = order.clone();
        tasks.push(tokio::spawn(async move {
            governor
                .acquire(ApiClass::Targets, priority, far(), None)
                .await
                .unwrap();
            order.lock().unwrap().push(priority);
        }));
        // Let the task reach the queue before the next one arrives.
        tokio::task::yield_now().await;
    }
    assert_eq!(governor.waiting(ApiClass::Targets), 5);
    for task in tasks {
        task.await.unwrap();
    }
    let mut expected = Priority::ALL.to_vec();
    expected.reverse();
    assert_eq!(*order.lock().unwrap(), expected);
}

#[tokio::test(start_paused = true)]
async fn reserve_keeps_a_low_priority_flood_from_starving_a_competing_deregister() {
    let governor = Arc::new(Governor::new(full_budget()));
    // Deregistration is using the class: it competes for the next 30 s.
    governor
        .acquire(ApiClass::Describe, Priority::Deregister, far(), None)
        .await
        .unwrap();
    let stop = CancellationToken::new();
    let served = Arc::new(Mutex::new(0u32));
    let mut flood = Vec::new();
    for _ in 0..30 {
        let governor = governor.clone();
        let stop = stop.clone();
        let served = served.clone();
        flood.push(tokio::spawn(async move {
            while governor
                .acquire(ApiClass::Describe, Priority::DriftScan, far(), Some(&stop))
                .await
                .is_ok()
            {
                *served.lock().unwrap() += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(10)).await;
    // Drift scans got their share: (39 - 20 reserved) + 10/s × 10 s.
    let flood_served = *served.lock().unwrap();
    assert!((114..=124).contains(&flood_served), "{flood_served}");
    assert!(governor.available_tokens(ApiClass::Describe) >= 19.0);

    // A deregistration-priority describe arriving now is served at once from the reserve.
    let waited = governor
        .acquire(ApiClass::Describe, Priority::Deregister, far(), None)
        .await
        .unwrap();
    assert_eq!(waited, Duration::ZERO);
    // And so is a health poll, whose reserve is smaller than the drift scan's.
    let waited = governor
        .acquire(ApiClass::Describe, Priority::DescribeHealth, far(), None)
        .await
        .unwrap();
    assert_eq!(waited, Duration::ZERO);

    // 30 s after deregistration's last call it no longer competes: the flood may take the
    // reserve, and a deregistration arriving later still goes first, one token behind.
    tokio::time::sleep(Duration::from_secs(31)).await;
    assert!(governor.available_tokens(ApiClass::Describe) < 2.0);
    let waited = governor
        .acquire(ApiClass::Describe, Priority::Deregister, far(), None)
        .await
        .unwrap();
    assert!(waited <= Duration::from_millis(100), "{waited:?}");
    stop.cancel();
    for task in flood {
        task.await.unwrap();
    }
    assert_eq!(governor.waiting(ApiClass::Describe), 0);
}

#[tokio::test(start_paused = true)]
async fn without_a_competitor_a_low_priority_may_use_the_whole_bucket() {
    let governor = Governor::new(full_budget());
    for _ in 0..40 {
        let waited = governor
            .acquire(ApiClass::Describe, Priority::DriftScan, far(), None)
            .await
            .unwrap();
        assert_eq!(waited, Duration::ZERO);
    }
    let waited = governor
        .acquire(ApiClass::Describe, Priority::DriftScan, far(), None)
        .await
        .unwrap();
    assert_eq!(waited, Duration::from_millis(100), "one token at 10/s");
}

#[tokio::test(start_paused = true)]
async fn a_throttled_health_poll_waits_one_token_not_a_reserve_refill() {
    // The production defaults: describe runs at 20 tokens, 5/s; a health poll's reserve is 6.
    let config = GovernorConfig {
        jitter_seed: Some(7),
        ..GovernorConfig::default()
    };
    let governor = Governor::new(config);
    for _ in 0..3 {
        governor.record_throttle(ApiClass::Describe);
    }
    let rate = governor.current_rate(ApiClass::Describe);
    assert_eq!(rate, 0.625);
    // Nobody else uses the class: one token at the reduced rate (not 7 / 0.625 = 11.2 s).
    let waited = governor
        .acquire(ApiClass::Describe, Priority::DescribeHealth, far(), None)
        .await
        .unwrap();
    assert_eq!(waited, Duration::from_secs_f64(1.6));

    // A webhook (Mutate) describe competes now: the reserve is kept, but shrunk with the rate,
    // so it adds its refill time at the configured rate (6 / 5 = 1.2 s), no more.
    governor
        .acquire(ApiClass::Describe, Priority::Mutate, far(), None)
        .await
        .unwrap();
    governor.record_throttle(ApiClass::Describe);
    let rate = governor.current_rate(ApiClass::Describe);
    assert_eq!(rate, 0.5, "the floor");
    let waited = governor
        .acquire(ApiClass::Describe, Priority::DescribeHealth, far(), None)
        .await
        .unwrap();
    let expected = 1.2 + 1.0 / rate;
    assert!(
        (waited.as_secs_f64() - expected).abs() < 1e-3,
        "{waited:?} vs {expected}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_waiter_is_released_when_the_competition_lapses() {
    let config = GovernorConfig {
        contention_window: Duration::from_secs(1),
        ..full_budget()
    };
    let governor = Governor::new(config);
    // Deregistration empties the targets bucket (20 tokens, 4/s) and competes for 1 s.
    for _ in 0..20 {
        governor
            .acquire(ApiClass::Targets, Priority::Deregister, far(), None)
            .await
            .unwrap();
    }
    // A drift scan must leave 10 tokens while deregistration competes (11 tokens = 2.75 s), but
    // the competition ends at 1 s, when a token is already there.
    let waited = governor
        .acquire(ApiClass::Targets, Priority::DriftScan, far(), None)
        .await
        .unwrap();
    assert_eq!(waited, Duration::from_secs(1));
    // Its deadline is judged by the same rule: 1.5 s is enough, 0.9 s is not.
    let governor_fresh = Governor::new(GovernorConfig {
        contention_window: Duration::from_secs(1),
        ..full_budget()
    });
    drain_targets(&governor_fresh).await;
    let start = Instant::now();
    let result = governor_fresh
        .acquire(
            ApiClass::Targets,
            Priority::DriftScan,
            start + Duration::from_millis(900),
            None,
        )
        .await;
    assert_eq!(result, Err(AcquireError::DeadlineExceeded));
    assert_eq!(start.elapsed(), Duration::ZERO, "refused at once");
    let waited = governor_fresh
        .acquire(
            ApiClass::Targets,
            Priority::DriftScan,
            start + Duration::from_millis(1500),
            None,
        )
        .await
        .unwrap();
    assert_eq!(waited, Duration::from_secs(1));
}

async fn drain_targets(governor: &Governor) {
    for _ in 0..20 {
        governor
            .acquire(ApiClass::Targets, Priority::Deregister, far(), None)
            .await
            .unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn aimd_halves_on_throttle_and_recovers_gradually() {
    let governor = Governor::new(GovernorConfig::default());
    let configured = governor.current_rate(ApiClass::Describe);
    assert_eq!(configured, 5.0, "half of the published 10/s");
    governor.record_throttle(ApiClass::Describe);
    assert_eq!(governor.current_rate(ApiClass::Describe), 2.5);
    assert_eq!(governor.available_tokens(ApiClass::Describe), 0.0);
    governor.record_throttle(ApiClass::Describe);
    assert_eq!(governor.current_rate(ApiClass::Describe), 1.25);
    // Other classes are untouched.
    assert_eq!(governor.current_rate(ApiClass::Targets), 2.0);
    let mut successes = 0;
    while governor.current_rate(ApiClass::Describe) < configured {
        governor.record_success(ApiClass::Describe);
        successes += 1;
        assert!(successes <= 20, "recovery must finish");
    }
    // Each success adds 5 % of the configured rate: 3.75 / 0.25 = 15 steps.
    assert_eq!(successes, 15);
    // The floor (0.5 tokens/s, above 5 % of 5/s) holds however often AWS throttles.
    for _ in 0..50 {
        governor.record_throttle(ApiClass::Describe);
    }
    assert!((governor.current_rate(ApiClass::Describe) - 0.5).abs() < 1e-9);
}

#[tokio::test(start_paused = true)]
async fn a_token_that_would_come_after_the_deadline_fails_at_once() {
    let governor = Governor::new(full_budget());
    for _ in 0..20 {
        governor
            .acquire(ApiClass::Targets, Priority::Deregister, far(), None)
            .await
            .unwrap();
    }
    let start = Instant::now();
    let deadline = start + Duration::from_millis(100);
    let result = governor
        .acquire(ApiClass::Targets, Priority::Deregister, deadline, None)
        .await;
    assert_eq!(result, Err(AcquireError::DeadlineExceeded));
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(governor.waiting(ApiClass::Targets), 0);
}

#[tokio::test(start_paused = true)]
async fn a_queued_caller_gives_up_at_its_deadline() {
    let config = GovernorConfig {
        reserves: no_reserves(),
        ..full_budget()
    };
    let governor = Arc::new(Governor::new(config));
    for _ in 0..20 {
        governor
            .acquire(ApiClass::Targets, Priority::Deregister, far(), None)
            .await
            .unwrap();
    }
    // 40 higher-priority callers queue ahead: 10 s of tokens.
    let mut ahead = Vec::new();
    for _ in 0..40 {
        let governor = governor.clone();
        ahead.push(tokio::spawn(async move {
            governor
                .acquire(ApiClass::Targets, Priority::Deregister, far(), None)
                .await
        }));
    }
    tokio::task::yield_now().await;
    let start = Instant::now();
    let result = governor
        .acquire(
            ApiClass::Targets,
            Priority::DriftScan,
            start + Duration::from_secs(2),
            None,
        )
        .await;
    assert_eq!(result, Err(AcquireError::DeadlineExceeded));
    assert_eq!(start.elapsed(), Duration::from_secs(2));
    for task in ahead {
        assert!(task.await.unwrap().is_ok());
    }
    assert_eq!(governor.waiting(ApiClass::Targets), 0);
}

#[tokio::test(start_paused = true)]
async fn cancellation_ends_a_wait_and_frees_the_queue() {
    let governor = Arc::new(Governor::new(full_budget()));
    for _ in 0..20 {
        governor
            .acquire(ApiClass::Targets, Priority::Deregister, far(), None)
            .await
            .unwrap();
    }
    // Use a large reserve so the waiter would otherwise wait a long time.
    let cancel = CancellationToken::new();
    let waiter = {
        let governor = governor.clone();
        let cancel = cancel.clone();
        tokio::spawn(async move {
            governor
                .acquire(ApiClass::Targets, Priority::DriftScan, far(), Some(&cancel))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(governor.waiting(ApiClass::Targets), 1);
    cancel.cancel();
    assert_eq!(waiter.await.unwrap(), Err(AcquireError::Cancelled));
    assert_eq!(governor.waiting(ApiClass::Targets), 0);
    // The next caller is not blocked by the cancelled one.
    let waited = governor
        .acquire(ApiClass::Targets, Priority::Deregister, far(), None)
        .await
        .unwrap();
    assert!(waited <= Duration::from_millis(250));
}

#[tokio::test(start_paused = true)]
async fn a_dropped_waiter_leaves_the_queue() {
    let governor = Arc::new(Governor::new(full_budget()));
    for _ in 0..20 {
        governor
            .acquire(ApiClass::Targets, Priority::Deregister, far(), None)
            .await
            .unwrap();
    }
    let waiter = {
        let governor = governor.clone();
        tokio::spawn(async move {
            governor
                .acquire(ApiClass::Targets, Priority::Register, far(), None)
                .await
        })
    };
    tokio::task::yield_now().await;
    assert_eq!(governor.waiting(ApiClass::Targets), 1);
    waiter.abort();
    assert!(waiter.await.unwrap_err().is_cancelled());
    assert_eq!(governor.waiting(ApiClass::Targets), 0);
}
