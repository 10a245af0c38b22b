//! The Deployment controller: one ReplicaSet per pod template (named `<deployment>-<hash>`, with
//! the `pod-template-hash` label in its selector and template, and the
//! `deployment.kubernetes.io/revision` annotation), rolling updates and Recreate, and the
//! Deployment's status and `Progressing` / `Available` conditions.
//!
//! Not modelled: pausing, rollbacks through `spec.rollbackTo`, proportional scaling of several
//! live ReplicaSets when `replicas` changes mid-rollout, hash collisions, and the clean-up of old
//! ReplicaSets beyond `revisionHistoryLimit`.

pub mod rolling;
mod status;

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use super::replicaset::controller_uid;
use super::runtime::{Ctx, Reconciler, call, is_race};
use rolling::Set;

pub const HASH_LABEL: &str = "pod-template-hash";
pub const REVISION: &str = "deployment.kubernetes.io/revision";
const DESIRED: &str = "deployment.kubernetes.io/desired-replicas";
const MAX: &str = "deployment.kubernetes.io/max-replicas";

pub struct Deployments {
    ctx: Ctx,
}

impl Deployments {
    pub fn new(ctx: Ctx) -> Self {
        Self { ctx }
    }
}

/// The `pod-template-hash` of a template: FNV-1a of its JSON, spelled with the consonants and
/// digits Kubernetes uses so that it never forms words.
pub fn template_hash(template: &Value) -> String {
    let text = template.to_string();
    let mut hash: u32 = 0x811c_9dc5;
    for byte in text.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    hash.to_string()
        .bytes()
        .map(|b| {
            char::from(
                ALPHABET
                    .get(usize::from(b) % ALPHABET.len())
                    .copied()
                    .unwrap_or(b'b'),
            )
        })
        .collect()
}

pub fn revision(rs: &ReplicaSet) -> i64 {
    rs.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(REVISION))
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

fn spec_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

fn set_of(rs: &ReplicaSet) -> Set {
    Set {
        replicas: spec_replicas(rs),
        available: rs
            .status
            .as_ref()
            .and_then(|s| s.available_replicas)
            .unwrap_or(0),
    }
}

