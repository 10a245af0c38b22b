//! Desired targets in ip mode: the Service's EndpointSlices of the binding's address family,
//! each endpoint's pod looked up by `targetRef`.
//!
//! A ready endpoint counts. A not-ready endpoint counts when its pod carries this binding's gate,
//! its containers are ready and it is not terminating: the gate itself keeps the pod un-Ready, so
//! waiting for Ready would deadlock. A pod being deleted never counts, so its target is
//! deregistered at once, before its containers stop.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Node, Pod, Service};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointSlice};
use lbgate_api::consts::ENDPOINT_SLICE_SERVICE_NAME_LABEL;
use lbgate_api::v1beta1::{IpAddressType, ServicePortRef};

use crate::gates::carries_gate;
use crate::ports::{PortProblem, endpoint_slice_port, resolve_service_port};
use crate::target::TargetKey;

/// Pod condition that says every container passes its readiness probe.
const CONTAINERS_READY: &str = "ContainersReady";
/// Pod phases after which a pod serves nothing.
const FINISHED_PHASES: [&str; 2] = ["Succeeded", "Failed"];

/// The pod behind a target, enough to patch its status with a UID precondition.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PodRef {
    /// Namespace of the pod.
    pub namespace: String,
    /// Name of the pod.
    pub name: String,
    /// UID of the pod (empty when the cache had none).
    pub uid: String,
}

impl PodRef {
    /// The reference to `pod`, or `None` when it has no name.
    pub fn of(pod: &Pod) -> Option<Self> {
        Some(Self {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            name: pod.metadata.name.clone()?,
            uid: pod.metadata.uid.clone().unwrap_or_default(),
        })
    }

    /// `namespace/name`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// Why a pod that carries this binding's gate is not a desired target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NotDesiredReason {
    /// The pod is being deleted, or its endpoint is terminating.
    Terminating,
    /// Its endpoint is not ready and its containers are not ready either.
    ContainersNotReady,
    /// Its endpoint is not ready and its node is not Ready (or gone).
    NodeNotReady,
    /// Its endpoint carries no port matching the Service port.
    NoMatchingPort,
    /// No endpoint of the Service (of the binding's address family) points at it.
    NotAnEndpoint,
}

/// A gated pod that is not a desired target, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotDesiredPod {
    /// The pod.
    pub pod: PodRef,
    /// Why it is not desired.
    pub why: NotDesiredReason,
}

/// What ip mode wants registered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DesiredIpTargets {
    /// Each desired target and the pod it belongs to.
    pub targets: BTreeMap<TargetKey, PodRef>,
    /// Every address of this Service's endpoints (ready or not): a target on one of them is this
    /// binding's to adopt at switch-over from another controller.
    pub own_addresses: BTreeSet<String>,
    /// Pods that carry this binding's gate but are not desired, sorted by pod.
    pub not_desired: Vec<NotDesiredPod>,
}

/// Inputs of [`desired_ip_targets`].
#[derive(Clone, Copy, Debug)]
pub struct IpTargetsInput<'a> {
    /// The binding's Service.
    pub service: &'a Service,
    /// `spec.serviceRef.port` of the binding.
    pub port_ref: ServicePortRef<'a>,
    /// Address family of the binding.
    pub ip_address_type: IpAddressType,
    /// This binding's readiness-gate condition type.
    pub gate: &'a str,
    /// EndpointSlices (those not of this Service are ignored).
    pub slices: &'a [EndpointSlice],
    /// Pods that may back the endpoints; usually the pods of the binding's namespace.
    pub pods: &'a [Pod],
    /// Nodes, when the caller watches them: a not-ready endpoint then also needs its pod's node
    /// Ready (Unknown only when no endpoint qualifies otherwise), as LBC checks. `None` skips
    /// the check.
    pub nodes: Option<&'a [Node]>,
}

