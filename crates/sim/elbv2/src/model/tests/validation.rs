//! Validation and errors on the model: names, targets, ARNs, pages, associations, tags.

use super::test_world::*;
use crate::model::listeners::ListenerInput;
use crate::model::private_address;
use crate::model::target_group::TargetGroupInput;
use crate::model::target_groups::TargetGroupFilter;
use crate::model::targets::TargetInput;

#[test]
fn create_target_group_is_idempotent_for_identical_settings_only() {
    let mut w = World::new();
    let first = w.http_tg("web", secs(0));
    assert_eq!(w.http_tg("web", secs(1)), first);
    let different = TargetGroupInput {
        name: "web".into(),
        protocol: Some("HTTP".into()),
        port: Some(9090),
        vpc_id: Some(w.vpc()),
        target_type: Some("ip".into()),
        ..Default::default()
    };
    let error = w
        .model
        .create_target_group(&different, &[], secs(2))
        .unwrap_err();
    assert_eq!(error.code, "DuplicateTargetGroupName");
    let unknown_vpc = TargetGroupInput {
        name: "other".into(),
        vpc_id: Some("vpc-12345678".into()),
        ..different
    };
    let error = w
        .model
        .create_target_group(&unknown_vpc, &[], secs(2))
        .unwrap_err();
    assert_eq!(error.message, "The VPC ID 'vpc-12345678' is not found");
}

#[test]
fn ip_targets_are_validated_like_aws() {
    let mut w = World::new();
    let tg = w.http_tg("web", secs(0));
    let cases: [(&str, Option<&str>, &str); 6] = [
        ("not-an-ip", None, "is not a valid IPv4 address"),
        ("2600:1f14:a0b:c001::5", None, "is not a valid IPv4 address"),
        (
            "10.9.0.5",
            None,
            "The Availability Zone is required for IP address '10.9.0.5' because it is not in the VPC",
        ),
        (
            "10.0.1.5",
            Some("all"),
            "is within the VPC, and cannot have its Availability Zone overridden to 'all'",
        ),
        ("8.8.8.8", Some("all"), "is not a valid private IP address"),
        (
            "10.9.0.5",
            Some("mars-1a"),
            "You must specify a valid Availability Zone or select 'all'",
        ),
    ];
    for (ip, zone, message) in cases {
        let error = w
            .model
            .register_targets(&tg, &[target(ip, zone)], secs(1))
            .unwrap_err();
        assert_eq!(error.code, "ValidationError", "{ip}");
        assert!(error.message.contains(message), "{ip}: {}", error.message);
    }
    // A peered address with an explicit zone is accepted.
    w.model
        .register_targets(&tg, &[target("192.168.3.4", Some("all"))], secs(1))
        .unwrap();
    let bad_port = TargetInput {
        port: Some(70_000),
        ..target("10.0.1.5", None)
    };
    let error = w
        .model
        .register_targets(&tg, &[bad_port], secs(1))
        .unwrap_err();
    assert!(
        error.message.contains("'targets.1.member.port'"),
        "{}",
        error.message
    );
}

#[test]
fn deregistering_an_unknown_target_succeeds() {
    let mut w = World::new();
    let tg = w.http_tg("web", secs(0));
    w.model
        .deregister_targets(&tg, &[target("10.0.1.99", None)], secs(1))
        .unwrap();
}

#[test]
fn unknown_and_malformed_arns() {
    let mut w = World::new();
    let tg = w.http_tg("web", secs(0));
    let unknown = tg.replace("/web/", "/nope/");
    let error = w
        .model
        .describe_target_health(&unknown, &[], secs(1))
        .unwrap_err();
    assert_eq!(
        (error.code.as_str(), error.message),
        (
            "TargetGroupNotFound",
            format!("Target groups '{unknown}' not found")
        )
    );
    let error = w
        .model
        .register_targets(&unknown, &[target("10.0.1.5", None)], secs(1))
        .unwrap_err();
    assert_eq!(error.message, "One or more target groups not found");
    let error = w
        .model
        .register_targets("arn:bogus", &[target("10.0.1.5", None)], secs(1))
        .unwrap_err();
    assert_eq!(
        (error.code.as_str(), error.message.as_str()),
        (
            "ValidationError",
            "'arn:bogus' is not a valid target group ARN"
        )
    );
    let other_region = tg.replace("us-west-2", "eu-west-1");
    assert_eq!(
        w.model
            .describe_target_health(&other_region, &[], secs(1))
            .unwrap_err()
            .code,
        "ValidationError"
    );
}

