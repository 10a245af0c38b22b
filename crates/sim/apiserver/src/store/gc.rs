//! Garbage collection of dependents, done at once where kube-apiserver's garbage collector does
//! it a moment later: when an owner goes, dependents whose only remaining owner it was are
//! deleted (their own dependents in turn), others just lose the reference; `Orphan` strips the
//! references and keeps every dependent.

use serde_json::{Value, json};

use super::{DeleteOptions, EventType, Inner, ObjectKey};
use crate::meta::{meta_str, set_meta};

fn owner_uids(object: &Value) -> Vec<String> {
    object
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .map(|refs| {
            refs.iter()
                .filter_map(|r| r.get("uid").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

impl Inner {
    /// Deals with the dependents of the owner whose uid is `owner` (just removed, or about to be
    /// for a foreground deletion).
    pub(super) fn collect_garbage(&mut self, owner: &str, orphan: bool) {
        if owner.is_empty() {
            return;
        }
        let dependents: Vec<ObjectKey> = self
            .objects
            .iter()
            .filter(|(_, o)| owner_uids(o).iter().any(|uid| uid == owner))
            .map(|(k, _)| k.clone())
            .collect();
        for key in dependents {
            let Some(object) = self.objects.get(&key).cloned() else {
                continue;
            };
            let other_owner_alive = owner_uids(&object)
                .iter()
                .filter(|uid| *uid != owner)
                .any(|uid| self.objects.values().any(|o| meta_str(o, "uid") == uid));
            if orphan || other_owner_alive {
                self.drop_owner_reference(&key, object, owner);
                continue;
            }
            let registry = self.registry.clone();
            let Some(res) = registry.all().find(|r| r.key() == key.0) else {
                continue;
            };
            let _ = self.delete(res, &key.1, &key.2, &DeleteOptions::default());
        }
    }

    fn drop_owner_reference(&mut self, key: &ObjectKey, object: Value, owner: &str) {
        let old = object.clone();
        let mut object = object;
        let kept: Vec<Value> = object
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .map(|refs| {
                refs.iter()
                    .filter(|r| r.get("uid").and_then(Value::as_str) != Some(owner))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        if kept.is_empty() {
            crate::meta::remove_meta(&mut object, "ownerReferences");
        } else {
            set_meta(&mut object, "ownerReferences", json!(kept));
        }
        let version = self.bump();
        set_meta(&mut object, "resourceVersion", json!(version.to_string()));
        self.objects.insert(key.clone(), object.clone());
        self.record(EventType::Modified, key, &object, Some(old));
    }
}
