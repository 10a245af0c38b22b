//! The installation a production cluster has, against `lbgate-sim serve`: the CRD, webhook
//! configurations and webhook Service from `manifests/install.yaml`, two controller processes
//! with self-managed certificates, and one EndpointSlice per process (the test plays the
//! endpoint controller for the two out-of-cluster processes).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, ValidatingWebhookConfiguration,
};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Namespace, Pod, Secret, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::Api;
use kube::api::{ListParams, Patch, PatchParams, PostParams};
use lbgate_api::TargetGroupBinding;
use lbgate_api::consts::{
    MUTATING_WEBHOOK_CONFIGURATION_NAME, VALIDATING_WEBHOOK_CONFIGURATION_NAME,
};
use lbgate_e2e::controller::{ControllerOptions, ControllerProcess};
use lbgate_e2e::serve::{SimElbv2, SimServe, SimServeOptions};
use lbgate_testkit::objects;
pub use lbgate_testkit::objects::{pod_condition as condition_status, readiness_gates};
use serde_json::{Value, json};

pub const SYSTEM_NAMESPACE: &str = "kube-system";
pub const WEBHOOK_SERVICE: &str = "lbgate-webhook-service";
/// The readiness gate of binding `web`, the one every scenario binds.
pub const GATE: &str = "target-health.elbv2.k8s.aws/web";
/// The name the API server verifies the webhook certificate for.
pub const WEBHOOK_HOST: &str = "lbgate-webhook-service.kube-system.svc";
const INSTALL_YAML: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../manifests/install.yaml");

/// Polls `check` every 100 ms until it gives a value; panics after `within` with `what` and
/// whatever `logs` says then.
pub async fn wait_until<T>(
    what: &str,
    within: Duration,
    logs: impl Fn() -> String,
    mut check: impl AsyncFnMut() -> Option<T>,
) -> T {
    lbgate_e2e::wait::until(what, within, Duration::from_millis(100), logs, async || {
        Ok(check().await)
    })
    .await
    .unwrap_or_else(|error| panic!("{error:#}"))
}

/// The simulator, the client, ELBv2 and the two controller processes of one test.
pub struct HaCluster {
    pub dir: PathBuf,
    pub sim: SimServe,
    pub client: kube::Client,
    pub elbv2: SimElbv2,
    pub controllers: Vec<ControllerProcess>,
    /// The Service port name the EndpointSlices must carry (from the manifest).
    port_name: String,
}

