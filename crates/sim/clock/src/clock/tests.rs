use super::*;

#[test]
fn utc_timestamps_in_aws_and_kubernetes_forms() {
    let cases = [
        (Duration::ZERO, false, "1970-01-01T00:00:00Z"),
        (
            Duration::from_millis(1_458_941_172_920),
            true,
            "2016-03-25T21:26:12.920Z",
        ),
        (
            Duration::from_secs(1_458_941_172),
            false,
            "2016-03-25T21:26:12Z",
        ),
        // A leap day, one second before midnight.
        (
            Duration::from_secs(951_868_799),
            false,
            "2000-02-29T23:59:59Z",
        ),
    ];
    for (since, millis, expected) in cases {
        assert_eq!(utc_timestamp(since, millis), expected);
    }
    assert_eq!(utc_seconds_timestamp(951_868_799), "2000-02-29T23:59:59Z");
    assert_eq!(utc_seconds_timestamp(-1), "1969-12-31T23:59:59Z");
}

#[test]
fn scale_converts_both_ways() {
    let clock = ScaledClock::new(0.1);
    assert_eq!(
        clock.real_to_sim(Duration::from_secs(1)),
        Duration::from_secs(10)
    );
    assert_eq!(
        clock.sim_to_real(Duration::from_secs(30)),
        Duration::from_secs(3)
    );
    let real_time = ScaledClock::new(1.0);
    assert_eq!(
        real_time.real_to_sim(Duration::from_millis(1500)),
        Duration::from_millis(1500)
    );
}

#[test]
fn invalid_scale_falls_back_to_real_time() {
    assert!((ScaledClock::new(0.0).time_scale() - 1.0).abs() < f64::EPSILON);
    assert!((ScaledClock::new(-2.0).time_scale() - 1.0).abs() < f64::EPSILON);
    assert!((ScaledClock::new(f64::NAN).time_scale() - 1.0).abs() < f64::EPSILON);
}

#[test]
fn scaled_clock_runs_faster_than_the_wall() {
    let clock = ScaledClock::new(0.01);
    std::thread::sleep(Duration::from_millis(20));
    assert!(
        clock.now() >= Duration::from_secs(2),
        "100x clock after 20 ms: {:?}",
        clock.now()
    );
}

#[test]
fn manual_clock_moves_only_when_told() {
    let clock = ManualClock::new();
    assert_eq!(clock.now(), Duration::ZERO);
    clock.advance(Duration::from_secs(5));
    clock.advance(Duration::from_millis(500));
    assert_eq!(clock.now(), Duration::from_millis(5500));
    clock.set(Duration::from_secs(1));
    assert_eq!(clock.now(), Duration::from_secs(1));
}
