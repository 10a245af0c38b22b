//! Acceptance: a rolling update behind an ALB with the baseline registrar (a load balancer
//! controller without readiness gates) shows users 5xx during the rollout and none before it;
//! the same world without a rollout serves every request; the YAML example tells the same story.

use std::path::Path;
use std::time::Duration;

use lbgate_sim::controllers::RegistrarBinding;
use lbgate_sim::scenario::{
    Condition, ListenerOptions, LoadBalancerOptions, ScenarioReport, ScenarioRun, SimWorld,
    SimWorldOptions, Step, TargetGroupOptions, TrafficSpec, run_file,
};

const SCALE: f64 = 0.05;
const WAIT: f64 = 20.0;

const MANIFESTS: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 5
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: web:v1
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
"#;

fn wait_for(condition: Condition) -> Step {
    Step::WaitFor {
        condition,
        timeout_seconds: WAIT,
    }
}

fn rollout_complete() -> Step {
    wait_for(Condition::RolloutComplete {
        namespace: "default".into(),
        deployment: "web".into(),
    })
}

async fn run(rollout: bool) -> ScenarioReport {
    let mut options = SimWorldOptions::with_time_scale(SCALE);
    options.switches.registrar = true;
    let mut world = SimWorld::start(options).await.unwrap();
    world
        .create_load_balancer(&LoadBalancerOptions::new("web-alb"))
        .unwrap();
    let tg = world
        .create_target_group(
            &TargetGroupOptions::ip("web", 8080)
                .with_health_checks(5, 2, 2)
                .with_deregistration_delay(Duration::from_secs(10)),
        )
        .unwrap();
    world
        .create_listener(&ListenerOptions::new("web-alb", 80, "web"))
        .unwrap();
    world.bind_service(RegistrarBinding {
        namespace: "default".into(),
        service: "web".into(),
        port: 80,
        target_group_arn: tg,
    });
    let mut steps = vec![
        Step::Apply {
            yaml: MANIFESTS.to_owned(),
        },
        rollout_complete(),
        wait_for(Condition::HealthyTargets {
            target_group: "web".into(),
            count: 5,
        }),
        Step::StartTraffic(TrafficSpec::new("web-alb", 80, 20.0)),
        Step::wait(Duration::from_secs(10)),
    ];
    if rollout {
        steps.push(Step::SetImage {
            namespace: "default".into(),
            deployment: "web".into(),
            container: None,
            image: "web:v2".into(),
        });
        steps.push(rollout_complete());
    }
    steps.push(Step::wait(Duration::from_secs(15)));
    steps.push(Step::StopTraffic);
    let mut scenario = ScenarioRun::begin(&mut world, "rollout", Some("default"));
    scenario.steps(&steps).await.unwrap();
    let report = scenario.finish().await.unwrap();
    world.shutdown().await.unwrap();
    report
}

/// 5xx during the rollout (from the image change to the end of the drain wait) and none before.
fn assert_failures_only_during_rollout(report: &ScenarioReport) {
    let text = report.to_string();
    let traffic = report.traffic.as_ref().expect("traffic ran");
    assert!(traffic.requests > 300, "steady traffic: {text}");
    let rollout = report.step("set image").expect("the rollout step ran");
    let traffic_start = report.step("start traffic").unwrap().started;
    assert_eq!(
        report.failures_between(0.0, rollout.started),
        0,
        "no 5xx before the rollout: {text}"
    );
    let failed = report.failures_between(rollout.started, report.ended + 1.0);
    assert!(failed > 0, "5xx during the rollout: {text}");
    assert_eq!(
        failed, traffic.failures,
        "every failure is in the rollout window"
    );
    let (first, last) = traffic.failure_span.unwrap();
    assert!(first >= rollout.started && first > traffic_start, "{text}");
    assert!(last <= report.ended, "{text}");
    assert!(!traffic.failure_windows.is_empty());
    assert_eq!(
        traffic
            .failure_windows
            .iter()
            .map(|w| w.failures.values().sum::<u64>())
            .sum::<u64>(),
        traffic.failures
    );
    assert!(
        traffic
            .failure_windows
            .iter()
            .all(|w| w.start + traffic.window_seconds >= rollout.started),
        "{text}"
    );
    assert!(text.contains("failed:"), "failure windows listed: {text}");
    // Why: the new pods were Ready (and old ones deleted) well before the new targets were
    // healthy, and old pods stopped while their targets were still in service.
    let new_pods: Vec<_> = report
        .pods
        .iter()
        .filter(|p| p.image.as_deref() == Some("web:v2"))
        .collect();
    assert_eq!(new_pods.len(), 5, "{text}");
    for pod in &new_pods {
        let lead = pod.ready_before_healthy().expect("Ready and healthy");
        assert!(
            lead > 2.0,
            "{} Ready {lead:.1}s before healthy: {text}",
            pod.name
        );
    }
    let old_pods: Vec<_> = report
        .pods
        .iter()
        .filter(|p| p.image.as_deref() == Some("web:v1"))
        .collect();
    assert_eq!(old_pods.len(), 5, "{text}");
    for pod in &old_pods {
        assert!(
            pod.terminating.is_some() && pod.deregistered.is_some(),
            "{text}"
        );
        assert!(pod.healthy.is_some(), "{text}");
    }
    assert_eq!(report.max_gate_lag, None, "no readiness gates here");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollout_without_gates_shows_5xx_only_during_the_rollout() {
    let report = run(true).await;
    assert_failures_only_during_rollout(&report);
    // The registrar writes the model directly: it spends none of the API budget.
    assert!(report.api_calls.is_empty(), "{:?}", report.api_calls);
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["pods"].as_array().unwrap().len(), 10);
    assert!(json["traffic"]["failures"].as_u64().unwrap() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_rollout_the_same_world_serves_every_request() {
    let report = run(false).await;
    let traffic = report.traffic.as_ref().unwrap();
    assert!(traffic.requests > 300, "{report}");
    assert_eq!(traffic.failures, 0, "{report}");
    assert_eq!(traffic.by_outcome.get("200"), Some(&traffic.requests));
    assert!(traffic.failure_windows.is_empty());
    assert!(report.step("set image").is_none());
    assert_eq!(report.pods.len(), 5);
    assert!(
        report
            .pods
            .iter()
            .all(|p| p.healthy.is_some() && p.terminating.is_none())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_yaml_example_runs_and_shows_the_same() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/rolling-update-without-gates.yaml");
    let report = run_file(&path, None).await.unwrap();
    println!("{report}");
    assert_eq!(report.name, "rolling-update-without-gates");
    assert!(report.pods.iter().all(|p| p.namespace == "shop"));
    assert_failures_only_during_rollout(&report);
}
