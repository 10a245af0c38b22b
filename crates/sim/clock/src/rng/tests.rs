use super::*;

#[test]
fn same_seed_same_sequence() {
    let mut a = SimRng::new(42, 1);
    let mut b = SimRng::new(42, 1);
    assert_eq!(a.hex16(), b.hex16());
    assert_eq!(a.uuid(), b.uuid());
    let mut c = SimRng::new(42, 2);
    assert_ne!(SimRng::new(42, 1).hex16(), c.hex16());
}

#[test]
fn shapes() {
    let mut rng = SimRng::new(7, 0);
    let hex = rng.hex16();
    assert_eq!(hex.len(), 16);
    assert!(
        hex.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert_eq!(rng.hex17().len(), 17);
    let uuid = rng.uuid();
    assert_eq!(uuid.len(), 36);
    assert_eq!(uuid.chars().nth(14), Some('4'));
    assert!(matches!(uuid.chars().nth(19), Some('8' | '9' | 'a' | 'b')));
    assert_ne!(uuid, rng.uuid());
    let suffix = rng.name_suffix();
    assert_eq!(suffix.len(), 5);
    assert!(
        suffix
            .bytes()
            .all(|b| b"bcdfghjklmnpqrstvwxz2456789".contains(&b))
    );
}

#[test]
fn chance_respects_bounds_and_rate() {
    let mut rng = SimRng::new(1, 0);
    assert!(!rng.chance(0.0));
    assert!(rng.chance(1.0));
    let hits = (0..10_000).filter(|_| rng.chance(0.3)).count();
    assert!((2_700..3_300).contains(&hits), "hits {hits}");
}
