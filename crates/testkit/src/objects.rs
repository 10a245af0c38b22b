//! Builders for the Kubernetes objects tests create: pods (plain, gated, scheduled, with
//! container ports), their status (IPs, `ContainersReady`, `Ready`, readiness-gate conditions),
//! Services, EndpointSlices, nodes, namespaces, Deployments and TargetGroupBindings.
//!
//! Each builder starts from the shape most tests want and is refined with a few setters; what
//! they do not cover goes through [`Object::merge`] (a JSON merge patch). The result is either
//! the typed k8s-openapi value ([`Object::build`]) for kube's `Api`, or JSON ([`Object::json`])
//! for stores, admission reviews and raw requests. The defaults name one application: pods
//! labelled `app=<app>` run one container `app` (`web:v1`), Services map port 80 (`http`) to the
//! containers' 8080.

use std::marker::PhantomData;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use lbgate_api::TargetGroupBinding;
use lbgate_api::consts::{POD_READINESS_GATE_INJECT_ENABLED, POD_READINESS_GATE_INJECT_LABEL};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// The image of the builders' containers.
pub const IMAGE: &str = "web:v1";
/// The Service port, and the name the builders give it and the container port.
pub const SERVICE_PORT: i32 = 80;
pub const PORT_NAME: &str = "http";
/// The containers' port, and so every ip target's.
pub const APP_PORT: i32 = 8080;

/// An object being built: JSON until it is asked for as `K`.
#[derive(Debug, Clone, PartialEq)]
pub struct Object<K> {
    json: Value,
    kind: PhantomData<K>,
}

impl<K> Object<K> {
    fn new(json: Value) -> Self {
        Self {
            json,
            kind: PhantomData,
        }
    }

    /// The object as JSON.
    pub fn json(&self) -> Value {
        self.json.clone()
    }

    /// The object as JSON, without a copy.
    pub fn into_json(self) -> Value {
        self.json
    }

    /// In namespace `namespace` (otherwise the client's or the request's).
    pub fn namespace(self, namespace: &str) -> Self {
        self.merge(json!({"metadata": {"namespace": namespace}}))
    }

    /// With label `key=value`.
    pub fn label(self, key: &str, value: &str) -> Self {
        self.merge(json!({"metadata": {"labels": {key: value}}}))
    }

    /// With annotation `key=value`.
    pub fn annotation(self, key: &str, value: &str) -> Self {
        self.merge(json!({"metadata": {"annotations": {key: value}}}))
    }

    /// `patch` applied as a JSON merge patch (RFC 7386): objects merge key by key, `null`
    /// removes a key, anything else (arrays too) replaces what was there.
    pub fn merge(mut self, patch: Value) -> Self {
        merge(&mut self.json, patch);
        self
    }

    /// Edits the JSON object at `pointer` in place, for what a merge patch cannot say
    /// (appending to a list); nothing happens when there is no object there.
    fn edit(mut self, pointer: &str, change: impl FnOnce(&mut Map<String, Value>)) -> Self {
        if let Some(Value::Object(fields)) = self.json.pointer_mut(pointer) {
            change(fields);
        }
        self
    }
}

impl<K: DeserializeOwned> Object<K> {
    /// The typed object.
    ///
    /// # Panics
    /// When the JSON does not decode as `K`: a test that merged something that is not a `K`.
    #[expect(
        clippy::panic,
        reason = "the kit fails the test that built an object its type refuses"
    )]
    pub fn build(&self) -> K {
        match serde_json::from_value(self.json.clone()) {
            Ok(object) => object,
            Err(error) => panic!("{} does not decode: {error}", self.json),
        }
    }
}

/// A pod with one container `app` running [`IMAGE`], unscheduled, with an empty label map (a
/// webhook's JSON patch may add a label to it, as it may to any pod `kubectl` creates).
pub fn pod(name: &str) -> Object<Pod> {
    Object::new(json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {}},
        "spec": {"containers": [{"name": "app", "image": IMAGE}]},
    }))
}

impl Object<Pod> {
    /// Labelled `app=<app>`, as the builders' Services and Deployments select.
    pub fn app(self, app: &str) -> Self {
        self.label("app", app)
    }