impl HaCluster {
    /// Starts the simulator, installs the manifests, starts two controllers (with the
    /// `--config` file `config_yaml` when given), publishes their endpoints and waits until
    /// both are ready and the caBundle is in the webhook configurations.
    pub async fn start(test: &str, config_yaml: Option<&str>) -> Self {
        lbgate_testkit::install_crypto();
        let dir = std::env::temp_dir().join(format!("lbgate-e2e-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let sim = SimServe::start(&SimServeOptions::new(&dir), Duration::from_secs(30))
            .await
            .unwrap();
        let client = sim.client().await.unwrap();
        let elbv2 = sim.elbv2().unwrap();
        let port_name = install_manifests(&client).await;
        let mut extra_args = vec!["--webhook-bind-addr".to_owned(), "127.0.0.1".to_owned()];
        if let Some(yaml) = config_yaml {
            let path = dir.join("controller.yaml");
            std::fs::write(&path, yaml).unwrap();
            extra_args.extend(["--config".to_owned(), path.display().to_string()]);
        }
        let mut cluster = Self {
            dir,
            sim,
            client,
            elbv2,
            controllers: Vec::new(),
            port_name,
        };
        for identity in ["ha-0", "ha-1"] {
            let mut options = ControllerOptions::new(
                identity,
                cluster.sim.kubeconfig(),
                cluster.sim.elbv2_url(),
                &cluster.dir,
            );
            options.region = cluster.sim.region().to_owned();
            options.extra_args = extra_args.clone();
            cluster
                .controllers
                .push(ControllerProcess::spawn(&options).unwrap());
        }
        for index in 0..cluster.controllers.len() {
            let outcome = cluster.controllers[index]
                .wait_ready(Duration::from_secs(30))
                .await;
            if let Err(error) = outcome {
                panic!("{error:#}\n{}", cluster.logs());
            }
            cluster.publish_endpoint(index).await;
        }
        cluster.ca_bundle().await;
        cluster
    }

    /// The tails of every log, for failure messages.
    pub fn logs(&self) -> String {
        let mut out = String::new();
        for controller in &self.controllers {
            out.push_str(&format!(
                "--- {} ({}):\n{}\n",
                controller.identity(),
                controller.log_path().display(),
                controller.log_tail(15)
            ));
        }
        out.push_str(&format!(
            "--- lbgate-sim ({}):\n{}\n",
            self.sim.log_path().display(),
            self.sim.log_tail(10)
        ));
        out
    }

    /// One EndpointSlice per process: its webhook port on 127.0.0.1, under the Service port's
    /// name, so the API server's resolver reaches it.
    async fn publish_endpoint(&self, index: usize) {
        let controller = &self.controllers[index];
        let slice: EndpointSlice = serde_json::from_value(json!({
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "name": format!("{WEBHOOK_SERVICE}-{}", controller.identity()),
                "namespace": SYSTEM_NAMESPACE,
                "labels": {
                    "kubernetes.io/service-name": WEBHOOK_SERVICE,
                    "endpointslice.kubernetes.io/managed-by": "lbgate-e2e",
                },
            },
            "addressType": "IPv4",
            "ports": [{"name": self.port_name, "port": controller.webhook_addr.port(),
                       "protocol": "TCP"}],
            "endpoints": [{"addresses": ["127.0.0.1"], "conditions": {"ready": true},
                           "targetRef": {"kind": "Pod", "name": controller.identity(),
                                         "namespace": SYSTEM_NAMESPACE}}],
        }))
        .unwrap();
        Api::<EndpointSlice>::namespaced(self.client.clone(), SYSTEM_NAMESPACE)
            .create(&PostParams::default(), &slice)
            .await
            .unwrap();
    }

    /// The caBundle once it is in every webhook of both configurations and they agree.
    pub async fn ca_bundle(&self) -> Vec<u8> {
        wait_until(
            "the caBundle in both webhook configurations",
            Duration::from_secs(20),
            || self.logs(),
            || self.published_bundle(),
        )
        .await
    }

    /// The caBundle of the webhook configurations when every webhook carries the same one.
    pub async fn published_bundle(&self) -> Option<Vec<u8>> {
        let mutating = Api::<MutatingWebhookConfiguration>::all(self.client.clone())
            .get(MUTATING_WEBHOOK_CONFIGURATION_NAME)
            .await
            .ok()?;
        let validating = Api::<ValidatingWebhookConfiguration>::all(self.client.clone())
            .get(VALIDATING_WEBHOOK_CONFIGURATION_NAME)
            .await
            .ok()?;
        let mut bundles: Vec<Option<Vec<u8>>> = Vec::new();
        for hook in mutating.webhooks.iter().flatten() {
            bundles.push(hook.client_config.ca_bundle.as_ref().map(|b| b.0.clone()));
        }
        for hook in validating.webhooks.iter().flatten() {
            bundles.push(hook.client_config.ca_bundle.as_ref().map(|b| b.0.clone()));
        }
        let first = bundles.first()?.clone()?;
        (bundles.len() == 3
            && !first.is_empty()
            && bundles.iter().all(|b| b.as_ref() == Some(&first)))
        .then_some(first)
    }

    /// The self-managed certificate Secret's data.
    pub async fn certificate_secret(&self) -> BTreeMap<String, Vec<u8>> {
        let secret = Api::<Secret>::namespaced(self.client.clone(), SYSTEM_NAMESPACE)
            .get(&format!("{WEBHOOK_SERVICE}-tls"))
            .await
            .unwrap();
        secret
            .data
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.0))
            .collect()
    }

    /// The identity holding the leader Lease, if anyone does.
    pub async fn lease_holder(&self) -> Option<String> {
        let lease = Api::<Lease>::namespaced(self.client.clone(), SYSTEM_NAMESPACE)
            .get_opt(lbgate_api::consts::DEFAULT_LEADER_ELECTION_ID)
            .await
            .ok()??;
        lease.spec?.holder_identity.filter(|h| !h.is_empty())
    }

    /// The index of the controller holding the Lease, once one does.
    pub async fn leader(&self) -> usize {
        let identity = wait_until(
            "a leader",
            Duration::from_secs(30),
            || self.logs(),
            || self.lease_holder(),
        )
        .await;
        self.controllers
            .iter()
            .position(|c| c.identity() == identity)
            .unwrap_or_else(|| panic!("unknown Lease holder {identity}"))
    }

    /// A namespace, opted in to gate injection or not.
    pub async fn namespace(&self, name: &str, opted_in: bool) {
        let namespace = objects::namespace(name).gate_injection(opted_in);
        Api::<Namespace>::all(self.client.clone())
            .create(&PostParams::default(), &namespace.build())
            .await
            .unwrap();
    }

    /// Service `web` (port 80 → 8080, selecting `app=web`) and binding `web` on `arn`.
    pub async fn service_and_binding(&self, namespace: &str, arn: &str) -> TargetGroupBinding {
        Api::<Service>::namespaced(self.client.clone(), namespace)
            .create(
                &PostParams::default(),
                &objects::service("web", "web").namespace(namespace).build(),
            )
            .await
            .unwrap();
        let binding = objects::ip_binding("web", "web", arn)
            .namespace(namespace)
            .build();
        match self
            .bindings(namespace)
            .create(&PostParams::default(), &binding)
            .await
        {
            Ok(created) => created,
            Err(error) => panic!("creating binding {namespace}/web: {error}\n{}", self.logs()),
        }
    }

    pub fn bindings(&self, namespace: &str) -> Api<TargetGroupBinding> {
        Api::namespaced(self.client.clone(), namespace)
    }

    pub fn pods(&self, namespace: &str) -> Api<Pod> {
        Api::namespaced(self.client.clone(), namespace)
    }

    /// Creates pod `name` (label `app=web`) through the API server and its webhooks.
    pub async fn create_pod(&self, namespace: &str, name: &str) -> Result<Pod, kube::Error> {
        let pod = objects::pod(name)
            .namespace(namespace)
            .app("web")
            .container_port();
        self.pods(namespace)
            .create(&PostParams::default(), &pod.build())
            .await
    }

    /// Deployment `web` of `replicas` pods labelled `app=web`, without gates of its own.
    pub async fn deployment(&self, namespace: &str, replicas: i32) {
        let deployment = objects::deployment("web", "web", replicas).namespace(namespace);
        Api::<Deployment>::namespaced(self.client.clone(), namespace)
            .create(&PostParams::default(), &deployment.build())
            .await
            .unwrap();
    }

    pub async fn scale(&self, namespace: &str, replicas: i32) {
        Api::<Deployment>::namespaced(self.client.clone(), namespace)
            .patch(
                "web",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"replicas": replicas}})),
            )
            .await
            .unwrap();
    }

    /// The pods of `app=web` in `namespace`.
    pub async fn web_pods(&self, namespace: &str) -> Vec<Pod> {
        self.pods(namespace)
            .list(&ListParams::default().labels("app=web"))
            .await
            .unwrap()
            .items
    }

    /// Terminates every controller still running (exit 0 expected), then the simulator.
    pub async fn shutdown(mut self) {
        for controller in &mut self.controllers {
            if controller.try_exit().unwrap().is_some() {
                continue;
            }
            controller.terminate().unwrap();
        }
        for controller in &mut self.controllers {
            let status = controller.wait_exit(Duration::from_secs(40)).await.unwrap();
            assert!(
                status.success() || status.code().is_none(),
                "{} exited with {status}\n{}",
                controller.identity(),
                controller.log_tail(20)
            );
        }
        let _ = self.sim.stop(Duration::from_secs(10)).await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Applies what production installs and the simulator serves: the CRD, both webhook
/// configurations and the webhook Service, straight from `manifests/install.yaml`. Returns the
/// name of the Service's port 443, which the endpoints must carry.
async fn install_manifests(client: &kube::Client) -> String {
    let text = std::fs::read_to_string(INSTALL_YAML).unwrap();
    let documents = lbgate_sim::scenario::apply::parse_documents(&text).unwrap();
    let wanted = |doc: &Value| {
        let kind = doc["kind"].as_str().unwrap_or_default();
        let name = doc["metadata"]["name"].as_str().unwrap_or_default();
        matches!(
            kind,
            "CustomResourceDefinition"
                | "MutatingWebhookConfiguration"
                | "ValidatingWebhookConfiguration"
        ) || (kind == "Service" && name == WEBHOOK_SERVICE)
    };
    let mut port_name = None;
    let mut applied = Vec::new();
    for document in documents.into_iter().filter(wanted) {
        if document["kind"] == "Service" {
            port_name = document["spec"]["ports"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["port"] == 443)
                .map(|p| p["name"].as_str().unwrap().to_owned());
        }
        let done = lbgate_sim::scenario::apply::apply_object(client, document)
            .await
            .unwrap();
        applied.push(done.kind);
    }
    applied.sort();
    assert_eq!(
        applied,
        [
            "CustomResourceDefinition",
            "MutatingWebhookConfiguration",
            "Service",
            "ValidatingWebhookConfiguration"
        ],
        "install.yaml no longer holds what this test installs"
    );
    port_name.expect("the webhook Service has no port 443")
}

/// The pod's name.
pub fn name(pod: &Pod) -> String {
    pod.metadata.name.clone().unwrap_or_default()
}
