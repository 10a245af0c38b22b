use lbgate_api::v1beta1::{IpAddressType, TargetType};
use serde_json::json;

use super::*;

fn binding(spec: serde_json::Value) -> TargetGroupBinding {
    serde_json::from_value(json!({
        "apiVersion": "elbv2.k8s.aws/v1beta1",
        "kind": "TargetGroupBinding",
        "metadata": { "name": "b", "namespace": "ns" },
        "spec": spec,
    }))
    .unwrap()
}

fn with(
    arn: &str,
    target_type: Option<TargetType>,
    ip: Option<IpAddressType>,
    vpc: &str,
) -> TargetGroupBinding {
    let mut spec = json!({ "targetGroupARN": arn, "serviceRef": { "name": "svc", "port": 80 } });
    if let Some(t) = target_type {
        spec["targetType"] = json!(t.as_str());
    }
    if let Some(ip) = ip {
        spec["ipAddressType"] = json!(ip.as_str());
    }
    if !vpc.is_empty() {
        spec["vpcID"] = json!(vpc);
    }
    binding(spec)
}

#[test]
fn immutable_field_rules_follow_lbc() {
    use IpAddressType::{Ipv4, Ipv6};
    use TargetType::{Instance, Ip};
    let base = with("arn:a", Some(Ip), None, "vpc-1");
    let cases: Vec<(&str, TargetGroupBinding, TargetGroupBinding, Option<&str>)> = vec![
        ("no change", base.clone(), base.clone(), None),
        (
            "arn change",
            base.clone(),
            with("arn:b", Some(Ip), None, "vpc-1"),
            Some("spec.targetGroupARN"),
        ),
        (
            "target type change",
            base.clone(),
            with("arn:a", Some(Instance), None, "vpc-1"),
            Some("spec.targetType"),
        ),
        (
            "target type removed",
            base.clone(),
            with("arn:a", None, None, "vpc-1"),
            Some("spec.targetType"),
        ),
        (
            "ip nil to ipv4 allowed",
            base.clone(),
            with("arn:a", Some(Ip), Some(Ipv4), "vpc-1"),
            None,
        ),
        (
            "ip nil to ipv6 refused",
            base.clone(),
            with("arn:a", Some(Ip), Some(Ipv6), "vpc-1"),
            Some("spec.ipAddressType"),
        ),
        (
            "ip set to nil refused",
            with("arn:a", Some(Ip), Some(Ipv4), "vpc-1"),
            base.clone(),
            Some("spec.ipAddressType"),
        ),
        (
            "vpc changed",
            base.clone(),
            with("arn:a", Some(Ip), None, "vpc-2"),
            Some("spec.vpcID"),
        ),
        (
            "vpc removed",
            base.clone(),
            with("arn:a", Some(Ip), None, ""),
            Some("spec.vpcID"),
        ),
        (
            "vpc added",
            with("arn:a", Some(Ip), None, ""),
            base.clone(),
            None,
        ),
    ];
    for (name, old, new, field) in cases {
        let message = immutable_fields(&old, &new);
        match field {
            None => assert_eq!(message, None, "{name}"),
            Some(field) => {
                let message = message.unwrap_or_else(|| panic!("{name}: allowed"));
                assert!(
                    message.starts_with(
                        "TargetGroupBinding update may not change these immutable fields: "
                    ),
                    "{name}: {message}"
                );
                assert!(message.contains(field), "{name}: {message}");
            }
        }
    }
}

#[test]
fn several_changes_are_listed_together() {
    let old = with("arn:a", Some(TargetType::Ip), None, "vpc-1");
    let new = with("arn:b", Some(TargetType::Instance), None, "vpc-1");
    assert_eq!(
        immutable_fields(&old, &new).as_deref(),
        Some(
            "TargetGroupBinding update may not change these immutable fields: spec.targetGroupARN,spec.targetType"
        )
    );
}

#[test]
fn vpc_ids_follow_aws_shapes() {
    for (vpc, valid) in [
        ("vpc-0123abcd", true),
        ("vpc-0123456789abcdef0", true),
        ("vpc-0123456789abcdef0123456789abcdef", true),
        ("vpc-0123ABCD", false),
        ("vpc-0123abc", false),
        ("vpcid-123", false),
        ("", false),
    ] {
        assert_eq!(valid_vpc_id(vpc), valid, "{vpc}");
    }
}

#[test]
fn create_checks_against_the_target_group() {
    use lbgate_elbv2::{IpAddressType as AwsIp, TargetGroup};
    let group = TargetGroup {
        arn: "arn:a".to_owned(),
        name: "tg".to_owned(),
        protocol: None,
        port: None,
        vpc_id: Some("vpc-0123abcd".to_owned()),
        target_type: None,
        ip_address_type: Some(AwsIp::Ipv6),
        protocol_version: None,
        health_check: Default::default(),
        load_balancer_arns: vec![],
    };
    let ipv6 = with(
        "arn:a",
        Some(TargetType::Ip),
        Some(IpAddressType::Ipv6),
        "vpc-0123abcd",
    );
    assert_eq!(against_target_group(&ipv6, &group), Ok(()));
    let unset = with("arn:a", Some(TargetType::Ip), None, "");
    assert_eq!(
        against_target_group(&unset, &group),
        Err("invalid IP address type ipv6 for TargetGroup arn:a".to_owned())
    );
    let bad_shape = with(
        "arn:a",
        Some(TargetType::Ip),
        Some(IpAddressType::Ipv6),
        "vpcid-1",
    );
    assert!(
        against_target_group(&bad_shape, &group)
            .unwrap_err()
            .starts_with("ValidationError: vpcID vpcid-1 failed to satisfy constraint")
    );
    let other = with(
        "arn:a",
        Some(TargetType::Ip),
        Some(IpAddressType::Ipv6),
        "vpc-9999aaaa",
    );
    assert_eq!(
        against_target_group(&other, &group),
        Err("invalid VpcID vpc-9999aaaa doesnt match VpcID from TargetGroup arn:a".to_owned())
    );
}
