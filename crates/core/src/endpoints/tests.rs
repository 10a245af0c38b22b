use k8s_openapi::api::core::v1::PodIP;
use lbgate_api::v1beta1::{IpAddressType, ServicePortRef};

use super::*;
use crate::fixtures::{
    NS, deleting, endpoint, node, pod, service, service_port, slice, slice_port,
};

const GATE: &str = "target-health.elbv2.k8s.aws/web";
const OTHER_GATE: &str = "target-health.elbv2.k8s.aws/other";

fn web() -> Service {
    service("web", None, vec![service_port(Some("http"), 80, None)])
}

fn pod_ref(name: &str) -> PodRef {
    PodRef {
        namespace: NS.into(),
        name: name.into(),
        uid: format!("uid-{name}"),
    }
}

fn run(slices: &[EndpointSlice], pods: &[Pod], family: IpAddressType) -> DesiredIpTargets {
    let svc = web();
    desired_ip_targets(IpTargetsInput {
        service: &svc,
        port_ref: ServicePortRef::Name("http"),
        ip_address_type: family,
        gate: GATE,
        slices,
        pods,
        nodes: None,
    })
    .unwrap()
}

/// One row: an endpoint (address, ready, terminating) whose pod is built by `pod_of`, and the
/// expected outcome: `Ok(())` desired, or the reason a gated pod is reported.
struct Row {
    name: &'static str,
    ready: Option<bool>,
    terminating: Option<bool>,
    pod: Pod,
    expected: Result<(), Option<NotDesiredReason>>,
}

#[test]
fn endpoint_rules() {
    let gated_ready = || pod("p", "10.0.0.1", &[GATE], Some("True"));
    let rows = [
        Row {
            name: "ready endpoint counts",
            ready: Some(true),
            terminating: None,
            pod: pod("p", "10.0.0.1", &[], None),
            expected: Ok(()),
        },
        Row {
            name: "unset ready reads as ready",
            ready: None,
            terminating: None,
            pod: pod("p", "10.0.0.1", &[], None),
            expected: Ok(()),
        },
        Row {
            name: "not ready, gated, containers ready: counts",
            ready: Some(false),
            terminating: Some(false),
            pod: gated_ready(),
            expected: Ok(()),
        },
        Row {
            name: "not ready, gated, containers not ready",
            ready: Some(false),
            terminating: None,
            pod: pod("p", "10.0.0.1", &[GATE], Some("False")),
            expected: Err(Some(NotDesiredReason::ContainersNotReady)),
        },
        Row {
            name: "not ready, gated, no ContainersReady condition",
            ready: Some(false),
            terminating: None,
            pod: pod("p", "10.0.0.1", &[GATE], None),
            expected: Err(Some(NotDesiredReason::ContainersNotReady)),
        },
        Row {
            name: "not ready, only another binding's gate",
            ready: Some(false),
            terminating: None,
            pod: pod("p", "10.0.0.1", &[OTHER_GATE], Some("True")),
            expected: Err(None),
        },
        Row {
            name: "not ready, no gate",
            ready: Some(false),
            terminating: None,
            pod: pod("p", "10.0.0.1", &[], Some("True")),
            expected: Err(None),
        },
        Row {
            name: "gated pod being deleted",
            ready: Some(false),
            terminating: Some(true),
            pod: deleting(gated_ready()),
            expected: Err(Some(NotDesiredReason::Terminating)),
        },
        Row {
            name: "ready endpoint of a pod being deleted (publishNotReadyAddresses)",
            ready: Some(true),
            terminating: None,
            pod: deleting(gated_ready()),
            expected: Err(Some(NotDesiredReason::Terminating)),
        },
        Row {
            name: "terminating endpoint before the pod shows its deletionTimestamp",
            ready: Some(true),
            terminating: Some(true),
            pod: gated_ready(),
            expected: Err(Some(NotDesiredReason::Terminating)),
        },
    ];
    for row in rows {
        let s = slice(
            "web-a",
            "web",
            "IPv4",
            vec![slice_port(Some("http"), 8080)],
            vec![endpoint("10.0.0.1", Some("p"), row.ready, row.terminating)],
        );
        let got = run(&[s], &[row.pod], IpAddressType::Ipv4);
        assert!(got.own_addresses.contains("10.0.0.1"), "{}", row.name);
        match row.expected {
            Ok(()) => {
                assert_eq!(
                    got.targets,
                    BTreeMap::from([(TargetKey::new("10.0.0.1", 8080), pod_ref("p"))]),
                    "{}",
                    row.name
                );
                assert!(got.not_desired.is_empty(), "{}", row.name);
            }
            Err(reason) => {
                assert!(got.targets.is_empty(), "{}: {:?}", row.name, got.targets);
                let reported: Vec<_> = got.not_desired.iter().map(|n| n.why).collect();
                assert_eq!(
                    reported,
                    reason.into_iter().collect::<Vec<_>>(),
                    "{}",
                    row.name
                );
            }
        }
    }
}

