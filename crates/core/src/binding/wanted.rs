//! What a binding wants registered, in its target type, and the facts the diff needs about it:
//! the IDs its targets may carry (ours to adopt) and the IDs whose pod or node still serves.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Pod, Service};
use lbgate_api::TargetGroupBinding;
use lbgate_api::v1beta1::TargetType;

use super::ClusterView;
use crate::endpoints::{IpTargetsInput, PodRef, desired_ip_targets, serving_pod_ips};
use crate::instance::{desired_instance_targets, instance_id, serving_instance_ids};
use crate::ports::resolve_node_port;
use crate::target::TargetKey;

/// Desired targets and the facts the diff needs about them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wanted {
    /// Each desired target and the pod behind it (ip mode only).
    pub targets: BTreeMap<TargetKey, Option<PodRef>>,
    /// IDs a target of this binding may carry.
    pub own_addresses: BTreeSet<String>,
    /// IDs whose pod or node still serves.
    pub serving_ids: BTreeSet<String>,
}

impl Wanted {
    /// The desired targets.
    pub fn keys(&self) -> BTreeSet<TargetKey> {
        self.targets.keys().cloned().collect()
    }
}

/// The desired targets of `binding` in `mode`; the message says why they cannot be computed
/// (validation normally reports such input first).
pub(crate) fn wanted(
    binding: &TargetGroupBinding,
    service: &Service,
    mode: TargetType,
    cluster: &ClusterView<'_>,
    gate: &str,
) -> Result<Wanted, String> {
    let spec = &binding.spec;
    match mode {
        TargetType::Ip => {
            let found = desired_ip_targets(IpTargetsInput {
                service,
                port_ref: spec.service_ref.port_ref(),
                ip_address_type: spec.ip_address_type_or_default(),
                gate,
                slices: cluster.slices,
                pods: cluster.pods,
                nodes: Some(cluster.nodes),
            })
            .map_err(|problem| problem.to_string())?;
            let mut own_addresses = found.own_addresses;
            own_addresses.extend(pod_ips(cluster.pods));
            Ok(Wanted {
                targets: found
                    .targets
                    .into_iter()
                    .map(|(key, pod)| (key, Some(pod)))
                    .collect(),
                own_addresses,
                serving_ids: serving_pod_ips(cluster.pods),
            })
        }
        TargetType::Instance => {
            let node_port = resolve_node_port(service, spec.service_ref.port_ref())
                .map_err(|problem| problem.to_string())?;
            let found =
                desired_instance_targets(cluster.nodes, spec.node_selector.as_ref(), node_port)
                    .map_err(|problem| problem.to_string())?;
            Ok(Wanted {
                targets: found.targets.into_keys().map(|key| (key, None)).collect(),
                own_addresses: cluster
                    .nodes
                    .iter()
                    .filter_map(|node| instance_id(node).ok())
                    .collect(),
                serving_ids: serving_instance_ids(cluster.nodes),
            })
        }
    }
}

/// The addresses a deleted binding may have registered without its ledger knowing (a switch-over
/// from another controller): every IP of the namespace's pods and every endpoint address of its
/// Service's slices, whatever their family.
pub(crate) fn addresses_at_deletion(cluster: &ClusterView<'_>) -> BTreeSet<String> {
    let mut addresses = pod_ips(cluster.pods);
    addresses.extend(
        cluster
            .slices
            .iter()
            .flat_map(|slice| slice.endpoints.iter())
            .filter_map(|endpoint| endpoint.addresses.first().cloned()),
    );
    addresses
}

/// Every IP of these pods: targets on them are this namespace's, so ours to adopt.
fn pod_ips(pods: &[Pod]) -> BTreeSet<String> {
    pods.iter()
        .filter_map(|pod| pod.status.as_ref())
        .flat_map(|status| {
            let listed = status.pod_ips.iter().flatten().map(|ip| ip.ip.clone());
            status.pod_ip.clone().into_iter().chain(listed)
        })
        .collect()
}
