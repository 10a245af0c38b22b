//! The ReplicaSet controller: keeps `spec.replicas` active pods per ReplicaSet and reports
//! `replicas`, `fullyLabeledReplicas`, `readyReplicas` and `availableReplicas` (Ready for at least
//! `minReadySeconds`, judged from the Ready condition's transition time).
//!
//! Scale-down picks pods in the order kube-controller-manager ranks them: unscheduled first, then
//! Pending before Running, not Ready before Ready, lower `controller.kubernetes.io/pod-deletion-cost`,
//! more pods of the set on the same node, Ready more recently, created more recently. (Kubernetes
//! buckets the last two on a logarithmic scale; exact times are used here.) Terminating pods and
//! pods in a terminal phase are not active and are not counted.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::Api;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;

use super::runtime::{Ctx, Reconciler, call, is_race};

pub struct ReplicaSets {
    pub ctx: Ctx,
}

/// The controller owner reference's UID.
pub fn controller_uid(meta: &kube::api::ObjectMeta) -> Option<&str> {
    meta.owner_references
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find(|r| r.controller == Some(true))
        .map(|r| r.uid.as_str())
}

pub fn is_active(pod: &Pod) -> bool {
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
    pod.metadata.deletion_timestamp.is_none() && !matches!(phase, Some("Succeeded" | "Failed"))
}

/// Since when the pod is Ready, if it is.
pub fn ready_since(pod: &Pod) -> Option<Option<&Time>> {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default()
        .iter()
        .find(|c| c.type_ == "Ready" && c.status == "True")
        .map(|c| c.last_transition_time.as_ref())
}

fn labels_match(pod: &Pod, rs: &ReplicaSet) -> bool {
    let want = rs
        .spec
        .as_ref()
        .and_then(|s| s.template.as_ref())
        .and_then(|t| t.metadata.as_ref())
        .and_then(|m| m.labels.as_ref());
    let have = pod.metadata.labels.as_ref();
    want.is_none_or(|want| {
        want.iter()
            .all(|(k, v)| have.and_then(|h| h.get(k)) == Some(v))
    })
}

impl ReplicaSets {
    /// Whether a pod counts as available at `now`, and if not yet, in how much simulated time.
    fn available(&self, pod: &Pod, min_ready: Duration, now: Duration) -> (bool, Option<Duration>) {
        match ready_since(pod) {
            None => (false, None),
            Some(_) if min_ready.is_zero() => (true, None),
            Some(None) => (false, None),
            Some(Some(since)) => {
                let at = self.ctx.sim_time_of(since) + min_ready;
                if at <= now {
                    (true, None)
                } else {
                    (false, Some(at - now))
                }
            }
        }
    }

