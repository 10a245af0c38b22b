use lbgate_api::v1beta1::ServicePortRef;

use super::*;
use crate::fixtures::{service, service_port, slice, slice_port};

fn web_service(type_: Option<&str>) -> Service {
    service(
        "web",
        type_,
        vec![
            service_port(Some("http"), 80, Some(30080)),
            service_port(Some("admin"), 9000, None),
            service_port(Some("zero"), 9100, Some(0)),
        ],
    )
}

#[test]
fn service_port_resolves_by_number_or_name() {
    let svc = web_service(None);
    let cases: [(ServicePortRef<'_>, Option<i32>); 6] = [
        (ServicePortRef::Number(80), Some(80)),
        (ServicePortRef::Name("http"), Some(80)),
        (ServicePortRef::Name("admin"), Some(9000)),
        (ServicePortRef::Number(8080), None),
        // A numeric-looking string matches names only, as Kubernetes does.
        (ServicePortRef::Name("80"), None),
        (ServicePortRef::Name("missing"), None),
    ];
    for (port_ref, expected) in cases {
        let resolved = resolve_service_port(&svc, port_ref).map(|port| port.port);
        match expected {
            Some(port) => assert_eq!(resolved, Ok(port), "{port_ref}"),
            None => assert_eq!(
                resolved,
                Err(PortProblem::PortNotOnService {
                    service: "shop/web".into(),
                    port: port_ref.to_string()
                }),
                "{port_ref}"
            ),
        }
    }
}

#[test]
fn service_without_ports_has_no_port() {
    let mut svc = web_service(None);
    svc.spec = None;
    assert!(matches!(
        resolve_service_port(&svc, ServicePortRef::Number(80)),
        Err(PortProblem::PortNotOnService { .. })
    ));
}

#[test]
fn node_port_needs_the_right_service_type_and_a_real_node_port() {
    let cases: [(Option<&str>, ServicePortRef<'_>, Result<i32, &str>); 8] = [
        (Some("NodePort"), ServicePortRef::Number(80), Ok(30080)),
        (
            Some("LoadBalancer"),
            ServicePortRef::Name("http"),
            Ok(30080),
        ),
        (
            Some("NodePort"),
            ServicePortRef::Name("admin"),
            Err("NoNodePort"),
        ),
        (
            Some("LoadBalancer"),
            ServicePortRef::Name("zero"),
            Err("NoNodePort"),
        ),
        (
            Some("ClusterIP"),
            ServicePortRef::Number(80),
            Err("ServiceType"),
        ),
        (None, ServicePortRef::Number(80), Err("ServiceType")),
        (
            Some("ExternalName"),
            ServicePortRef::Number(80),
            Err("ServiceType"),
        ),
        (
            Some("NodePort"),
            ServicePortRef::Number(1),
            Err("PortNotOnService"),
        ),
    ];
    for (type_, port_ref, expected) in cases {
        let svc = web_service(type_);
        let got = resolve_node_port(&svc, port_ref);
        match (expected, got) {
            (Ok(want), Ok(got)) => assert_eq!(want, got),
            (Err("NoNodePort"), Err(PortProblem::NoNodePort { .. }))
            | (Err("ServiceType"), Err(PortProblem::ServiceTypeWithoutNodePorts { .. }))
            | (Err("PortNotOnService"), Err(PortProblem::PortNotOnService { .. })) => {}
            (want, got) => panic!("{type_:?} {port_ref}: wanted {want:?}, got {got:?}"),
        }
    }
}

#[test]
fn endpoint_slice_port_matches_name_and_protocol() {
    let http = service_port(Some("http"), 80, None);
    let unnamed = service_port(None, 80, None);
    let mut udp = service_port(Some("http"), 80, None);
    udp.protocol = Some("UDP".into());
    let cases = [
        (vec![slice_port(Some("http"), 8080)], &http, Some(8080)),
        (
            vec![
                slice_port(Some("admin"), 9000),
                slice_port(Some("http"), 8081),
            ],
            &http,
            Some(8081),
        ),
        (vec![slice_port(Some("admin"), 9000)], &http, None),
        (vec![slice_port(None, 8080)], &unnamed, Some(8080)),
        (vec![slice_port(Some(""), 8080)], &unnamed, Some(8080)),
        (vec![slice_port(Some("http"), 8080)], &unnamed, None),
        (vec![slice_port(Some("http"), 8080)], &udp, None),
        (vec![slice_port(Some("http"), 0)], &http, None),
        (vec![], &http, None),
    ];
    for (ports, service_port, expected) in cases {
        let s = slice("s", "web", "IPv4", ports.clone(), vec![]);
        assert_eq!(
            endpoint_slice_port(&s, service_port),
            expected,
            "{ports:?} vs {service_port:?}"
        );
    }
}

#[test]
fn problems_name_the_service_and_port() {
    let problem = PortProblem::NoNodePort {
        service: "shop/web".into(),
        port: "http".into(),
    };
    assert_eq!(
        problem.to_string(),
        "port http of Service shop/web has no node port"
    );
}
