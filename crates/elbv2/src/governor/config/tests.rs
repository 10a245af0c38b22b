use super::*;

#[test]
fn defaults_run_at_half_the_published_budget() {
    let config = GovernorConfig::default();
    assert_eq!(
        config.effective_bucket(ApiClass::Describe),
        BucketSpec::new(20.0, 5.0)
    );
    assert_eq!(
        config.effective_bucket(ApiClass::Targets),
        BucketSpec::new(10.0, 2.0)
    );
    assert_eq!(
        config.effective_bucket(ApiClass::Modify),
        BucketSpec::new(10.0, 1.5)
    );
}

#[test]
fn aimd_floor_is_a_share_of_the_rate_but_never_below_half_a_token_per_second() {
    let config = GovernorConfig::default();
    let floor = |class| config.aimd_spec(class).floor_per_second;
    assert_eq!(floor(ApiClass::Describe), 0.5);
    assert_eq!(floor(ApiClass::Targets), 0.5);
    assert_eq!(floor(ApiClass::Modify), 0.5);
    // A larger budget keeps the share; a tiny one is never floored above its own rate.
    let mut big = GovernorConfig::default();
    big.buckets.describe = BucketSpec::new(200.0, 50.0);
    assert_eq!(big.aimd_spec(ApiClass::Describe).floor_per_second, 1.25);
    let mut tiny = GovernorConfig::default();
    tiny.buckets.modify = BucketSpec::new(2.0, 0.6);
    assert_eq!(tiny.aimd_spec(ApiClass::Modify).floor_per_second, 0.3);
}

#[test]
fn reserves_grow_as_priority_falls() {
    let config = GovernorConfig::default();
    let reserve = |p| config.reserve_tokens(ApiClass::Describe, p);
    assert_eq!(reserve(Priority::Deregister), 0.0);
    assert!(reserve(Priority::Register) < reserve(Priority::Mutate));
    assert!(reserve(Priority::Mutate) < reserve(Priority::DescribeHealth));
    assert!(reserve(Priority::DescribeHealth) < reserve(Priority::DriftScan));
}
