use super::*;

#[test]
fn timestamps() {
    assert_eq!(iso8601(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
    let at = UNIX_EPOCH + Duration::from_millis(1_458_941_172_920);
    assert_eq!(iso8601(at), "2016-03-25T21:26:12.920Z");
    let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
    assert_eq!(iso8601(leap), "2000-02-29T00:00:00.000Z");
}
