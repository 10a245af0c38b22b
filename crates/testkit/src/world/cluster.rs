//! The Kubernetes side of a [`ControllerWorld`]: nodes, Services, running pods, the Service's
//! EndpointSlice, bindings, and what the controller wrote back (Events, gate conditions). The
//! world has no kubelet and no EndpointSlice controller: these helpers play them.

use k8s_openapi::api::core::v1::{Node, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::events::v1::Event;
use kube::Api;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
use lbgate_api::TargetGroupBinding;

use super::{ControllerWorld, NS};
use crate::objects;

impl ControllerWorld {
    /// A Ready node backed by instance `i-0123456789abcdef0`.
    pub async fn node(&self, name: &str) {
        self.node_with_instance(name, "i-0123456789abcdef0").await;
    }

    /// A Ready node backed by EC2 instance `instance_id`.
    pub async fn node_with_instance(&self, name: &str, instance_id: &str) {
        let nodes: Api<Node> = Api::all(self.client.clone());
        let node = objects::node(name, instance_id).build();
        nodes.create(&PostParams::default(), &node).await.unwrap();
        nodes
            .patch_status(
                name,
                &PatchParams::default(),
                &Patch::Merge(&objects::node_ready_status()),
            )
            .await
            .unwrap();
    }

    /// Service `name` selecting the pods labelled `app=<name>`, port 80 to 8080.
    pub async fn service(&self, name: &str) {
        let services: Api<Service> = Api::namespaced(self.client.clone(), NS);
        services
            .create(
                &PostParams::default(),
                &objects::service(name, name).build(),
            )
            .await
            .unwrap();
    }

    /// A running pod on `node-1` labelled `app=web` whose containers are ready; `gate` is a
    /// readiness gate it carries (and then it is not Ready).
    pub async fn pod(&self, name: &str, ip: &str, gate: Option<&str>) -> Pod {
        let mut pod = objects::pod(name).app("web").node("node-1");
        if let Some(gate) = gate {
            pod = pod.gate(gate);
        }
        let pods = self.pods();
        pods.create(&PostParams::default(), &pod.build())
            .await
            .unwrap();
        let status = objects::running_status(ip, true, gate.is_none());
        pods.patch_status(name, &PatchParams::default(), &Patch::Merge(&status))
            .await
            .unwrap()
    }

    /// Writes the Service's one EndpointSlice with these pods (ready = pod Ready).
    pub async fn slice(&self, service: &str, pods: &[&Pod]) {
        let name = format!("{service}-abc");
        let slice = pods
            .iter()
            .fold(
                objects::endpoint_slice(&name, service).port("http", 8080),
                |slice, pod| slice.pod_endpoint(pod),
            )
            .build();
        let slices: Api<EndpointSlice> = Api::namespaced(self.client.clone(), NS);
        match slices.get_opt(&name).await.unwrap() {
            Some(existing) => {
                let mut slice = slice;
                slice.metadata.resource_version = existing.metadata.resource_version;
                slices
                    .replace(&name, &PostParams::default(), &slice)
                    .await
                    .unwrap();
            }
            None => {
                slices.create(&PostParams::default(), &slice).await.unwrap();
            }
        }
    }

    /// An ip binding of target group `arn` to port 80 of Service `service`.
    pub async fn binding(&self, name: &str, service: &str, arn: &str) {
        let binding = objects::ip_binding(name, service, arn).namespace(NS);
        self.bindings()
            .create(&PostParams::default(), &binding.build())
            .await
            .unwrap();
    }

    /// The bindings of [`NS`].
    pub fn bindings(&self) -> Api<TargetGroupBinding> {
        Api::namespaced(self.client.clone(), NS)
    }

    /// The pods of [`NS`].
    pub fn pods(&self) -> Api<Pod> {
        Api::namespaced(self.client.clone(), NS)
    }

    /// Deletes a pod at once (grace period 0).
    pub async fn delete_pod(&self, name: &str) {
        self.pods()
            .delete(name, &DeleteParams::default().grace_period(0))
            .await
            .unwrap();
    }

    /// `(reason, note)` of the Events about `binding`.
    pub async fn events(&self, binding: &str) -> Vec<(String, String)> {
        let events: Api<Event> = Api::namespaced(self.client.clone(), NS);
        events
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|e| e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some(binding))
            .map(|e| (e.reason.unwrap_or_default(), e.note.unwrap_or_default()))
            .collect()
    }

    /// The gate condition `(status, reason)` on a pod.
    pub async fn gate(&self, pod: &str, gate: &str) -> Option<(String, Option<String>)> {
        let pod = self.pods().get(pod).await.unwrap();
        pod.status?
            .conditions?
            .into_iter()
            .find(|c| c.type_ == gate)
            .map(|c| (c.status, c.reason))
    }
}