    async fn create_pod(
        &self,
        rs: &ReplicaSet,
        namespace: &str,
        name: &str,
    ) -> Result<(), kube::Error> {
        let template = rs.spec.as_ref().and_then(|s| s.template.as_ref());
        let meta = template.and_then(|t| t.metadata.as_ref());
        let pod = json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "generateName": format!("{name}-"),
                "namespace": namespace,
                "labels": meta.and_then(|m| m.labels.as_ref()),
                "annotations": meta.and_then(|m| m.annotations.as_ref()),
                "ownerReferences": [{
                    "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": name,
                    "uid": rs.metadata.uid, "controller": true, "blockOwnerDeletion": true,
                }],
            },
            "spec": template.and_then(|t| t.spec.as_ref()),
        });
        let pod: Pod = serde_json::from_value(pod).map_err(kube::Error::SerdeError)?;
        let api: Api<Pod> = Api::namespaced(self.ctx.client.clone(), namespace);
        call(api.create(&PostParams::default(), &pod)).await?;
        Ok(())
    }

    async fn sync(
        &self,
        rs: &ReplicaSet,
        all_pods: &[Pod],
        now: Duration,
    ) -> Result<Option<Duration>, kube::Error> {
        let (Some(uid), Some(namespace), Some(name)) =
            (&rs.metadata.uid, &rs.metadata.namespace, &rs.metadata.name)
        else {
            return Ok(None);
        };
        let owned: Vec<&Pod> = all_pods
            .iter()
            .filter(|p| controller_uid(&p.metadata) == Some(uid.as_str()))
            .collect();
        let active: Vec<&Pod> = owned.iter().copied().filter(|p| is_active(p)).collect();
        let spec = rs.spec.as_ref();
        let desired = usize::try_from(spec.and_then(|s| s.replicas).unwrap_or(1)).unwrap_or(0);
        let min_ready = Duration::from_secs(
            u64::try_from(spec.and_then(|s| s.min_ready_seconds).unwrap_or(0)).unwrap_or(0),
        );
        if rs.metadata.deletion_timestamp.is_none() {
            if active.len() < desired {
                for _ in active.len()..desired {
                    self.create_pod(rs, namespace, name).await?;
                }
            } else if active.len() > desired {
                let api: Api<Pod> = Api::namespaced(self.ctx.client.clone(), namespace);
                for victim in rank_for_deletion(&active)
                    .into_iter()
                    .take(active.len() - desired)
                {
                    let Some(pod_name) = &victim.metadata.name else {
                        continue;
                    };
                    match call(api.delete(pod_name, &DeleteParams::default())).await {
                        Ok(_) => {}
                        Err(error) if is_race(&error) => {}
                        Err(error) => return Err(error),
                    }
                }
            }
        }
        let mut next: Option<Duration> = None;
        let mut available = 0;
        for pod in &active {
            let (yes, later) = self.available(pod, min_ready, now);
            available += i32::from(yes);
            if let Some(later) = later {
                next = Some(next.map_or(later, |n| n.min(later)));
            }
        }
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        let ready = active.iter().filter(|p| ready_since(p).is_some()).count();
        let labeled = active.iter().filter(|p| labels_match(p, rs)).count();
        let status = rs.status.as_ref();
        let current = (
            status.map_or(0, |s| s.replicas),
            status.and_then(|s| s.fully_labeled_replicas).unwrap_or(0),
            status.and_then(|s| s.ready_replicas).unwrap_or(0),
            status.and_then(|s| s.available_replicas).unwrap_or(0),
            status.and_then(|s| s.observed_generation),
        );
        let wanted = (
            count(active.len()),
            count(labeled),
            count(ready),
            available,
            rs.metadata.generation,
        );
        if current != wanted {
            let patch = json!({"status": {
                "replicas": wanted.0, "fullyLabeledReplicas": wanted.1, "readyReplicas": wanted.2,
                "availableReplicas": wanted.3, "observedGeneration": wanted.4,
            }});
            let api: Api<ReplicaSet> = Api::namespaced(self.ctx.client.clone(), namespace);
            match call(api.patch_status(name, &PatchParams::default(), &Patch::Merge(&patch))).await
            {
                Ok(_) => {}
                Err(error) if is_race(&error) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(next)
    }
}

/// Whether `rs` has more active pods than it wants.
fn shrinking(rs: &ReplicaSet, pods: &[Pod]) -> bool {
    let Some(uid) = rs.metadata.uid.as_deref() else {
        return false;
    };
    let active = pods
        .iter()
        .filter(|p| controller_uid(&p.metadata) == Some(uid) && is_active(p))
        .count();
    let desired = rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    usize::try_from(desired).is_ok_and(|d| active > d)
}

/// Active pods, the first to delete first.
pub fn rank_for_deletion<'a>(pods: &[&'a Pod]) -> Vec<&'a Pod> {
    let mut per_node: BTreeMap<&str, usize> = BTreeMap::new();
    for pod in pods {
        if let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) {
            *per_node.entry(node).or_default() += 1;
        }
    }
    let mut ranked: Vec<&Pod> = pods.to_vec();
    ranked.sort_by_key(|pod| {
        let node = pod.spec.as_ref().and_then(|s| s.node_name.as_deref());
        let phase_rank = match pod.status.as_ref().and_then(|s| s.phase.as_deref()) {
            Some("Pending") => 0,
            Some("Running") => 2,
            _ => 1,
        };
        let cost: i64 = pod
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("controller.kubernetes.io/pod-deletion-cost"))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let ready = ready_since(pod);
        let ready_at = ready.flatten().map(|t| t.0.as_millisecond());
        (
            node.is_some(),
            phase_rank,
            ready.is_some(),
            cost,
            Reverse(node.and_then(|n| per_node.get(n)).copied().unwrap_or(0)),
            Reverse(ready_at),
            Reverse(
                pod.metadata
                    .creation_timestamp
                    .as_ref()
                    .map(|t| t.0.as_millisecond()),
            ),
            pod.metadata.name.clone(),
        )
    });
    ranked
}

impl Reconciler for ReplicaSets {
    async fn reconcile(&mut self) -> Result<Option<Duration>, kube::Error> {
        let rss =
            call(Api::<ReplicaSet>::all(self.ctx.client.clone()).list(&ListParams::default()))
                .await?;
        let pods =
            call(Api::<Pod>::all(self.ctx.client.clone()).list(&ListParams::default())).await?;
        let now = self.ctx.now();
        let mut next: Option<Duration> = None;
        // Shrinking sets first: a rollout that scales one set down and another up in the same
        // moment then never runs more pods than the two specs add up to.
        let mut order: Vec<&ReplicaSet> = rss.items.iter().collect();
        order.sort_by_key(|rs| !shrinking(rs, &pods.items));
        for rs in order {
            if let Some(at) = self.sync(rs, &pods.items, now).await? {
                next = Some(next.map_or(at, |n| n.min(at)));
            }
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests;
