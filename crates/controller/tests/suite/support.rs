//! A simulated world per test: the Kubernetes API server and the ELBv2 simulator (on a manual
//! clock, so target health moves only when a test advances it), the controller running against
//! both, and helpers that play kubelet and the EndpointSlice controller.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::events::v1::Event;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::{Api, Client};
use lbgate_api::TargetGroupBinding;
use lbgate_controller::{ControllerConfig, Metrics, TgbController, WatchScope};
use lbgate_core::schedule::ScheduleConfig;
use lbgate_elbv2::SdkElbv2;
use lbgate_elbv2::{
    Action, AwsClientConfig, CallOptions, CreateListenerSpec, CreateTargetGroupSpec, HealthCheck,
    LoadBalancersApi, Priority, Protocol, Target, TargetGroupsApi, TargetType, TargetsApi,
};
use lbgate_sim_apiserver::{KubeSim, KubeSimConfig};
use lbgate_sim_clock::ManualClock;
use lbgate_sim_elbv2::{Elbv2Sim, SimConfig};
use lbgate_testkit::objects;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub const NS: &str = "default";
/// Every wait of these tests is bounded by this.
pub const DEADLINE: Duration = Duration::from_secs(15);
/// How often a wait looks again.
pub const POLL: Duration = Duration::from_millis(50);

pub struct World {
    pub kube: KubeSim,
    pub elb: Elbv2Sim,
    pub clock: Arc<ManualClock>,
    pub client: Client,
    pub sdk: SdkElbv2,
    pub registry: prometheus::Registry,
    stop: CancellationToken,
    task: Option<JoinHandle<()>>,
}

/// Fast polls: the simulated clock only moves when a test says so, so the controller polls
/// often to notice. The shared health answer is kept for 100 ms only: its verdict windows are
/// counted on the controller's real clock, which knows nothing of the simulator's jumps, so
/// only a short max age lets a pass see an advance promptly (reuse still happens between the
/// passes that follow one another within it).
pub fn test_config() -> ControllerConfig {
    ControllerConfig {
        concurrency: 4,
        schedule: ScheduleConfig {
            floor: Duration::from_millis(50),
            cap: Duration::from_millis(300),
            health_max_age: Duration::from_millis(100),
            ..ScheduleConfig::default()
        },
        error_backoff_base: Duration::from_millis(50),
        error_backoff_cap: Duration::from_millis(500),
        invalid_requeue: Duration::from_millis(500),
        kube_timeout: Duration::from_secs(5),
        aws_timeout: Duration::from_secs(10),
        store_sync_timeout: Duration::from_secs(10),
        ..ControllerConfig::default()
    }
}

impl World {
    pub async fn start() -> Self {
        lbgate_testkit::install_crypto();
        let kube = KubeSim::start(KubeSimConfig::default()).await.unwrap();
        let clock = Arc::new(ManualClock::new());
        let elb = Elbv2Sim::start(SimConfig {
            clock: Some(clock.clone()),
            ..SimConfig::default()
        })
        .await
        .unwrap();
        let mut config = kube::Config::new(kube.url().parse().unwrap());
        config.default_namespace = NS.to_owned();
        config.read_timeout = Some(Duration::from_secs(30));
        let client = Client::try_from(config).unwrap();
        let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
        crds.create(
            &PostParams::default(),
            &lbgate_api::crd::target_group_binding_crd().unwrap(),
        )
        .await
        .unwrap();
        let sdk = SdkElbv2::new(
            AwsClientConfig {
                region: Some(elb.region().to_owned()),
                endpoint_url: Some(elb.endpoint_url()),
                ..AwsClientConfig::default()
            }
            .with_static_credentials("testing", "testing"),
        )
        .await;
        Self {
            kube,
            elb,
            clock,
            client,
            sdk,
            registry: prometheus::Registry::new(),
            stop: CancellationToken::new(),
            task: None,
        }
    }

    pub fn run_controller(&mut self) {
        self.run_controller_with(test_config());
    }

    pub fn run_controller_with(&mut self, config: ControllerConfig) {
        // A fresh registry per controller: a restarted one registers the same names again.
        self.registry = prometheus::Registry::new();
        self.stop = CancellationToken::new();
        let metrics = Metrics::register(&self.registry).unwrap();
        let controller = TgbController::new(
            self.client.clone(),
            Arc::new(self.sdk.clone()),
            config,
            metrics,
            &WatchScope::default(),
        );
        let stop = self.stop.clone();
        self.task = Some(tokio::spawn(
            controller.run(async move { stop.cancelled().await }),
        ));
    }

