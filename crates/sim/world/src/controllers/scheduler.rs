//! The scheduler: binds each unscheduled pod to the simulated node running the fewest pods.
//!
//! kube-scheduler binds through the `pods/binding` subresource, which the simulated API server
//! does not serve; setting `spec.nodeName` with a patch has the same visible outcome, and
//! `PodScheduled` is then reported through `pods/status` as the binding would.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{ListParams, Patch, PatchParams};
use serde_json::json;

use super::runtime::{Ctx, Reconciler, call, is_race};

pub struct Scheduler {
    pub ctx: Ctx,
    /// Names of the nodes pods may go to, in preference order for ties.
    pub nodes: Vec<String>,
}

impl Reconciler for Scheduler {
    async fn reconcile(&mut self) -> Result<Option<Duration>, kube::Error> {
        let api: Api<Pod> = Api::all(self.ctx.client.clone());
        let pods = call(api.list(&ListParams::default())).await?;
        let mut load: BTreeMap<&str, usize> = self.nodes.iter().map(|n| (n.as_str(), 0)).collect();
        for pod in &pods.items {
            if let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.as_deref())
                && let Some(count) = load.get_mut(node)
            {
                *count += 1;
            }
        }
        for pod in &pods.items {
            let spec = pod.spec.as_ref();
            let unscheduled = spec.is_some_and(|s| s.node_name.is_none());
            let ours = spec
                .and_then(|s| s.scheduler_name.as_deref())
                .is_none_or(|name| name == "default-scheduler");
            if !unscheduled || !ours || pod.metadata.deletion_timestamp.is_some() {
                continue;
            }
            let Some(node) = self
                .nodes
                .iter()
                .min_by_key(|n| load.get(n.as_str()).copied().unwrap_or(usize::MAX))
            else {
                return Ok(None);
            };
            let (Some(ns), Some(name)) = (&pod.metadata.namespace, &pod.metadata.name) else {
                continue;
            };
            let pods_in: Api<Pod> = Api::namespaced(self.ctx.client.clone(), ns);
            let bind = json!({"spec": {"nodeName": node}});
            match call(pods_in.patch(name, &PatchParams::default(), &Patch::Merge(&bind))).await {
                Ok(_) => {}
                Err(error) if is_race(&error) => continue,
                Err(error) => return Err(error),
            }
            if let Some(count) = load.get_mut(node.as_str()) {
                *count += 1;
            }
            let scheduled = json!({"status": {"conditions": [{
                "type": "PodScheduled", "status": "True", "lastProbeTime": null,
                "lastTransitionTime": self.ctx.timestamp(),
            }]}});
            let patch = Patch::Strategic(&scheduled);
            match call(pods_in.patch_status(name, &PatchParams::default(), &patch)).await {
                Ok(_) => {}
                Err(error) if is_race(&error) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(None)
    }
}
