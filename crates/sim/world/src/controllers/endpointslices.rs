//! The EndpointSlice controller: for every Service with a selector, slices of its pods'
//! addresses (`addressType: IPv4`, at most 100 endpoints each, one set of slices per distinct
//! resolved port list) labelled `kubernetes.io/service-name` and owned by the Service.
//!
//! Endpoint conditions are set as Kubernetes sets them: `serving` = the pod is Ready,
//! `terminating` = the pod has a deletion timestamp, `ready` = serving and not terminating, or
//! always true when the Service publishes not-ready addresses. Pods without an address or in a
//! terminal phase are left out. A named `targetPort` resolves through each pod's container ports;
//! a pod without that port gets no port of that name.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, Pod, Service, ServicePort};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::Api;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;

use super::replicaset::{controller_uid, ready_since};
use super::runtime::{Ctx, Reconciler, call, is_race};

pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
const MANAGED_BY_LABEL: &str = "endpointslice.kubernetes.io/managed-by";
const MANAGED_BY: &str = "endpointslice-controller.k8s.io";
const MAX_ENDPOINTS: usize = 100;

pub struct EndpointSlices {
    pub ctx: Ctx,
}

fn selects(selector: &BTreeMap<String, String>, pod: &Pod) -> bool {
    let labels = pod.metadata.labels.as_ref();
    selector
        .iter()
        .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
}

/// The pod's port for one Service port, if it has one.
fn resolve(port: &ServicePort, pod: &Pod) -> Option<EndpointPort> {
    let protocol = port.protocol.clone().unwrap_or_else(|| "TCP".to_owned());
    let number = match &port.target_port {
        None => port.port,
        Some(IntOrString::Int(n)) => *n,
        Some(IntOrString::String(name)) => {
            pod.spec
                .as_ref()?
                .containers
                .iter()
                .flat_map(|c| c.ports.iter().flatten())
                .find(|p| {
                    p.name.as_deref() == Some(name)
                        && p.protocol.as_deref().unwrap_or("TCP") == protocol
                })?
                .container_port
        }
    };
    Some(EndpointPort {
        name: Some(port.name.clone().unwrap_or_default()),
        port: Some(number),
        protocol: Some(protocol),
        app_protocol: port.app_protocol.clone(),
    })
}

fn endpoint(
    pod: &Pod,
    publish_not_ready: bool,
    zones: &BTreeMap<String, String>,
) -> Option<Endpoint> {
    let ip = pod.status.as_ref()?.pod_ip.clone()?;
    let serving = ready_since(pod).is_some();
    let terminating = pod.metadata.deletion_timestamp.is_some();
    let node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
    let value = json!({
        "addresses": [ip],
        "conditions": {
            "ready": publish_not_ready || (serving && !terminating),
            "serving": serving,
            "terminating": terminating,
        },
        "nodeName": node,
        "zone": node.as_ref().and_then(|n| zones.get(n)),
        "targetRef": {
            "kind": "Pod", "namespace": pod.metadata.namespace, "name": pod.metadata.name,
            "uid": pod.metadata.uid,
        },
    });
    serde_json::from_value(value).ok()
}

