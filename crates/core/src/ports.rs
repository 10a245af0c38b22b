//! Which port a target gets: `serviceRef.port` resolved against the Service, then the
//! EndpointSlice port (ip mode) or the node port (instance mode).
//!
//! Kubernetes' EndpointSlice controller has already resolved `targetPort` (named or numeric) per
//! pod, so ip mode reads the slice's port; it never resolves `targetPort` itself.

use std::fmt;

use k8s_openapi::api::core::v1::{Service, ServicePort};
use k8s_openapi::api::discovery::v1::{EndpointPort, EndpointSlice};
use lbgate_api::v1beta1::ServicePortRef;

/// Protocol of a Service or EndpointSlice port when the field is unset.
const DEFAULT_PROTOCOL: &str = "TCP";
/// Service types that allocate node ports.
const NODE_PORT_SERVICE_TYPES: [&str; 2] = ["NodePort", "LoadBalancer"];

/// Why a port could not be resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortProblem {
    /// No port of the Service matches `serviceRef.port`.
    PortNotOnService {
        /// The Service, as `namespace/name`.
        service: String,
        /// `serviceRef.port` as written.
        port: String,
    },
    /// Instance mode on a Service whose type allocates no node ports.
    ServiceTypeWithoutNodePorts {
        /// The Service, as `namespace/name`.
        service: String,
        /// Its type (`ClusterIP` when unset).
        service_type: String,
    },
    /// Instance mode on a Service port without a node port (for example
    /// `allocateLoadBalancerNodePorts: false`).
    NoNodePort {
        /// The Service, as `namespace/name`.
        service: String,
        /// `serviceRef.port` as written.
        port: String,
    },
}

impl fmt::Display for PortProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PortNotOnService { service, port } => {
                write!(f, "port {port} is not a port of Service {service}")
            }
            Self::ServiceTypeWithoutNodePorts {
                service,
                service_type,
            } => write!(
                f,
                "Service {service} has type {service_type}; instance targets need type NodePort or LoadBalancer"
            ),
            Self::NoNodePort { service, port } => {
                write!(f, "port {port} of Service {service} has no node port")
            }
        }
    }
}

impl std::error::Error for PortProblem {}

/// `namespace/name` of a Service, for messages.
pub fn service_display_name(service: &Service) -> String {
    format!(
        "{}/{}",
        service.metadata.namespace.as_deref().unwrap_or_default(),
        service.metadata.name.as_deref().unwrap_or_default()
    )
}

/// The Service port `port_ref` selects: a number matches `port`, a string matches `name`.
///
/// # Errors
/// [`PortProblem::PortNotOnService`] when no port matches.
pub fn resolve_service_port<'a>(
    service: &'a Service,
    port_ref: ServicePortRef<'_>,
) -> Result<&'a ServicePort, PortProblem> {
    let ports = service
        .spec
        .as_ref()
        .and_then(|spec| spec.ports.as_deref())
        .unwrap_or_default();
    port_ref
        .find_in(ports)
        .ok_or_else(|| PortProblem::PortNotOnService {
            service: service_display_name(service),
            port: port_ref.to_string(),
        })
}

/// The node port instance targets use for `port_ref`.
///
/// # Errors
/// [`PortProblem::PortNotOnService`], [`PortProblem::ServiceTypeWithoutNodePorts`] or
/// [`PortProblem::NoNodePort`] (a missing or zero `nodePort`).
pub fn resolve_node_port(
    service: &Service,
    port_ref: ServicePortRef<'_>,
) -> Result<i32, PortProblem> {
    let service_port = resolve_service_port(service, port_ref)?;
    let service_type = service
        .spec
        .as_ref()
        .and_then(|spec| spec.type_.as_deref())
        .unwrap_or("ClusterIP");
    if !NODE_PORT_SERVICE_TYPES.contains(&service_type) {
        return Err(PortProblem::ServiceTypeWithoutNodePorts {
            service: service_display_name(service),
            service_type: service_type.to_owned(),
        });
    }
    match service_port.node_port {
        Some(node_port) if node_port > 0 => Ok(node_port),
        _ => Err(PortProblem::NoNodePort {
            service: service_display_name(service),
            port: port_ref.to_string(),
        }),
    }
}

/// The port of `slice` that carries `service_port`: the entry with the same name (unset and
/// empty are the same) and protocol. `None` when the slice has no such entry, which happens for
/// slices of a pod that does not expose the port.
pub fn endpoint_slice_port(slice: &EndpointSlice, service_port: &ServicePort) -> Option<i32> {
    slice
        .ports
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find(|entry| slice_port_matches(entry, service_port))
        .and_then(|entry| entry.port)
        .filter(|port| (1..=65535).contains(port))
}

fn slice_port_matches(entry: &EndpointPort, service_port: &ServicePort) -> bool {
    let entry_name = entry.name.as_deref().unwrap_or_default();
    let service_name = service_port.name.as_deref().unwrap_or_default();
    let entry_protocol = entry.protocol.as_deref().unwrap_or(DEFAULT_PROTOCOL);
    let service_protocol = service_port.protocol.as_deref().unwrap_or(DEFAULT_PROTOCOL);
    entry_name == service_name && entry_protocol == service_protocol
}

#[cfg(test)]
mod tests;
