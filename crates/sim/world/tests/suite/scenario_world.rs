//! `SimWorld`: one call starts both API servers, the world and the data plane; AWS objects are
//! created in the simulator and manifests applied through the Kubernetes API with target-group
//! placeholders resolved.

use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Pod, Service};
use kube::Api;
use kube::api::ListParams;
use lbgate_api::TargetGroupBinding;
use lbgate_sim::alb::OutcomeKind;
use lbgate_sim::scenario::{
    ListenerOptions, LoadBalancerOptions, SimWorld, SimWorldOptions, TargetGroupOptions,
};
use lbgate_testkit::Patience;

const MANIFESTS: &str = r#"
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: web:v1
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: elbv2.k8s.aws/v1beta1
kind: TargetGroupBinding
metadata:
  name: web
  namespace: shop
spec:
  serviceRef: {name: web, port: 80}
  targetGroupARN: ${targetGroupArn:web}
  targetType: ip
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_call_starts_a_world_that_takes_aws_objects_and_manifests() {
    let world = SimWorld::start(SimWorldOptions::with_time_scale(0.05))
        .await
        .unwrap();
    let lb = world
        .create_load_balancer(&LoadBalancerOptions::new("web-alb"))
        .unwrap();
    let tg = world
        .create_target_group(
            &TargetGroupOptions::ip("web", 8080)
                .with_health_checks(5, 2, 2)
                .with_deregistration_delay(Duration::from_secs(15)),
        )
        .unwrap();
    let listener = world
        .create_listener(&ListenerOptions::new("web-alb", 80, "web"))
        .unwrap();
    assert!(lb.contains(":loadbalancer/app/web-alb/"), "{lb}");
    assert!(tg.contains(":targetgroup/web/"), "{tg}");
    assert!(listener.starts_with(&lb.replace(":loadbalancer/", ":listener/")));
    assert_eq!(world.target_group_arn("web").as_deref(), Some(tg.as_str()));
    let attributes = world
        .elbv2()
        .state()
        .with_model(|m, now| m.target_group_attributes(&tg, now))
        .unwrap();
    assert!(attributes.contains(&(
        "deregistration_delay.timeout_seconds".to_owned(),
        "15".to_owned()
    )));
    // A second group with the same name but other settings is refused, as AWS does.
    assert!(
        world
            .create_target_group(&TargetGroupOptions::ip("web", 9090))
            .is_err()
    );

    // The CRD first (any kind the API server serves is reachable through discovery), then the
    // manifests; applying again replaces instead of failing.
    let crd = lbgate_api::crd::crd_yaml().unwrap();
    let applied = world.apply_yaml(&crd).await.unwrap();
    assert_eq!(applied[0].kind, "CustomResourceDefinition");
    assert_eq!(applied[0].namespace, None);
    let applied = world.apply_yaml(MANIFESTS).await.unwrap();
    let kinds: Vec<&str> = applied.iter().map(|a| a.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["Namespace", "Deployment", "Service", "TargetGroupBinding"]
    );
    assert!(applied.iter().all(|a| !a.replaced));
    let again = world.apply_yaml(MANIFESTS).await.unwrap();
    assert!(again.iter().all(|a| a.replaced));

    let client = world.client();
    Api::<Namespace>::all(client.clone())
        .get("shop")
        .await
        .unwrap();
    Api::<Service>::namespaced(client.clone(), "shop")
        .get("web")
        .await
        .unwrap();
    let binding = Api::<TargetGroupBinding>::namespaced(client.clone(), "shop")
        .get("web")
        .await
        .unwrap();
    assert_eq!(binding.spec.target_group_arn, tg);

    // The world controllers run on the shared clock: the Deployment's pods come up.
    let pods: Api<Pod> = Api::namespaced(client.clone(), "shop");
    Patience::new(Duration::from_secs(20), Duration::from_millis(20))
        .eventually("two Ready pods of web", || async {
            let ready = pods
                .list(&ListParams::default().labels("app=web"))
                .await
                .unwrap()
                .items
                .iter()
                .filter(|p| {
                    p.status
                        .as_ref()
                        .and_then(|s| s.conditions.as_ref())
                        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
                })
                .count();
            (ready == 2).then_some(())
        })
        .await;
    let deployment = Api::<Deployment>::namespaced(client.clone(), "shop")
        .get("web")
        .await
        .unwrap();
    assert_eq!(deployment.spec.unwrap().replicas, Some(2));
    // Nothing registers targets without a controller: the load balancer answers 503.
    let outcome = world
        .data_plane()
        .request("web-alb", 80, "app.example.com", "/")
        .await;
    assert_eq!(outcome.kind, OutcomeKind::ServiceUnavailable);
    // A manifest naming an unknown target group is refused before anything is written.
    let bad = MANIFESTS.replace("${targetGroupArn:web}", "${targetGroupArn:api}");
    let error = world.apply_yaml(&bad).await.unwrap_err();
    assert!(error.to_string().contains("\"api\""), "{error}");

    let kubeconfig = std::env::temp_dir().join(format!(
        "lbgate-scenario-world-{}/kubeconfig",
        std::process::id()
    ));
    world.write_kubeconfig(&kubeconfig).unwrap();
    let text = std::fs::read_to_string(&kubeconfig).unwrap();
    assert!(text.contains(&world.kube_url()));
    std::fs::remove_dir_all(kubeconfig.parent().unwrap()).unwrap();
    assert!(world.elbv2_url().starts_with("http://127.0.0.1:"));
    world.shutdown().await.unwrap();
}

