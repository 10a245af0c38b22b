//! Lean reflector stores of the kinds the TargetGroupBinding controller reads.
//!
//! Each kind is watched as `DynamicObject` and converted to its typed form one object at a
//! time: a typed watch fails its whole LIST on one object it cannot decode, and the watcher
//! would retry that LIST forever, so one bad object would blind the controller to every other.
//! Here such an object is logged, counted and skipped. `managedFields` are dropped before the
//! objects reach the store; they are a large share of every object and nothing reads them.
//! Pods, watched cluster-wide and the most numerous kind, are cut down further (module `lean`).

mod lean;

use std::fmt::Debug;
use std::time::Duration;

use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{Node, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::api::{ApiResource, DynamicObject};
use kube::runtime::WatchStreamExt;
use kube::runtime::reflector::{self, Store};
use kube::runtime::watcher::{self, Event};
use kube::{Api, Client, Resource};
use lbgate_api::TargetGroupBinding;
use lbgate_api::consts::ENDPOINT_SLICE_SERVICE_NAME_LABEL;
use serde::de::DeserializeOwned;

use crate::error::ReconcileError;

/// A stream of objects a watch touched (applied or deleted).
pub type Touched<K> = BoxStream<'static, Result<K, watcher::Error>>;

/// Read handles of every store.
#[derive(Clone)]
pub struct Stores {
    pub bindings: Store<TargetGroupBinding>,
    pub services: Store<Service>,
    pub slices: Store<EndpointSlice>,
    pub pods: Store<Pod>,
    pub nodes: Store<Node>,
}

/// The watch streams that fill [`Stores`]; they must be polled (the controller does) for the
/// stores to fill.
pub struct StoreStreams {
    pub bindings: Touched<TargetGroupBinding>,
    pub services: Touched<Service>,
    pub slices: Touched<EndpointSlice>,
    pub pods: Touched<Pod>,
    pub nodes: Touched<Node>,
}

/// Where to watch.
#[derive(Clone, Debug, Default)]
pub struct WatchScope {
    /// Only this namespace (bindings, Services, EndpointSlices, pods); `None` = cluster-wide.
    pub namespace: Option<String>,
    /// With `namespace` unset: keep only objects of these namespaces (empty = all). Several
    /// namespaces cannot share one namespaced watch, so they are watched cluster-wide and
    /// filtered before the stores.
    pub namespaces: Vec<String>,
}

impl WatchScope {
    /// The scope of `--watch-namespace` values: none = all, one = a namespaced watch, more =
    /// a filtered cluster-wide watch.
    pub fn from_namespaces(namespaces: &[String]) -> Self {
        match namespaces {
            [] => Self::default(),
            [one] => Self {
                namespace: Some(one.clone()),
                namespaces: Vec::new(),
            },
            many => Self {
                namespace: None,
                namespaces: many.to_vec(),
            },
        }
    }
}

/// Counts objects skipped because they did not decode.
pub type DecodeFailureHook = std::sync::Arc<dyn Fn(&'static str) + Send + Sync>;

/// Starts (lazily) the five reflectors.
pub fn reflectors(
    client: &Client,
    scope: &WatchScope,
    on_decode_failure: DecodeFailureHook,
) -> (Stores, StoreStreams) {
    let keep: Keep = if scope.namespace.is_none() && !scope.namespaces.is_empty() {
        Some(std::sync::Arc::new(
            scope.namespaces.iter().cloned().collect(),
        ))
    } else {
        None
    };
    let scoped = Watch {
        client,
        namespace: scope.namespace.as_deref(),
        keep,
        on_decode_failure: on_decode_failure.clone(),
    };
    let (bindings_reader, bindings) = scoped.guarded::<TargetGroupBinding>(
        "TargetGroupBinding",
        watcher::Config::default(),
        None,
    );
    let (services_reader, services) =
        scoped.guarded::<Service>("Service", watcher::Config::default(), None);
    // Only slices that belong to a Service can feed a binding.
    let (slices_reader, slices) = scoped.guarded::<EndpointSlice>(
        "EndpointSlice",
        watcher::Config::default().labels(ENDPOINT_SLICE_SERVICE_NAME_LABEL),
        None,
    );
    let (pods_reader, pods) =
        scoped.guarded::<Pod>("Pod", watcher::Config::default(), Some(lean::lean_pod));
    let cluster = Watch {
        client,
        namespace: None,
        keep: None,
        on_decode_failure,
    };
    let (nodes_reader, nodes) = cluster.guarded::<Node>("Node", watcher::Config::default(), None);
    (
        Stores {
            bindings: bindings_reader,
            services: services_reader,
            slices: slices_reader,
            pods: pods_reader,
            nodes: nodes_reader,
        },
        StoreStreams {
            bindings,
            services,
            slices,
            pods,
            nodes,
        },
    )
}

/// Where reflectors watch and what they keep: the namespace (or all), the namespaces a
/// cluster-wide watch keeps, and the hook that counts objects that do not decode.
struct Watch<'a> {
    client: &'a Client,
    namespace: Option<&'a str>,
    keep: Keep,
    on_decode_failure: DecodeFailureHook,
}

impl Watch<'_> {
    /// A reflector of `K` (`kind` names it in logs and metrics) whose objects decode one by one
    /// and lose their managedFields, and `trim` cuts further.
    fn guarded<K>(
        &self,
        kind: &'static str,
        config: watcher::Config,
        trim: Option<fn(&mut DynamicObject)>,
    ) -> (Store<K>, Touched<K>)
    where
        K: Resource<DynamicType = ()> + Clone + Debug + DeserializeOwned + Send + Sync + 'static,
    {
        let client = self.client;
        let namespace = self.namespace;
        let keep = self.keep.clone();
        let on_decode_failure = self.on_decode_failure.clone();
        let resource = ApiResource::erase::<K>(&());
        let api: Api<DynamicObject> = match namespace {
            Some(namespace) => Api::namespaced_with(client.clone(), namespace, &resource),
            None => Api::all_with(client.clone(), &resource),
        };
        let (reader, writer) = reflector::store::<K>();
        let events = watcher::watcher(api, config)
            .default_backoff()
            .modify(move |object: &mut DynamicObject| {
                object.metadata.managed_fields = None;
                if let Some(trim) = trim {
                    trim(object);
                }
            })
            .try_filter_map(move |event| {
                let event = match &keep {
                    Some(keep) => kept(event, keep),
                    None => Some(event),
                };
                futures::future::ready(Ok(
                    event.and_then(|event| typed_event::<K>(event, kind, &on_decode_failure))
                ))
            });
        let stream = reflector::reflector(writer, events)
            .touched_objects()
            .boxed();
        (reader, stream)
    }
}

