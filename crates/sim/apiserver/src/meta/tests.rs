use super::*;

#[test]
fn timestamps_are_rfc3339_utc() {
    assert_eq!(rfc3339(Duration::from_secs(0)), "1970-01-01T00:00:00Z");
    assert_eq!(
        rfc3339(Duration::from_secs(1_795_249_065)),
        "2026-11-21T08:17:45Z"
    );
    assert_eq!(
        rfc3339(Duration::from_secs(951_782_400)),
        "2000-02-29T00:00:00Z"
    );
}
