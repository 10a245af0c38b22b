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
        verdict_jitter: Duration::ZERO,
        ..ScheduleConfig::default()
    }
}

fn initial(since: Option<u64>) -> PendingTarget {
    PendingTarget::Initial {
        since_registration: since.map(secs),
    }
}

fn ms(m: u64) -> Duration {
    Duration::from_millis(m)
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
            "ALB: just registered, verdict at 10 × 3, no slack",
            alb(10, 3),
            vec![initial(Some(0))],
            secs(30),
            WaitReason::ExpectedVerdict,
        ),
        (
            "ALB: 12 s after registration",
            alb(10, 3),
            vec![initial(Some(12))],
            secs(18),
            WaitReason::ExpectedVerdict,
        ),
        (
            "NLB adds the registration allowance",
            nlb(10, 3),
            vec![initial(Some(0))],
            secs(60),
            WaitReason::ExpectedVerdict,
        ),
        (
            "NLB with threshold 2 and interval 5",
            nlb(5, 2),
            vec![initial(Some(15))],
            secs(25),
            WaitReason::ExpectedVerdict,
        ),
        (
            "verdict due exactly now and not seen: short re-poll",
            alb(10, 3),
            vec![initial(Some(30))],
            ms(250),
            WaitReason::VerdictRepoll,
        ),
        (
            "inside the grace: short re-poll",
            alb(10, 3),
            vec![initial(Some(31))],
            ms(250),
            WaitReason::VerdictRepoll,
        ),
        (
            "the last re-poll stops at the end of the grace",
            alb(10, 3),
            vec![PendingTarget::Initial {
                since_registration: Some(ms(31_900)),
            }],
            ms(100),
            WaitReason::VerdictRepoll,
        ),
        (
            "grace over: back to every interval",
            alb(10, 3),
            vec![initial(Some(32))],
            secs(10),
            WaitReason::StillPending,
        ),
        (
            "long overdue verdict: every interval",
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
            secs(5),
            WaitReason::ExpectedVerdict,
        ),
        (
            "a re-poll wins over a later verdict",
            alb(10, 3),
            vec![initial(Some(0)), initial(Some(30))],
            ms(250),
            WaitReason::VerdictRepoll,
        ),
        (
            "interval sooner than a far verdict",
            nlb(10, 5),
            vec![initial(Some(0)), PendingTarget::Watching],
            secs(10),
            WaitReason::Watching,
        ),
        (
            "zero threshold reads as one",
            alb(10, 0),
            vec![initial(Some(0))],
            secs(10),
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
fn verdict_window_table() {
    let cases = [
        ("ALB 5 × 2", alb(5, 2), secs(10), secs(12)),
        ("ALB 30 × 5", alb(30, 5), secs(150), secs(152)),
        (
            "NLB 10 × 3 + 30 s allowance",
            nlb(10, 3),
            secs(60),
            secs(62),
        ),
        ("threshold 0 reads as 1", alb(10, 0), secs(10), secs(12)),
    ];
    for (name, settings, opens, closes) in cases {
        assert_eq!(
            verdict_window(&settings, &no_jitter()),
            VerdictWindow { opens, closes },
            "{name}"
        );
    }
}

#[test]
fn floor_bounds_interval_polls_not_aimed_ones() {
    let config = ScheduleConfig {
        floor: secs(5),
        ..no_jitter()
    };
    let wait = next_health_poll(&alb(10, 3), &[initial(Some(29))], &config, 1);
    assert_eq!(
        wait,
        HealthWait {
            after: secs(1),
            reason: WaitReason::ExpectedVerdict
        },
        "a verdict one second away is polled in one second"
    );
    let wait = next_health_poll(&alb(10, 3), &[initial(Some(30))], &config, 1);
    assert_eq!(wait.after, ms(250), "re-polls ignore the floor");
    let wait = next_health_poll(&alb(1, 3), &[PendingTarget::Watching], &config, 1);
    assert_eq!(wait.after, secs(5));
    let zero_step = ScheduleConfig {
        verdict_repoll: Duration::ZERO,
        ..no_jitter()
    };
    let wait = next_health_poll(&alb(10, 3), &[initial(Some(30))], &zero_step, 1);
    assert_eq!(wait.after, ms(10), "a zero re-poll step cannot spin");
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
    let tiny_cap = ScheduleConfig {
        cap: ms(100),
        ..no_jitter()
    };
    let wait = next_health_poll(&alb(10, 3), &[initial(Some(30))], &tiny_cap, 1);
    assert_eq!(wait.after, ms(100), "re-polls too");
}

#[test]
fn jitter_is_deterministic_and_bounded() {
    let config = ScheduleConfig::default();
    let mut seen = std::collections::BTreeSet::new();
    let mut verdicts = std::collections::BTreeSet::new();
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
        // Verdict polls only move later, and only a little: never before registration + 30 s.
        assert!(verdict.after >= secs(30), "{verdict:?}");
        assert!(verdict.after <= ms(30_050), "{verdict:?}");
        verdicts.insert(verdict.after);

        let repoll = next_health_poll(&alb(10, 3), &[initial(Some(30))], &config, seed);
        assert!(
            repoll.after >= ms(250) && repoll.after <= ms(300),
            "{repoll:?}"
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
    assert!(verdicts.len() > 400, "verdict polls are spread too");
    let low = seen.iter().filter(|d| **d < secs(300)).count();
    assert!(
        (150..350).contains(&low),
        "jitter goes both ways: {low} below 300 s"
    );
}

/// Replays the polls of one binding after one registration, for verdicts that surface at
/// various instants; returns (polls until the verdict was seen, lag after it surfaced).
fn replay(settings: &HealthCheckSettings, surfaces: Duration, seed: u64) -> (u32, Duration) {
    let config = ScheduleConfig::default();
    let mut now = Duration::ZERO;
    for poll in 1..=1000_u32 {
        let wait = next_health_poll(
            settings,
            &[initial_at(now)],
            &config,
            seed + u64::from(poll),
        );
        now += wait.after;
        if now >= surfaces {
            return (poll, now - surfaces);
        }
    }
    panic!("the verdict at {surfaces:?} was never polled");
}

fn initial_at(since: Duration) -> PendingTarget {
    PendingTarget::Initial {
        since_registration: Some(since),
    }
}

#[test]
fn verdicts_are_seen_soon_whenever_they_surface() {
    let settings = alb(5, 2);
    // (when the verdict surfaces, most polls until seen, largest lag)
    let cases = [
        ("exactly as assumed", ms(10_000), 1, ms(50)),
        ("a little late: a re-poll", ms(10_200), 2, ms(300)),
        ("late, still within the grace", ms(11_900), 9, ms(300)),
        (
            "earlier than assumed: seen at the assumed instant",
            ms(6_000),
            1,
            ms(4_050),
        ),
        (
            "after the grace: the next interval poll",
            ms(13_000),
            12,
            ms(5_500),
        ),
    ];
    for (name, surfaces, most_polls, largest_lag) in cases {
        for seed in 0..50 {
            let (polls, lag) = replay(&settings, surfaces, seed * 1000);
            assert!(polls <= most_polls, "{name}: {polls} polls");
            assert!(lag <= largest_lag, "{name}: lag {lag:?}");
        }
    }
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
fn settings_from_what_aws_reports() {
    let reported = TargetGroupFacts {
        target_type: "ip",
        protocol: Some("TCP"),
        health_check_interval_seconds: Some(10),
        healthy_threshold_count: Some(3),
        ..TargetGroupFacts::default()
    };
    assert_eq!(
        HealthCheckSettings::of(&reported),
        HealthCheckSettings {
            interval: Duration::from_secs(10),
            healthy_threshold: 3,
            load_balancer: LoadBalancerKind::Network,
        }
    );
    let silent = TargetGroupFacts {
        target_type: "ip",
        ..TargetGroupFacts::default()
    };
    assert_eq!(
        HealthCheckSettings::of(&silent),
        HealthCheckSettings {
            interval: Duration::from_secs(30),
            healthy_threshold: 5,
            load_balancer: LoadBalancerKind::Application,
        },
        "AWS's defaults, and no protocol is an ALB's group"
    );
    for (protocol, kind) in [
        (Some("HTTP"), LoadBalancerKind::Application),
        (Some("HTTPS"), LoadBalancerKind::Application),
        (Some("UDP"), LoadBalancerKind::Network),
        (Some("GENEVE"), LoadBalancerKind::Network),
        (None, LoadBalancerKind::Application),
    ] {
        assert_eq!(
            LoadBalancerKind::for_reported_protocol(protocol),
            kind,
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
    assert_eq!(health, secs(10));
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