/// Computes the desired targets of an ip-mode binding.
///
/// # Errors
/// [`PortProblem::PortNotOnService`] when `serviceRef.port` is not a port of the Service.
pub fn desired_ip_targets(input: IpTargetsInput<'_>) -> Result<DesiredIpTargets, PortProblem> {
    let service_port = resolve_service_port(input.service, input.port_ref)?;
    let service_name = input.service.metadata.name.as_deref().unwrap_or_default();
    let service_namespace = input
        .service
        .metadata
        .namespace
        .as_deref()
        .unwrap_or_default();
    let pods: BTreeMap<(&str, &str), &Pod> = input
        .pods
        .iter()
        .filter_map(|pod| {
            let namespace = pod.metadata.namespace.as_deref().unwrap_or_default();
            Some(((namespace, pod.metadata.name.as_deref()?), pod))
        })
        .collect();
    let nodes = input.nodes.map(|nodes| {
        nodes
            .iter()
            .filter_map(|node| Some((node.metadata.name.as_deref()?, node)))
            .collect::<BTreeMap<&str, &Node>>()
    });

    let mut desired = DesiredIpTargets::default();
    let mut on_unknown_nodes: BTreeMap<TargetKey, PodRef> = BTreeMap::new();
    let mut reasons: BTreeMap<PodRef, NotDesiredReason> = BTreeMap::new();
    let slices = input.slices.iter().filter(|slice| {
        belongs_to_service(slice, service_namespace, service_name)
            && slice.address_type == address_type_of_slices(input.ip_address_type)
    });
    for slice in slices {
        let port = endpoint_slice_port(slice, service_port);
        for endpoint in &slice.endpoints {
            let Some(address) = endpoint.addresses.first() else {
                continue;
            };
            desired.own_addresses.insert(address.clone());
            let Some(pod) = endpoint_pod(endpoint, service_namespace, &pods) else {
                continue;
            };
            let Some(pod_ref) = PodRef::of(pod) else {
                continue;
            };
            match endpoint_verdict(endpoint, pod, input.gate, port, nodes.as_ref()) {
                Ok(Admission::Admitted(port)) => {
                    desired
                        .targets
                        .insert(TargetKey::new(address.clone(), port), pod_ref);
                }
                Ok(Admission::NodeUnknown(port)) => {
                    on_unknown_nodes.insert(TargetKey::new(address.clone(), port), pod_ref);
                }
                Err(why) => {
                    reasons
                        .entry(pod_ref)
                        .and_modify(|seen| *seen = (*seen).min(why))
                        .or_insert(why);
                }
            }
        }
    }
    // LBC's fail-open: endpoints on nodes of unknown health count only when nothing else does.
    if desired.targets.is_empty() {
        desired.targets = on_unknown_nodes;
    } else {
        for pod_ref in on_unknown_nodes.into_values() {
            reasons
                .entry(pod_ref)
                .or_insert(NotDesiredReason::NodeNotReady);
        }
    }

    let desired_pods: BTreeSet<&PodRef> = desired.targets.values().collect();
    let mut not_desired: Vec<NotDesiredPod> = input
        .pods
        .iter()
        .filter(|pod| pod.metadata.namespace.as_deref().unwrap_or_default() == service_namespace)
        .filter(|pod| carries_gate(pod, input.gate))
        .filter_map(|pod| Some((PodRef::of(pod)?, pod)))
        .filter(|(pod_ref, _)| !desired_pods.contains(pod_ref))
        .map(|(pod_ref, pod)| {
            let why = match reasons.get(&pod_ref) {
                Some(why) => *why,
                None if is_being_deleted(pod) => NotDesiredReason::Terminating,
                None => NotDesiredReason::NotAnEndpoint,
            };
            NotDesiredPod { pod: pod_ref, why }
        })
        .collect();
    not_desired.sort_by(|a, b| a.pod.cmp(&b.pod));
    not_desired.dedup();
    desired.not_desired = not_desired;
    Ok(desired)
}

/// Pod IPs of pods that still serve: they exist, are not being deleted, have not finished and
/// their containers are ready. A surplus target on one of these may be held for
/// make-before-break; a pod failing its readiness probe is not worth holding.
pub fn serving_pod_ips(pods: &[Pod]) -> BTreeSet<String> {
    pods.iter()
        .filter(|pod| !is_being_deleted(pod) && containers_ready(pod))
        .filter(|pod| {
            let phase = pod
                .status
                .as_ref()
                .and_then(|status| status.phase.as_deref());
            !phase.is_some_and(|phase| FINISHED_PHASES.contains(&phase))
        })
        .filter_map(|pod| pod.status.as_ref())
        .flat_map(|status| {
            let listed = status
                .pod_ips
                .iter()
                .flatten()
                .map(|pod_ip| pod_ip.ip.clone());
            status.pod_ip.clone().into_iter().chain(listed)
        })
        .collect()
}

