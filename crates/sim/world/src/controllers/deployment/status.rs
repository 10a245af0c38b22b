//! The Deployment's status: replica counts summed over its ReplicaSets, `Available` (at least
//! `replicas - maxUnavailable` available) and `Progressing` (`NewReplicaSetCreated`,
//! `ReplicaSetUpdated` on any progress, `NewReplicaSetAvailable` when complete, and
//! `ProgressDeadlineExceeded` after `progressDeadlineSeconds` without progress), with the
//! messages kube-controller-manager writes.

use std::time::Duration;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentCondition, ReplicaSet};
use kube::Api;
use kube::api::{Patch, PatchParams};
use serde_json::json;

use super::{Deployments, REVISION, revision, rolling};
use crate::controllers::runtime::{call, is_race};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
struct Counts {
    replicas: i32,
    updated: i32,
    ready: i32,
    available: i32,
    unavailable: i32,
}

fn counts(all: &[&ReplicaSet], new: &ReplicaSet) -> Counts {
    let status = |rs: &ReplicaSet| rs.status.clone().unwrap_or_default();
    let replicas = all.iter().map(|rs| status(rs).replicas).sum();
    let ready = all
        .iter()
        .map(|rs| status(rs).ready_replicas.unwrap_or(0))
        .sum();
    let available: i32 = all
        .iter()
        .map(|rs| status(rs).available_replicas.unwrap_or(0))
        .sum();
    let desired: i32 = all
        .iter()
        .map(|rs| rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1))
        .sum();
    Counts {
        replicas,
        updated: status(new).replicas,
        ready,
        available,
        unavailable: (desired - available).max(0),
    }
}

fn find<'a>(d: &'a Deployment, kind: &str) -> Option<&'a DeploymentCondition> {
    d.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == kind)
}

/// The ReplicaSets of a Deployment after a pass: the new one (`created` by this pass or not)
/// and every one it owns.
#[derive(Clone, Copy, Debug)]
pub(super) struct Rollout<'a> {
    pub new: &'a ReplicaSet,
    pub owned: &'a [&'a ReplicaSet],
    pub created: bool,
}