#[test]
fn address_family_selects_slices() {
    let slices = [
        slice(
            "v4",
            "web",
            "IPv4",
            vec![slice_port(Some("http"), 8080)],
            vec![endpoint("10.0.0.1", Some("a"), Some(true), None)],
        ),
        slice(
            "v6",
            "web",
            "IPv6",
            vec![slice_port(Some("http"), 8080)],
            vec![endpoint("2001:db8::1", Some("a"), Some(true), None)],
        ),
        slice(
            "fqdn",
            "web",
            "FQDN",
            vec![slice_port(Some("http"), 8080)],
            vec![endpoint("a.example.com", Some("a"), Some(true), None)],
        ),
    ];
    let pods = [pod("a", "10.0.0.1", &[], None)];
    let v4 = run(&slices, &pods, IpAddressType::Ipv4);
    assert_eq!(
        v4.targets.keys().cloned().collect::<Vec<_>>(),
        vec![TargetKey::new("10.0.0.1", 8080)]
    );
    let v6 = run(&slices, &pods, IpAddressType::Ipv6);
    assert_eq!(
        v6.targets.keys().cloned().collect::<Vec<_>>(),
        vec![TargetKey::new("2001:db8::1", 8080)]
    );
    assert_eq!(v6.own_addresses, BTreeSet::from(["2001:db8::1".to_owned()]));
}

#[test]
fn slices_of_other_services_and_unmatched_ports_are_ignored() {
    let slices = [
        slice(
            "other",
            "api",
            "IPv4",
            vec![slice_port(Some("http"), 8080)],
            vec![endpoint("10.0.0.9", Some("x"), Some(true), None)],
        ),
        slice(
            "web-admin",
            "web",
            "IPv4",
            vec![slice_port(Some("admin"), 9000)],
            vec![endpoint("10.0.0.2", Some("b"), Some(true), None)],
        ),
        slice(
            "web-http",
            "web",
            "IPv4",
            vec![slice_port(Some("http"), 8081)],
            vec![endpoint("10.0.0.1", Some("a"), Some(true), None)],
        ),
    ];
    let pods = [
        pod("a", "10.0.0.1", &[GATE], Some("True")),
        pod("b", "10.0.0.2", &[GATE], Some("True")),
        pod("x", "10.0.0.9", &[GATE], Some("True")),
    ];
    let got = run(&slices, &pods, IpAddressType::Ipv4);
    assert_eq!(
        got.targets,
        BTreeMap::from([(TargetKey::new("10.0.0.1", 8081), pod_ref("a"))])
    );
    assert_eq!(
        got.not_desired,
        vec![
            NotDesiredPod {
                pod: pod_ref("b"),
                why: NotDesiredReason::NoMatchingPort
            },
            NotDesiredPod {
                pod: pod_ref("x"),
                why: NotDesiredReason::NotAnEndpoint
            },
        ]
    );
}

#[test]
fn endpoints_without_a_known_pod_are_skipped() {
    let mut stale = endpoint("10.0.0.3", Some("c"), Some(true), None);
    if let Some(target) = stale.target_ref.as_mut() {
        target.uid = Some("uid-of-an-older-c".into());
    }
    let mut not_a_pod = endpoint("10.0.0.4", Some("d"), Some(true), None);
    if let Some(target) = not_a_pod.target_ref.as_mut() {
        target.kind = Some("Node".into());
    }
    let mut no_address = endpoint("10.0.0.5", Some("e"), Some(true), None);
    no_address.addresses.clear();
    let s = slice(
        "web-a",
        "web",
        "IPv4",
        vec![slice_port(Some("http"), 8080)],
        vec![
            endpoint("10.0.0.1", None, Some(true), None),
            endpoint("10.0.0.2", Some("gone"), Some(true), None),
            stale,
            not_a_pod,
            no_address,
        ],
    );
    let pods = [
        pod("c", "10.0.0.3", &[GATE], Some("True")),
        pod("d", "10.0.0.4", &[], None),
    ];
    let got = run(&[s], &pods, IpAddressType::Ipv4);
    assert!(got.targets.is_empty(), "{:?}", got.targets);
    assert_eq!(
        got.own_addresses,
        ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]
            .into_iter()
            .map(str::to_owned)
            .collect()
    );
    assert_eq!(
        got.not_desired,
        vec![NotDesiredPod {
            pod: pod_ref("c"),
            why: NotDesiredReason::NotAnEndpoint
        }]
    );
}

#[test]
fn duplicate_endpoints_across_slices_collapse() {
    let make = |name: &str| {
        slice(
            name,
            "web",
            "IPv4",
            vec![slice_port(Some("http"), 8080)],
            vec![endpoint("10.0.0.1", Some("a"), Some(true), None)],
        )
    };
    let got = run(
        &[make("s1"), make("s2")],
        &[pod("a", "10.0.0.1", &[], None)],
        IpAddressType::Ipv4,
    );
    assert_eq!(got.targets.len(), 1);
}

