//! Deletion in the store: preconditions, finalizers, graceful pod deletion and namespace
//! termination.

use serde_json::{Value, json};

use super::{DeleteOptions, Deleted, EventType, Inner, NAMESPACES, ObjectKey, is_terminating, key};
use crate::meta::{self, meta_str, now_rfc3339, set_meta};
use crate::resources::ResourceInfo;
use crate::status::ApiError;

/// Namespaces kube-apiserver refuses to delete.
const PROTECTED_NAMESPACES: [&str; 3] = ["default", "kube-system", "kube-public"];

impl Inner {
    pub(super) fn delete(
        &mut self,
        res: &ResourceInfo,
        namespace: &str,
        name: &str,
        options: &DeleteOptions,
    ) -> Result<Deleted, ApiError> {
        let key = key(res, namespace, name);
        let Some(mut object) = self.objects.get(&key).cloned() else {
            return Err(ApiError::not_found(&res.group, &res.plural, name));
        };
        if let Some(uid) = options.uid.as_deref() {
            let stored = meta_str(&object, "uid");
            if uid != stored {
                return Err(ApiError::conflict(
                    &res.group,
                    &res.plural,
                    name,
                    &format!(
                        "Precondition failed: UID in precondition: {uid}, UID in object meta: {stored}"
                    ),
                ));
            }
        }
        if let Some(version) = options.resource_version.as_deref() {
            let stored = meta_str(&object, "resourceVersion");
            if version != stored {
                return Err(ApiError::conflict(
                    &res.group,
                    &res.plural,
                    name,
                    &format!(
                        "Precondition failed: ResourceVersion in precondition: {version}, ResourceVersion in object meta: {stored}"
                    ),
                ));
            }
        }
        let grace = self.grace_period(res, &object, options);
        let has_finalizers = !meta::finalizers(&object).is_empty();
        if res.key() == NAMESPACES {
            // The NamespaceLifecycle admission plugin protects these.
            if PROTECTED_NAMESPACES.contains(&name) {
                return Err(ApiError::forbidden(
                    "",
                    NAMESPACES,
                    name,
                    "this namespace may not be deleted",
                ));
            }
            if is_terminating(&object) {
                return Err(ApiError::conflict(
                    "",
                    NAMESPACES,
                    name,
                    "The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.",
                ));
            }
            return Ok(self.delete_namespace(key, object));
        }
        let policy = options.propagation_policy.as_deref();
        if grace == 0 && !has_finalizers {
            let uid = meta_str(&object, "uid").to_owned();
            // Foreground: the dependents go first (the owner is removed right after here, where
            // kube-apiserver keeps it with a `foregroundDeletion` finalizer until they are gone).
            if policy == Some("Foreground") {
                self.collect_garbage(&uid, false);
            }
            let version = self.bump();
            set_meta(&mut object, "resourceVersion", json!(version.to_string()));
            self.objects.remove(&key);
            self.record(EventType::Deleted, &key, &object, None);
            self.collect_garbage(&uid, policy == Some("Orphan"));
            self.finish_namespace(&key.1);
            return Ok(Deleted::Gone(object));
        }
        let current_grace = object
            .pointer("/metadata/deletionGracePeriodSeconds")
            .and_then(Value::as_i64);
        if is_terminating(&object) && current_grace.is_some_and(|g| g <= grace) {
            // Already being deleted at least as fast: nothing changes.
            return Ok(Deleted::Pending(object));
        }
        let deadline =
            meta::since_epoch() + std::time::Duration::from_secs(u64::try_from(grace).unwrap_or(0));
        set_meta(
            &mut object,
            "deletionTimestamp",
            json!(meta::rfc3339(deadline)),
        );
        set_meta(&mut object, "deletionGracePeriodSeconds", json!(grace));
        let old = self.objects.get(&key).cloned();
        let version = self.bump();
        set_meta(&mut object, "resourceVersion", json!(version.to_string()));
        self.objects.insert(key.clone(), object.clone());
        self.record(EventType::Modified, &key, &object, old);
        Ok(Deleted::Pending(object))
    }

    /// Pods are deleted gracefully (the kubelet finishes them) unless they never reached a node
    /// or already finished; every other kind goes at once.
    pub(super) fn grace_period(
        &self,
        res: &ResourceInfo,
        object: &Value,
        options: &DeleteOptions,
    ) -> i64 {
        if res.key() != "pods" {
            return 0;
        }
        let unscheduled = object
            .pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .is_empty();
        let phase = object
            .pointer("/status/phase")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if unscheduled || phase == "Succeeded" || phase == "Failed" {
            return 0;
        }
        let requested = options.grace_period_seconds.or_else(|| {
            object
                .pointer("/spec/terminationGracePeriodSeconds")
                .and_then(Value::as_i64)
        });
        // A negative request means "the minimum", which kube-apiserver treats as 1 second.
        requested.map_or(30, |g| if g < 0 { 1 } else { g })
    }

    /// Deleting a namespace marks it Terminating and deletes its contents; it goes once empty.
    pub(super) fn delete_namespace(&mut self, key: ObjectKey, mut object: Value) -> Deleted {
        let name = key.2.clone();
        if !is_terminating(&object) {
            set_meta(&mut object, "deletionTimestamp", json!(now_rfc3339()));
            set_meta(&mut object, "deletionGracePeriodSeconds", json!(0));
            meta::set_field(&mut object, "status", json!({"phase": "Terminating"}));
            let old = self.objects.get(&key).cloned();
            let version = self.bump();
            set_meta(&mut object, "resourceVersion", json!(version.to_string()));
            self.objects.insert(key.clone(), object.clone());
            self.record(EventType::Modified, &key, &object, old);
        }
        let contents: Vec<ObjectKey> = self
            .objects
            .keys()
            .filter(|(_, ns, _)| *ns == name)
            .cloned()
            .collect();
        for (resource, namespace, object_name) in contents {
            let registry = self.registry.clone();
            let Some(res) = registry.all().find(|r| r.key() == resource) else {
                continue;
            };
            let _ = self.delete(res, &namespace, &object_name, &DeleteOptions::default());
        }
        self.finish_namespace(&name);
        match self.objects.get(&key) {
            Some(still) => Deleted::Pending(still.clone()),
            None => Deleted::Pending(object),
        }
    }

    /// Removes a Terminating namespace once nothing is left in it.
    pub(super) fn finish_namespace(&mut self, namespace: &str) {
        if namespace.is_empty() {
            return;
        }
        let key = (NAMESPACES.to_owned(), String::new(), namespace.to_owned());
        let Some(mut ns) = self.objects.get(&key).cloned() else {
            return;
        };
        if !is_terminating(&ns) || self.objects.keys().any(|(_, n, _)| n == namespace) {
            return;
        }
        let version = self.bump();
        set_meta(&mut ns, "resourceVersion", json!(version.to_string()));
        self.objects.remove(&key);
        self.record(EventType::Deleted, &key, &ns, None);
    }
}

/// Whether a terminating object's grace period is over (0 or absent): only then does removing
/// the last finalizer delete it (a terminating pod waits for its kubelet).
pub(super) fn grace_over(object: &Value) -> bool {
    object
        .pointer("/metadata/deletionGracePeriodSeconds")
        .and_then(Value::as_i64)
        .is_none_or(|g| g == 0)
}