impl Deployments {
    /// Writes the status after this pass; answers when the progress deadline would expire.
    pub(super) async fn write_status(
        &self,
        d: &Deployment,
        rollout: Rollout<'_>,
        now: Duration,
    ) -> Result<Option<Duration>, kube::Error> {
        let Rollout {
            new,
            owned,
            created,
        } = rollout;
        let (Some(ns), Some(name), Some(spec)) = (&d.metadata.namespace, &d.metadata.name, &d.spec)
        else {
            return Ok(None);
        };
        let mut all: Vec<&ReplicaSet> = owned
            .iter()
            .copied()
            .filter(|rs| rs.metadata.uid != new.metadata.uid)
            .collect();
        all.push(new);
        let c = counts(&all, new);
        let replicas = spec.replicas.unwrap_or(1);
        let rolling_update =
            spec.strategy.as_ref().and_then(|s| s.type_.as_deref()) != Some("Recreate");
        let params = spec
            .strategy
            .as_ref()
            .and_then(|s| s.rolling_update.as_ref());
        let max_unavailable = if rolling_update && replicas > 0 {
            rolling::fenceposts(
                params.and_then(|p| p.max_surge.as_ref()),
                params.and_then(|p| p.max_unavailable.as_ref()),
                replicas,
            )
            .1
        } else {
            0
        };
        let previous = d.status.clone().unwrap_or_default();
        let before = Counts {
            replicas: previous.replicas.unwrap_or(0),
            updated: previous.updated_replicas.unwrap_or(0),
            ready: previous.ready_replicas.unwrap_or(0),
            available: previous.available_replicas.unwrap_or(0),
            unavailable: previous.unavailable_replicas.unwrap_or(0),
        };
        let rs_name = new.metadata.name.clone().unwrap_or_default();
        let stamp = self.ctx.timestamp();
        let condition = |kind: &str,
                         status: &str,
                         reason: &str,
                         message: String,
                         since: Option<&DeploymentCondition>| {
            // The transition time stays while the status does.
            let transition = since
                .filter(|c| c.status == status)
                .and_then(|c| c.last_transition_time.clone())
                .unwrap_or_else(|| stamp.clone());
            json!({"type": kind, "status": status, "reason": reason, "message": message,
                   "lastUpdateTime": stamp, "lastTransitionTime": transition})
        };
        let available_now = c.available >= replicas - max_unavailable;
        let old_available = find(d, "Available");
        let available = if old_available.is_some_and(|o| (o.status == "True") == available_now) {
            serde_json::to_value(old_available).map_err(kube::Error::SerdeError)?
        } else if available_now {
            condition(
                "Available",
                "True",
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.".to_owned(),
                old_available,
            )
        } else {
            condition(
                "Available",
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.".to_owned(),
                old_available,
            )
        };
        let old_progress = find(d, "Progressing");
        let complete = c.updated == replicas && c.replicas == replicas && c.available == replicas;
        let progressed = c.updated > before.updated
            || c.replicas - c.updated < before.replicas - before.updated
            || c.ready > before.ready
            || c.available > before.available;
        let deadline = Duration::from_secs(
            u64::try_from(spec.progress_deadline_seconds.unwrap_or(600)).unwrap_or(600),
        );
        let last_update = old_progress
            .and_then(|p| p.last_update_time.as_ref())
            .map(|t| self.ctx.sim_time_of(t));
        let reason_of =
            |p: Option<&DeploymentCondition>| p.and_then(|p| p.reason.clone()).unwrap_or_default();
        let mut next = None;
        let progressing = if created {
            condition(
                "Progressing",
                "True",
                "NewReplicaSetCreated",
                format!("Created new replica set \"{rs_name}\""),
                old_progress,
            )
        } else if complete {
            if reason_of(old_progress) == "NewReplicaSetAvailable" {
                serde_json::to_value(old_progress).map_err(kube::Error::SerdeError)?
            } else {
                condition(
                    "Progressing",
                    "True",
                    "NewReplicaSetAvailable",
                    format!("ReplicaSet \"{rs_name}\" has successfully progressed."),
                    old_progress,
                )
            }
        } else if progressed || old_progress.is_none() {
            next = Some(deadline + Duration::from_secs(1));
            condition(
                "Progressing",
                "True",
                "ReplicaSetUpdated",
                format!("ReplicaSet \"{rs_name}\" is progressing."),
                old_progress,
            )
        } else if reason_of(old_progress) != "ProgressDeadlineExceeded"
            && last_update.is_some_and(|at| at + deadline < now)
        {
            condition(
                "Progressing",
                "False",
                "ProgressDeadlineExceeded",
                format!("ReplicaSet \"{rs_name}\" has timed out progressing."),
                old_progress,
            )
        } else {
            // Second resolution of the timestamp: wake a second after the deadline.
            next =
                last_update.map(|at| (at + deadline + Duration::from_secs(1)).saturating_sub(now));
            serde_json::to_value(old_progress).map_err(kube::Error::SerdeError)?
        };
        let status = json!({
            "observedGeneration": d.metadata.generation,
            "replicas": c.replicas,
            "updatedReplicas": c.updated,
            "readyReplicas": c.ready,
            "availableReplicas": c.available,
            "unavailableReplicas": c.unavailable,
            "conditions": [available, progressing],
        });
        let mut current = serde_json::to_value(&previous).map_err(kube::Error::SerdeError)?;
        let mut wanted: k8s_openapi::api::apps::v1::DeploymentStatus =
            serde_json::from_value(status.clone()).map_err(kube::Error::SerdeError)?;
        // Zero counts are omitted when empty; compare as the server stores them.
        if let Some(object) = current.as_object_mut() {
            object.remove("collisionCount");
            object.remove("terminatingReplicas");
        }
        wanted.collision_count = None;
        let changed = serde_json::to_value(&wanted).map_err(kube::Error::SerdeError)? != current
            || c != before;
        let api: Api<Deployment> = Api::namespaced(self.ctx.client.clone(), ns);
        if changed {
            let patch = json!({"status": status});
            match call(api.patch_status(name, &PatchParams::default(), &Patch::Merge(&patch))).await
            {
                Ok(_) => {}
                Err(error) if is_race(&error) => return Ok(None),
                Err(error) => return Err(error),
            }
        }
        let want_revision = revision(new).to_string();
        let has_revision = d
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(REVISION));
        if has_revision != Some(&want_revision) && revision(new) > 0 {
            let patch = json!({"metadata": {"annotations": {REVISION: want_revision}}});
            match call(api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))).await {
                Ok(_) => {}
                Err(error) if is_race(&error) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(next)
    }
}