/// Whether `pod` has a deletionTimestamp.
pub fn is_being_deleted(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_some()
}

fn address_type_of_slices(ip_address_type: IpAddressType) -> &'static str {
    match ip_address_type {
        IpAddressType::Ipv4 => "IPv4",
        IpAddressType::Ipv6 => "IPv6",
    }
}

fn belongs_to_service(slice: &EndpointSlice, namespace: &str, name: &str) -> bool {
    let in_namespace = slice
        .metadata
        .namespace
        .as_deref()
        .is_none_or(|slice_namespace| slice_namespace == namespace);
    let labelled = slice
        .metadata
        .labels
        .as_ref()
        .and_then(|labels| labels.get(ENDPOINT_SLICE_SERVICE_NAME_LABEL))
        .is_some_and(|service| service == name);
    in_namespace && labelled
}

fn endpoint_pod<'a>(
    endpoint: &Endpoint,
    service_namespace: &str,
    pods: &BTreeMap<(&str, &str), &'a Pod>,
) -> Option<&'a Pod> {
    let target = endpoint.target_ref.as_ref()?;
    if target.kind.as_deref() != Some("Pod") {
        return None;
    }
    let namespace = target.namespace.as_deref().unwrap_or(service_namespace);
    let pod = *pods.get(&(namespace, target.name.as_deref()?))?;
    // An endpoint naming a pod that was since recreated under the same name is stale.
    let same_pod = match (target.uid.as_deref(), pod.metadata.uid.as_deref()) {
        (Some(endpoint_uid), Some(pod_uid)) => endpoint_uid == pod_uid,
        _ => true,
    };
    same_pod.then_some(pod)
}

/// How an endpoint that counts was admitted.
enum Admission {
    /// Ready, or held back only by a gate on a Ready node.
    Admitted(i32),
    /// Held back only by a gate, on a node whose Ready status is Unknown.
    NodeUnknown(i32),
}

fn endpoint_verdict(
    endpoint: &Endpoint,
    pod: &Pod,
    gate: &str,
    port: Option<i32>,
    nodes: Option<&BTreeMap<&str, &Node>>,
) -> Result<Admission, NotDesiredReason> {
    let conditions = endpoint.conditions.as_ref();
    let terminating = conditions.and_then(|c| c.terminating).unwrap_or(false);
    if is_being_deleted(pod) || terminating {
        return Err(NotDesiredReason::Terminating);
    }
    let port = port.ok_or(NotDesiredReason::NoMatchingPort)?;
    // Kubernetes asks consumers to read an unset `ready` as ready.
    if conditions.and_then(|c| c.ready).unwrap_or(true) {
        return Ok(Admission::Admitted(port));
    }
    if !(carries_gate(pod, gate) && containers_ready(pod)) {
        return Err(NotDesiredReason::ContainersNotReady);
    }
    let Some(nodes) = nodes else {
        return Ok(Admission::Admitted(port));
    };
    // ContainersReady on a node that stopped reporting is stale, so the node must vouch for it.
    let node = pod
        .spec
        .as_ref()
        .and_then(|spec| spec.node_name.as_deref())
        .and_then(|name| nodes.get(name));
    match node.and_then(|node| node_ready_status(node)) {
        Some("True") => Ok(Admission::Admitted(port)),
        Some("Unknown") => Ok(Admission::NodeUnknown(port)),
        _ => Err(NotDesiredReason::NodeNotReady),
    }
}

fn node_ready_status(node: &Node) -> Option<&str> {
    node.status
        .as_ref()
        .and_then(|status| status.conditions.as_deref())
        .unwrap_or_default()
        .iter()
        .find(|condition| condition.type_ == "Ready")
        .map(|condition| condition.status.as_str())
}

fn containers_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|status| status.conditions.as_deref())
        .unwrap_or_default()
        .iter()
        .any(|condition| condition.type_ == CONTAINERS_READY && condition.status == "True")
}

#[cfg(test)]
mod tests;
