use super::*;

const AIMD: AimdSpec = AimdSpec {
    floor_per_second: 1.0,
    increase_per_success: 0.5,
};

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

#[test]
fn burst_then_refill() {
    let t0 = Instant::now();
    let mut bucket = TokenBucket::new(BucketSpec::new(40.0, 10.0), AIMD, t0);
    for _ in 0..40 {
        assert_eq!(bucket.try_take(t0, 0.0), Ok(()));
    }
    let wait = bucket.try_take(t0, 0.0).unwrap_err();
    assert!((wait.as_secs_f64() - 0.1).abs() < 1e-6, "{wait:?}");
    // 1 s later: 10 tokens, no more.
    let t1 = t0 + secs(1.0);
    for _ in 0..10 {
        assert_eq!(bucket.try_take(t1, 0.0), Ok(()));
    }
    assert!(bucket.try_take(t1, 0.0).is_err());
    // Refill stops at capacity.
    let t2 = t1 + secs(100.0);
    assert!((bucket.tokens(t2) - 40.0).abs() < 1e-9);
}

#[test]
fn reserve_is_kept_from_lower_priorities() {
    let t0 = Instant::now();
    let mut bucket = TokenBucket::new(BucketSpec::new(10.0, 1.0), AIMD, t0);
    // A caller that must leave 4 tokens gets 6, then waits.
    let mut granted = 0;
    while bucket.try_take(t0, 4.0).is_ok() {
        granted += 1;
    }
    assert_eq!(granted, 6);
    // A caller without reserve still gets the remaining 4.
    for _ in 0..4 {
        assert_eq!(bucket.try_take(t0, 0.0), Ok(()));
    }
    assert!(bucket.try_take(t0, 0.0).is_err());
    // The reserved caller needs 5 tokens before its next one: 5 s at 1/s.
    let wait = bucket.try_take(t0, 4.0).unwrap_err();
    assert!((wait.as_secs_f64() - 5.0).abs() < 1e-6, "{wait:?}");
}

#[test]
fn reserve_never_exceeds_what_the_bucket_can_hold() {
    let t0 = Instant::now();
    let mut bucket = TokenBucket::new(BucketSpec::new(2.0, 1.0), AIMD, t0);
    // A reserve of 100 acts as capacity - 1: one token is still grantable from full.
    assert_eq!(bucket.try_take(t0, 100.0), Ok(()));
    assert!(bucket.try_take(t0, 100.0).is_err());
}

#[test]
fn aimd_halves_on_throttle_and_recovers_gradually() {
    let t0 = Instant::now();
    let mut bucket = TokenBucket::new(BucketSpec::new(20.0, 8.0), AIMD, t0);
    bucket.on_throttle(t0);
    assert_eq!(bucket.rate(), 4.0);
    assert_eq!(bucket.tokens(t0), 0.0, "a throttle empties the bucket");
    bucket.on_throttle(t0);
    bucket.on_throttle(t0);
    assert_eq!(bucket.rate(), 1.0);
    bucket.on_throttle(t0);
    assert_eq!(bucket.rate(), 1.0, "floor holds");
    let mut rates = Vec::new();
    for _ in 0..16 {
        bucket.on_success(t0);
        rates.push(bucket.rate());
    }
    assert_eq!(rates[0], 1.5);
    assert_eq!(rates[1], 2.0);
    assert_eq!(rates[13], 8.0);
    assert_eq!(
        *rates.last().unwrap(),
        8.0,
        "never above the configured rate"
    );
}

#[test]
fn a_reserve_costs_the_same_refill_time_whatever_the_aimd_rate() {
    let t0 = Instant::now();
    let aimd = AimdSpec {
        floor_per_second: 0.25,
        increase_per_success: 0.25,
    };
    let mut bucket = TokenBucket::new(BucketSpec::new(20.0, 5.0), aimd, t0);
    // At the configured rate a 6-token reserve from empty costs 6/5 s plus one token.
    for _ in 0..20 {
        bucket.try_take(t0, 0.0).unwrap();
    }
    let wait = bucket.wait_for(t0, 6.0).as_secs_f64();
    assert!((wait - (1.2 + 0.2)).abs() < 1e-6, "{wait}");
    // Three throttles: 5 → 0.625/s. The reserve shrinks to 0.75 tokens, so the wait is
    // still 1.2 s of reserve plus one token at the reduced rate (1.6 s), not 7 / 0.625 s.
    bucket.on_throttle(t0);
    bucket.on_throttle(t0);
    bucket.on_throttle(t0);
    assert_eq!(bucket.rate(), 0.625);
    let wait = bucket.try_take(t0, 6.0).unwrap_err().as_secs_f64();
    assert!((wait - (1.2 + 1.6)).abs() < 1e-6, "{wait}");
    // Without a reserve: one token at the reduced rate.
    let wait = bucket.wait_for(t0, 0.0).as_secs_f64();
    assert!((wait - 1.6).abs() < 1e-6, "{wait}");
    assert_eq!(bucket.try_take(t0 + secs(1.6), 0.0), Ok(()));
}

#[test]
fn refill_uses_the_rate_in_force_during_each_interval() {
    let t0 = Instant::now();
    let mut bucket = TokenBucket::new(BucketSpec::new(100.0, 10.0), AIMD, t0);
    for _ in 0..100 {
        bucket.try_take(t0, 0.0).unwrap();
    }
    // 1 s at 10/s, then a throttle (zeroes and halves), then 1 s at 5/s.
    let t1 = t0 + secs(1.0);
    assert!((bucket.tokens(t1) - 10.0).abs() < 1e-9);
    bucket.on_throttle(t1);
    let t2 = t1 + secs(1.0);
    assert!((bucket.tokens(t2) - 5.0).abs() < 1e-9);
}

#[test]
fn scaled_spec_keeps_a_usable_bucket() {
    let spec = BucketSpec::new(40.0, 10.0).scaled(0.5);
    assert_eq!(spec, BucketSpec::new(20.0, 5.0));
    let tiny = BucketSpec::new(1.0, 1.0).scaled(0.01);
    assert_eq!(tiny.capacity, 1.0);
    assert!(tiny.refill_per_second > 0.0);
}

#[test]
fn time_going_backwards_does_not_add_tokens() {
    let t0 = Instant::now() + secs(10.0);
    let mut bucket = TokenBucket::new(BucketSpec::new(1.0, 1.0), AIMD, t0);
    bucket.try_take(t0, 0.0).unwrap();
    assert!(bucket.try_take(t0 - secs(5.0), 0.0).is_err());
}
