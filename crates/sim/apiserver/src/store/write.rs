//! Create and replace in the store: server-set metadata, initial status, cluster IPs,
//! preconditions, status-subresource separation, generation bumps and no-op detection.

use serde_json::{Value, json};

use super::delete::grace_over;
use super::{
    Addressed, CRDS, EventType, Inner, Store, Subresource, as_version, is_terminating, key,
    spec_part, storage_form,
};
use crate::meta::{self, meta_str, now_rfc3339, set_meta};
use crate::resources::ResourceInfo;
use crate::status::ApiError;
use crate::validation;

/// How a create is committed: with the UID validating admission already showed its webhooks,
/// and for real or as a dry run.
#[derive(Clone, Debug, Default)]
pub(crate) struct Commit {
    pub uid: Option<String>,
    pub dry_run: bool,
}

impl Store {
    /// Draws the identity a create would give `object` — a name for one with only a
    /// `generateName` (set in place) and a UID (answered) — so that validating admission can be
    /// shown what is then stored, however many creates run meanwhile.
    pub(crate) fn draw_identity(&self, object: &mut Value) -> String {
        let mut inner = self.lock();
        let prefix = meta_str(object, "generateName").to_owned();
        if meta_str(object, "name").is_empty() && !prefix.is_empty() {
            let name = format!("{prefix}{}", inner.rng.name_suffix());
            set_meta(object, "name", json!(name));
        }
        inner.rng.uuid()
    }

    /// Stores a new object (defaults and admission already applied).
    pub fn commit_create(
        &self,
        res: &ResourceInfo,
        namespace: &str,
        object: Value,
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        self.commit_create_with_uid(res, namespace, object, Commit { uid: None, dry_run })
    }

    /// [`Self::commit_create`] with the UID validating admission showed its webhooks.
    pub(crate) fn commit_create_with_uid(
        &self,
        res: &ResourceInfo,
        namespace: &str,
        object: Value,
        commit: Commit,
    ) -> Result<Value, ApiError> {
        let Commit { uid, dry_run } = commit;
        let mut inner = self.lock();
        let (stored_as, object) = storage_form(&inner.registry, res, object);
        if dry_run {
            let mut scratch = inner.dry_run_copy();
            return scratch
                .create(&stored_as, namespace, object, uid)
                .map(|o| as_version(res, &o));
        }
        let created = inner.create(&stored_as, namespace, object, uid)?;
        let version = inner.resource_version;
        drop(inner);
        self.publish(version);
        Ok(as_version(res, &created))
    }
}

impl Inner {
    /// Stores a new object; `uid` is the one validating admission already showed its webhooks
    /// (a fresh one is drawn otherwise).
    pub(super) fn create(
        &mut self,
        res: &ResourceInfo,
        namespace: &str,
        mut object: Value,
        uid: Option<String>,
    ) -> Result<Value, ApiError> {
        let mut name = meta_str(&object, "name").to_owned();
        if name.is_empty() {
            let prefix = meta_str(&object, "generateName").to_owned();
            if prefix.is_empty() {
                return Err(ApiError::invalid(
                    &res.kind,
                    &res.group,
                    "",
                    &[(
                        "metadata.name".to_owned(),
                        "Required value: name or generateName is required".to_owned(),
                    )],
                ));
            }
            name = format!("{prefix}{}", self.rng.name_suffix());
        }
        let problems = validation::name_problems(&res.group, &res.plural, &name);
        if !problems.is_empty() {
            let causes: Vec<(String, String)> = problems
                .into_iter()
                .map(|p| ("metadata.name".to_owned(), p))
                .collect();
            return Err(ApiError::invalid(&res.kind, &res.group, &name, &causes));
        }
        self.check_namespace(res, namespace, &name)?;
        let key = key(res, namespace, &name);
        if self.objects.contains_key(&key) {
            return Err(ApiError::already_exists(&res.group, &res.plural, &name));
        }
        meta::set_field(&mut object, "apiVersion", json!(res.api_version()));
        meta::set_field(&mut object, "kind", json!(res.kind));
        set_meta(&mut object, "name", json!(name));
        if res.namespaced {
            set_meta(&mut object, "namespace", json!(namespace));
        } else {
            meta::remove_meta(&mut object, "namespace");
        }
        for field in [
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "managedFields",
            "selfLink",
        ] {
            meta::remove_meta(&mut object, field);
        }
        let uid = uid.unwrap_or_else(|| self.rng.uuid());
        set_meta(&mut object, "uid", json!(uid));
        set_meta(&mut object, "creationTimestamp", json!(now_rfc3339()));
        if res.tracks_generation() {
            set_meta(&mut object, "generation", json!(1));
        } else {
            meta::remove_meta(&mut object, "generation");
        }
        self.initial_status(res, &mut object);
        let version = self.bump();
        set_meta(&mut object, "resourceVersion", json!(version.to_string()));
        self.objects.insert(key.clone(), object.clone());
        self.record(EventType::Added, &key, &object, None);
        Ok(object)
    }

    /// What the kind's create strategy puts in `status` (clients cannot set it on create).
    pub(super) fn initial_status(&mut self, res: &ResourceInfo, object: &mut Value) {
        if !res.status_subresource {
            return;
        }
        let status = match (res.group.as_str(), res.plural.as_str()) {
            ("", "pods") => json!({"phase": "Pending", "qosClass": "BestEffort"}),
            ("", "namespaces") => json!({"phase": "Active"}),
            ("", "services") => {
                self.allocate_cluster_ip(object);
                json!({"loadBalancer": {}})
            }
            ("apiextensions.k8s.io", _) => crd_status(object, None),
            _ if res.custom => Value::Null,
            _ => json!({}),
        };
        match status {
            Value::Null => {
                if let Some(map) = object.as_object_mut() {
                    map.remove("status");
                }
            }
            status => meta::set_field(object, "status", status),
        }
    }

