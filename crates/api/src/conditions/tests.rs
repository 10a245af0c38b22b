use super::*;

#[test]
fn pod_condition_type_accepts_valid_binding_names() {
    let cases = [
        ("web", "target-health.elbv2.k8s.aws/web"),
        (
            "k8s-default-web-0123456789",
            "target-health.elbv2.k8s.aws/k8s-default-web-0123456789",
        ),
        ("a", "target-health.elbv2.k8s.aws/a"),
        ("9", "target-health.elbv2.k8s.aws/9"),
        ("my.binding", "target-health.elbv2.k8s.aws/my.binding"),
        (
            &"x".repeat(63),
            &format!("target-health.elbv2.k8s.aws/{}", "x".repeat(63)),
        ),
    ];
    for (name, expected) in cases {
        assert_eq!(
            pod_condition_type(name).unwrap(),
            expected,
            "binding name {name:?}"
        );
    }
}

#[test]
fn pod_condition_type_rejects_names_kubernetes_would_reject() {
    let too_long = "x".repeat(64);
    let cases = [
        ("", "empty"),
        (too_long.as_str(), "64 characters"),
        ("-web", "leading dash"),
        ("web-", "trailing dash"),
        ("web.", "trailing dot"),
        ("a/b", "second slash"),
        ("we b", "space"),
        ("wéb", "non-ASCII"),
    ];
    for (name, why) in cases {
        let err = pod_condition_type(name).expect_err(why);
        assert!(
            matches!(&err, ApiError::InvalidQualifiedName { value, .. }
                if *value == format!("{TARGET_HEALTH_CONDITION_PREFIX}{name}")),
            "{why}: unexpected error {err:?}"
        );
    }
}

#[test]
fn binding_name_round_trips_through_the_condition_type() {
    for name in ["web", "k8s-ns-svc-abcdef0123", "a.b.c", "0"] {
        let condition_type = pod_condition_type(name).unwrap();
        assert_eq!(
            binding_name_from_condition_type(&condition_type),
            Some(name)
        );
    }
}

#[test]
fn binding_name_from_condition_type_ignores_foreign_or_malformed_types() {
    let cases = [
        "Ready",
        "ContainersReady",
        "target-health.elbv2.k8s.aws/",
        "target-health.elbv2.k8s.aws/Upper",
        "target-health.elbv2.k8s.aws/a/b",
        "target-health.elbv2.k8s.aws",
        "target-health.alb.ingress.k8s.aws/web",
        "example.com/target-health.elbv2.k8s.aws/web",
    ];
    for condition_type in cases {
        assert_eq!(
            binding_name_from_condition_type(condition_type),
            None,
            "{condition_type}"
        );
    }
}

#[test]
fn gate_families_are_told_apart() {
    let cases = [
        ("target-health.elbv2.k8s.aws/web", true, false),
        ("target-health.alb.ingress.k8s.aws/web", false, true),
        ("target-health.alb.ingress.k8s.aws", false, false),
        ("example.com/ready", false, false),
        ("Ready", false, false),
    ];
    for (condition_type, ours, legacy) in cases {
        assert_eq!(
            is_target_health_gate(condition_type),
            ours,
            "{condition_type}"
        );
        assert_eq!(is_legacy_gate(condition_type), legacy, "{condition_type}");
    }
}

#[test]
fn qualified_name_rules() {
    let prefix_253 = format!("{}.io", "a".repeat(250));
    let prefix_254 = format!("{}.io", "a".repeat(251));
    let cases: [(&str, bool); 15] = [
        ("Ready", true),
        ("example.com/Ready", true),
        ("a_b.c-d", true),
        ("A", true),
        ("example.com/", false),
        ("/Ready", false),
        ("Example.com/Ready", false),
        ("example..com/Ready", false),
        ("-example.com/Ready", false),
        ("example.com/_Ready", false),
        ("example.com/Ready_", false),
        ("a/b/c", false),
        (&"x".repeat(64), false),
        (&format!("{prefix_253}/x"), true),
        (&format!("{prefix_254}/x"), false),
    ];
    for (value, valid) in cases {
        assert_eq!(validate_qualified_name(value).is_ok(), valid, "{value:?}");
    }
}

#[test]
fn dns1123_subdomain_rules() {
    let cases = [
        ("web", true),
        ("a.b-c.d", true),
        ("0a", true),
        (&"a".repeat(253) as &str, true),
        (&"a".repeat(254), false),
        ("", false),
        ("Web", false),
        ("a_b", false),
        (".a", false),
        ("a.", false),
        ("a-.b", false),
    ];
    for (value, valid) in cases {
        assert_eq!(
            dns1123_subdomain_problem(value).is_none(),
            valid,
            "{value:?}"
        );
    }
}
