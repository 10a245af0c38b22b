use super::*;

fn cond(field: &str, values: &[&str]) -> Condition {
    Condition {
        field: field.to_owned(),
        values: values.iter().map(|v| (*v).to_owned()).collect(),
        http_header_name: None,
    }
}

#[test]
fn wildcards_match_like_alb() {
    assert!(wildcard(b"/api/*", b"/api/users/1"));
    assert!(wildcard(b"/api/*", b"/api/"));
    assert!(!wildcard(b"/api/*", b"/api"));
    assert!(wildcard(b"/img/?.png", b"/img/a.png"));
    assert!(!wildcard(b"/img/?.png", b"/img/ab.png"));
    assert!(wildcard(b"*", b""));
    assert!(wildcard(b"*.example.com", b"www.example.com"));
    assert!(!wildcard(b"*.example.com", b"example.com"));
    assert!(wildcard(b"a*b*c", b"aXXbYYbc"));
    assert!(!wildcard(b"a*b*c", b"aXXbYYb"));
}

#[test]
fn host_is_case_insensitive_and_ignores_the_port() {
    let rule = [cond("host-header", &["*.Example.com"])];
    assert!(rule_matches(
        &rule,
        &HttpRequest::get("WWW.example.COM:8080", "/")
    ));
    assert!(!rule_matches(&rule, &HttpRequest::get("example.org", "/")));
    let v6 = HttpRequest::get("[fd00::1]:80", "/");
    assert_eq!(v6.host_name(), "[fd00::1]");
}

#[test]
fn path_is_case_sensitive_and_ignores_the_query() {
    let rule = [cond("path-pattern", &["/API/*", "/v?/health"])];
    assert!(rule_matches(
        &rule,
        &HttpRequest::get("h", "/API/x?debug=1")
    ));
    assert!(!rule_matches(&rule, &HttpRequest::get("h", "/api/x")));
    assert!(rule_matches(&rule, &HttpRequest::get("h", "/v2/health")));
    let query_only = [cond("path-pattern", &["*debug*"])];
    assert!(!rule_matches(
        &query_only,
        &HttpRequest::get("h", "/x?debug=1")
    ));
}

#[test]
fn all_conditions_must_hold_and_unknown_fields_never_match() {
    let both = [
        cond("host-header", &["api.example.com"]),
        cond("path-pattern", &["/v1/*"]),
    ];
    assert!(rule_matches(
        &both,
        &HttpRequest::get("api.example.com", "/v1/a")
    ));
    assert!(!rule_matches(
        &both,
        &HttpRequest::get("api.example.com", "/v2/a")
    ));
    let header = [cond("http-header", &["x"])];
    assert!(!rule_matches(&header, &HttpRequest::get("h", "/")));
    let method = [cond("http-request-method", &["GET"])];
    assert!(rule_matches(&method, &HttpRequest::get("h", "/")));
}