/// Namespaces kept by a filtered cluster-wide watch.
type Keep = Option<std::sync::Arc<std::collections::BTreeSet<String>>>;

/// Drops objects outside the kept namespaces. Deletions pass: the store ignores unknown ones.
fn kept(
    event: Event<DynamicObject>,
    keep: &std::collections::BTreeSet<String>,
) -> Option<Event<DynamicObject>> {
    let inside = |object: &DynamicObject| {
        object
            .metadata
            .namespace
            .as_ref()
            .is_some_and(|ns| keep.contains(ns))
    };
    match event {
        Event::Apply(object) if !inside(&object) => None,
        Event::InitApply(object) if !inside(&object) => None,
        other => Some(other),
    }
}

/// Converts one watch event. An object that does not decode drops its event (a deletion
/// keeps its metadata, so the store forgets the object anyway). Events are dropped rather than
/// replaced: `Init`/`InitDone` restart or swap the store's buffer.
fn typed_event<K>(
    event: Event<DynamicObject>,
    kind: &'static str,
    on_decode_failure: &DecodeFailureHook,
) -> Option<Event<K>>
where
    K: Resource<DynamicType = ()> + DeserializeOwned,
{
    let convert = |object: DynamicObject| -> Option<K> {
        let name = object.metadata.name.clone().unwrap_or_default();
        let namespace = object.metadata.namespace.clone().unwrap_or_default();
        match serde_json::to_value(&object).and_then(serde_json::from_value::<K>) {
            Ok(typed) => Some(typed),
            Err(error) => {
                tracing::warn!(kind, %namespace, %name, %error, "skipping an object that does not decode");
                on_decode_failure(kind);
                None
            }
        }
    };
    match event {
        Event::Apply(object) => convert(object).map(Event::Apply),
        Event::InitApply(object) => convert(object).map(Event::InitApply),
        Event::Delete(object) => {
            let meta = object.metadata.clone();
            convert(object)
                .or_else(|| metadata_only::<K>(meta))
                .map(Event::Delete)
        }
        Event::Init => Some(Event::Init),
        Event::InitDone => Some(Event::InitDone),
    }
}

