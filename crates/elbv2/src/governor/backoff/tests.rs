use super::*;

const BASE: Duration = Duration::from_millis(100);
const CAP: Duration = Duration::from_secs(5);

#[test]
fn exponential_doubles_and_caps() {
    assert_eq!(exponential(BASE, CAP, 1), Duration::from_millis(100));
    assert_eq!(exponential(BASE, CAP, 2), Duration::from_millis(200));
    assert_eq!(exponential(BASE, CAP, 4), Duration::from_millis(800));
    assert_eq!(exponential(BASE, CAP, 10), CAP);
    assert_eq!(exponential(BASE, CAP, 200), CAP, "no overflow");
}

#[test]
fn jitter_stays_within_bounds() {
    let mut rng = JitterRng::new(7);
    for attempt in 1..12 {
        let step = exponential(BASE, CAP, attempt);
        for _ in 0..100 {
            let full = full_jitter(BASE, CAP, attempt, rng.next_unit());
            assert!(full <= step);
            let equal = equal_jitter(BASE, CAP, attempt, rng.next_unit());
            assert!(equal >= step / 2 && equal <= step);
        }
    }
}

#[test]
fn rng_is_reproducible_and_spread() {
    let a: Vec<u64> = {
        let mut rng = JitterRng::new(42);
        (0..5).map(|_| rng.next_u64()).collect()
    };
    let b: Vec<u64> = {
        let mut rng = JitterRng::new(42);
        (0..5).map(|_| rng.next_u64()).collect()
    };
    assert_eq!(a, b);
    let mut rng = JitterRng::new(1);
    let mean = (0..10_000).map(|_| rng.next_unit()).sum::<f64>() / 10_000.0;
    assert!((mean - 0.5).abs() < 0.02, "{mean}");
}