const GATED: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      readinessGates: [{conditionType: target-health.elbv2.k8s.aws/api}]
      containers:
      - name: app
        image: api:v1
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: default}
spec:
  selector: {app: api}
  publishNotReadyAddresses: true
  ports: [{name: http, port: 80, targetPort: http}]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn components_stop_and_restart_waits_fail_clearly_and_gates_are_timed() {
    use lbgate_sim::controllers::{Component, RegistrarBinding};
    use lbgate_sim::scenario::{Condition, ScenarioRun, Step};

    let mut options = SimWorldOptions::with_time_scale(0.05);
    options.switches.registrar = true;
    let mut world = SimWorld::start(options).await.unwrap();
    let tg = world
        .create_target_group(&TargetGroupOptions::ip("api", 8080).with_health_checks(5, 2, 2))
        .unwrap();
    world
        .create_load_balancer(&LoadBalancerOptions::new("api-alb"))
        .unwrap();
    world
        .create_listener(&ListenerOptions::new("api-alb", 80, "api"))
        .unwrap();
    world.bind_service(RegistrarBinding {
        namespace: "default".into(),
        service: "api".into(),
        port: 80,
        target_group_arn: tg.clone(),
    });
    let healthy = |count| Step::WaitFor {
        condition: Condition::HealthyTargets {
            target_group: "api".into(),
            count,
        },
        timeout_seconds: 2.0,
    };
    let gates = {
        // A second handle on the same servers for the gate setter.
        let client = world.client();
        let state = world.elbv2().state();
        let tg = tg.clone();
        tokio::spawn(async move {
            let pods: Api<Pod> = Api::namespaced(client, "default");
            loop {
                let healthy: Vec<String> = state
                    .target_health(&tg)
                    .unwrap()
                    .into_iter()
                    .filter(|r| r.health.state.as_str() == "healthy")
                    .map(|r| r.id)
                    .collect();
                for pod in pods
                    .list(&ListParams::default().labels("app=api"))
                    .await
                    .unwrap()
                {
                    let ip = pod.status.as_ref().and_then(|s| s.pod_ip.clone());
                    if ip.is_some_and(|ip| healthy.contains(&ip)) {
                        let patch = serde_json::json!({"status": {"conditions": [
                            {"type": "target-health.elbv2.k8s.aws/api", "status": "True"}]}});
                        let _ = pods
                            .patch_status(
                                &pod.metadata.name.unwrap(),
                                &kube::api::PatchParams::default(),
                                &kube::api::Patch::Strategic(&patch),
                            )
                            .await;
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let mut run = ScenarioRun::begin(&mut world, "components", Some("default"));
    run.steps(&[
        Step::Stop {
            component: Component::Registrar,
        },
        Step::Apply {
            yaml: GATED.to_owned(),
        },
    ])
    .await
    .unwrap();
    // Nobody registers targets while the registrar is stopped: the wait fails, naming the step.
    let error = run.step(&healthy(2)).await.unwrap_err().to_string();
    assert!(
        error.contains("step 3 (wait for 2 healthy targets in api)")
            && error.contains("not reached within 2 s of wall time")
            && !error.contains("invalid configuration"),
        "{error}"
    );
    assert!(
        !run.world()
            .world()
            .running()
            .contains(&Component::Registrar)
    );
    run.steps(&[
        Step::Restart {
            component: Component::Registrar,
        },
        healthy(2),
        Step::WaitFor {
            condition: Condition::PodsReady {
                namespace: "default".into(),
                selector: "app=api".into(),
                count: 2,
            },
            timeout_seconds: 5.0,
        },
    ])
    .await
    .unwrap();
    let report = run.finish().await.unwrap();
    gates.abort();
    assert_eq!(report.steps.len(), 5, "{report}");
    assert_eq!(report.pods.len(), 2, "{report}");
    for pod in &report.pods {
        let (healthy, gate, ready) = (
            pod.healthy.unwrap(),
            pod.gate_true.unwrap(),
            pod.ready.unwrap(),
        );
        assert!(gate.sim >= healthy.sim && ready.sim >= gate.sim, "{report}");
        assert!(pod.registered.unwrap().sim < healthy.sim);
        assert_eq!(pod.target_groups, std::slice::from_ref(&tg));
    }
    let lag = report.max_gate_lag.unwrap();
    assert!((0.0..5.0).contains(&lag), "gate lag {lag}: {report}");
    assert_eq!(report.gate_lags.len(), 2);
    world.shutdown().await.unwrap();
}