    /// Its container runs `image`.
    pub fn image(self, image: &str) -> Self {
        self.edit("/spec", |spec| set_image(spec, image))
    }

    /// Its container declares [`APP_PORT`] as [`PORT_NAME`].
    pub fn container_port(self) -> Self {
        self.edit("/spec", set_container_port)
    }

    /// Scheduled on `node`.
    pub fn node(self, node: &str) -> Self {
        self.merge(json!({"spec": {"nodeName": node}}))
    }

    /// Carries readiness gate `condition_type` (after any it already has).
    pub fn gate(self, condition_type: &str) -> Self {
        self.edit("/spec", |spec| add_gate(spec, condition_type))
    }
}

/// The status a kubelet reports for a running pod at `ip`: phase `Running`, `podIP`/`podIPs`,
/// and `ContainersReady` and `Ready` as given; a `{"status": …}` merge patch for
/// `patch_status`.
pub fn running_status(ip: &str, containers_ready: bool, ready: bool) -> Value {
    json!({"status": {
        "phase": "Running",
        "podIP": ip,
        "podIPs": [{"ip": ip}],
        "conditions": [
            {"type": "ContainersReady", "status": status(containers_ready)},
            {"type": "Ready", "status": status(ready)},
        ],
    }})
}

/// A status patch that sets condition `condition_type` (a readiness gate, `Ready`) to
/// `"True"`/`"False"`; a strategic-merge patch merges it into the conditions by type.
pub fn condition_patch(condition_type: &str, value: bool) -> Value {
    json!({"status": {"conditions": [{"type": condition_type, "status": status(value)}]}})
}

/// The status of condition `condition_type` on `pod`, if it has one.
pub fn pod_condition<'a>(pod: &'a Pod, condition_type: &str) -> Option<&'a str> {
    pod.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == condition_type)
        .map(|c| c.status.as_str())
}

/// The readiness gates `pod` carries.
pub fn readiness_gates(pod: &Pod) -> Vec<String> {
    pod.spec
        .as_ref()
        .and_then(|spec| spec.readiness_gates.as_ref())
        .map(|gates| gates.iter().map(|g| g.condition_type.clone()).collect())
        .unwrap_or_default()
}

/// A Service selecting the pods labelled `app=<app>`, port [`SERVICE_PORT`] ([`PORT_NAME`]) to
/// the containers' [`APP_PORT`].
pub fn service(name: &str, app: &str) -> Object<Service> {
    Object::new(json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name},
        "spec": {
            "selector": {"app": app},
            "ports": [{"name": PORT_NAME, "port": SERVICE_PORT, "targetPort": APP_PORT}],
        },
    }))
}

/// An IPv4 EndpointSlice of Service `service`, without ports or endpoints yet.
pub fn endpoint_slice(name: &str, service: &str) -> Object<EndpointSlice> {
    Object::new(json!({
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {"name": name, "labels": {"kubernetes.io/service-name": service}},
        "addressType": "IPv4",
        "endpoints": [],
    }))
}

impl Object<EndpointSlice> {
    /// With TCP port `port` named `name`.
    pub fn port(self, name: &str, port: i32) -> Self {
        self.edit("", |slice| {
            push(
                slice,
                "ports",
                json!({"name": name, "port": port, "protocol": "TCP"}),
            );
        })
    }

    /// With `pod` as an endpoint, as the EndpointSlice controller writes it: its IP, ready and
    /// serving as the pod is Ready, not terminating, on its node, referring to it.
    pub fn pod_endpoint(self, pod: &Pod) -> Self {
        let ready = pod_condition(pod, "Ready") == Some("True");
        let address = pod.status.as_ref().and_then(|s| s.pod_ip.clone());
        let node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
        let endpoint = json!({
            "addresses": [address],
            "conditions": {"ready": ready, "serving": ready, "terminating": false},
            "nodeName": node,
            "targetRef": {"kind": "Pod", "namespace": pod.metadata.namespace,
                          "name": pod.metadata.name, "uid": pod.metadata.uid},
        });
        self.edit("", |slice| push(slice, "endpoints", endpoint))
    }
}

