//! Runtime instances (webhooks, election, controllers) against a [`ControllerWorld`], started as
//! the binary starts them, and what the tests use to reach them: the webhook configuration,
//! plain HTTP probes, metric readings.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use k8s_openapi::jiff::Timestamp;
use kube::Api;
use kube::api::PostParams;
use lbgate_controller::config::Config;
use lbgate_controller::runtime::lease::LeaseConfig;
use lbgate_controller::runtime::{Parts, Running, Runtime};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

use super::{ControllerWorld, eventually, test_config};
use crate::metrics::sum_registry;
use crate::objects;

/// The MutatingWebhookConfiguration [`install_webhooks`] writes: the one self-managed
/// certificates publish their CA bundle into.
pub const WEBHOOK_CONFIG: &str = lbgate_api::consts::MUTATING_WEBHOOK_CONFIGURATION_NAME;
/// The leader Lease of [`config`], in `default`.
pub const LEASE: &str = "lbgate-test-leader";

/// The configuration the binary would parse from these flags: `extra` after metrics and probes
/// on `127.0.0.1:0`, self-managed certificates for a webhook Service in `default`, election in
/// `default` on [`LEASE`].
pub fn config(extra: &[&str]) -> Config {
    let mut args = vec![
        "lbgate-controller",
        "--metrics-bind-addr",
        "127.0.0.1:0",
        "--health-probe-bind-addr",
        "127.0.0.1:0",
        "--webhook-cert-mode",
        "self-managed",
        "--leader-election-namespace",
        "default",
        "--webhook-service-namespace",
        "default",
        "--leader-election-id",
        LEASE,
    ];
    args.extend_from_slice(extra);
    Config::from_args(args).unwrap()
}

/// [`Parts::new`], as the binary builds them, with the world's clients and test timings: the
/// controller's [`test_config`], a 2 s Lease, the webhook on `127.0.0.1:0` with a certificate
/// for `127.0.0.1` re-read every 100 ms, escaped pods looked for every 200 ms, 5 s to drain.
pub fn parts(world: &ControllerWorld, config: Config, identity: &str) -> Parts {
    let mut parts = Parts::new(
        config,
        world.client.clone(),
        Arc::new(world.sdk.clone()),
        prometheus::Registry::new(),
    );
    parts.controller = test_config();
    parts.lease = LeaseConfig {
        lease_duration: Duration::from_secs(2),
        renew_deadline: Duration::from_millis(1500),
        retry_period: Duration::from_millis(200),
        kube_timeout: Duration::from_secs(2),
        ..LeaseConfig::new(LEASE, "default", identity)
    };
    parts.self_managed.extra_names = vec!["127.0.0.1".to_owned()];
    parts.self_managed.kube_timeout = Duration::from_secs(5);
    parts.webhook_addr = "127.0.0.1:0".parse().unwrap();
    parts.cert_refresh = Duration::from_millis(100);
    parts.escape_scan = Duration::from_millis(200);
    parts.shutdown_grace = Duration::from_secs(5);
    parts
}

/// A started runtime, the token that stops it, and its registry.
pub struct Instance {
    pub running: Running,
    pub shutdown: CancellationToken,
    pub registry: prometheus::Registry,
}

/// [`Runtime::start`], as the binary calls it.
pub async fn start(parts: Parts) -> Instance {
    let registry = parts.registry.clone();
    let shutdown = CancellationToken::new();
    let running = Runtime::start(parts, shutdown.clone()).await.unwrap();
    Instance {
        running,
        shutdown,
        registry,
    }
}

impl Instance {
    /// Sum of a counter over its labels in this instance's registry.
    pub fn counter(&self, name: &str) -> f64 {
        sum_registry(&self.registry, name, &[])
    }

    /// Reconcile passes this instance ran, whatever their result.
    pub fn reconciles(&self) -> f64 {
        self.counter("lbgate_tgb_reconciles_total")
    }
}

/// The status code of a plain HTTP GET.
pub async fn http_status(addr: SocketAddr, path: &str) -> Option<u16> {
    let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.ok()?;
    let text = String::from_utf8_lossy(&answer);
    text.split_whitespace().nth(1)?.parse().ok()
}