impl EndpointSlices {
    async fn sync(
        &self,
        svc: &Service,
        pods: &[Pod],
        zones: &BTreeMap<String, String>,
        existing: Vec<&EndpointSlice>,
    ) -> Result<(), kube::Error> {
        let (Some(ns), Some(name), Some(spec)) =
            (&svc.metadata.namespace, &svc.metadata.name, &svc.spec)
        else {
            return Ok(());
        };
        let Some(selector) = spec.selector.as_ref().filter(|s| !s.is_empty()) else {
            return Ok(());
        };
        let publish = spec.publish_not_ready_addresses == Some(true);
        let ports = spec.ports.clone().unwrap_or_default();
        // Endpoints grouped by the ports they resolve to.
        let mut groups: BTreeMap<String, (Vec<EndpointPort>, Vec<Endpoint>)> = BTreeMap::new();
        let mut members: Vec<&Pod> = pods
            .iter()
            .filter(|p| p.metadata.namespace.as_ref() == Some(ns) && selects(selector, p))
            .filter(|p| {
                !matches!(
                    p.status.as_ref().and_then(|s| s.phase.as_deref()),
                    Some("Succeeded" | "Failed")
                )
            })
            .collect();
        members.sort_by_key(|p| p.metadata.name.clone());
        for pod in members {
            let Some(endpoint) = endpoint(pod, publish, zones) else {
                continue;
            };
            let resolved: Vec<EndpointPort> =
                ports.iter().filter_map(|port| resolve(port, pod)).collect();
            let key = serde_json::to_string(&resolved).map_err(kube::Error::SerdeError)?;
            groups
                .entry(key)
                .or_insert_with(|| (resolved, Vec::new()))
                .1
                .push(endpoint);
        }
        let mut wanted: Vec<(Vec<EndpointPort>, Vec<Endpoint>)> = Vec::new();
        for (_, (ports, endpoints)) in groups {
            for chunk in endpoints.chunks(MAX_ENDPOINTS) {
                wanted.push((ports.clone(), chunk.to_vec()));
            }
        }
        if wanted.is_empty() {
            // Kubernetes keeps one empty slice per Service so that consumers see "no endpoints".
            wanted.push((Vec::new(), Vec::new()));
        }
        let api: Api<EndpointSlice> = Api::namespaced(self.ctx.client.clone(), ns);
        let mut unused: Vec<&EndpointSlice> = existing;
        for (ports, endpoints) in wanted {
            let ports_of = |s: &EndpointSlice| s.ports.clone().unwrap_or_default();
            let position = unused
                .iter()
                .position(|s| ports_of(s) == ports)
                .or(if unused.is_empty() { None } else { Some(0) });
            let body = json!({"ports": ports, "endpoints": endpoints});
            if let Some(index) = position {
                let slice = unused.remove(index);
                if ports_of(slice) == ports && slice.endpoints == endpoints {
                    continue;
                }
                let Some(slice_name) = &slice.metadata.name else {
                    continue;
                };
                match call(api.patch(slice_name, &PatchParams::default(), &Patch::Merge(&body)))
                    .await
                {
                    Ok(_) => {}
                    Err(error) if is_race(&error) => {}
                    Err(error) => return Err(error),
                }
            } else {
                let mut labels = svc.metadata.labels.clone().unwrap_or_default();
                labels.insert(SERVICE_NAME_LABEL.to_owned(), name.clone());
                labels.insert(MANAGED_BY_LABEL.to_owned(), MANAGED_BY.to_owned());
                let slice = json!({
                    "apiVersion": "discovery.k8s.io/v1",
                    "kind": "EndpointSlice",
                    "metadata": {
                        "generateName": format!("{name}-"),
                        "namespace": ns,
                        "labels": labels,
                        "ownerReferences": [{
                            "apiVersion": "v1", "kind": "Service", "name": name, "uid": svc.metadata.uid,
                            "controller": true, "blockOwnerDeletion": true,
                        }],
                    },
                    "addressType": "IPv4",
                    "ports": ports,
                    "endpoints": endpoints,
                });
                let slice: EndpointSlice =
                    serde_json::from_value(slice).map_err(kube::Error::SerdeError)?;
                call(api.create(&PostParams::default(), &slice)).await?;
            }
        }
        for slice in unused {
            self.delete(slice).await?;
        }
        Ok(())
    }

    async fn delete(&self, slice: &EndpointSlice) -> Result<(), kube::Error> {
        let (Some(ns), Some(name)) = (&slice.metadata.namespace, &slice.metadata.name) else {
            return Ok(());
        };
        let api: Api<EndpointSlice> = Api::namespaced(self.ctx.client.clone(), ns);
        match call(api.delete(name, &DeleteParams::default())).await {
            Ok(_) => Ok(()),
            Err(error) if is_race(&error) => Ok(()),
            Err(error) => Err(error),
        }
    }
}

impl Reconciler for EndpointSlices {
    async fn reconcile(&mut self) -> Result<Option<Duration>, kube::Error> {
        let client = self.ctx.client.clone();
        let services =
            call(Api::<Service>::all(client.clone()).list(&ListParams::default())).await?;
        let pods = call(Api::<Pod>::all(client.clone()).list(&ListParams::default())).await?;
        let nodes = call(Api::<Node>::all(client.clone()).list(&ListParams::default())).await?;
        let managed = ListParams::default().labels(&format!("{MANAGED_BY_LABEL}={MANAGED_BY}"));
        let slices = call(Api::<EndpointSlice>::all(client).list(&managed)).await?;
        let zones: BTreeMap<String, String> = nodes
            .items
            .iter()
            .filter_map(|n| {
                let zone = n
                    .metadata
                    .labels
                    .as_ref()?
                    .get("topology.kubernetes.io/zone")?;
                Some((n.metadata.name.clone()?, zone.clone()))
            })
            .collect();
        let mut live = BTreeSet::new();
        for svc in &services.items {
            let Some(uid) = svc.metadata.uid.as_deref() else {
                continue;
            };
            let has_selector = svc
                .spec
                .as_ref()
                .and_then(|s| s.selector.as_ref())
                .is_some_and(|s| !s.is_empty());
            if !has_selector {
                continue;
            }
            live.insert(uid);
            let existing = slices
                .items
                .iter()
                .filter(|s| controller_uid(&s.metadata) == Some(uid))
                .collect();
            self.sync(svc, &pods.items, &zones, existing).await?;
        }
        // Slices of Services that are gone (the garbage collector's work in Kubernetes).
        for slice in &slices.items {
            if controller_uid(&slice.metadata).is_none_or(|uid| !live.contains(uid)) {
                self.delete(slice).await?;
            }
        }
        Ok(None)
    }
}
