//! The object store: every object as JSON keyed by (resource, namespace, name), one global
//! resourceVersion bumped by every write, and a bounded event log that watches read from (a
//! watch from a version older than the log answers 410 Gone, as after an etcd compaction).
//!
//! Writes here are the storage half of kube-apiserver's generic registry (uid, timestamps,
//! generation, preconditions, status separation, finalizers, graceful pod deletion); decoding,
//! defaulting and admission happen in front of it (see `ops`).

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use lbgate_sim_clock::SimRng;
use serde_json::{Value, json};
use tokio::sync::watch;

use super::admission::ServiceAddresses;
use super::convert;
use super::meta::{self, meta_str, set_meta};
use super::resources::{Registry, ResourceInfo};
use super::status::ApiError;

mod delete;
mod gc;
mod resolve;
mod write;

pub(crate) use write::Commit;

/// Namespaces every cluster starts with.
pub const INITIAL_NAMESPACES: [&str; 4] =
    ["default", "kube-system", "kube-public", "kube-node-lease"];

/// The stream of the seeded generator that names objects and makes their UIDs.
const UID_STREAM: u64 = 1;
/// Stream of the webhook endpoint picks, apart from UIDs so that calls do not shift them.
const WEBHOOK_PICK_STREAM: u64 = 2;
const NAMESPACES: &str = "namespaces";
const CRDS: &str = "customresourcedefinitions.apiextensions.k8s.io";

/// (resource key, namespace or `""`, name).
pub type ObjectKey = (String, String, String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "ADDED",
            Self::Modified => "MODIFIED",
            Self::Deleted => "DELETED",
        }
    }
}

/// One committed change.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreEvent {
    pub resource_version: u64,
    pub event_type: EventType,
    /// Resource key: `pods`, `deployments.apps`.
    pub resource: String,
    /// `""` for cluster-scoped objects.
    pub namespace: String,
    /// The object after the change (for DELETED, its last state with the deletion's version).
    pub object: Value,
    /// The object before a MODIFIED change (selectors on watches need both states).
    pub old_object: Option<Value>,
}

/// The object a write addresses: its resource, namespace and name, and which part of it.
#[derive(Clone, Copy, Debug)]
pub struct Addressed<'a> {
    pub res: &'a ResourceInfo,
    pub namespace: &'a str,
    pub name: &'a str,
    pub subresource: Subresource,
}

/// Which part of an object a replace writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subresource {
    Main,
    Status,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteOptions {
    pub grace_period_seconds: Option<i64>,
    /// `preconditions.uid`
    pub uid: Option<String>,
    /// `preconditions.resourceVersion`
    pub resource_version: Option<String>,
    pub dry_run: bool,
    /// `propagationPolicy`: `Orphan`, `Background` (the default) or `Foreground`.
    pub propagation_policy: Option<String>,
}

/// What a DELETE did.
#[derive(Debug, Clone, PartialEq)]
pub enum Deleted {
    /// Removed; the last state.
    Gone(Value),
    /// Still there, being deleted (finalizers or a grace period).
    Pending(Value),
}

/// Tuning of the store.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Events kept for watches; a watch from before the oldest kept event gets 410 Gone.
    pub watch_window: usize,
    /// Seed of UIDs and generated names.
    pub seed: u64,
    /// Where admission webhooks' `service` references point.
    pub services: ServiceAddresses,
}

struct Inner {
    resource_version: u64,
    objects: BTreeMap<ObjectKey, Value>,
    log: VecDeque<Arc<StoreEvent>>,
    /// Version of the newest event dropped from the log (0: none yet).
    compacted: u64,
    window: usize,
    registry: Registry,
    rng: SimRng,
    next_cluster_ip: u32,
}

/// The shared store. Cheap to share as `Arc<Store>`; all methods take `&self`.
pub struct Store {
    inner: Mutex<Inner>,
    changed: watch::Sender<u64>,
    pub(super) services: ServiceAddresses,
    webhook_picks: Mutex<SimRng>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("resource_version", &self.current_resource_version())
            .finish_non_exhaustive()
    }
}

fn key(res: &ResourceInfo, namespace: &str, name: &str) -> ObjectKey {
    let namespace = if res.namespaced { namespace } else { "" };
    (res.key(), namespace.to_owned(), name.to_owned())
}

/// Everything but `metadata` (and `status` when it is a subresource), for generation bumps.
fn spec_part(res: &ResourceInfo, object: &Value) -> Value {
    let mut part = object.clone();
    if let Some(map) = part.as_object_mut() {
        for field in ["metadata", "apiVersion", "kind"] {
            map.remove(field);
        }
        if res.status_subresource {
            map.remove("status");
        }
    }
    part
}

fn is_terminating(object: &Value) -> bool {
    !meta_str(object, "deletionTimestamp").is_empty()
}