#[test]
fn gated_pods_being_deleted_outside_any_slice_are_terminating() {
    let pods = [
        deleting(pod("a", "10.0.0.1", &[GATE], Some("True"))),
        pod("b", "10.0.0.2", &[GATE], None),
    ];
    let got = run(&[], &pods, IpAddressType::Ipv4);
    let reasons: Vec<_> = got
        .not_desired
        .iter()
        .map(|n| (n.pod.name.as_str(), n.why))
        .collect();
    assert_eq!(
        reasons,
        vec![
            ("a", NotDesiredReason::Terminating),
            ("b", NotDesiredReason::NotAnEndpoint)
        ]
    );
}

#[test]
fn missing_service_port_is_a_problem() {
    let svc = web();
    let got = desired_ip_targets(IpTargetsInput {
        service: &svc,
        port_ref: ServicePortRef::Number(443),
        ip_address_type: IpAddressType::Ipv4,
        gate: GATE,
        slices: &[],
        pods: &[],
        nodes: None,
    });
    assert!(matches!(got, Err(PortProblem::PortNotOnService { .. })));
}

#[test]
fn serving_pod_ips_skip_deleted_finished_and_unready_pods() {
    let mut finished = pod("f", "10.0.0.6", &[], Some("True"));
    if let Some(status) = finished.status.as_mut() {
        status.phase = Some("Succeeded".into());
    }
    let mut dual = pod("d", "10.0.0.7", &[], Some("True"));
    if let Some(status) = dual.status.as_mut() {
        status.pod_ips = Some(vec![
            PodIP {
                ip: "10.0.0.7".into(),
            },
            PodIP {
                ip: "2001:db8::7".into(),
            },
        ]);
    }
    let pods = [
        pod("a", "10.0.0.1", &[], Some("True")),
        deleting(pod("b", "10.0.0.2", &[], Some("True"))),
        pod("c", "10.0.0.3", &[], Some("False")),
        pod("e", "10.0.0.5", &[], None),
        finished,
        dual,
    ];
    assert_eq!(
        serving_pod_ips(&pods),
        ["10.0.0.1", "10.0.0.7", "2001:db8::7"]
            .into_iter()
            .map(str::to_owned)
            .collect()
    );
}

fn on_node(mut p: Pod, node_name: &str) -> Pod {
    if let Some(spec) = p.spec.as_mut() {
        spec.node_name = Some(node_name.into());
    }
    p
}

#[test]
fn node_readiness_vouches_for_gated_not_ready_endpoints() {
    let nodes = [
        node("ready", None, Some("True"), &[], &[]),
        node("down", None, Some("False"), &[], &[]),
        node("silent", None, Some("Unknown"), &[], &[]),
        node("blank", None, None, &[], &[]),
    ];
    let gated = |name: &str, ip: &str, node_name: &str| {
        on_node(pod(name, ip, &[GATE], Some("True")), node_name)
    };
    let not_ready = |ip: &str, name: &str| endpoint(ip, Some(name), Some(false), Some(false));
    let run_with = |endpoints: Vec<Endpoint>, pods: &[Pod]| {
        let svc = web();
        let s = slice(
            "s",
            "web",
            "IPv4",
            vec![slice_port(Some("http"), 8080)],
            endpoints,
        );
        desired_ip_targets(IpTargetsInput {
            service: &svc,
            port_ref: ServicePortRef::Number(80),
            ip_address_type: IpAddressType::Ipv4,
            gate: GATE,
            slices: &[s],
            pods,
            nodes: Some(&nodes),
        })
        .unwrap()
    };
    let names = |got: &DesiredIpTargets| {
        got.targets
            .values()
            .map(|p| p.name.clone())
            .collect::<Vec<_>>()
    };
    let reasons = |got: &DesiredIpTargets| {
        got.not_desired
            .iter()
            .map(|n| (n.pod.name.clone(), n.why))
            .collect::<Vec<_>>()
    };

    // (node of the pod, desired?, reason when not)
    let cases = [
        ("ready", true, None),
        ("down", false, Some(NotDesiredReason::NodeNotReady)),
        ("blank", false, Some(NotDesiredReason::NodeNotReady)),
        ("missing", false, Some(NotDesiredReason::NodeNotReady)),
        ("silent", true, None),
    ];
    for (node_name, is_desired, reason) in cases {
        let pods = [gated("a", "10.0.0.1", node_name)];
        let got = run_with(vec![not_ready("10.0.0.1", "a")], &pods);
        assert_eq!(
            names(&got) == vec!["a".to_owned()],
            is_desired,
            "{node_name}"
        );
        assert_eq!(
            reasons(&got),
            reason
                .map(|r| ("a".to_owned(), r))
                .into_iter()
                .collect::<Vec<_>>(),
            "{node_name}"
        );
    }

    // Unknown nodes count only when nothing else does.
    let pods = [
        gated("a", "10.0.0.1", "silent"),
        on_node(pod("b", "10.0.0.2", &[], None), "down"),
    ];
    let got = run_with(
        vec![
            not_ready("10.0.0.1", "a"),
            endpoint("10.0.0.2", Some("b"), Some(true), None),
        ],
        &pods,
    );
    assert_eq!(
        names(&got),
        vec!["b".to_owned()],
        "ready endpoints need no node check"
    );
    assert_eq!(
        reasons(&got),
        vec![("a".to_owned(), NotDesiredReason::NodeNotReady)]
    );
}
