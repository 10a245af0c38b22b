//! What a pass reads from the stores, turned into core's inputs: desired targets, the IDs the
//! binding may own and the IDs that still serve.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Node, Pod, Service};
use lbgate_api::TargetGroupBinding;
use lbgate_api::v1beta1::TargetType;
use lbgate_core::endpoints::{IpTargetsInput, PodRef, desired_ip_targets, serving_pod_ips};
use lbgate_core::instance::{desired_instance_targets, instance_id, serving_instance_ids};
use lbgate_core::ports::resolve_node_port;
use lbgate_core::target::TargetKey;

use crate::context::Context;

/// Desired targets and the facts the diff needs about them.
#[derive(Debug, Default)]
pub(crate) struct Desired {
    /// Target → the pod behind it (ip mode only).
    pub targets: BTreeMap<TargetKey, Option<PodRef>>,
    /// IDs a target of this binding may carry.
    pub own_addresses: BTreeSet<String>,
    /// IDs whose pod or node still serves.
    pub serving_ids: BTreeSet<String>,
    /// The namespace's pods (ip mode), for gates.
    pub pods: Vec<Pod>,
}

impl Desired {
    pub(crate) fn keys(&self) -> BTreeSet<TargetKey> {
        self.targets.keys().cloned().collect()
    }
}

/// Why desired targets could not be computed (validation normally catches these first).
#[derive(Debug)]
pub(crate) struct InputProblem(pub String);

/// Desired targets of a binding in `mode`.
pub(crate) fn desired(
    ctx: &Context,
    binding: &TargetGroupBinding,
    namespace: &str,
    service: &Service,
    mode: TargetType,
    gate: &str,
) -> Result<Desired, InputProblem> {
    let spec = &binding.spec;
    let nodes: Vec<Node> = ctx.stores.nodes();
    match mode {
        TargetType::Ip => {
            let pods = ctx.stores.pods_in(namespace);
            let slices = ctx.stores.slices_of(namespace, &spec.service_ref.name);
            let found = desired_ip_targets(IpTargetsInput {
                service,
                port_ref: spec.service_ref.port_ref(),
                ip_address_type: spec.ip_address_type_or_default(),
                gate,
                slices: &slices,
                pods: &pods,
                nodes: Some(&nodes),
            })
            .map_err(|problem| InputProblem(problem.to_string()))?;
            let mut own_addresses = found.own_addresses;
            own_addresses.extend(pod_ips(&pods));
            Ok(Desired {
                targets: found
                    .targets
                    .into_iter()
                    .map(|(key, pod)| (key, Some(pod)))
                    .collect(),
                own_addresses,
                serving_ids: serving_pod_ips(&pods),
                pods,
            })
        }
        TargetType::Instance => {
            let node_port = resolve_node_port(service, spec.service_ref.port_ref())
                .map_err(|problem| InputProblem(problem.to_string()))?;
            let found = desired_instance_targets(&nodes, spec.node_selector.as_ref(), node_port)
                .map_err(|problem| InputProblem(problem.to_string()))?;
            Ok(Desired {
                targets: found.targets.into_keys().map(|key| (key, None)).collect(),
                own_addresses: nodes.iter().filter_map(|n| instance_id(n).ok()).collect(),
                serving_ids: serving_instance_ids(&nodes),
                pods: Vec::new(),
            })
        }
    }
}

/// Every IP of these pods: targets on them are this namespace's, so ours to adopt.
pub(crate) fn pod_ips(pods: &[Pod]) -> BTreeSet<String> {
    pods.iter()
        .filter_map(|pod| pod.status.as_ref())
        .flat_map(|status| {
            let listed = status.pod_ips.iter().flatten().map(|ip| ip.ip.clone());
            status.pod_ip.clone().into_iter().chain(listed)
        })
        .collect()
}
