use super::*;

#[test]
fn specific_action_wins_over_wildcard() {
    let mut book = FaultBook::new(1);
    book.set_fault(
        ANY_ACTION,
        Fault {
            error_rate: 1.0,
            ..Fault::default()
        },
    );
    book.set_fault(
        "DescribeTags",
        Fault {
            error_rate: 0.0,
            latency: Duration::from_millis(5),
            ..Fault::default()
        },
    );
    assert!(book.decide("RegisterTargets").error.is_some());
    let tags = book.decide("DescribeTags");
    assert!(tags.error.is_none());
    assert_eq!(tags.latency, Duration::from_millis(5));
    book.clear();
    assert_eq!(book.decide("RegisterTargets"), Decision::default());
}

#[test]
fn throttle_rate_is_seeded_and_roughly_right() {
    let run = |seed| {
        let mut book = FaultBook::new(seed);
        book.set_throttle_rate(ANY_ACTION, 0.3);
        (0..1000)
            .map(|_| book.decide("DescribeTargetHealth").error.is_some())
            .collect::<Vec<_>>()
    };
    let first = run(9);
    assert_eq!(first, run(9), "same seed, same decisions");
    let throttled = first.iter().filter(|t| **t).count();
    assert!((230..370).contains(&throttled), "{throttled}");
    let mut book = FaultBook::new(9);
    book.set_throttle_rate("RegisterTargets", 1.0);
    let error = book.decide("RegisterTargets").error.unwrap();
    assert_eq!(
        (error.status, error.code.as_str(), error.message.as_str()),
        (400, "Throttling", "Rate exceeded")
    );
}