/// Waits for `/readyz` to answer 200.
pub async fn wait_ready(instance: &Instance) {
    let addr = instance.running.health_addr;
    eventually("/readyz", || async move {
        (http_status(addr, "/readyz").await == Some(200)).then_some(())
    })
    .await;
}

/// Another holder takes Lease `name` for an hour, as a replica that believes it leads would:
/// whoever held it has lost it.
pub async fn steal_lease(leases: &Api<Lease>, name: &str) {
    let mut lease = leases.get(name).await.unwrap();
    let spec = lease.spec.as_mut().expect("a held Lease has a spec");
    spec.holder_identity = Some("intruder".to_owned());
    spec.renew_time = Some(MicroTime(Timestamp::now()));
    spec.lease_duration_seconds = Some(3600);
    leases
        .replace(name, &PostParams::default(), &lease)
        .await
        .unwrap();
}

/// Namespace `name`, opted in to gate injection when `inject`.
pub async fn namespace(world: &ControllerWorld, name: &str, inject: bool) {
    let namespace = objects::namespace(name).gate_injection(inject);
    Api::<Namespace>::all(world.client.clone())
        .create(&PostParams::default(), &namespace.build())
        .await
        .unwrap();
}

/// Our webhooks, as one MutatingWebhookConfiguration pointing at `addr` by URL (the simulator
/// checks the certificate against `127.0.0.1`). The validating webhook is registered here too:
/// the simulator dispatches mutating webhooks only, and a denial works the same through them.
/// failurePolicy Fail everywhere so that a TLS failure shows up as a failed request.
pub async fn install_webhooks(world: &ControllerWorld, addr: SocketAddr) {
    let url = |path: &str| format!("https://127.0.0.1:{}{path}", addr.port());
    let hook = |name: &str, path: &str, rules: serde_json::Value| {
        json!({
            "name": name,
            "clientConfig": {"url": url(path)},
            "rules": rules,
            "failurePolicy": "Fail",
            "sideEffects": "None",
            "admissionReviewVersions": ["v1"],
            "timeoutSeconds": 5,
        })
    };
    let tgb_rules = |ops: serde_json::Value| {
        json!([{"apiGroups": ["elbv2.k8s.aws"], "apiVersions": ["v1beta1"],
                "resources": ["targetgroupbindings"], "operations": ops}])
    };
    let mut pod = hook(
        "mpod.elbv2.k8s.aws",
        "/mutate-v1-pod",
        json!([{"apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"], "operations": ["CREATE"]}]),
    );
    pod["namespaceSelector"] = json!({"matchExpressions": [{
        "key": "elbv2.k8s.aws/pod-readiness-gate-inject", "operator": "In", "values": ["enabled"]}]});
    let configuration: MutatingWebhookConfiguration = serde_json::from_value(json!({
        "metadata": {"name": WEBHOOK_CONFIG},
        "webhooks": [
            pod,
            hook("mtargetgroupbinding.elbv2.k8s.aws",
                 "/mutate-elbv2-k8s-aws-v1beta1-targetgroupbinding", tgb_rules(json!(["CREATE"]))),
            hook("vtargetgroupbinding.elbv2.k8s.aws",
                 "/validate-elbv2-k8s-aws-v1beta1-targetgroupbinding",
                 tgb_rules(json!(["CREATE", "UPDATE"]))),
        ],
    }))
    .unwrap();
    Api::<MutatingWebhookConfiguration>::all(world.client.clone())
        .create(&PostParams::default(), &configuration)
        .await
        .unwrap();
}

/// The caBundle currently in our configuration (every webhook carries the same).
pub async fn ca_bundle(world: &ControllerWorld) -> Option<Vec<u8>> {
    let configuration = Api::<MutatingWebhookConfiguration>::all(world.client.clone())
        .get(WEBHOOK_CONFIG)
        .await
        .ok()?;
    let bundles: Vec<Option<Vec<u8>>> = configuration
        .webhooks
        .unwrap_or_default()
        .into_iter()
        .map(|hook| hook.client_config.ca_bundle.map(|b| b.0))
        .collect();
    let first = bundles.first()?.clone()?;
    bundles
        .iter()
        .all(|b| b.as_ref() == Some(&first))
        .then_some(first)
}