fn metadata_only<K: Resource<DynamicType = ()> + DeserializeOwned>(
    meta: kube::api::ObjectMeta,
) -> Option<K> {
    let resource = ApiResource::erase::<K>(&());
    let value = serde_json::json!({
        "apiVersion": resource.api_version,
        "kind": resource.kind,
        "metadata": meta,
    });
    serde_json::from_value(value).ok()
}

impl Stores {
    /// Waits until every store has finished its first list.
    pub async fn wait_synced(&self, timeout: Duration) -> Result<(), ReconcileError> {
        let all = async {
            self.bindings
                .wait_until_ready()
                .await
                .map_err(|e| ("TargetGroupBinding", e.to_string()))?;
            self.services
                .wait_until_ready()
                .await
                .map_err(|e| ("Service", e.to_string()))?;
            self.slices
                .wait_until_ready()
                .await
                .map_err(|e| ("EndpointSlice", e.to_string()))?;
            self.pods
                .wait_until_ready()
                .await
                .map_err(|e| ("Pod", e.to_string()))?;
            self.nodes
                .wait_until_ready()
                .await
                .map_err(|e| ("Node", e.to_string()))?;
            Ok::<(), (&'static str, String)>(())
        };
        match tokio::time::timeout(timeout, all).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err((kind, message))) => Err(ReconcileError::StoreSync { kind, message }),
            Err(_) => Err(ReconcileError::StoreSync {
                kind: "all",
                message: format!("first list not done within {timeout:?}"),
            }),
        }
    }

    /// The Service `namespace/name`, if cached.
    pub fn service(&self, namespace: &str, name: &str) -> Option<std::sync::Arc<Service>> {
        self.services
            .get(&reflector::ObjectRef::new(name).within(namespace))
    }

    /// The EndpointSlices of Service `namespace/name`.
    pub fn slices_of(&self, namespace: &str, service: &str) -> Vec<EndpointSlice> {
        self.slices
            .state()
            .into_iter()
            .filter(|slice| slice.metadata.namespace.as_deref() == Some(namespace))
            .filter(|slice| {
                slice
                    .metadata
                    .labels
                    .as_ref()
                    .and_then(|labels| labels.get(ENDPOINT_SLICE_SERVICE_NAME_LABEL))
                    .is_some_and(|label| label == service)
            })
            .map(|slice| (*slice).clone())
            .collect()
    }

    /// The pods of a namespace.
    pub fn pods_in(&self, namespace: &str) -> Vec<Pod> {
        self.pods
            .state()
            .into_iter()
            .filter(|pod| pod.metadata.namespace.as_deref() == Some(namespace))
            .map(|pod| (*pod).clone())
            .collect()
    }

    /// Every node.
    pub fn nodes(&self) -> Vec<Node> {
        self.nodes
            .state()
            .into_iter()
            .map(|node| (*node).clone())
            .collect()
    }
}
