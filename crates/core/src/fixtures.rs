//! Builders for the Kubernetes objects the tables use (tests only).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Node, NodeCondition, NodeSpec, NodeStatus, ObjectReference, Pod, PodCondition,
    PodReadinessGate, PodSpec, PodStatus, Service, ServicePort, ServiceSpec, Taint,
};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::jiff::Timestamp;
use lbgate_api::consts::ENDPOINT_SLICE_SERVICE_NAME_LABEL;

pub const NS: &str = "shop";

pub fn ts(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + seconds).unwrap()
}

pub fn time(seconds: i64) -> Time {
    Time(ts(seconds))
}

pub fn service_port(name: Option<&str>, port: i32, node_port: Option<i32>) -> ServicePort {
    ServicePort {
        name: name.map(str::to_owned),
        port,
        node_port,
        protocol: Some("TCP".into()),
        ..ServicePort::default()
    }
}

pub fn service(name: &str, type_: Option<&str>, ports: Vec<ServicePort>) -> Service {
    Service {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(NS.into()),
            ..ObjectMeta::default()
        },
        spec: Some(ServiceSpec {
            type_: type_.map(str::to_owned),
            ports: Some(ports),
            ..ServiceSpec::default()
        }),
        status: None,
    }
}

pub fn slice_port(name: Option<&str>, port: i32) -> EndpointPort {
    EndpointPort {
        name: name.map(str::to_owned),
        port: Some(port),
        protocol: Some("TCP".into()),
        app_protocol: None,
    }
}

/// An endpoint: address, owning pod name, `ready`, `terminating`.
pub fn endpoint(
    address: &str,
    pod: Option<&str>,
    ready: Option<bool>,
    terminating: Option<bool>,
) -> Endpoint {
    Endpoint {
        addresses: vec![address.into()],
        conditions: Some(EndpointConditions {
            ready,
            serving: ready,
            terminating,
        }),
        target_ref: pod.map(|name| ObjectReference {
            kind: Some("Pod".into()),
            name: Some(name.into()),
            namespace: Some(NS.into()),
            ..ObjectReference::default()
        }),
        ..Endpoint::default()
    }
}

pub fn slice(
    name: &str,
    service: &str,
    address_type: &str,
    ports: Vec<EndpointPort>,
    endpoints: Vec<Endpoint>,
) -> EndpointSlice {
    EndpointSlice {
        address_type: address_type.into(),
        endpoints,
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(NS.into()),
            labels: Some(BTreeMap::from([(
                ENDPOINT_SLICE_SERVICE_NAME_LABEL.to_owned(),
                service.to_owned(),
            )])),
            ..ObjectMeta::default()
        },
        ports: Some(ports),
    }
}

/// A pod with a UID derived from its name, optional gates and `ContainersReady` status.
pub fn pod(name: &str, ip: &str, gates: &[&str], containers_ready: Option<&str>) -> Pod {
    Pod {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(NS.into()),
            uid: Some(format!("uid-{name}")),
            ..ObjectMeta::default()
        },
        spec: Some(PodSpec {
            readiness_gates: Some(
                gates
                    .iter()
                    .map(|gate| PodReadinessGate {
                        condition_type: (*gate).to_owned(),
                    })
                    .collect(),
            ),
            ..PodSpec::default()
        }),
        status: Some(PodStatus {
            pod_ip: Some(ip.into()),
            phase: Some("Running".into()),
            conditions: containers_ready.map(|status| {
                vec![PodCondition {
                    type_: "ContainersReady".into(),
                    status: status.into(),
                    ..PodCondition::default()
                }]
            }),
            ..PodStatus::default()
        }),
    }
}

pub fn deleting(mut pod: Pod) -> Pod {
    pod.metadata.deletion_timestamp = Some(time(0));
    pod
}

pub fn node(
    name: &str,
    provider_id: Option<&str>,
    ready: Option<&str>,
    labels: &[(&str, &str)],
    taints: &[(&str, &str)],
) -> Node {
    Node {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Some(
                labels
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            ),
            ..ObjectMeta::default()
        },
        spec: Some(NodeSpec {
            provider_id: provider_id.map(str::to_owned),
            taints: Some(
                taints
                    .iter()
                    .map(|(key, effect)| Taint {
                        key: (*key).to_owned(),
                        effect: (*effect).to_owned(),
                        ..Taint::default()
                    })
                    .collect(),
            ),
            ..NodeSpec::default()
        }),
        status: Some(NodeStatus {
            conditions: ready.map(|status| {
                vec![NodeCondition {
                    type_: "Ready".into(),
                    status: status.into(),
                    ..NodeCondition::default()
                }]
            }),
            ..NodeStatus::default()
        }),
    }
}
