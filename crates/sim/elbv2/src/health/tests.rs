use super::*;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn millis(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

fn http(interval: u64, healthy: u32, unhealthy: u32) -> CheckSettings {
    CheckSettings {
        interval: secs(interval),
        healthy_threshold: healthy,
        unhealthy_threshold: unhealthy,
        http_matcher: CodeMatcher::parse("200"),
    }
}

fn tcp(interval: u64, healthy: u32, unhealthy: u32) -> CheckSettings {
    CheckSettings {
        http_matcher: None,
        ..http(interval, healthy, unhealthy)
    }
}

/// A target registered at 0 with checks starting one interval later (an in-use TG, no lag).
fn started(settings: &CheckSettings) -> Lifecycle {
    let mut lifecycle = Lifecycle::registered(Duration::ZERO);
    lifecycle.start_checks(settings.interval);
    lifecycle
}

fn view_at(
    lifecycle: &mut Lifecycle,
    at: Duration,
    settings: &CheckSettings,
    book: &HealthBook,
) -> TargetHealthView {
    lifecycle.advance(at, settings, &book.timeline("10.0.1.5", 8080));
    lifecycle.view()
}

fn state_reason(view: &TargetHealthView) -> (&'static str, Option<&'static str>) {
    (view.state.as_str(), view.reason)
}

#[test]
fn two_second_interval_three_successes_is_healthy_at_six_seconds() {
    let settings = http(2, 3, 2);
    let book = HealthBook::new(HealthMode::Answering);
    let cases = [
        (millis(0), "initial", Some("Elb.RegistrationInProgress")),
        (millis(1999), "initial", Some("Elb.RegistrationInProgress")),
        (millis(2000), "initial", Some("Elb.InitialHealthChecking")),
        (millis(4000), "initial", Some("Elb.InitialHealthChecking")),
        (millis(5999), "initial", Some("Elb.InitialHealthChecking")),
        (millis(6000), "healthy", None),
        (secs(600), "healthy", None),
    ];
    let mut lifecycle = started(&settings);
    for (at, state, reason) in cases {
        let view = view_at(&mut lifecycle, at, &settings, &book);
        assert_eq!(state_reason(&view), (state, reason), "at {at:?}");
    }
}

#[test]
fn looking_rarely_gives_the_same_answer_as_looking_often() {
    let settings = http(2, 3, 2);
    let book = HealthBook::new(HealthMode::Answering);
    let mut rarely = started(&settings);
    let view = view_at(&mut rarely, secs(7), &settings, &book);
    assert_eq!(state_reason(&view), ("healthy", None));
    assert_eq!(view.description, None);
}

#[test]
fn each_failure_mode_turns_unhealthy_after_the_threshold_with_its_reason() {
    let cases = [
        (
            HealthMode::Refusing,
            "Target.FailedHealthChecks",
            "Health checks failed",
        ),
        (HealthMode::Timeout, "Target.Timeout", "Request timed out"),
        (
            HealthMode::ResponseCode(503),
            "Target.ResponseCodeMismatch",
            "Health checks failed with these codes: [503]",
        ),
    ];
    for (mode, reason, description) in cases {
        let settings = http(5, 3, 2);
        let book = HealthBook::new(mode);
        let mut lifecycle = started(&settings);
        let first = view_at(&mut lifecycle, secs(5), &settings, &book);
        assert_eq!(
            state_reason(&first),
            ("initial", Some("Elb.InitialHealthChecking")),
            "{mode:?}"
        );
        let second = view_at(&mut lifecycle, secs(10), &settings, &book);
        assert_eq!(
            state_reason(&second),
            ("unhealthy", Some(reason)),
            "{mode:?}"
        );
        assert_eq!(second.description.as_deref(), Some(description), "{mode:?}");
    }
}

#[test]
fn tcp_checks_ignore_response_codes() {
    let settings = tcp(10, 2, 2);
    let book = HealthBook::new(HealthMode::ResponseCode(500));
    let mut lifecycle = started(&settings);
    let view = view_at(&mut lifecycle, secs(20), &settings, &book);
    assert_eq!(state_reason(&view), ("healthy", None));
}

#[test]
fn matcher_ranges_decide_success() {
    let settings = CheckSettings {
        http_matcher: CodeMatcher::parse("200-299,302"),
        ..http(5, 2, 2)
    };
    for (code, state) in [
        (204, "healthy"),
        (302, "healthy"),
        (301, "unhealthy"),
        (404, "unhealthy"),
    ] {
        let book = HealthBook::new(HealthMode::ResponseCode(code));
        let mut lifecycle = started(&settings);
        let view = view_at(&mut lifecycle, secs(10), &settings, &book);
        assert_eq!(view.state.as_str(), state, "code {code}");
    }
}

#[test]
fn recovery_and_relapse_use_the_same_thresholds() {
    let settings = http(10, 3, 2);
    let mut book = HealthBook::new(HealthMode::Answering);
    // Healthy at 30 s, starts refusing at 35 s: checks at 40 and 50 fail.
    book.set(secs(35), "10.0.1.5", None, HealthMode::Refusing);
    // Answers again from 55 s: checks at 60, 70, 80 succeed.
    book.set(secs(55), "10.0.1.5", Some(8080), HealthMode::Answering);
    let cases = [
        (secs(30), "healthy", None),
        (secs(40), "healthy", None),
        (secs(50), "unhealthy", Some("Target.FailedHealthChecks")),
        (secs(70), "unhealthy", Some("Target.FailedHealthChecks")),
        (secs(80), "healthy", None),
    ];
    let mut lifecycle = started(&settings);
    for (at, state, reason) in cases {
        let view = view_at(&mut lifecycle, at, &settings, &book);
        assert_eq!(state_reason(&view), (state, reason), "at {at:?}");
    }
    // One look at the end gives the same verdict as many looks.
    let mut once = started(&settings);
    assert_eq!(
        state_reason(&view_at(&mut once, secs(80), &settings, &book)),
        ("healthy", None)
    );
}

#[test]
fn healthy_since_is_the_check_that_reached_the_threshold_however_rarely_one_looks() {
    let settings = http(10, 3, 2);
    let mut book = HealthBook::new(HealthMode::Answering);
    book.set(secs(35), "10.0.1.5", None, HealthMode::Refusing);
    book.set(secs(55), "10.0.1.5", Some(8080), HealthMode::Answering);
    // Checks at 10, 20, 30 pass: healthy since 30. Checks at 40, 50 fail: unhealthy at 50.
    // Checks at 60, 70, 80 pass: healthy again since 80.
    let mut often = started(&settings);
    let mut seen = Vec::new();
    for at in (0..=90).step_by(5) {
        view_at(&mut often, secs(at), &settings, &book);
        seen.push((at, often.healthy_since()));
    }
    let at = |t: u64| seen.iter().find(|(s, _)| *s == t).unwrap().1;
    assert_eq!(at(25), None);
    assert_eq!(at(30), Some(secs(30)));
    assert_eq!(
        at(45),
        Some(secs(30)),
        "one failure keeps the healthy verdict"
    );
    assert_eq!(at(50), None);
    assert_eq!(at(80), Some(secs(80)));
    let mut rarely = started(&settings);
    view_at(&mut rarely, secs(47), &settings, &book);
    assert_eq!(rarely.healthy_since(), Some(secs(30)));
    view_at(&mut rarely, secs(90), &settings, &book);
    assert_eq!(rarely.healthy_since(), Some(secs(80)));
    let mut once = started(&settings);
    view_at(&mut once, secs(29), &settings, &book);
    assert_eq!(once.healthy_since(), None);
}

#[test]
fn unhealthy_reason_follows_the_latest_failure() {
    let settings = http(10, 3, 2);
    let mut book = HealthBook::new(HealthMode::Refusing);
    book.set(secs(25), "10.0.1.5", None, HealthMode::Timeout);
    let mut lifecycle = started(&settings);
    assert_eq!(
        state_reason(&view_at(&mut lifecycle, secs(20), &settings, &book)),
        ("unhealthy", Some("Target.FailedHealthChecks"))
    );
    assert_eq!(
        state_reason(&view_at(&mut lifecycle, secs(30), &settings, &book)),
        ("unhealthy", Some("Target.Timeout"))
    );
}

#[test]
fn a_change_exactly_at_a_check_instant_applies_to_that_check() {
    let settings = http(10, 2, 2);
    let mut book = HealthBook::new(HealthMode::Refusing);
    book.set(secs(10), "10.0.1.5", None, HealthMode::Answering);
    let mut lifecycle = started(&settings);
    let view = view_at(&mut lifecycle, secs(20), &settings, &book);
    assert_eq!(state_reason(&view), ("healthy", None));
}

#[test]
fn mode_precedence_latest_specific_setting_wins_over_default() {
    let mut book = HealthBook::new(HealthMode::Answering);
    book.set(secs(1), "10.0.1.5", Some(80), HealthMode::Refusing);
    book.set(secs(2), "10.0.1.5", None, HealthMode::Timeout);
    book.set_default(secs(3), HealthMode::ResponseCode(500));
    assert_eq!(book.mode_at("10.0.1.5", 80, secs(1)), HealthMode::Refusing);
    assert_eq!(book.mode_at("10.0.1.5", 80, secs(2)), HealthMode::Timeout);
    assert_eq!(book.mode_at("10.0.1.5", 81, secs(1)), HealthMode::Answering);
    assert_eq!(book.mode_at("10.0.1.5", 80, secs(4)), HealthMode::Timeout);
    assert_eq!(
        book.mode_at("10.0.1.6", 80, secs(4)),
        HealthMode::ResponseCode(500)
    );
    book.set(secs(5), "10.0.1.5", Some(80), HealthMode::Answering);
    assert_eq!(book.mode_at("10.0.1.5", 80, secs(5)), HealthMode::Answering);
    assert_eq!(book.mode_at("10.0.1.5", 81, secs(5)), HealthMode::Timeout);
}

#[test]
fn ipv6_addresses_match_by_value() {
    let mut book = HealthBook::new(HealthMode::Answering);
    book.set(secs(0), "2001:db8:0:0::1", None, HealthMode::Refusing);
    assert_eq!(
        book.mode_at("2001:db8::1", 443, secs(1)),
        HealthMode::Refusing
    );
}

#[test]
fn unused_until_checks_start_then_registration_in_progress() {
    let settings = http(5, 2, 2);
    let book = HealthBook::new(HealthMode::Answering);
    let mut lifecycle = Lifecycle::registered(Duration::ZERO);
    let unused = view_at(&mut lifecycle, secs(100), &settings, &book);
    assert_eq!(state_reason(&unused), ("unused", Some("Target.NotInUse")));
    assert_eq!(
        unused.description.as_deref(),
        Some("Target group is not configured to receive traffic from the load balancer")
    );
    // Attached at 100 s: first check at 105 s, healthy at 110 s.
    lifecycle.start_checks(secs(105));
    assert_eq!(
        state_reason(&view_at(&mut lifecycle, secs(104), &settings, &book)),
        ("initial", Some("Elb.RegistrationInProgress"))
    );
    assert_eq!(
        state_reason(&view_at(&mut lifecycle, secs(110), &settings, &book)),
        ("healthy", None)
    );
    lifecycle.stop_checks();
    assert_eq!(
        state_reason(&lifecycle.view()),
        ("unused", Some("Target.NotInUse"))
    );
}

#[test]
fn draining_reports_deregistration_in_progress_until_the_delay_ends() {
    let mut lifecycle = Lifecycle::registered(Duration::ZERO);
    lifecycle.start_checks(secs(5));
    lifecycle.start_draining(secs(300));
    let view = lifecycle.view();
    assert_eq!(
        state_reason(&view),
        ("draining", Some("Target.DeregistrationInProgress"))
    );
    assert_eq!(
        view.description.as_deref(),
        Some("Target deregistration is in progress")
    );
    assert!(!lifecycle.drained(secs(299)));
    assert!(lifecycle.drained(secs(300)));
}

#[test]
fn matcher_parsing() {
    assert!(CodeMatcher::parse("200").is_some_and(|m| m.accepts(200) && !m.accepts(201)));
    assert!(CodeMatcher::parse("200,202").is_some_and(|m| m.accepts(202) && !m.accepts(201)));
    assert!(
        CodeMatcher::parse("200-399").is_some_and(|m| m.accepts(301) && m.bounds() == (200, 399))
    );
    assert!(CodeMatcher::parse("abc").is_none());
    assert!(CodeMatcher::parse("300-200").is_none());
    assert!(CodeMatcher::parse("").is_none());
}

#[test]
fn checks_before_counts_grid_points() {
    assert_eq!(checks_before(secs(2), secs(2), secs(2)), 0);
    assert_eq!(
        checks_before(secs(2), secs(2) + Duration::from_nanos(1), secs(2)),
        1
    );
    assert_eq!(checks_before(secs(2), secs(6), secs(2)), 2);
    assert_eq!(checks_before(secs(2), secs(7), secs(2)), 3);
}

#[test]
fn modes_read_from_control_api_json() {
    let parse = |text: &str| serde_json::from_str::<HealthMode>(text).unwrap();
    assert_eq!(parse(r#""answering""#), HealthMode::Answering);
    assert_eq!(parse(r#""refusing""#), HealthMode::Refusing);
    assert_eq!(parse(r#""timeout""#), HealthMode::Timeout);
    assert_eq!(
        parse(r#"{"response_code":503}"#),
        HealthMode::ResponseCode(503)
    );
    assert!(serde_json::from_str::<HealthMode>(r#""sleepy""#).is_err());
}