impl Deployments {
    async fn scale(
        &self,
        rs: &ReplicaSet,
        replicas: i32,
        annotations: &BTreeMap<&str, String>,
    ) -> Result<(), kube::Error> {
        let (Some(ns), Some(name)) = (&rs.metadata.namespace, &rs.metadata.name) else {
            return Ok(());
        };
        let patch =
            json!({"metadata": {"annotations": annotations}, "spec": {"replicas": replicas}});
        let api: Api<ReplicaSet> = Api::namespaced(self.ctx.client.clone(), ns);
        match call(api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))).await {
            Ok(_) => Ok(()),
            Err(error) if is_race(&error) => Ok(()),
            Err(error) => Err(error),
        }
    }

    async fn create_rs(
        &self,
        d: &Deployment,
        hash: &str,
        replicas: i32,
        annotations: &BTreeMap<&str, String>,
    ) -> Result<Option<ReplicaSet>, kube::Error> {
        let (Some(ns), Some(name), Some(spec)) = (&d.metadata.namespace, &d.metadata.name, &d.spec)
        else {
            return Ok(None);
        };
        let mut template = serde_json::to_value(&spec.template).map_err(kube::Error::SerdeError)?;
        if let Some(meta) = template.as_object_mut() {
            let labels = meta.entry("metadata").or_insert_with(|| json!({}));
            if let Some(labels) = labels.as_object_mut() {
                let map = labels.entry("labels").or_insert_with(|| json!({}));
                if let Some(map) = map.as_object_mut() {
                    map.insert(HASH_LABEL.to_owned(), json!(hash));
                }
            }
        }
        let mut selector = serde_json::to_value(&spec.selector).map_err(kube::Error::SerdeError)?;
        if let Some(object) = selector.as_object_mut() {
            let match_labels = object.entry("matchLabels").or_insert_with(|| json!({}));
            if let Some(map) = match_labels.as_object_mut() {
                map.insert(HASH_LABEL.to_owned(), json!(hash));
            }
        }
        let labels = template.pointer("/metadata/labels").cloned();
        let rs = json!({
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": format!("{name}-{hash}"),
                "namespace": ns,
                "labels": labels,
                "annotations": annotations,
                "ownerReferences": [{
                    "apiVersion": "apps/v1", "kind": "Deployment", "name": name,
                    "uid": d.metadata.uid, "controller": true, "blockOwnerDeletion": true,
                }],
            },
            "spec": {
                "replicas": replicas,
                "minReadySeconds": spec.min_ready_seconds.unwrap_or(0),
                "selector": selector,
                "template": template,
            },
        });
        let rs: ReplicaSet = serde_json::from_value(rs).map_err(kube::Error::SerdeError)?;
        let api: Api<ReplicaSet> = Api::namespaced(self.ctx.client.clone(), ns);
        match call(api.create(&PostParams::default(), &rs)).await {
            Ok(created) => Ok(Some(created)),
            Err(error) if is_race(&error) => Ok(None),
            Err(error) => Err(error),
        }
    }

    async fn sync(
        &self,
        d: &Deployment,
        all_rs: &[ReplicaSet],
        pods: &[Pod],
        now: Duration,
    ) -> Result<Option<Duration>, kube::Error> {
        let (Some(uid), Some(spec)) = (&d.metadata.uid, &d.spec) else {
            return Ok(None);
        };
        if d.metadata.deletion_timestamp.is_some() || spec.paused == Some(true) {
            return Ok(None);
        }
        let replicas = spec.replicas.unwrap_or(1);
        let owned: Vec<&ReplicaSet> = all_rs
            .iter()
            .filter(|rs| controller_uid(&rs.metadata) == Some(uid.as_str()))
            .collect();
        let template = serde_json::to_value(&spec.template).map_err(kube::Error::SerdeError)?;
        let hash = template_hash(&template);
        let is_new = |rs: &&ReplicaSet| {
            rs.metadata.labels.as_ref().and_then(|l| l.get(HASH_LABEL)) == Some(&hash)
        };
        let mut olds: Vec<&ReplicaSet> = owned.iter().copied().filter(|rs| !is_new(rs)).collect();
        olds.sort_by_key(|rs| {
            (
                rs.metadata
                    .creation_timestamp
                    .as_ref()
                    .map(|t| t.0.as_millisecond()),
                rs.metadata.name.clone(),
            )
        });
        let max_old_revision = olds.iter().map(|rs| revision(rs)).max().unwrap_or(0);
        let rolling = spec.strategy.as_ref().and_then(|s| s.type_.as_deref()) != Some("Recreate");
        let params = spec
            .strategy
            .as_ref()
            .and_then(|s| s.rolling_update.as_ref());
        let (surge, unavailable) = if rolling {
            rolling::fenceposts(
                params.and_then(|p| p.max_surge.as_ref()),
                params.and_then(|p| p.max_unavailable.as_ref()),
                replicas,
            )
        } else {
            (0, 0)
        };
        let mut annotations = BTreeMap::new();
        annotations.insert(DESIRED, replicas.to_string());
        annotations.insert(MAX, (replicas + surge).to_string());
        let old_desired: i32 = olds.iter().map(|rs| spec_replicas(rs)).sum();
        // Recreate waits for old pods that have not finished, terminating ones included.
        let old_uids: Vec<&str> = olds
            .iter()
            .filter_map(|rs| rs.metadata.uid.as_deref())
            .collect();
        let old_running = pods.iter().any(|p| {
            let phase = p.status.as_ref().and_then(|s| s.phase.as_deref());
            controller_uid(&p.metadata).is_some_and(|u| old_uids.contains(&u))
                && !matches!(phase, Some("Succeeded" | "Failed"))
        });
        let Some(new) = owned.iter().copied().find(is_new) else {
            // A new template: a new ReplicaSet, already grown as far as the surge allows.
            let first = if rolling {
                rolling::new_replicas(replicas, surge, old_desired, 0)
            } else if old_desired == 0 && !old_running {
                replicas
            } else {
                0
            };
            annotations.insert(REVISION, (max_old_revision + 1).to_string());
            if let Some(created) = self.create_rs(d, &hash, first, &annotations).await? {
                let rollout = status::Rollout {
                    new: &created,
                    owned: &owned,
                    created: true,
                };
                self.write_status(d, rollout, now).await?;
            }
            return Ok(None);
        };
        if revision(new) <= max_old_revision {
            annotations.insert(REVISION, (max_old_revision + 1).to_string());
        }
        let new_set = set_of(new);
        if !rolling {
            // Recreate: every old pod goes before any new one starts.
            for rs in &olds {
                if spec_replicas(rs) != 0 {
                    self.scale(rs, 0, &annotations).await?;
                }
            }
            let ready_to_start = !old_running;
            if (ready_to_start && new_set.replicas != replicas)
                || annotations.contains_key(REVISION)
            {
                let target = if ready_to_start {
                    replicas
                } else {
                    new_set.replicas
                };
                self.scale(new, target, &annotations).await?;
            }
        } else if olds.iter().all(|rs| spec_replicas(rs) == 0) {
            // Not rolling out: keep the one live ReplicaSet at the deployment's size.
            if new_set.replicas != replicas || annotations.contains_key(REVISION) {
                self.scale(new, replicas, &annotations).await?;
            }
        } else {
            let target = rolling::new_replicas(
                replicas,
                surge,
                old_desired + new_set.replicas,
                new_set.replicas,
            );
            if target != new_set.replicas || annotations.contains_key(REVISION) {
                self.scale(new, target, &annotations).await?;
            } else {
                let sets: Vec<Set> = olds.iter().map(|rs| set_of(rs)).collect();
                let targets = rolling::old_replicas(replicas, unavailable, new_set, &sets);
                for (rs, target) in olds.iter().zip(targets) {
                    if target != spec_replicas(rs) {
                        self.scale(rs, target, &annotations).await?;
                    }
                }
            }
        }
        let rollout = status::Rollout {
            new,
            owned: &owned,
            created: false,
        };
        self.write_status(d, rollout, now).await
    }
}

impl Reconciler for Deployments {
    async fn reconcile(&mut self) -> Result<Option<Duration>, kube::Error> {
        let client = self.ctx.client.clone();
        let deployments =
            call(Api::<Deployment>::all(client.clone()).list(&ListParams::default())).await?;
        let rss = call(Api::<ReplicaSet>::all(client.clone()).list(&ListParams::default())).await?;
        let pods = call(Api::<Pod>::all(client).list(&ListParams::default())).await?;
        let now = self.ctx.now();
        let mut next: Option<Duration> = None;
        for d in &deployments.items {
            if let Some(at) = self.sync(d, &rss.items, &pods.items, now).await? {
                next = Some(next.map_or(at, |n| n.min(at)));
            }
        }
        Ok(next)
    }
}
