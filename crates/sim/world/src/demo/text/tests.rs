use super::follows;

#[test]
fn follows_accepts_ordered_subsequences_ending_at_the_last_state() {
    let expected = [
        ("initial", Some("a")),
        ("initial", Some("b")),
        ("healthy", None),
    ];
    assert!(follows(&expected, &expected));
    assert!(follows(
        &[("initial", Some("a")), ("healthy", None)],
        &expected
    ));
    assert!(!follows(&[("initial", Some("a"))], &expected));
    assert!(!follows(
        &[
            ("initial", Some("b")),
            ("initial", Some("a")),
            ("healthy", None)
        ],
        &expected
    ));
    assert!(!follows(&[], &expected));
}
