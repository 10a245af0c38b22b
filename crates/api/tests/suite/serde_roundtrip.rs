//! LBC-style TargetGroupBinding manifests parse into our types and serialize back unchanged.

use k8s_openapi::api::core::v1::ServicePort;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use lbgate_api::consts;
use lbgate_api::v1alpha1;
use lbgate_api::v1beta1::{
    AssumeRole, IpAddressType, NetworkingProtocol, ServicePortRef, TargetGroupBinding,
    TargetGroupProtocol, TargetType,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// Parses `name` as `T` and as untyped JSON, and returns both plus `T` serialized back to JSON.
fn load<T: DeserializeOwned + serde::Serialize>(name: &str) -> (T, Value, Value) {
    let text = fixture(name);
    let typed: T = serde_saphyr::from_str(&text).unwrap_or_else(|err| panic!("{name}: {err}"));
    let untyped: Value = serde_saphyr::from_str(&text).unwrap();
    let reserialized = serde_json::to_value(&typed).unwrap();
    (typed, untyped, reserialized)
}

#[test]
fn ip_mode_with_numeric_port() {
    let (tgb, input, output) = load::<TargetGroupBinding>("v1beta1-ip-numeric-port.yaml");
    assert_eq!(output, input, "round trip must be lossless");

    let spec = &tgb.spec;
    assert_eq!(spec.target_type, Some(TargetType::Ip));
    assert_eq!(spec.service_ref.name, "checkout");
    assert_eq!(spec.service_ref.port_ref(), ServicePortRef::Number(8080));
    assert_eq!(
        spec.arn(),
        Some(
            "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/checkout-ip/5d1e2c3b4a596877"
        )
    );
    assert_eq!(spec.target_group_name(), None);
    assert_eq!(spec.ip_address_type_or_default(), IpAddressType::Ipv4);
    assert_eq!(spec.assume_role(), None);
    assert!(spec.ingress_rules().is_empty());
    assert!(!spec.multi_cluster_target_group);
    assert!(tgb.status.is_none());
}

#[test]
fn instance_mode_with_named_port_and_node_selector() {
    let (tgb, input, output) = load::<TargetGroupBinding>("v1beta1-instance-named-port.yaml");
    assert_eq!(output, input, "round trip must be lossless");

    let spec = &tgb.spec;
    assert_eq!(spec.target_type, Some(TargetType::Instance));
    assert_eq!(
        spec.arn(),
        None,
        "the ARN is defaulted from the name by the webhook"
    );
    assert_eq!(spec.target_group_name(), Some("legacy-frontend-tg"));
    assert_eq!(spec.service_ref.port_ref(), ServicePortRef::Name("http"));
    assert_eq!(spec.target_group_protocol, Some(TargetGroupProtocol::Http));
    assert_eq!(spec.vpc(), Some("vpc-0a1b2c3d4e5f60718"));

    let selector = spec.node_selector.as_ref().unwrap();
    let labels = selector.match_labels.as_ref().unwrap();
    assert_eq!(
        labels
            .get("node.kubernetes.io/lifecycle")
            .map(String::as_str),
        Some("on-demand")
    );
    let expressions = selector.match_expressions.as_ref().unwrap();
    assert_eq!(expressions.len(), 2);
    assert_eq!(expressions[0].operator, "In");
    assert_eq!(
        expressions[0].values.as_deref().unwrap(),
        ["eu-west-1a", "eu-west-1b"]
    );
    assert_eq!(expressions[1].values, None);
}

#[test]
fn networking_rules_and_cross_account_role() {
    let (tgb, input, output) = load::<TargetGroupBinding>("v1beta1-networking.yaml");
    assert_eq!(
        output, input,
        "round trip must be lossless, `ports: []` included"
    );

    let spec = &tgb.spec;
    assert!(spec.multi_cluster_target_group);
    assert_eq!(
        spec.target_group_protocol,
        Some(TargetGroupProtocol::TcpUdp)
    );
    assert_eq!(
        spec.assume_role(),
        Some(AssumeRole {
            role_arn: "arn:aws:iam::444455556666:role/lb-targets",
            external_id: Some("games-cluster-7"),
        })
    );

    let rules = spec.ingress_rules();
    assert_eq!(rules.len(), 2);
    let sg = rules[0].from[0].security_group.as_ref().unwrap();
    assert_eq!(sg.group_id, "sg-0123456789abcdef0");
    assert_eq!(rules[0].ports[0].protocol, Some(NetworkingProtocol::Udp));
    assert_eq!(rules[0].ports[0].port, Some(IntOrString::Int(7777)));
    assert_eq!(
        rules[0].ports[1].port,
        Some(IntOrString::String("health".into()))
    );
    assert_eq!(rules[1].from.len(), 2);
    assert_eq!(
        rules[1].from[1].ip_block.as_ref().unwrap().cidr,
        "2600:1f14:abcd::/56"
    );
    assert!(rules[1].ports.is_empty());
}

#[test]
fn v1alpha1_object() {
    let (tgb, input, output) = load::<v1alpha1::TargetGroupBinding>("v1alpha1-basic.yaml");
    assert_eq!(output, input, "round trip must be lossless");
    assert_eq!(tgb.spec.target_type, Some(TargetType::Ip));
    assert_eq!(
        tgb.spec.networking.as_ref().unwrap().ingress[0].ports[0].protocol,
        None
    );
    assert_eq!(
        tgb.spec.networking.as_ref().unwrap().ingress[0].ports[0].protocol_or_default(),
        NetworkingProtocol::Tcp
    );
    assert_eq!(tgb.status.unwrap().observed_generation, Some(3));
}

#[test]
fn unknown_fields_are_tolerated_and_status_is_read() {
    let (tgb, mut input, output) =
        load::<TargetGroupBinding>("v1beta1-with-status-and-extras.yaml");

    // The only loss is the fields this version does not know.
    let spec = input["spec"].as_object_mut().unwrap();
    assert!(spec.remove("aFieldFromTheFuture").is_some());
    let status = input["status"].as_object_mut().unwrap();
    assert!(status.remove("somethingElse").is_some());
    assert_eq!(output, input);

    assert_eq!(tgb.spec.ip_address_type, Some(IpAddressType::Ipv6));
    let annotations = tgb.metadata.annotations.as_ref().unwrap();
    assert!(annotations.contains_key(consts::LBC_CHECKPOINT_ANNOTATION));
    assert!(annotations.contains_key(consts::LBC_CHECKPOINT_TIMESTAMP_ANNOTATION));
    assert_eq!(
        tgb.metadata.finalizers.as_deref().unwrap(),
        [consts::FINALIZER]
    );

    let status = tgb.status.as_ref().unwrap();
    assert_eq!(status.observed_generation, Some(4));
    let ready = status.condition(consts::CONDITION_READY).unwrap();
    assert_eq!(
        (ready.status.as_str(), ready.reason.as_str()),
        ("False", "FailedCleanup")
    );
    assert!(status.condition(consts::CONDITION_CONFLICT).is_none());
    let targets = status.targets.unwrap();
    assert_eq!(
        (targets.desired, targets.healthy, targets.initial),
        (Some(3), Some(2), Some(1))
    );
    assert_eq!(targets.draining, None);
    assert!(status.last_sync_time.is_some());
}

#[test]
fn a_binding_without_service_ref_is_rejected() {
    let text = "apiVersion: elbv2.k8s.aws/v1beta1\nkind: TargetGroupBinding\nmetadata:\n  name: x\nspec:\n  targetType: ip\n";
    let err = serde_saphyr::from_str::<TargetGroupBinding>(text).unwrap_err();
    assert!(err.to_string().contains("serviceRef"), "{err}");
}

#[test]
fn enums_reject_values_outside_lbc_enums() {
    for (field, value) in [
        ("targetType", "lambda"),
        ("ipAddressType", "dualstack"),
        ("targetGroupProtocol", "GENEVE"),
    ] {
        let text = format!(
            "apiVersion: elbv2.k8s.aws/v1beta1\nkind: TargetGroupBinding\nmetadata:\n  name: x\n\
             spec:\n  serviceRef: {{name: s, port: 80}}\n  {field}: {value}\n"
        );
        assert!(
            serde_saphyr::from_str::<TargetGroupBinding>(&text).is_err(),
            "{field}: {value} must not parse"
        );
    }
}

#[test]
fn serialized_objects_carry_type_meta_and_omit_empty_fields() {
    let tgb = TargetGroupBinding::new(
        "web",
        lbgate_api::TargetGroupBindingSpec {
            target_group_arn: "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/1".into(),
            service_ref: lbgate_api::v1beta1::ServiceReference {
                name: "web".into(),
                port: IntOrString::Int(80),
            },
            ..Default::default()
        },
    );
    let json = serde_json::to_value(&tgb).unwrap();
    assert_eq!(json["apiVersion"], consts::API_VERSION_V1BETA1);
    assert_eq!(json["kind"], consts::KIND);
    assert_eq!(
        json["spec"],
        serde_json::json!({
            "targetGroupARN": "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/1",
            "serviceRef": {"name": "web", "port": 80},
        })
    );
}

#[test]
fn service_port_ref_matches_like_kubernetes() {
    let ports = [
        ServicePort {
            name: Some("http".into()),
            port: 80,
            ..Default::default()
        },
        ServicePort {
            name: Some("8443".into()),
            port: 443,
            ..Default::default()
        },
        ServicePort {
            name: None,
            port: 9000,
            ..Default::default()
        },
    ];
    let cases: [(ServicePortRef<'_>, Option<i32>); 6] = [
        (ServicePortRef::Number(80), Some(80)),
        (ServicePortRef::Name("http"), Some(80)),
        // A string that looks numeric is still a name.
        (ServicePortRef::Name("8443"), Some(443)),
        (ServicePortRef::Name("443"), None),
        (ServicePortRef::Number(9000), Some(9000)),
        (ServicePortRef::Number(8080), None),
    ];
    for (port_ref, expected) in cases {
        assert_eq!(
            port_ref.find_in(&ports).map(|p| p.port),
            expected,
            "{port_ref}"
        );
    }
}

#[test]
fn enum_spellings_round_trip_through_as_str() {
    for protocol in TargetGroupProtocol::ALL {
        assert_eq!(
            TargetGroupProtocol::from_aws(protocol.as_str()),
            Some(protocol)
        );
        assert_eq!(serde_json::to_value(protocol).unwrap(), protocol.as_str());
    }
    assert_eq!(TargetGroupProtocol::from_aws("GENEVE"), None);
    assert!(TargetGroupProtocol::Quic.uses_quic_server_id());
    assert!(TargetGroupProtocol::TcpQuic.uses_quic_server_id());
    assert!(!TargetGroupProtocol::TcpUdp.uses_quic_server_id());
    for target_type in [TargetType::Instance, TargetType::Ip] {
        assert_eq!(
            TargetType::from_aws(target_type.as_str()),
            Some(target_type)
        );
        assert_eq!(
            serde_json::to_value(target_type).unwrap(),
            target_type.as_str()
        );
    }
    assert_eq!(TargetType::from_aws("lambda"), None);
    for family in [IpAddressType::Ipv4, IpAddressType::Ipv6] {
        assert_eq!(IpAddressType::from_aws(family.as_str()), Some(family));
        assert_eq!(serde_json::to_value(family).unwrap(), family.as_str());
    }
    for protocol in [NetworkingProtocol::Tcp, NetworkingProtocol::Udp] {
        assert_eq!(serde_json::to_value(protocol).unwrap(), protocol.as_str());
    }
}
