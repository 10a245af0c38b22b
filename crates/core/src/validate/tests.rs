use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use lbgate_api::TargetGroupBindingSpec;
use lbgate_api::v1beta1::ServiceReference;

use super::*;
use crate::fixtures::{NS, service, service_port, time};

const ARN: &str =
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";

fn binding(name: &str, target_type: Option<TargetType>, port: IntOrString) -> TargetGroupBinding {
    TargetGroupBinding {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(NS.into()),
            uid: Some(format!("uid-{name}")),
            creation_timestamp: Some(time(100)),
            ..ObjectMeta::default()
        },
        spec: TargetGroupBindingSpec {
            target_group_arn: ARN.into(),
            target_type,
            service_ref: ServiceReference {
                name: "web".into(),
                port,
            },
            ..TargetGroupBindingSpec::default()
        },
        status: None,
    }
}

fn ip_binding() -> TargetGroupBinding {
    binding("web", Some(TargetType::Ip), IntOrString::Int(80))
}

fn web_service(type_: Option<&str>) -> Service {
    service(
        "web",
        type_,
        vec![
            service_port(Some("http"), 80, Some(30080)),
            service_port(Some("metrics"), 9000, None),
        ],
    )
}

const IP_TG: TargetGroupFacts<'static> = TargetGroupFacts {
    target_type: "ip",
    ip_address_type: Some("ipv4"),
    protocol: Some("HTTP"),
    health_check_interval_seconds: None,
    healthy_threshold_count: None,
};

fn reasons(problems: &[Problem]) -> Vec<(&'static str, &'static str)> {
    problems
        .iter()
        .map(|p| (p.condition_type, p.reason))
        .collect()
}

#[test]
fn validation_table() {
    let svc = web_service(None);
    let node_port_svc = web_service(Some("NodePort"));
    let mut no_arn = ip_binding();
    no_arn.spec.target_group_arn.clear();
    let mut ipv6 = ip_binding();
    ipv6.spec.ip_address_type = Some(IpAddressType::Ipv6);
    let long_name = binding(&"w".repeat(64), Some(TargetType::Ip), IntOrString::Int(80));
    let long_instance = binding(
        &"w".repeat(64),
        Some(TargetType::Instance),
        IntOrString::Int(80),
    );
    let named_port = binding(
        "web",
        Some(TargetType::Ip),
        IntOrString::String("http".into()),
    );
    let missing_port = binding(
        "web",
        Some(TargetType::Ip),
        IntOrString::String("grpc".into()),
    );
    let instance = binding("web", Some(TargetType::Instance), IntOrString::Int(80));
    let instance_no_node_port = binding(
        "web",
        Some(TargetType::Instance),
        IntOrString::String("metrics".into()),
    );
    let untyped = binding("web", None, IntOrString::Int(80));
    let plain = ip_binding();
    let instance_tg = TargetGroupFacts {
        target_type: "instance",
        ..TargetGroupFacts::default()
    };

    type Case<'a> = (
        &'a str,
        &'a TargetGroupBinding,
        Option<&'a Service>,
        Option<TargetGroupFacts<'a>>,
        Vec<(&'a str, &'a str)>,
    );
    let cases: Vec<Case<'_>> = vec![
        ("all good", &named_port, Some(&svc), Some(IP_TG), vec![]),
        (
            "unknown ARN",
            &named_port,
            Some(&svc),
            None,
            vec![(CONDITION_TARGET_GROUP_FOUND, REASON_TARGET_GROUP_NOT_FOUND)],
        ),
        (
            "no ARN",
            &no_arn,
            Some(&svc),
            None,
            vec![(
                CONDITION_TARGET_GROUP_FOUND,
                REASON_TARGET_GROUP_ARN_MISSING,
            )],
        ),
        (
            "Service missing",
            &named_port,
            None,
            Some(IP_TG),
            vec![(CONDITION_SERVICE_FOUND, REASON_SERVICE_NOT_FOUND)],
        ),
        (
            "port not on the Service",
            &missing_port,
            Some(&svc),
            Some(IP_TG),
            vec![(CONDITION_PORT_RESOLVED, REASON_PORT_NOT_FOUND)],
        ),
        (
            "target type mismatch",
            &plain,
            Some(&svc),
            Some(instance_tg),
            vec![(CONDITION_READY, REASON_TARGET_TYPE_MISMATCH)],
        ),
        (
            "lambda target group",
            &plain,
            Some(&svc),
            Some(TargetGroupFacts {
                target_type: "lambda",
                ..TargetGroupFacts::default()
            }),
            vec![(CONDITION_READY, REASON_UNSUPPORTED_TARGET_TYPE)],
        ),
        (
            "IPv6 binding on an IPv4 group",
            &ipv6,
            Some(&svc),
            Some(IP_TG),
            vec![(CONDITION_READY, REASON_IP_ADDRESS_TYPE_MISMATCH)],
        ),
        (
            "IPv4 binding on an IPv6 group",
            &plain,
            Some(&svc),
            Some(TargetGroupFacts {
                target_type: "ip",
                ip_address_type: Some("ipv6"),
                ..IP_TG
            }),
            vec![(CONDITION_READY, REASON_IP_ADDRESS_TYPE_MISMATCH)],
        ),
        (
            "IPv6 binding on an IPv6 group",
            &ipv6,
            Some(&svc),
            Some(TargetGroupFacts {
                target_type: "ip",
                ip_address_type: Some("ipv6"),
                ..IP_TG
            }),
            vec![],
        ),
        (
            "binding name too long for a gate",
            &long_name,
            Some(&svc),
            Some(IP_TG),
            vec![(CONDITION_READY, REASON_INVALID_BINDING_NAME)],
        ),
        (
            "long name is fine without gates",
            &long_instance,
            Some(&node_port_svc),
            Some(instance_tg),
            vec![],
        ),
        (
            "instance mode on a NodePort Service",
            &instance,
            Some(&node_port_svc),
            Some(instance_tg),
            vec![],
        ),
        (
            "instance mode on a ClusterIP Service",
            &instance,
            Some(&svc),
            Some(instance_tg),
            vec![(
                CONDITION_PORT_RESOLVED,
                REASON_SERVICE_TYPE_WITHOUT_NODE_PORTS,
            )],
        ),
        (
            "instance mode on a port without node port",
            &instance_no_node_port,
            Some(&node_port_svc),
            Some(instance_tg),
            vec![(CONDITION_PORT_RESOLVED, REASON_NO_NODE_PORT)],
        ),
        (
            "unset target type follows the group",
            &untyped,
            Some(&svc),
            Some(instance_tg),
            vec![(
                CONDITION_PORT_RESOLVED,
                REASON_SERVICE_TYPE_WITHOUT_NODE_PORTS,
            )],
        ),
        (
            "several problems at once",
            &long_name,
            None,
            None,
            vec![
                (CONDITION_TARGET_GROUP_FOUND, REASON_TARGET_GROUP_NOT_FOUND),
                (CONDITION_SERVICE_FOUND, REASON_SERVICE_NOT_FOUND),
                (CONDITION_READY, REASON_INVALID_BINDING_NAME),
            ],
        ),
    ];
    for (name, b, service, tg, expected) in cases {
        let problems = validate(ValidationInput {
            binding: b,
            service,
            target_group: tg,
            others_on_arn: &[],
        });
        assert_eq!(reasons(&problems), expected, "{name}");
        for problem in &problems {
            assert!(!problem.message.is_empty(), "{name}");
            assert_eq!(problem.status(), ConditionStatus::False, "{name}");
        }
    }
}

