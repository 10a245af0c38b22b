use std::time::Duration;

use super::super::{
    HealthCheckSettings, LoadBalancerKind, PendingTarget, ScheduleConfig, verdict_window,
};
use super::{HeldAnswer, may_reuse_health};

fn ms(m: u64) -> Duration {
    Duration::from_millis(m)
}

fn alb(interval: u64, threshold: u32) -> HealthCheckSettings {
    HealthCheckSettings {
        interval: Duration::from_secs(interval),
        healthy_threshold: threshold,
        load_balancer: LoadBalancerKind::Application,
    }
}

fn nlb(interval: u64, threshold: u32) -> HealthCheckSettings {
    HealthCheckSettings {
        load_balancer: LoadBalancerKind::Network,
        ..alb(interval, threshold)
    }
}

fn initial(since: Option<u64>) -> PendingTarget {
    PendingTarget::Initial {
        since_registration: since.map(Duration::from_secs),
    }
}

fn initial_at(since: Duration) -> PendingTarget {
    PendingTarget::Initial {
        since_registration: Some(since),
    }
}

#[test]
fn reuse_table() {
    let fresh = |age_ms: u64| HeldAnswer {
        age: ms(age_ms),
        mutated_since: false,
    };
    let pending = |since_ms: u64| PendingTarget::Initial {
        since_registration: Some(ms(since_ms)),
    };
    // ALB 5 × 2: the verdict window is [10 s, 12 s] after registration; max age 3 s.
    let cases: Vec<(&str, Vec<PendingTarget>, HeldAnswer, bool)> = vec![
        ("nothing pending, young answer", vec![], fresh(500), true),
        ("at the max age: stale", vec![], fresh(3000), false),
        ("just under the max age", vec![], fresh(2999), true),
        (
            "a mutation of ours since the answer",
            vec![],
            HeldAnswer {
                age: ms(10),
                mutated_since: true,
            },
            false,
        ),
        (
            "a pending target whose verdict is still ahead",
            vec![pending(4000)],
            fresh(1000),
            true,
        ),
        (
            "the verdict window opened after the answer",
            vec![pending(10_100)],
            fresh(500),
            false,
        ),
        (
            "answer taken inside the window: a re-poll must call again",
            vec![pending(10_600)],
            fresh(250),
            false,
        ),
        (
            "the window closed before the answer",
            vec![pending(12_500)],
            fresh(400),
            true,
        ),
        (
            "the window closed between the answer and now",
            vec![pending(12_500)],
            fresh(600),
            false,
        ),
        (
            "unknown registration: the max age alone decides",
            vec![initial(None)],
            fresh(2000),
            true,
        ),
        (
            "watching: the max age alone decides",
            vec![PendingTarget::Watching],
            fresh(2000),
            true,
        ),
        (
            "one due target among quiet ones is enough",
            vec![pending(1000), initial(None), pending(11_000)],
            fresh(100),
            false,
        ),
    ];
    for (name, initial, held, expected) in cases {
        assert_eq!(
            may_reuse_health(&alb(5, 2), &initial, held, &ScheduleConfig::default()),
            expected,
            "{name}"
        );
    }
}

#[test]
fn reuse_off_at_zero_max_age_and_nlb_windows_shift() {
    let off = ScheduleConfig {
        health_max_age: Duration::ZERO,
        ..ScheduleConfig::default()
    };
    let young = HeldAnswer {
        age: Duration::ZERO,
        mutated_since: false,
    };
    assert!(!may_reuse_health(&alb(5, 2), &[], young, &off));
    let config = ScheduleConfig::default();
    let held = HeldAnswer {
        age: ms(500),
        mutated_since: false,
    };
    // An NLB verdict opens after the 30 s allowance: 10 s after registration is quiet there.
    let at_ten = [initial(Some(10))];
    assert!(may_reuse_health(&nlb(5, 2), &at_ten, held, &config));
    assert!(!may_reuse_health(&alb(5, 2), &at_ten, held, &config));
    assert!(!may_reuse_health(
        &nlb(5, 2),
        &[initial(Some(40))],
        held,
        &config
    ));
}

#[test]
fn every_poll_of_a_verdict_window_calls_again() {
    // Whatever the pass pattern, no answer is reused across the window: walk passes every
    // 100 ms from registration and check the rule never hands out an answer taken before a
    // window instant that has since passed.
    let config = ScheduleConfig::default();
    let settings = alb(5, 2);
    let window = verdict_window(&settings, &config);
    let mut answered_at: Option<Duration> = None;
    let mut calls_in_window = 0;
    for step in 0..200_u64 {
        let now = ms(step * 100);
        let reuse = answered_at.is_some_and(|at| {
            may_reuse_health(
                &settings,
                &[initial_at(now)],
                HeldAnswer {
                    age: now - at,
                    mutated_since: false,
                },
                &config,
            )
        });
        if let (true, Some(at)) = (reuse, answered_at) {
            assert!(
                at >= window.closes || now < window.opens,
                "reused an answer of {at:?} at {now:?}"
            );
        } else {
            answered_at = Some(now);
            if now >= window.opens && now <= window.closes {
                calls_in_window += 1;
            }
        }
    }
    assert_eq!(
        calls_in_window, 21,
        "every 100 ms pass in [10 s, 12 s] calls"
    );
}
