//! Where a webhook's `clientConfig.service` is reached.
//!
//! Two sources, in this order: a static map (`namespace/name` → one or more local addresses, for
//! webhook servers that run outside any simulated pod), then the cluster itself, the way
//! kube-apiserver's endpoint resolver does it: the Service must exist and be of type ClusterIP,
//! NodePort or LoadBalancer; its port numbered `clientConfig.service.port` names the endpoint port
//! to use; the ready endpoints of the Service's EndpointSlices (label
//! `kubernetes.io/service-name`) that carry a port of that name are the candidates. One candidate
//! is picked at random for every call, so that webhook replicas share the load.
//!
//! Errors are kube-apiserver's texts (they follow `Post "<url>": ` in the failed call's message).

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

use serde_json::Value;

/// The label that ties an EndpointSlice to its Service.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// Static addresses of webhook Services by `namespace/name`; a Service may have several.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceAddresses {
    by_service: BTreeMap<String, Vec<SocketAddr>>,
}

impl ServiceAddresses {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `addr` to the addresses of `service` (`namespace/name`).
    pub fn insert(&mut self, service: impl Into<String>, addr: SocketAddr) {
        let addresses = self.by_service.entry(service.into()).or_default();
        if !addresses.contains(&addr) {
            addresses.push(addr);
        }
    }

    /// Parses `namespace/name=HOST:PORT` (the `--webhook-service` flag) and adds it.
    pub fn insert_spec(&mut self, spec: &str) -> Result<(), String> {
        let (service, addr) = parse_spec(spec)?;
        self.insert(service, addr);
        Ok(())
    }

    /// The static addresses of `service` (`namespace/name`), `None` when it has no entry.
    pub fn get(&self, service: &str) -> Option<&[SocketAddr]> {
        self.by_service.get(service).map(Vec::as_slice)
    }

    pub fn is_empty(&self) -> bool {
        self.by_service.is_empty()
    }

    /// Every entry, ordered by service.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[SocketAddr])> {
        self.by_service
            .iter()
            .map(|(service, addrs)| (service.as_str(), addrs.as_slice()))
    }
}

/// `namespace/name=HOST:PORT` → (`namespace/name`, address).
pub fn parse_spec(spec: &str) -> Result<(String, SocketAddr), String> {
    let (service, addr) = spec
        .split_once('=')
        .ok_or_else(|| format!("{spec:?}: expected namespace/name=HOST:PORT"))?;
    let valid = service
        .split_once('/')
        .is_some_and(|(ns, name)| !ns.is_empty() && !name.is_empty() && !name.contains('/'));
    if !valid {
        return Err(format!("{spec:?}: the service must be namespace/name"));
    }
    let addr: SocketAddr = addr
        .parse()
        .map_err(|e| format!("{spec:?}: address {addr:?}: {e}"))?;
    Ok((service.to_owned(), addr))
}

/// What the API server knows for resolving webhook Services.
pub trait ServiceResolver: Send + Sync {
    /// Every address a call to port `port` of Service `namespace/name` may go to (never empty),
    /// or the reason the dial fails.
    fn candidates(&self, namespace: &str, name: &str, port: i64)
    -> Result<Vec<SocketAddr>, String>;

    /// The index of the candidate to call among `count` (at least 1).
    fn pick(&self, count: usize) -> usize {
        let _ = count;
        0
    }
}

/// Only the static map: the first address of a Service, and "not found" for others.
impl ServiceResolver for ServiceAddresses {
    fn candidates(
        &self,
        namespace: &str,
        name: &str,
        _port: i64,
    ) -> Result<Vec<SocketAddr>, String> {
        match self.get(&format!("{namespace}/{name}")) {
            Some(addrs) if !addrs.is_empty() => Ok(addrs.to_vec()),
            _ => Err(not_found(name)),
        }
    }
}

/// client-go's NotFound text for a Service the lister does not have.
pub fn not_found(name: &str) -> String {
    format!("service {name:?} not found")
}

/// The candidates of a stored Service (`service`, `None` when absent) from its EndpointSlices,
/// as kube-apiserver's endpoint resolver chooses them.
pub fn endpoints_of(
    name: &str,
    service: Option<&Value>,
    slices: &[Value],
    port: i64,
) -> Result<Vec<SocketAddr>, String> {
    let Some(service) = service else {
        return Err(not_found(name));
    };
    let kind = service
        .pointer("/spec/type")
        .and_then(Value::as_str)
        .unwrap_or("ClusterIP");
    if !matches!(kind, "ClusterIP" | "NodePort" | "LoadBalancer") {
        return Err(format!("unsupported service type {kind:?}"));
    }
    let ports = service
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let Some(port_name) = ports
        .iter()
        .find(|p| p.get("port").and_then(Value::as_i64) == Some(port))
        .map(|p| p.get("name").and_then(Value::as_str).unwrap_or_default())
    else {
        return Err(format!("no service port {port} found for service {name:?}"));
    };
    let mut found = Vec::new();
    for slice in slices {
        if slice
            .pointer("/metadata/labels/kubernetes.io~1service-name")
            .and_then(Value::as_str)
            != Some(name)
        {
            continue;
        }
        // Endpoint ports are named after the Service port they serve (its targetPort resolved).
        let Some(number) = slice
            .get("ports")
            .and_then(Value::as_array)
            .and_then(|ports| {
                ports.iter().find(|p| {
                    p.get("name").and_then(Value::as_str).unwrap_or_default() == port_name
                })
            })
            .and_then(|p| p.get("port").and_then(Value::as_i64))
            .and_then(|n| u16::try_from(n).ok())
        else {
            continue;
        };
        let endpoints = slice
            .get("endpoints")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for endpoint in endpoints {
            // An absent `ready` means ready, as the API documents it.
            let ready = endpoint
                .pointer("/conditions/ready")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            if !ready {
                continue;
            }
            let addresses = endpoint.get("addresses").and_then(Value::as_array);
            // Only the first address of an endpoint is used, as by every consumer of slices.
            let Some(ip) = addresses
                .and_then(|a| a.first())
                .and_then(Value::as_str)
                .and_then(|a| a.parse::<IpAddr>().ok())
            else {
                continue;
            };
            let addr = SocketAddr::new(ip, number);
            if !found.contains(&addr) {
                found.push(addr);
            }
        }
    }
    if found.is_empty() {
        return Err(format!("no endpoints available for service {name:?}"));
    }
    Ok(found)
}

#[cfg(test)]
mod tests;
