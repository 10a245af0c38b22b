use super::*;

fn from(code: &str, status: Option<u16>) -> Elbv2Error {
    Elbv2Error::from_aws_code(Operation::RegisterTargets, code, "msg", status, None)
}

#[test]
fn codes_map_to_categories() {
    let table = [
        ("TargetGroupNotFound", None, "TargetGroupNotFound", false),
        ("LoadBalancerNotFound", None, "LoadBalancerNotFound", false),
        ("ListenerNotFound", None, "ListenerNotFound", false),
        ("RuleNotFound", None, "RuleNotFound", false),
        ("InvalidTarget", None, "InvalidTarget", false),
        ("TooManyTargets", None, "TooManyTargets", false),
        ("TooManyTags", None, "TooManyTags", false),
        (
            "DuplicateTargetGroupName",
            None,
            "DuplicateTargetGroupName",
            false,
        ),
        ("ResourceInUse", None, "ResourceInUse", false),
        ("Throttling", Some(400), "Throttling", true),
        ("ThrottlingException", Some(400), "Throttling", true),
        ("ValidationError", Some(400), "ValidationError", false),
        ("AccessDenied", Some(403), "AccessDenied", false),
        ("InternalFailure", Some(500), "ServiceUnavailable", true),
        ("HealthUnavailable", Some(500), "ServiceUnavailable", true),
        ("SomethingNew", Some(503), "ServiceUnavailable", true),
        ("PriorityInUse", Some(400), "Other", false),
    ];
    for (code, status, category, retryable) in table {
        let err = from(code, status);
        assert_eq!(err.category(), category, "{code}");
        assert_eq!(err.is_retryable(), retryable, "{code}");
        assert_eq!(err.is_throttle(), category == "Throttling", "{code}");
    }
}

#[test]
fn code_label_prefers_the_aws_code() {
    assert_eq!(from("PriorityInUse", Some(400)).code(), "PriorityInUse");
    assert_eq!(
        from("InvalidParameterValue", None).code(),
        "InvalidParameterValue"
    );
    assert_eq!(
        from("TargetGroupNotFound", None).code(),
        "TargetGroupNotFound"
    );
    assert_eq!(
        from("Throttling", None).operation(),
        Some(Operation::RegisterTargets)
    );
}

#[test]
fn display_names_operation_and_message() {
    let err = from("TargetGroupNotFound", Some(400));
    assert_eq!(
        err.to_string(),
        "RegisterTargets: target group not found: msg"
    );
}
