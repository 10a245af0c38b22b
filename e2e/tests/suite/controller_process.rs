//! The harness itself: the real `lbgate-controller` binary, started as a process against the
//! in-process simulators and the simulated world, becomes ready, registers a Deployment's pods
//! and turns their gates True only once ELBv2 reports them healthy; SIGTERM stops it cleanly.

use std::time::{Duration, Instant};

use aws_sdk_elasticloadbalancingv2 as elbv2;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Api;
use kube::api::{ListParams, PostParams};
use lbgate_api::TargetGroupBinding;
use lbgate_e2e::controller::{ControllerOptions, ControllerProcess};
use lbgate_e2e::wait;
use lbgate_sim::controllers::{World, WorldConfig};
use lbgate_sim_apiserver::{KubeSim, KubeSimConfig};
use lbgate_sim_elbv2::{Elbv2Sim, SimConfig};
use lbgate_testkit::objects;

const GATE: &str = "target-health.elbv2.k8s.aws/web";

fn gate_status(pod: &Pod) -> Option<&str> {
    let conditions = pod.status.as_ref()?.conditions.as_ref()?;
    let gate = conditions.iter().find(|c| c.type_ == GATE)?;
    Some(gate.status.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_registers_a_deployment_and_gates_follow_target_health() {
    lbgate_testkit::install_crypto();
    let elb = Elbv2Sim::start(SimConfig::default()).await.unwrap();
    let kube = KubeSim::start(KubeSimConfig::default()).await.unwrap();
    let world = World::start(WorldConfig::with_elbv2(&kube, &elb, 1.0).unwrap())
        .await
        .unwrap();
    let client = kube.client().unwrap();
    let dir = std::env::temp_dir().join(format!("lbgate-e2e-smoke-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let kubeconfig = dir.join("kubeconfig");
    kube.write_kubeconfig(&kubeconfig).unwrap();

    // AWS side: an ALB target group checked every 5 s, healthy after 2 checks.
    let sdk = elbv2::Client::from_conf(
        elbv2::Config::builder()
            .behavior_version(elbv2::config::BehaviorVersion::latest())
            .region(elbv2::config::Region::new("us-west-2"))
            .endpoint_url(elb.endpoint_url())
            .credentials_provider(aws_credential_types::Credentials::for_tests())
            .build(),
    );
    let group = sdk
        .create_target_group()
        .name("web")
        .protocol(elbv2::types::ProtocolEnum::Http)
        .port(8080)
        .vpc_id(elb.default_vpc_id())
        .target_type(elbv2::types::TargetTypeEnum::Ip)
        .health_check_interval_seconds(5)
        .health_check_timeout_seconds(2)
        .healthy_threshold_count(2)
        .send()
        .await
        .unwrap();
    let arn = group.target_groups()[0]
        .target_group_arn()
        .unwrap()
        .to_owned();
    // Only a target group behind a listener health-checks its targets (else: unused).
    let lb = sdk
        .create_load_balancer()
        .name("web")
        .set_subnets(Some(elb.default_subnet_ids()))
        .send()
        .await
        .unwrap();
    sdk.create_listener()
        .load_balancer_arn(lb.load_balancers()[0].load_balancer_arn().unwrap())
        .protocol(elbv2::types::ProtocolEnum::Http)
        .port(80)
        .default_actions(
            elbv2::types::Action::builder()
                .r#type(elbv2::types::ActionTypeEnum::Forward)
                .target_group_arn(&arn)
                .build(),
        )
        .send()
        .await
        .unwrap();

    // Kubernetes side: the CRD, a Service and a 3-replica Deployment whose pods carry the gate.
    Api::<CustomResourceDefinition>::all(client.clone())
        .create(
            &PostParams::default(),
            &lbgate_api::crd::target_group_binding_crd().unwrap(),
        )
        .await
        .unwrap();
    let service = objects::service("web", "web").namespace("default").build();
    Api::<Service>::namespaced(client.clone(), "default")
        .create(&PostParams::default(), &service)
        .await
        .unwrap();
    let deployment = objects::deployment("web", "web", 3)
        .namespace("default")
        .gate(GATE)
        .build();
    Api::<Deployment>::namespaced(client.clone(), "default")
        .create(&PostParams::default(), &deployment)
        .await
        .unwrap();

    let mut controller = ControllerProcess::spawn(&ControllerOptions::new(
        "smoke-0",
        &kubeconfig,
        &elb.endpoint_url(),
        &dir,
    ))
    .unwrap();
    controller
        .wait_ready(Duration::from_secs(30))
        .await
        .unwrap();
    let binding = objects::ip_binding("web", "web", &arn)
        .namespace("default")
        .build();
    Api::<TargetGroupBinding>::namespaced(client.clone(), "default")
        .create(&PostParams::default(), &binding)
        .await
        .unwrap();

    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let healthy = || async {
        let health = sdk
            .describe_target_health()
            .target_group_arn(&arn)
            .send()
            .await
            .unwrap();
        health
            .target_health_descriptions()
            .iter()
            .filter(|d| {
                d.target_health().and_then(|h| h.state())
                    == Some(&elbv2::types::TargetHealthStateEnum::Healthy)
            })
            .filter_map(|d| d.target().and_then(|t| t.id()).map(str::to_owned))
            .collect::<Vec<_>>()
    };
    // Registered while the pods are not Ready yet; no gate True before its target is healthy.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen_false = false;
    loop {
        let listed = pods
            .list(&ListParams::default().labels("app=web"))
            .await
            .unwrap()
            .items;
        let healthy_now = healthy().await;
        for pod in &listed {
            if gate_status(pod) == Some("True") {
                let ip = pod.status.as_ref().unwrap().pod_ip.clone().unwrap();
                // The gate may flip only after its target was seen healthy by the controller;
                // health never goes back here, so it must be healthy now too.
                assert!(
                    healthy_now.contains(&ip),
                    "gate True for {ip} while healthy = {healthy_now:?}"
                );
            } else if gate_status(pod) == Some("False") {
                seen_false = true;
            }
        }
        let all_true = listed.len() == 3 && listed.iter().all(|p| gate_status(p) == Some("True"));
        if all_true {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "gates never all True: {:?}; targets {:?}; log:\n{}",
            listed
                .iter()
                .map(|p| p
                    .status
                    .as_ref()
                    .map(|s| (s.pod_ip.clone(), s.conditions.clone())))
                .collect::<Vec<_>>(),
            sdk.describe_target_health()
                .target_group_arn(&arn)
                .send()
                .await
                .unwrap(),
            controller.log_tail(30)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        seen_false,
        "no gate was ever False before its target was healthy"
    );
    assert_eq!(healthy().await.len(), 3);
    let deployments = Api::<Deployment>::namespaced(client.clone(), "default");
    wait::until(
        "the Deployment available",
        Duration::from_secs(20),
        Duration::from_millis(100),
        || controller.log_tail(30),
        async || {
            let d = deployments.get("web").await?;
            Ok((d.status.and_then(|s| s.available_replicas) == Some(3)).then_some(()))
        },
    )
    .await
    .unwrap();
    let registered = controller
        .metric(
            "lbgate_aws_api_calls_total",
            &[("operation", "RegisterTargets")],
        )
        .await
        .unwrap();
    assert!(registered >= 1.0, "no RegisterTargets call counted");

    controller.terminate().unwrap();
    let status = controller.wait_exit(Duration::from_secs(30)).await.unwrap();
    assert_eq!(status.code(), Some(0), "{}", controller.log_tail(30));
    assert_eq!(controller.termination_message(), None);
    world.shutdown().await;
    kube.shutdown().await.unwrap();
    elb.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
