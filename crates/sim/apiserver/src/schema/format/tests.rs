use super::check;

#[test]
fn formats_follow_the_api_server() {
    let cases: &[(&str, &str, Option<bool>)] = &[
        ("date-time", "2026-11-21T10:20:29Z", Some(true)),
        ("date-time", "2026-11-21T10:20:29.123+01:00", Some(true)),
        ("date-time", "2026-11-21 10:20:29Z", Some(false)),
        ("date-time", "yesterday", Some(false)),
        ("date", "2026-02-01", Some(true)),
        ("date", "2026-13-01", Some(false)),
        ("uuid", "6f1c3b7e-0d1f-4b5e-9a3c-1234567890ab", Some(true)),
        ("uuid", "not-a-uuid", Some(false)),
        ("uuid4", "6f1c3b7e-0d1f-3b5e-9a3c-1234567890ab", Some(false)),
        ("ipv4", "10.0.0.1", Some(true)),
        ("ipv4", "10.0.0.256", Some(false)),
        ("ipv6", "fe80::1", Some(true)),
        ("cidr", "10.0.0.0/8", Some(true)),
        ("cidr", "10.0.0.0/33", Some(false)),
        ("mac", "00:1a:2b:3c:4d:5e", Some(true)),
        ("hostname", "web-1.example.com", Some(true)),
        ("hostname", "-web", Some(false)),
        ("byte", "aGVsbG8=", Some(true)),
        ("byte", "%%%", Some(false)),
        ("duration", "1h30m", Some(true)),
        ("duration", "3 days", Some(true)),
        ("duration", "soon", Some(false)),
        ("int32", "anything", None),
        ("int64", "anything", None),
    ];
    for (format, text, want) in cases {
        assert_eq!(check(format, text), *want, "{format} {text}");
    }
}
