use super::*;

#[test]
fn describe_bucket_allows_a_burst_of_forty_then_ten_per_second() {
    let start = Instant::now();
    let mut throttler = Throttler::new(ThrottleConfig::default(), start);
    for call in 0..40 {
        assert!(
            throttler.try_acquire("DescribeTargetHealth", start),
            "call {call}"
        );
    }
    assert!(
        !throttler.try_acquire("DescribeTargetHealth", start),
        "41st call"
    );
    // Other buckets are independent.
    assert!(throttler.try_acquire("RegisterTargets", start));
    let later = start + Duration::from_millis(999);
    assert!(
        !throttler.try_acquire("DescribeTargetGroups", later),
        "no refill within the second"
    );
    let next_second = start + Duration::from_millis(1500);
    let allowed = (0..20)
        .filter(|_| throttler.try_acquire("DescribeTargetGroups", next_second))
        .count();
    assert_eq!(allowed, 10, "one second refills ten tokens");
    let much_later = start + Duration::from_secs(60);
    let allowed = (0..100)
        .filter(|_| throttler.try_acquire("DescribeTags", much_later))
        .count();
    assert_eq!(allowed, 40, "the bucket never holds more than its capacity");
}

#[test]
fn classes() {
    assert_eq!(
        BucketClass::of("DeregisterTargets"),
        BucketClass::Registration
    );
    assert_eq!(
        BucketClass::of("DescribeTargetHealth"),
        BucketClass::Describe
    );
    assert_eq!(
        BucketClass::of("ModifyTargetGroupAttributes"),
        BucketClass::Modify
    );
    assert_eq!(BucketClass::of("SetRulePriorities"), BucketClass::Modify);
    assert_eq!(
        BucketClass::of("CreateTargetGroup"),
        BucketClass::OtherMutating
    );
}

#[test]
fn registration_bucket_and_disabling() {
    let start = Instant::now();
    let mut throttler = Throttler::new(ThrottleConfig::default(), start);
    assert_eq!(
        (0..30)
            .filter(|_| throttler.try_acquire("RegisterTargets", start))
            .count(),
        20
    );
    let mut open = Throttler::new(ThrottleConfig::disabled(), start);
    assert!((0..1000).all(|_| open.try_acquire("DescribeTargetHealth", start)));
}
