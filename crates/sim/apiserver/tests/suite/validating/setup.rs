//! Helpers of `validating`: webhook configurations, pods created in-process (where the
//! webhooks' warnings come back), and a webhook Service published through EndpointSlices.

use k8s_openapi::api::admissionregistration::v1::ValidatingWebhookConfiguration;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::Api;
use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
use lbgate_sim_apiserver::tls::ServingCert;
use lbgate_sim_apiserver::{KubeSim, WriteOptions};
use serde_json::{Value, json};

use super::validator::Validator;

pub const SERVICE_HOST: &str = "validator.webhooks.svc";

/// A configuration of one webhook on pod CREATE and UPDATE, called at `client_config`.
pub fn hook(name: &str, client_config: Value, failure_policy: &str) -> Value {
    json!({
        "name": name,
        "admissionReviewVersions": ["v1"],
        "sideEffects": "None",
        "failurePolicy": failure_policy,
        "timeoutSeconds": 5,
        "clientConfig": client_config,
        "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"], "resources": ["pods"]}],
    })
}

pub async fn configure(client: &kube::Client, name: &str, hooks: Vec<Value>) {
    let configs: Api<ValidatingWebhookConfiguration> = Api::all(client.clone());
    let body = json!({"metadata": {"name": name}, "webhooks": hooks});
    configs
        .create(
            &PostParams::default(),
            &serde_json::from_value(body).unwrap(),
        )
        .await
        .unwrap();
}

pub async fn unconfigure(client: &kube::Client, name: &str) {
    let configs: Api<ValidatingWebhookConfiguration> = Api::all(client.clone());
    configs
        .delete(name, &DeleteParams::default())
        .await
        .unwrap();
}

pub fn url_config(validator: &Validator, path: &str, cert: &ServingCert) -> Value {
    json!({"url": validator.url(path), "caBundle": cert.ca_base64()})
}

pub fn service_config(cert: &ServingCert) -> Value {
    json!({"service": {"namespace": "webhooks", "name": "validator", "path": "/validate"},
           "caBundle": cert.ca_base64()})
}

/// Creates a pod in-process, where the webhooks' warnings come back with the object.
pub async fn create_pod(sim: &KubeSim, body: Value) -> Result<(Value, Vec<String>), (u16, String)> {
    let store = sim.store();
    let pods = store.resource("", "v1", "pods").unwrap();
    store
        .create(&pods, "default", body, &WriteOptions::default())
        .await
        .map(|w| (w.object, w.warnings))
        .map_err(|e| (e.code, e.message))
}

pub fn cert() -> ServingCert {
    ServingCert::self_signed(&[SERVICE_HOST.to_owned()]).unwrap()
}

/// Service `webhooks/validator` (port 443 `https` → `webhook`) and one EndpointSlice per replica.
pub async fn publish_service(client: &kube::Client, replicas: &[&Validator], ready: bool) {
    let services: Api<Service> = Api::namespaced(client.clone(), "webhooks");
    if services.get_opt("validator").await.unwrap().is_none() {
        let service = json!({"metadata": {"name": "validator"},
            "spec": {"selector": {"app": "validator"},
                     "ports": [{"name": "https", "port": 443, "targetPort": "webhook"}]}});
        services
            .create(
                &PostParams::default(),
                &serde_json::from_value(service).unwrap(),
            )
            .await
            .unwrap();
    }
    let slices: Api<EndpointSlice> = Api::namespaced(client.clone(), "webhooks");
    for (index, replica) in replicas.iter().enumerate() {
        let name = format!("validator-{index}");
        let slice = json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": name, "labels": {"kubernetes.io/service-name": "validator"}},
            "addressType": "IPv4",
            "ports": [{"name": "https", "port": replica.addr.port(), "protocol": "TCP"}],
            "endpoints": [{"addresses": ["127.0.0.1"], "conditions": {"ready": ready}}]});
        slices
            .patch(
                &name,
                &PatchParams::apply("test").force(),
                &Patch::Apply(slice),
            )
            .await
            .unwrap();
    }
}

pub async fn webhooks_namespace(client: &kube::Client) {
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    namespaces
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "webhooks"}})).unwrap(),
        )
        .await
        .unwrap();
}