    /// Stops the running controller, waiting for its in-flight passes.
    pub async fn stop_controller(&mut self) {
        self.stop.cancel();
        if let Some(task) = self.task.take() {
            tokio::time::timeout(DEADLINE, task).await.unwrap().unwrap();
        }
    }

    pub async fn shutdown(mut self) {
        self.stop.cancel();
        if let Some(task) = self.task.take() {
            tokio::time::timeout(DEADLINE, task).await.unwrap().unwrap();
        }
        self.elb.shutdown().await.unwrap();
        self.kube.shutdown().await.unwrap();
    }

    /// An HTTP ip target group (interval 5 s, healthy threshold 2) behind an ALB listener.
    pub async fn attached_group(&self, name: &str) -> String {
        self.attached_group_of(name, TargetType::Ip).await
    }

    /// Like [`Self::attached_group`] with another target type.
    pub async fn attached_group_of(&self, name: &str, target_type: TargetType) -> String {
        let group = self
            .sdk
            .create_target_group(
                CreateTargetGroupSpec {
                    name: name.to_owned(),
                    protocol: Some(Protocol::Http),
                    port: Some(8080),
                    vpc_id: Some(self.elb.default_vpc_id()),
                    target_type: Some(target_type),
                    health_check: HealthCheck {
                        interval_seconds: Some(5),
                        timeout_seconds: Some(2),
                        healthy_threshold: Some(2),
                        ..HealthCheck::default()
                    },
                    ..CreateTargetGroupSpec::default()
                },
                opts(),
            )
            .await
            .unwrap();
        let lb = self
            .sdk
            .client()
            .create_load_balancer()
            .name(format!("{name}-lb"))
            .set_subnets(Some(self.elb.default_subnet_ids()))
            .send()
            .await
            .unwrap();
        let lb_arn = lb.load_balancers()[0]
            .load_balancer_arn()
            .unwrap()
            .to_owned();
        self.sdk
            .create_listener(
                CreateListenerSpec {
                    load_balancer_arn: lb_arn,
                    protocol: Some(Protocol::Http),
                    port: Some(80),
                    default_actions: vec![Action::forward_to(&group.arn)],
                    certificate_arns: vec![],
                    ssl_policy: None,
                },
                opts(),
            )
            .await
            .unwrap();
        group.arn
    }

    /// `(id, port, state)` of every target, sorted.
    pub async fn targets(&self, arn: &str) -> Vec<(String, u16, String)> {
        let mut rows: Vec<_> = self
            .sdk
            .describe_target_health(arn.to_owned(), None, opts())
            .await
            .unwrap()
            .into_iter()
            .map(|h| {
                (
                    h.target.id,
                    h.target.port.unwrap_or(0),
                    h.state.as_str().to_owned(),
                )
            })
            .collect();
        rows.sort();
        rows
    }

    pub async fn register_foreign(&self, arn: &str, ip: &str, port: u16) {
        self.sdk
            .register_targets(arn.to_owned(), vec![Target::new(ip, port)], opts())
            .await
            .unwrap()
            .into_result()
            .unwrap();
    }

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
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), NS);
        let mut pod = objects::pod(name).app("web").node("node-1");
        if let Some(gate) = gate {
            pod = pod.gate(gate);
        }
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

    pub async fn binding(&self, name: &str, service: &str, arn: &str) {
        let binding = objects::ip_binding(name, service, arn).namespace(NS);
        self.bindings()
            .create(&PostParams::default(), &binding.build())
            .await
            .unwrap();
    }

    pub fn bindings(&self) -> Api<TargetGroupBinding> {
        Api::namespaced(self.client.clone(), NS)
    }

    pub fn pods(&self) -> Api<Pod> {
        Api::namespaced(self.client.clone(), NS)
    }

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

    /// ELBv2 calls received so far, by action.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.elb.call_counts()
    }

    pub fn mutations(&self) -> u64 {
        let calls = self.calls();
        ["RegisterTargets", "DeregisterTargets"]
            .iter()
            .map(|a| calls.get(*a).copied().unwrap_or(0))
            .sum()
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

pub fn opts() -> CallOptions {
    CallOptions::new(Priority::Mutate).with_timeout(Duration::from_secs(10))
}

/// Polls `check` every [`POLL`] until it yields, failing the test with `what` at [`DEADLINE`].
pub async fn eventually<T>(what: &str, check: impl AsyncFnMut() -> Option<T>) -> T {
    lbgate_testkit::eventually(what, DEADLINE, POLL, check)
        .await
        .unwrap_or_else(|timed_out| panic!("{timed_out}"))
}
pub mod runtime;