impl Store {
    pub fn new(config: &StoreConfig) -> Self {
        let (changed, _) = watch::channel(0);
        let mut inner = Inner {
            resource_version: 0,
            objects: BTreeMap::new(),
            log: VecDeque::new(),
            compacted: 0,
            window: config.watch_window.max(1),
            registry: Registry::default(),
            rng: SimRng::new(config.seed, UID_STREAM),
            next_cluster_ip: 1,
        };
        for name in INITIAL_NAMESPACES {
            let object = json!({"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}}});
            if let Some(res) = inner.registry.find("", "v1", NAMESPACES).cloned() {
                let _ = inner.create(&res, "", object, None);
            }
        }
        Self {
            inner: Mutex::new(inner),
            changed,
            services: config.services.clone(),
            webhook_picks: Mutex::new(SimRng::new(config.seed, WEBHOOK_PICK_STREAM)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn publish(&self, version: u64) {
        self.changed.send_replace(version);
    }

    /// The newest resourceVersion.
    pub fn current_resource_version(&self) -> u64 {
        self.lock().resource_version
    }

    /// A copy of the served resources (built-ins and custom resources).
    pub fn registry(&self) -> Registry {
        self.lock().registry.clone()
    }

    /// The resource of `group`/`version` named `plural`.
    pub fn resource(&self, group: &str, version: &str, plural: &str) -> Option<ResourceInfo> {
        self.lock().registry.find(group, version, plural).cloned()
    }

    /// The resource serving `kind` at `api_version` (`v1`, `apps/v1`), for in-process callers.
    pub fn resource_for_kind(&self, api_version: &str, kind: &str) -> Option<ResourceInfo> {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        self.lock().registry.by_kind(group, version, kind).cloned()
    }

    pub fn get(&self, res: &ResourceInfo, namespace: &str, name: &str) -> Option<Value> {
        let inner = self.lock();
        inner
            .objects
            .get(&key(res, namespace, name))
            .map(|o| as_version(res, o))
    }

    /// Objects of `res` (in `namespace`, or everywhere when `None`), ordered by namespace and
    /// name, with the version the list is current at.
    pub fn list(
        &self,
        res: &ResourceInfo,
        namespace: Option<&str>,
    ) -> (Vec<(ObjectKey, Value)>, u64) {
        let inner = self.lock();
        let resource = res.key();
        let items = inner
            .objects
            .range((resource.clone(), String::new(), String::new())..)
            .take_while(|((r, _, _), _)| *r == resource)
            .filter(|((_, ns, _), _)| namespace.is_none_or(|n| !res.namespaced || n == ns))
            .map(|(k, o)| (k.clone(), as_version(res, o)))
            .collect();
        (items, inner.resource_version)
    }

    /// Replaces an object (or its status). A non-empty `metadata.resourceVersion` in `object`
    /// must match the stored one (409 Conflict otherwise).
    pub fn commit_replace(
        &self,
        at: Addressed<'_>,
        object: Value,
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        let res = at.res;
        let mut inner = self.lock();
        let (stored_as, object) = storage_form(&inner.registry, res, object);
        let res_out = res;
        let res = &stored_as;
        if dry_run {
            let mut scratch = inner.dry_run_copy();
            return scratch
                .replace(Addressed { res, ..at }, object)
                .map(|o| as_version(res_out, &o));
        }
        let before = inner.resource_version;
        let replaced = inner.replace(Addressed { res, ..at }, object)?;
        let version = inner.resource_version;
        drop(inner);
        if version != before {
            self.publish(version);
        }
        Ok(as_version(res_out, &replaced))
    }

    pub fn commit_delete(
        &self,
        res: &ResourceInfo,
        namespace: &str,
        name: &str,
        options: &DeleteOptions,
    ) -> Result<Deleted, ApiError> {
        let mut inner = self.lock();
        if options.dry_run {
            let mut scratch = inner.dry_run_copy();
            return scratch.delete(res, namespace, name, options);
        }
        let outcome = inner.delete(res, namespace, name, options)?;
        let version = inner.resource_version;
        drop(inner);
        self.publish(version);
        Ok(match outcome {
            Deleted::Gone(o) => Deleted::Gone(as_version(res, &o)),
            Deleted::Pending(o) => Deleted::Pending(as_version(res, &o)),
        })
    }

    /// Events of `resource` newer than `after`, or 410 Expired when some were dropped already.
    pub fn events_after(
        &self,
        resource: &str,
        after: u64,
    ) -> Result<(Vec<Arc<StoreEvent>>, u64), ApiError> {
        let inner = self.lock();
        if after < inner.compacted {
            let oldest = inner
                .log
                .front()
                .map_or(inner.resource_version, |e| e.resource_version);
            return Err(ApiError::expired(format!(
                "too old resource version: {after} ({oldest})"
            )));
        }
        // The log is ordered by version: skip straight to the first newer event.
        let start = inner.log.partition_point(|e| e.resource_version <= after);
        let events = inner
            .log
            .range(start..)
            .filter(|e| e.resource == resource)
            .cloned()
            .collect();
        Ok((events, inner.resource_version))
    }

    /// Whether the event log no longer reaches back to `version` (as after an etcd compaction).
    pub fn is_compacted(&self, version: u64) -> bool {
        version < self.lock().compacted
    }

    /// Wakes up whenever the store's resourceVersion moves.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Labels of a namespace (for webhooks' `namespaceSelector`).
    pub fn namespace_labels(&self, namespace: &str) -> BTreeMap<String, String> {
        let inner = self.lock();
        inner
            .objects
            .get(&(NAMESPACES.to_owned(), String::new(), namespace.to_owned()))
            .map(meta::labels)
            .unwrap_or_default()
    }

    /// Stored objects of a resource key regardless of version (e.g. webhook configurations).
    pub fn objects_of(&self, resource: &str) -> Vec<Value> {
        let inner = self.lock();
        inner
            .objects
            .range((resource.to_owned(), String::new(), String::new())..)
            .take_while(|((r, _, _), _)| r == resource)
            .map(|(_, o)| o.clone())
            .collect()
    }
}

/// A stored object as seen through one version of its resource (custom resources are stored
/// once and served at every version with no conversion, as `conversion: None` does).
/// The resource objects of `res` are stored as, and `object` in that stored form.
fn storage_form(registry: &Registry, res: &ResourceInfo, object: Value) -> (ResourceInfo, Value) {
    if let Some(core) = registry
        .find("", "v1", "events")
        .filter(|_| res.converts_events())
    {
        return (core.clone(), convert::event_to_core(&object));
    }
    (res.clone(), object)
}

pub(crate) fn as_version(res: &ResourceInfo, object: &Value) -> Value {
    if res.converts_events() {
        return convert::event_from_core(object);
    }
    let mut object = object.clone();
    if res.custom {
        meta::set_field(&mut object, "apiVersion", json!(res.api_version()));
    }
    object
}

impl Inner {
    /// A copy to run a dry-run write against (nothing is kept or published).
    fn dry_run_copy(&self) -> Inner {
        Inner {
            resource_version: self.resource_version,
            objects: self.objects.clone(),
            log: VecDeque::new(),
            compacted: self.compacted,
            window: self.window,
            registry: self.registry.clone(),
            rng: self.rng.clone(),
            next_cluster_ip: self.next_cluster_ip,
        }
    }

    fn record(
        &mut self,
        event_type: EventType,
        key: &ObjectKey,
        object: &Value,
        old_object: Option<Value>,
    ) {
        let event = StoreEvent {
            resource_version: self.resource_version,
            event_type,
            resource: key.0.clone(),
            namespace: key.1.clone(),
            object: object.clone(),
            old_object,
        };
        self.log.push_back(Arc::new(event));
        while self.log.len() > self.window {
            if let Some(dropped) = self.log.pop_front() {
                self.compacted = dropped.resource_version;
            }
        }
        if key.0 == CRDS {
            self.refresh_crds();
        }
    }

    fn refresh_crds(&mut self) {
        let crds: Vec<Value> = self
            .objects
            .range((CRDS.to_owned(), String::new(), String::new())..)
            .take_while(|((r, _, _), _)| r == CRDS)
            .map(|(_, o)| o.clone())
            .collect();
        self.registry.set_crds(crds.iter());
        // A CRD's deletion takes its custom resources with it.
        let orphans: Vec<ObjectKey> = self
            .objects
            .keys()
            .filter(|(resource, _, _)| {
                resource.contains('.') && !self.registry.all().any(|r| r.key() == *resource)
            })
            .cloned()
            .collect();
        for key in orphans {
            if let Some(mut object) = self.objects.remove(&key) {
                let version = self.bump();
                set_meta(&mut object, "resourceVersion", json!(version.to_string()));
                self.record(EventType::Deleted, &key, &object, None);
            }
        }
    }

    fn bump(&mut self) -> u64 {
        self.resource_version += 1;
        self.resource_version
    }

    fn check_namespace(
        &self,
        res: &ResourceInfo,
        namespace: &str,
        name: &str,
    ) -> Result<(), ApiError> {
        if !res.namespaced {
            return Ok(());
        }
        if namespace.is_empty() {
            return Err(ApiError::bad_request(
                "the server could not find the requested resource",
            ));
        }
        match self
            .objects
            .get(&(NAMESPACES.to_owned(), String::new(), namespace.to_owned()))
        {
            None => Err(ApiError::not_found("", NAMESPACES, namespace)),
            Some(ns) if is_terminating(ns) => Err(ApiError::forbidden(
                &res.group,
                &res.plural,
                name,
                &format!(
                    "unable to create new content in namespace {namespace} because it is being terminated"
                ),
            )),
            Some(_) => Ok(()),
        }
    }
}
