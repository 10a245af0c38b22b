use super::*;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn alb(interval: u64, threshold: u32) -> HealthCheckSettings {
    HealthCheckSettings {
        interval: secs(interval),
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

fn no_jitter() -> ScheduleConfig {
    ScheduleConfig {
        jitter: 0.0,
        ..ScheduleConfig::default()
    }
}

fn initial(since: Option<u64>) -> PendingTarget {
    PendingTarget::Initial {
        since_registration: since.map(secs),
    }
}

#[test]
fn health_poll_table_without_jitter() {
    let cases: Vec<(
        &str,
        HealthCheckSettings,
        Vec<PendingTarget>,
        Duration,
        WaitReason,
    )> = vec![
        (
            "nothing pending",
            alb(10, 3),
            vec![],
            secs(300),
            WaitReason::Resync,
        ),
        (
            "ALB: just registered, verdict at 10 × 3",
            alb(10, 3),
            vec![initial(Some(0))],
            secs(31),
            WaitReason::ExpectedVerdict,
        ),
        (
            "ALB: 12 s after registration",
            alb(10, 3),
            vec![initial(Some(12))],
            secs(19),
            WaitReason::ExpectedVerdict,
        ),
        (
            "NLB adds the registration allowance",
            nlb(10, 3),
            vec![initial(Some(0))],
            secs(61),
            WaitReason::ExpectedVerdict,
        ),
        (
            "NLB with threshold 2 and interval 5",
            nlb(5, 2),
            vec![initial(Some(15))],
            secs(26),
            WaitReason::ExpectedVerdict,
        ),
        (
            "overdue verdict: every interval",
            alb(10, 3),
            vec![initial(Some(45))],
            secs(10),
            WaitReason::StillPending,
        ),
        (
            "unknown registration time: every interval",
            alb(15, 5),
            vec![initial(None)],
            secs(15),
            WaitReason::StillPending,
        ),
        (
            "watching an unhealthy target",
            alb(30, 5),
            vec![PendingTarget::Watching],
            secs(30),
            WaitReason::Watching,
        ),
        (
            "earliest wins",
            alb(10, 3),
            vec![initial(Some(0)), initial(Some(25)), PendingTarget::Watching],
            secs(6),
            WaitReason::ExpectedVerdict,
        ),
        (
            "interval sooner than a far verdict",
            nlb(10, 5),
            vec![initial(Some(0)), PendingTarget::Watching],
            secs(10),
            WaitReason::Watching,
        ),
        (
            "verdict due exactly now is overdue",
            alb(10, 3),
            vec![initial(Some(30))],
            secs(10),
            WaitReason::StillPending,
        ),
        (
            "zero threshold reads as one",
            alb(10, 0),
            vec![initial(Some(0))],
            secs(11),
            WaitReason::ExpectedVerdict,
        ),
    ];
    for (name, settings, pending, after, reason) in cases {
        assert_eq!(
            next_health_poll(&settings, &pending, &no_jitter(), 7),
            HealthWait { after, reason },
            "{name}"
        );
    }
}

#[test]
fn floor_bounds_every_wait() {
    let config = ScheduleConfig {
        floor: secs(5),
        ..no_jitter()
    };
    let wait = next_health_poll(&alb(10, 3), &[initial(Some(29))], &config, 1);
    assert_eq!(
        wait,
        HealthWait {
            after: secs(5),
            reason: WaitReason::ExpectedVerdict
        }
    );
    let wait = next_health_poll(&alb(1, 3), &[PendingTarget::Watching], &config, 1);
    assert_eq!(wait.after, secs(5));
}

#[test]
fn cap_bounds_every_wait() {
    let config = ScheduleConfig {
        cap: secs(20),
        ..no_jitter()
    };
    let wait = next_health_poll(&nlb(10, 3), &[initial(Some(0))], &config, 1);
    assert_eq!(wait.after, secs(20));
    assert_eq!(
        next_health_poll(&alb(10, 3), &[], &config, 1).after,
        secs(20)
    );
}

#[test]
fn jitter_is_deterministic_and_bounded() {
    let config = ScheduleConfig::default();
    let mut seen = std::collections::BTreeSet::new();
    for seed in 0..500_u64 {
        let resync = next_health_poll(&alb(10, 3), &[], &config, seed);
        assert_eq!(
            resync,
            next_health_poll(&alb(10, 3), &[], &config, seed),
            "same seed, same wait"
        );
        assert!(
            resync.after >= secs(270) && resync.after <= secs(330),
            "{resync:?}"
        );
        seen.insert(resync.after);

        let verdict = next_health_poll(&alb(10, 3), &[initial(Some(0))], &config, seed);
        // Verdict polls only move later: never before registration + 30 s + slack.
        assert!(verdict.after >= secs(31), "{verdict:?}");
        assert!(
            verdict.after <= Duration::from_millis(34_100),
            "{verdict:?}"
        );

        let watching = next_health_poll(&alb(10, 3), &[PendingTarget::Watching], &config, seed);
        assert!(
            watching.after >= secs(9) && watching.after <= secs(11),
            "{watching:?}"
        );
    }
    assert!(
        seen.len() > 400,
        "seeds spread the waits: {} distinct",
        seen.len()
    );
    let low = seen.iter().filter(|d| **d < secs(300)).count();
    assert!(
        (150..350).contains(&low),
        "jitter goes both ways: {low} below 300 s"
    );
}

#[test]
fn load_balancer_kind_from_protocol() {
    use TargetGroupProtocol as P;
    for protocol in P::ALL {
        let expected = if matches!(protocol, P::Http | P::Https) {
            LoadBalancerKind::Application
        } else {
            LoadBalancerKind::Network
        };
        assert_eq!(
            LoadBalancerKind::for_protocol(protocol),
            expected,
            "{protocol:?}"
        );
    }
}

#[test]
fn error_backoff_grows_caps_and_resets() {
    let mut backoff = ErrorBackoff::default();
    assert_eq!(backoff.delay(1), None);
    assert_eq!(backoff.ceiling(), Duration::ZERO);
    let ceilings = [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000];
    for expected_ms in ceilings {
        backoff.record_failure();
        assert_eq!(backoff.ceiling(), Duration::from_millis(expected_ms));
        for seed in 0..50 {
            let delay = backoff.delay(seed).unwrap();
            assert!(delay <= backoff.ceiling(), "{delay:?}");
            assert_eq!(Some(delay), backoff.delay(seed));
        }
    }
    for _ in 0..100 {
        backoff.record_failure();
    }
    assert_eq!(backoff.ceiling(), secs(30));
    backoff.reset();
    assert_eq!(backoff.failures(), 0);
    assert_eq!(backoff.delay(3), None);
}

#[test]
fn error_backoff_uses_full_jitter() {
    let mut backoff = ErrorBackoff::default();
    for _ in 0..10 {
        backoff.record_failure();
    }
    let delays: Vec<Duration> = (0..200).map(|seed| backoff.delay(seed).unwrap()).collect();
    assert!(
        delays.iter().any(|d| *d < secs(5)),
        "full jitter reaches near zero"
    );
    assert!(
        delays.iter().any(|d| *d > secs(25)),
        "full jitter reaches near the cap"
    );
}

#[test]
fn health_waits_never_inherit_error_backoff() {
    let mut backoff = ErrorBackoff::default();
    for _ in 0..20 {
        backoff.record_failure();
    }
    let health = next_health_poll(&alb(5, 2), &[initial(Some(0))], &no_jitter(), 0).after;
    assert_eq!(health, secs(11));
    for seed in 0..100 {
        let requeue = requeue_after(health, backoff.delay(seed));
        assert!(
            requeue <= health,
            "seed {seed}: {requeue:?} > health wait {health:?}"
        );
    }
    // A long backoff ceiling with a pending gate: the gate's verdict time wins.
    assert_eq!(requeue_after(secs(2), Some(secs(30))), secs(2));
    // A short backoff retries the failed call sooner than the health wait.
    assert_eq!(
        requeue_after(secs(300), Some(Duration::from_millis(700))),
        Duration::from_millis(700)
    );
    assert_eq!(requeue_after(secs(300), None), secs(300));
}