#[test]
fn describe_target_groups_pages_and_filters() {
    let mut w = World::new();
    let arns: Vec<String> = (0..5)
        .map(|i| w.http_tg(&format!("tg-{i}"), secs(0)))
        .collect();
    let all = TargetGroupFilter::default();
    let first = w
        .model
        .describe_target_groups(&all, None, Some(2), secs(1))
        .unwrap();
    assert_eq!(first.items.len(), 2);
    let marker = first.next_marker.clone().unwrap();
    let second = w
        .model
        .describe_target_groups(&all, Some(&marker), Some(2), secs(1))
        .unwrap();
    let third = w
        .model
        .describe_target_groups(&all, second.next_marker.as_deref(), Some(2), secs(1))
        .unwrap();
    assert_eq!(third.items.len(), 1);
    assert!(third.next_marker.is_none());
    let seen: Vec<&String> = first
        .items
        .iter()
        .chain(&second.items)
        .chain(&third.items)
        .map(|tg| &tg.arn)
        .collect();
    assert_eq!(seen, arns.iter().collect::<Vec<_>>());
    let by_name = TargetGroupFilter {
        names: vec!["tg-3".into(), "missing".into()],
        ..Default::default()
    };
    assert_eq!(
        w.model
            .describe_target_groups(&by_name, None, None, secs(1))
            .unwrap_err()
            .message,
        "One or more target groups not found"
    );
    let too_many = TargetGroupFilter {
        arns: vec![arns[0].clone(); 21],
        ..Default::default()
    };
    assert_eq!(
        w.model
            .describe_target_groups(&too_many, None, None, secs(1))
            .unwrap_err()
            .message,
        "You cannot describe more than '20' target groups at a time"
    );
}

#[test]
fn a_target_group_serves_only_one_load_balancer() {
    let mut w = World::new();
    let tg = w.http_tg("web", secs(0));
    let first = w.load_balancer("one", "application", secs(0));
    let second = w.load_balancer("two", "application", secs(0));
    w.listener(&first, ("HTTP", 80), &tg, secs(0));
    let input = ListenerInput {
        port: Some(80),
        protocol: Some("HTTP".into()),
        default_actions: Some(vec![forward(&tg)]),
        ..Default::default()
    };
    let error = w
        .model
        .create_listener(&second, &input, &[], secs(1))
        .unwrap_err();
    assert_eq!(error.code, "TargetGroupAssociationLimit");
}

#[test]
fn tags_limits_and_errors() {
    let mut w = World::new();
    let tg = w.http_tg("web", secs(0));
    let tags: Vec<(String, Option<String>)> = (0..50)
        .map(|i| (format!("k{i}"), Some("v".into())))
        .collect();
    w.model.add_tags(&tg, &tags).unwrap();
    assert_eq!(
        w.model
            .add_tags(&tg, &[("k50".into(), None)])
            .unwrap_err()
            .code,
        "TooManyTags"
    );
    w.model
        .add_tags(&tg, &[("k1".into(), Some("overwritten".into()))])
        .unwrap();
    assert_eq!(
        w.model.tags_of(&tg).unwrap().get("k1").map(String::as_str),
        Some("overwritten")
    );
    let twice = [("a".to_owned(), None), ("a".to_owned(), None)];
    assert_eq!(
        w.model.add_tags(&tg, &twice).unwrap_err().code,
        "DuplicateTagKeys"
    );
    let unknown_lb = w
        .model
        .arns
        .load_balancer("app", "nope", "0000000000000000");
    assert_eq!(
        w.model.tags_of(&unknown_lb).unwrap_err().code,
        "LoadBalancerNotFound"
    );
    w.model
        .remove_tags(&tg, &["k1".into(), "never-set".into()])
        .unwrap();
    assert_eq!(w.model.tags_of(&tg).unwrap().len(), 49);
}

#[test]
fn private_addresses() {
    for ok in [
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "100.127.255.255",
        "fd00::1",
    ] {
        assert!(private_address(ok.parse().unwrap()), "{ok}");
    }
    for public in ["8.8.8.8", "100.128.0.1", "2600::1"] {
        assert!(!private_address(public.parse().unwrap()), "{public}");
    }
}

#[test]
fn ipv6_groups_take_ipv6_targets_from_the_vpc_subnets() {
    let mut w = World::new();
    let input = TargetGroupInput {
        name: "v6".into(),
        protocol: Some("HTTP".into()),
        port: Some(80),
        vpc_id: Some(w.vpc()),
        target_type: Some("ip".into()),
        ip_address_type: Some("ipv6".into()),
        ..Default::default()
    };
    let tg = w
        .model
        .create_target_group(&input, &[], secs(0))
        .unwrap()
        .arn;
    w.model
        .register_targets(&tg, &[target("2600:1f14:a0b:c001:0:0:0:5", None)], secs(0))
        .unwrap();
    let rows = w.model.describe_target_health(&tg, &[], secs(0)).unwrap();
    assert_eq!(rows[0].id, "2600:1f14:a0b:c001::5");
    assert_eq!(rows[0].availability_zone.as_deref(), Some("us-west-2b"));
    let error = w
        .model
        .register_targets(&tg, &[target("10.0.1.5", None)], secs(0))
        .unwrap_err();
    assert!(
        error.message.contains("is not a valid IPv6 address"),
        "{}",
        error.message
    );
}
