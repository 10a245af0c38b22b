//! Which bindings an event on another kind concerns. Answers come from the stores, so a
//! mapper never calls the API.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

use k8s_openapi::api::core::v1::{Node, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::runtime::reflector::{ObjectRef, Store};
use lbgate_api::TargetGroupBinding;
use lbgate_api::conditions::{binding_name_from_condition_type, is_target_health_gate};
use lbgate_api::consts::ENDPOINT_SLICE_SERVICE_NAME_LABEL;
use lbgate_api::v1beta1::TargetType;

use crate::stores::Stores;

type BindingRef = ObjectRef<TargetGroupBinding>;

fn binding_ref(binding: &TargetGroupBinding) -> Option<BindingRef> {
    let name = binding.metadata.name.as_deref()?;
    let namespace = binding.metadata.namespace.as_deref()?;
    Some(ObjectRef::new(name).within(namespace))
}

/// Bindings in `namespace` whose `spec.serviceRef.name` is `service`.
pub fn bindings_of_service(stores: &Stores, namespace: &str, service: &str) -> Vec<BindingRef> {
    stores
        .bindings
        .state()
        .iter()
        .filter(|b| b.metadata.namespace.as_deref() == Some(namespace))
        .filter(|b| b.spec.service_ref.name == service)
        .filter_map(|b| binding_ref(b))
        .collect()
}

/// A Service event.
pub fn service(stores: &Stores, service: &Service) -> Vec<BindingRef> {
    match (&service.metadata.namespace, &service.metadata.name) {
        (Some(namespace), Some(name)) => bindings_of_service(stores, namespace, name),
        _ => Vec::new(),
    }
}

/// An EndpointSlice event: the bindings of its Service.
pub fn endpoint_slice(stores: &Stores, slice: &EndpointSlice) -> Vec<BindingRef> {
    let service = slice
        .metadata
        .labels
        .as_ref()
        .and_then(|labels| labels.get(ENDPOINT_SLICE_SERVICE_NAME_LABEL));
    match (&slice.metadata.namespace, service) {
        (Some(namespace), Some(service)) => bindings_of_service(stores, namespace, service),
        _ => Vec::new(),
    }
}

/// A pod event: bindings whose gate the pod carries, and bindings whose Service's endpoints
/// name the pod.
pub fn pod(stores: &Stores, pod: &Pod) -> Vec<BindingRef> {
    let (Some(namespace), Some(name)) = (&pod.metadata.namespace, &pod.metadata.name) else {
        return Vec::new();
    };
    let mut found: BTreeSet<(String, String)> = BTreeSet::new();
    let gates = pod
        .spec
        .as_ref()
        .and_then(|spec| spec.readiness_gates.as_deref())
        .unwrap_or_default();
    for gate in gates {
        if is_target_health_gate(&gate.condition_type)
            && let Some(binding) = binding_name_from_condition_type(&gate.condition_type)
        {
            found.insert((namespace.clone(), binding.to_owned()));
        }
    }
    let bindings = stores.bindings.state();
    let services: BTreeSet<&str> = bindings
        .iter()
        .filter(|b| b.metadata.namespace.as_deref() == Some(namespace.as_str()))
        .map(|b| b.spec.service_ref.name.as_str())
        .collect();
    for service in services {
        let names_pod = stores.slices_of(namespace, service).iter().any(|slice| {
            slice.endpoints.iter().any(|endpoint| {
                endpoint.target_ref.as_ref().is_some_and(|target| {
                    target.kind.as_deref() == Some("Pod") && target.name.as_deref() == Some(name)
                })
            })
        });
        if names_pod {
            for binding in bindings_of_service(stores, namespace, service) {
                found.insert((namespace.clone(), binding.name));
            }
        }
    }
    found
        .into_iter()
        .map(|(namespace, name)| ObjectRef::new(&name).within(&namespace))
        .collect()
}

/// A node event: every binding that is (or may be, when the spec leaves it to the target
/// group) in instance mode.
pub fn node(stores: &Stores, _node: &Node) -> Vec<BindingRef> {
    stores
        .bindings
        .state()
        .iter()
        .filter(|b| b.spec.target_type != Some(TargetType::Ip))
        .filter_map(|b| binding_ref(b))
        .collect()
}

/// Drops pod events that change nothing a binding reads, above all the gate conditions this
/// controller writes itself (each write would otherwise wake its binding once more).
#[derive(Default)]
pub struct PodChangeFilter {
    seen: Mutex<HashMap<PodId, u64>>,
}

/// A pod's namespace, name and UID: a pod recreated under the same name is another pod.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct PodId {
    namespace: String,
    name: String,
    uid: String,
}

impl PodId {
    fn of(pod: &Pod) -> Self {
        Self {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            name: pod.metadata.name.clone().unwrap_or_default(),
            uid: pod.metadata.uid.clone().unwrap_or_default(),
        }
    }
}

/// Fingerprints kept beyond the live pods before the deleted pods' ones are pruned: pruning
/// costs one pass over them, so it waits until a quarter of the store (and at least this
/// many) could be dropped, which keeps its cost per deleted pod constant.
const PRUNE_SLACK: usize = 64;

impl PodChangeFilter {
    /// Whether `pod` differs from its last version in anything a binding reads. `live` is the
    /// pod store: fingerprints of pods no longer in it are pruned once they pile up (a watch
    /// never says which event was a deletion once the store has applied it).
    pub fn changed(&self, pod: &Pod, live: &Store<Pod>) -> bool {
        let print = fingerprint(pod);
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let changed = seen.insert(PodId::of(pod), print) != Some(print);
        let live_count = live.len();
        if seen.len() > live_count + (live_count / 4).max(PRUNE_SLACK) {
            seen.retain(|id, _| {
                live.get(&ObjectRef::new(&id.name).within(&id.namespace))
                    .is_some_and(|pod| pod.metadata.uid.as_deref().unwrap_or_default() == id.uid)
            });
        }
        changed
    }

    /// Fingerprints held.
    pub fn len(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn fingerprint(pod: &Pod) -> u64 {
    let mut hasher = DefaultHasher::new();
    pod.metadata.deletion_timestamp.is_some().hash(&mut hasher);
    pod.metadata.labels.hash(&mut hasher);
    if let Some(spec) = &pod.spec {
        spec.node_name.hash(&mut hasher);
        for gate in spec.readiness_gates.iter().flatten() {
            gate.condition_type.hash(&mut hasher);
        }
    }
    let status = pod.status.as_ref();
    status.and_then(|s| s.phase.as_ref()).hash(&mut hasher);
    status.and_then(|s| s.pod_ip.as_ref()).hash(&mut hasher);
    for condition in status
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
    {
        // Our own gates are outputs, not inputs.
        if !is_target_health_gate(&condition.type_) {
            condition.type_.hash(&mut hasher);
            condition.status.hash(&mut hasher);
        }
    }
    hasher.finish()
}

#[cfg(test)]
mod tests;