#[test]
fn problem_messages_name_the_culprit() {
    let svc = web_service(None);
    let problems = validate(ValidationInput {
        binding: &binding(
            "web",
            Some(TargetType::Ip),
            IntOrString::String("grpc".into()),
        ),
        service: Some(&svc),
        target_group: None,
        others_on_arn: &[],
    });
    assert!(problems[0].message.contains(ARN), "{}", problems[0].message);
    assert_eq!(
        problems[1].message,
        "port grpc is not a port of Service shop/web"
    );
}

fn claim<'a>(name: &'a str, created: Option<&'a Time>, multi_cluster: bool) -> BindingClaim<'a> {
    BindingClaim {
        namespace: NS,
        name,
        uid: name,
        created,
        multi_cluster,
    }
}

#[test]
fn conflicts_go_to_the_newer_binding() {
    let (oldest, older, same, newer) = (time(10), time(50), time(100), time(150));
    // The binding under test was created at 100, named "web", multi-cluster per row.
    type Case<'a> = (&'a str, bool, Vec<BindingClaim<'a>>, Option<&'a str>);
    let cases: Vec<Case<'_>> = vec![
        ("alone", false, vec![], None),
        (
            "older rival",
            false,
            vec![claim("a", Some(&older), false)],
            Some("a"),
        ),
        (
            "newer rival loses",
            false,
            vec![claim("z", Some(&newer), false)],
            None,
        ),
        (
            "both multi-cluster",
            true,
            vec![claim("a", Some(&older), true)],
            None,
        ),
        (
            "rival multi-cluster, we are not",
            false,
            vec![claim("a", Some(&older), true)],
            Some("a"),
        ),
        (
            "we are multi-cluster, rival is not",
            true,
            vec![claim("a", Some(&older), false)],
            Some("a"),
        ),
        (
            "same age: name decides (a < web)",
            false,
            vec![claim("a", Some(&same), false)],
            Some("a"),
        ),
        (
            "same age: name decides (x > web)",
            false,
            vec![claim("x", Some(&same), false)],
            None,
        ),
        (
            "rival never persisted",
            false,
            vec![claim("a", None, false)],
            None,
        ),
        (
            "oldest rival is named",
            false,
            vec![
                claim("b", Some(&older), false),
                claim("c", Some(&oldest), false),
            ],
            Some("c"),
        ),
        (
            "ourselves",
            false,
            vec![claim("web", Some(&older), false)],
            None,
        ),
    ];
    let svc = web_service(None);
    for (name, multi_cluster, others, rival) in cases {
        let mut b = ip_binding();
        b.spec.multi_cluster_target_group = multi_cluster;
        let problems = validate(ValidationInput {
            binding: &b,
            service: Some(&svc),
            target_group: Some(IP_TG),
            others_on_arn: &others,
        });
        match rival {
            None => assert!(problems.is_empty(), "{name}: {problems:?}"),
            Some(rival) => {
                assert_eq!(
                    reasons(&problems),
                    vec![(CONDITION_CONFLICT, REASON_CONFLICTING_BINDING)],
                    "{name}"
                );
                assert!(
                    problems[0].message.contains(&format!("{NS}/{rival}")),
                    "{name}: {}",
                    problems[0].message
                );
                assert_eq!(problems[0].status(), ConditionStatus::True);
            }
        }
    }
}

#[test]
fn effective_target_type_prefers_the_spec() {
    let tg = TargetGroupFacts {
        target_type: "instance",
        ..TargetGroupFacts::default()
    };
    assert_eq!(
        effective_target_type(&ip_binding(), Some(tg)),
        Some(TargetType::Ip)
    );
    let untyped = binding("web", None, IntOrString::Int(80));
    assert_eq!(
        effective_target_type(&untyped, Some(tg)),
        Some(TargetType::Instance)
    );
    assert_eq!(effective_target_type(&untyped, None), None);
}