    /// Services get a cluster IP from 10.96.0.0/12 (10.96.0.1 is the `kubernetes` Service's).
    pub(super) fn allocate_cluster_ip(&mut self, object: &mut Value) {
        let spec_type = object
            .pointer("/spec/type")
            .and_then(Value::as_str)
            .unwrap_or("ClusterIP");
        let given = object
            .pointer("/spec/clusterIP")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if spec_type == "ExternalName" || !given.is_empty() {
            return;
        }
        self.next_cluster_ip += 1;
        let n = self.next_cluster_ip;
        let ip = format!("10.96.{}.{}", (n >> 8) & 0xFF, n & 0xFF);
        if let Some(spec) = object.get_mut("spec").and_then(Value::as_object_mut) {
            spec.insert("clusterIP".to_owned(), json!(ip));
            spec.insert("clusterIPs".to_owned(), json!([ip]));
        }
    }

    pub(super) fn replace(&mut self, at: Addressed<'_>, object: Value) -> Result<Value, ApiError> {
        let Addressed {
            res,
            namespace,
            name,
            subresource,
        } = at;
        let key = key(res, namespace, name);
        let Some(old) = self.objects.get(&key).cloned() else {
            return Err(ApiError::not_found(&res.group, &res.plural, name));
        };
        let body_name = meta_str(&object, "name");
        if !body_name.is_empty() && body_name != name {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({body_name}) does not match the name on the URL ({name})"
            )));
        }
        let expected = meta_str(&object, "resourceVersion");
        if !expected.is_empty() && expected != meta_str(&old, "resourceVersion") {
            return Err(ApiError::conflict_modified(&res.group, &res.plural, name));
        }
        let uid = meta_str(&object, "uid");
        if !uid.is_empty() && uid != meta_str(&old, "uid") {
            return Err(ApiError::conflict(
                &res.group,
                &res.plural,
                name,
                &format!(
                    "Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
                    meta_str(&old, "uid")
                ),
            ));
        }
        let mut merged = match subresource {
            Subresource::Status => {
                let mut merged = old.clone();
                match object.get("status") {
                    Some(status) => meta::set_field(&mut merged, "status", status.clone()),
                    None => {
                        if let Some(map) = merged.as_object_mut() {
                            map.remove("status");
                        }
                    }
                }
                merged
            }
            Subresource::Main => {
                let mut merged = object;
                if res.status_subresource {
                    match old.get("status") {
                        Some(status) => meta::set_field(&mut merged, "status", status.clone()),
                        None => {
                            if let Some(map) = merged.as_object_mut() {
                                map.remove("status");
                            }
                        }
                    }
                }
                merged
            }
        };
        meta::set_field(
            &mut merged,
            "apiVersion",
            old.get("apiVersion").cloned().unwrap_or(Value::Null),
        );
        meta::set_field(&mut merged, "kind", json!(res.kind));
        // Fields only the server writes keep their stored values.
        for field in [
            "name",
            "namespace",
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "resourceVersion",
        ] {
            match old.get("metadata").and_then(|m| m.get(field)) {
                Some(value) => set_meta(&mut merged, field, value.clone()),
                None => meta::remove_meta(&mut merged, field),
            }
        }
        meta::remove_meta(&mut merged, "managedFields");
        if res.tracks_generation() && spec_part(res, &merged) != spec_part(res, &old) {
            let generation = old
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            set_meta(&mut merged, "generation", json!(generation + 1));
        }
        if res.key() == CRDS {
            let status = crd_status(&merged, old.get("status"));
            meta::set_field(&mut merged, "status", status);
        }
        if merged == old {
            // kube-apiserver skips the write (and the version bump) of a no-op update.
            return Ok(old);
        }
        let version = self.bump();
        set_meta(&mut merged, "resourceVersion", json!(version.to_string()));
        if is_terminating(&merged) && meta::finalizers(&merged).is_empty() && grace_over(&merged) {
            self.objects.remove(&key);
            self.record(EventType::Deleted, &key, &merged, None);
            self.collect_garbage(meta_str(&merged, "uid"), false);
            self.finish_namespace(&key.1);
            return Ok(merged);
        }
        self.objects.insert(key.clone(), merged.clone());
        self.record(EventType::Modified, &key, &merged, Some(old));
        Ok(merged)
    }
}

/// A CRD's status: the names it serves are accepted and it is established at once.
fn crd_status(crd: &Value, previous: Option<&Value>) -> Value {
    let now = now_rfc3339();
    let kept_conditions = previous.and_then(|p| p.get("conditions")).cloned();
    let stored: Vec<Value> = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .map(|versions| {
            versions
                .iter()
                .filter(|v| v.get("storage").and_then(Value::as_bool).unwrap_or(false))
                .filter_map(|v| v.get("name").cloned())
                .collect()
        })
        .unwrap_or_default();
    let condition = |kind: &str, reason: &str, message: &str| json!({"type": kind, "status": "True", "lastTransitionTime": now, "reason": reason, "message": message});
    let conditions = kept_conditions.unwrap_or_else(|| {
        json!([
            condition("NamesAccepted", "NoConflicts", "no conflicts found"),
            condition(
                "Established",
                "InitialNamesAccepted",
                "the initial names have been accepted"
            ),
        ])
    });
    json!({
        "conditions": conditions,
        "acceptedNames": crd.pointer("/spec/names").cloned().unwrap_or(json!({})),
        "storedVersions": stored,
    })
}