/// A node backed by EC2 instance `instance_id` in `us-west-2a` (its `providerID`).
pub fn node(name: &str, instance_id: &str) -> Object<Node> {
    Object::new(json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name},
        "spec": {"providerID": format!("aws:///us-west-2a/{instance_id}")},
    }))
}

/// The status patch of a Ready node.
pub fn node_ready_status() -> Value {
    condition_patch("Ready", true)
}

/// A namespace; see [`Object::<Namespace>::gate_injection`].
pub fn namespace(name: &str) -> Object<Namespace> {
    Object::new(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}))
}

impl Object<Namespace> {
    /// Opted in to readiness-gate injection (the label the pod webhook selects on) when
    /// `enabled`; left as it is otherwise.
    pub fn gate_injection(self, enabled: bool) -> Self {
        if enabled {
            self.label(
                POD_READINESS_GATE_INJECT_LABEL,
                POD_READINESS_GATE_INJECT_ENABLED,
            )
        } else {
            self
        }
    }
}

/// A Deployment of `replicas` pods labelled `app=<app>`, their container as [`pod`]'s with
/// [`APP_PORT`] declared, Kubernetes' default rollout strategy.
pub fn deployment(name: &str, app: &str, replicas: i32) -> Object<Deployment> {
    Object::new(json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": app}},
            "template": {
                "metadata": {"labels": {"app": app}},
                "spec": {"containers": [{"name": "app", "image": IMAGE,
                         "ports": [{"name": PORT_NAME, "containerPort": APP_PORT}]}]},
            },
        },
    }))
}

impl Object<Deployment> {
    /// Its pods' container runs `image`.
    pub fn image(self, image: &str) -> Self {
        self.edit("/spec/template/spec", |spec| set_image(spec, image))
    }

    /// Its pods carry readiness gate `condition_type` (as the webhook would inject it).
    pub fn gate(self, condition_type: &str) -> Self {
        self.edit("/spec/template/spec", |spec| add_gate(spec, condition_type))
    }
}

/// A TargetGroupBinding with `spec` as given (for bindings that are incomplete on purpose).
pub fn binding(name: &str, spec: Value) -> Object<TargetGroupBinding> {
    Object::new(json!({
        "apiVersion": "elbv2.k8s.aws/v1beta1",
        "kind": "TargetGroupBinding",
        "metadata": {"name": name},
        "spec": spec,
    }))
}

/// An `ip` binding of target group `arn` to port [`SERVICE_PORT`] of Service `service`.
pub fn ip_binding(name: &str, service: &str, arn: &str) -> Object<TargetGroupBinding> {
    binding(
        name,
        json!({"targetGroupARN": arn, "targetType": "ip",
               "serviceRef": {"name": service, "port": SERVICE_PORT}}),
    )
}

fn status(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

/// Appends `item` to the list under `key` (making one of a missing key).
fn push(fields: &mut Map<String, Value>, key: &str, item: Value) {
    match fields.entry(key).or_insert_with(|| json!([])) {
        Value::Array(items) => items.push(item),
        other => *other = Value::Array(vec![item]),
    }
}

fn add_gate(pod_spec: &mut Map<String, Value>, condition_type: &str) {
    push(
        pod_spec,
        "readinessGates",
        json!({"conditionType": condition_type}),
    );
}

/// Every container of the pod spec.
fn containers(pod_spec: &mut Map<String, Value>) -> impl Iterator<Item = &mut Map<String, Value>> {
    pod_spec
        .get_mut("containers")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
}

fn set_image(pod_spec: &mut Map<String, Value>, image: &str) {
    for container in containers(pod_spec) {
        container.insert("image".to_owned(), json!(image));
    }
}

fn set_container_port(pod_spec: &mut Map<String, Value>) {
    for container in containers(pod_spec) {
        container.insert(
            "ports".to_owned(),
            json!([{"name": PORT_NAME, "containerPort": APP_PORT}]),
        );
    }
}

/// RFC 7386.
fn merge(target: &mut Value, patch: Value) {
    let Value::Object(patch) = patch else {
        *target = patch;
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(fields) = target {
        for (key, value) in patch {
            if value.is_null() {
                fields.remove(&key);
            } else {
                merge(fields.entry(key).or_insert(Value::Null), value);
            }
        }
    }
}

#[cfg(test)]
mod tests;
