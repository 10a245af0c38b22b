use super::*;

fn http_input(name: &str) -> TargetGroupInput {
    TargetGroupInput {
        name: name.to_owned(),
        protocol: Some("HTTP".into()),
        port: Some(80),
        vpc_id: Some("vpc-1".into()),
        target_type: Some("ip".into()),
        ..Default::default()
    }
}

#[test]
fn http_defaults_match_the_alb_guide() {
    let spec = TargetGroupSpec::resolve(&http_input("web")).unwrap();
    assert_eq!(spec.health_check_interval_seconds, 30);
    assert_eq!(spec.health_check_timeout_seconds, 5);
    assert_eq!(spec.healthy_threshold_count, 5);
    assert_eq!(spec.unhealthy_threshold_count, 2);
    assert_eq!(spec.matcher_http_code.as_deref(), Some("200"));
    assert_eq!(spec.health_check_path.as_deref(), Some("/"));
    assert_eq!(spec.health_check_protocol.as_deref(), Some("HTTP"));
    assert_eq!(spec.health_check_port.as_deref(), Some("traffic-port"));
    assert_eq!(spec.protocol_version.as_deref(), Some("HTTP1"));
    assert_eq!(spec.ip_address_type, "ipv4");
}

#[test]
fn tcp_defaults_match_the_nlb_guide() {
    let input = TargetGroupInput {
        protocol: Some("TCP".into()),
        ..http_input("nlb")
    };
    let spec = TargetGroupSpec::resolve(&input).unwrap();
    assert_eq!(
        (
            spec.health_check_interval_seconds,
            spec.health_check_timeout_seconds
        ),
        (30, 10)
    );
    assert_eq!(
        (spec.healthy_threshold_count, spec.unhealthy_threshold_count),
        (5, 2)
    );
    assert_eq!(spec.health_check_protocol.as_deref(), Some("TCP"));
    assert_eq!(spec.matcher_http_code, None);
    assert_eq!(spec.health_check_path, None);
    let http_check = TargetGroupInput {
        health_check_protocol: Some("HTTP".into()),
        ..input
    };
    let spec = TargetGroupSpec::resolve(&http_check).unwrap();
    assert_eq!(spec.health_check_timeout_seconds, 6);
    assert_eq!(spec.matcher_http_code.as_deref(), Some("200-399"));
}

#[test]
fn names_are_validated_with_aws_messages() {
    let cases = [
        ("a".repeat(33), "cannot be longer than '32' characters"),
        (
            "bad_name".to_owned(),
            "can only contain characters that are alphanumeric characters or hyphens(-)",
        ),
        ("-lead".to_owned(), "cannot begin or end with '-'"),
        ("trail-".to_owned(), "cannot begin or end with '-'"),
    ];
    for (name, message) in cases {
        let error = TargetGroupSpec::resolve(&http_input(&name)).unwrap_err();
        assert_eq!(error.code, "ValidationError", "{name}");
        assert!(error.message.contains(message), "{name}: {}", error.message);
    }
    assert!(TargetGroupSpec::resolve(&http_input(&"a".repeat(32))).is_ok());
}

#[test]
fn required_settings_and_ranges() {
    let no_vpc = TargetGroupInput {
        vpc_id: None,
        ..http_input("x")
    };
    assert_eq!(
        TargetGroupSpec::resolve(&no_vpc).unwrap_err().message,
        "A VPC ID must be specified"
    );
    let interval = TargetGroupInput {
        health_check_interval_seconds: Some(1),
        ..http_input("x")
    };
    let error = TargetGroupSpec::resolve(&interval).unwrap_err();
    assert!(
        error
            .message
            .contains("Value '1' at 'healthCheckIntervalSeconds'"),
        "{}",
        error.message
    );
    assert!(error.message.contains("greater than or equal to 5"));
    let protocol = TargetGroupInput {
        protocol: Some("SMTP".into()),
        ..http_input("x")
    };
    assert!(
        TargetGroupSpec::resolve(&protocol)
            .unwrap_err()
            .message
            .contains("enum value set")
    );
}

#[test]
fn timeout_must_fit_in_the_interval() {
    let http = TargetGroupInput {
        health_check_interval_seconds: Some(5),
        health_check_timeout_seconds: Some(5),
        ..http_input("x")
    };
    assert_eq!(
        TargetGroupSpec::resolve(&http).unwrap_err().message,
        "Health check timeout '5' must be smaller than the interval '5'"
    );
    // The HTTP default timeout (5) does not fit an interval of 5 either.
    let short = TargetGroupInput {
        health_check_interval_seconds: Some(5),
        ..http_input("x")
    };
    assert!(TargetGroupSpec::resolve(&short).is_err());
    let tcp = TargetGroupInput {
        protocol: Some("TCP".into()),
        health_check_interval_seconds: Some(10),
        health_check_timeout_seconds: Some(10),
        ..http_input("x")
    };
    assert!(TargetGroupSpec::resolve(&tcp).is_ok());
}

#[test]
fn modify_validates_the_result() {
    let spec = TargetGroupSpec::resolve(&http_input("web")).unwrap();
    let faster = TargetGroupChanges {
        health_check_interval_seconds: Some(10),
        health_check_timeout_seconds: Some(2),
        healthy_threshold_count: Some(2),
        ..Default::default()
    };
    let next = spec.modified(&faster).unwrap();
    assert_eq!(
        (
            next.health_check_interval_seconds,
            next.healthy_threshold_count
        ),
        (10, 2)
    );
    let broken = TargetGroupChanges {
        health_check_interval_seconds: Some(5),
        ..Default::default()
    };
    assert!(spec.modified(&broken).is_err());
}
