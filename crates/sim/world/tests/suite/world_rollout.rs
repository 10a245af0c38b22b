//! Deployment rollouts in the simulated world: a 25 % / 25 % rolling update of five replicas, and
//! the stall Kubernetes shows when new pods carry a readiness gate nobody sets.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{ListParams, Patch, PatchParams, PostParams};
use lbgate_testkit::objects::{self, Object, pod_condition};
use serde_json::json;

use crate::world_support::{PATIENCE, TestWorld, deployment, is_ready};

const GATE: &str = "target-health.lbgate.io/web";

async fn create(world: &TestWorld, body: Object<Deployment>) {
    let api: Api<Deployment> = Api::namespaced(world.client.clone(), "default");
    api.create(&PostParams::default(), &body.build())
        .await
        .unwrap();
}

/// Waits until the Deployment reports a finished rollout of `replicas` pods.
async fn complete(world: &TestWorld, name: &str, replicas: i32) -> Deployment {
    PATIENCE
        .eventually("a complete rollout", || async {
            let d = world.deployment(name).await;
            let status = d.status.clone()?;
            let progressing = status
                .conditions
                .as_ref()?
                .iter()
                .find(|c| c.type_ == "Progressing")?;
            let done = status.observed_generation == d.metadata.generation
                && status.updated_replicas == Some(replicas)
                && status.available_replicas == Some(replicas)
                && status.replicas == Some(replicas)
                && progressing.reason.as_deref() == Some("NewReplicaSetAvailable");
            done.then_some(d)
        })
        .await
}

async fn set_image(world: &TestWorld, name: &str, template: serde_json::Value) {
    let api: Api<Deployment> = Api::namespaced(world.client.clone(), "default");
    let patch = json!({"spec": {"template": template}});
    api.patch(name, &PatchParams::default(), &Patch::Strategic(&patch))
        .await
        .unwrap();
}

async fn replica_sets(world: &TestWorld) -> Vec<ReplicaSet> {
    let api: Api<ReplicaSet> = Api::namespaced(world.client.clone(), "default");
    let mut items = api.list(&ListParams::default()).await.unwrap().items;
    items.sort_by_key(|rs| {
        rs.metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("deployment.kubernetes.io/revision").cloned())
    });
    items
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_replicas_roll_out_within_surge_and_unavailability() {
    let world = TestWorld::start().await;
    let body = deployment("web", 5, "web:v1").merge(json!({"spec": {"minReadySeconds": 3}}));
    create(&world, body).await;
    let first = complete(&world, "web", 5).await;
    assert_eq!(
        first.metadata.annotations.as_ref().unwrap()["deployment.kubernetes.io/revision"],
        "1"
    );
    let pods = world.pods("app=web").await;
    assert_eq!(pods.len(), 5);
    assert!(pods.iter().all(is_ready));

    // Sample the ReplicaSets and pods through the rollout: never more than 5 + 2 desired or
    // live pods, never fewer than 5 - 1 Ready ones.
    let samples = Arc::new(Mutex::new(Vec::new()));
    let sampler = {
        let samples = Arc::clone(&samples);
        let api: Api<Pod> = Api::namespaced(world.client.clone(), "default");
        let sets: Api<ReplicaSet> = Api::namespaced(world.client.clone(), "default");
        tokio::spawn(async move {
            loop {
                let desired: i32 = sets
                    .list(&ListParams::default())
                    .await
                    .unwrap()
                    .items
                    .iter()
                    .map(|rs| rs.spec.as_ref().unwrap().replicas.unwrap())
                    .sum();
                let pods = api
                    .list(&ListParams::default().labels("app=web"))
                    .await
                    .unwrap()
                    .items;
                let live: Vec<&Pod> = pods
                    .iter()
                    .filter(|p| p.metadata.deletion_timestamp.is_none())
                    .collect();
                let ready = live.iter().filter(|p| is_ready(p)).count();
                samples.lock().unwrap().push((live.len(), ready, desired));
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        })
    };
    let started = world.now();
    set_image(
        &world,
        "web",
        json!({"spec": {"containers": [{"name": "app", "image": "web:v2"}]}}),
    )
    .await;
    let second = complete(&world, "web", 5).await;
    sampler.abort();
    // Two waves of new pods (3, then 2), each started in 1 s and available 3 s after Ready.
    let took = world.now() - started;
    assert!(
        took >= Duration::from_secs(8),
        "minReadySeconds paces the rollout: {took:?}"
    );
    assert_eq!(
        second.metadata.annotations.as_ref().unwrap()["deployment.kubernetes.io/revision"],
        "2"
    );
    let samples = samples.lock().unwrap().clone();
    assert!(samples.len() > 10, "too few samples: {}", samples.len());
    let most_live = samples.iter().map(|s| s.0).max().unwrap();
    let fewest_ready = samples.iter().map(|s| s.1).min().unwrap();
    let most_desired = samples.iter().map(|s| s.2).max().unwrap();
    assert_eq!(most_desired, 7, "replicas + maxSurge, and no more");
    assert!(
        most_live <= 7,
        "more than replicas + maxSurge live pods: {most_live}"
    );
    assert_eq!(most_live, 7, "the surge is used");
    assert!(
        fewest_ready >= 4,
        "fewer than replicas - maxUnavailable ready pods: {fewest_ready}"
    );

    let sets = replica_sets(&world).await;
    assert_eq!(sets.len(), 2);
    assert_eq!(sets[0].spec.as_ref().unwrap().replicas, Some(0));
    assert_eq!(sets[1].spec.as_ref().unwrap().replicas, Some(5));
    let hash = &sets[1].metadata.labels.as_ref().unwrap()["pod-template-hash"];
    assert_eq!(
        sets[1].metadata.name.as_deref(),
        Some(format!("web-{hash}").as_str())
    );
    let pods = PATIENCE
        .eventually("the old pods to go", || async {
            let pods = world.pods("app=web").await;
            (pods.len() == 5).then_some(pods)
        })
        .await;
    for pod in &pods {
        assert_eq!(
            pod.spec.as_ref().unwrap().containers[0].image.as_deref(),
            Some("web:v2")
        );
        assert_eq!(
            &pod.metadata.labels.as_ref().unwrap()["pod-template-hash"],
            hash
        );
        let owner = &pod.metadata.owner_references.as_ref().unwrap()[0];
        assert_eq!(
            (owner.kind.as_str(), owner.controller),
            ("ReplicaSet", Some(true))
        );
        assert!(
            pod.metadata
                .name
                .as_ref()
                .unwrap()
                .starts_with(&format!("web-{hash}-"))
        );
    }
    // A settled world stops writing: no controller keeps rewriting what it already wrote.
    let versions = || async {
        let d = world.deployment("web").await;
        let mut all = vec![d.metadata.resource_version];
        all.extend(
            replica_sets(&world)
                .await
                .into_iter()
                .map(|rs| rs.metadata.resource_version),
        );
        all.extend(
            world
                .pods("app=web")
                .await
                .into_iter()
                .map(|p| p.metadata.resource_version),
        );
        all
    };
    let before = versions().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(versions().await, before, "writes in a settled world");
    world.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unset_readiness_gate_stalls_the_rollout_as_kubernetes_does() {
    let world = TestWorld::start().await;
    let body =
        deployment("gated", 5, "web:v1").merge(json!({"spec": {"progressDeadlineSeconds": 30}}));
    create(&world, body).await;
    complete(&world, "gated", 5).await;

    let template = json!({"spec": {
        "readinessGates": [{"conditionType": GATE}],
        "containers": [{"name": "app", "image": "web:v2"}],
    }});
    set_image(&world, "gated", template).await;
    // Kubernetes: the new ReplicaSet surges to 2, the old one drops to 4 (5 - maxUnavailable 1),
    // the new one grows to 3 (4 + 3 = 5 + maxSurge 2), and then nothing moves: the new pods'
    // containers are ready but the pods never are.
    let start = world.now();
    let stalled = PATIENCE
        .eventually("the progress deadline", || async {
            let d = world.deployment("gated").await;
            let progressing = d
                .status
                .as_ref()?
                .conditions
                .as_ref()?
                .iter()
                .find(|c| c.type_ == "Progressing")?
                .clone();
            (progressing.reason.as_deref() == Some("ProgressDeadlineExceeded"))
                .then_some((d, progressing))
        })
        .await;
    let (d, progressing) = stalled;
    assert!(
        world.now() - start >= Duration::from_secs(30),
        "the deadline is 30 simulated seconds"
    );
    assert_eq!(progressing.status, "False");
    assert_eq!(
        progressing.message.as_deref(),
        Some(
            format!(
                "ReplicaSet \"{}\" has timed out progressing.",
                new_rs_name(&world).await
            )
            .as_str()
        )
    );
    let status = d.status.unwrap();
    assert_eq!(
        (
            status.replicas,
            status.updated_replicas,
            status.ready_replicas,
            status.available_replicas,
            status.unavailable_replicas
        ),
        (Some(7), Some(3), Some(4), Some(4), Some(3))
    );
    let available = status
        .conditions
        .as_ref()
        .unwrap()
        .iter()
        .find(|c| c.type_ == "Available")
        .unwrap();
    assert_eq!(available.status, "True");
    let sets = replica_sets(&world).await;
    let sizes: Vec<Option<i32>> = sets
        .iter()
        .map(|rs| rs.spec.as_ref().unwrap().replicas)
        .collect();
    assert_eq!(sizes, [Some(4), Some(3)]);
    let gated: Vec<Pod> = world
        .pods("app=gated")
        .await
        .into_iter()
        .filter(|p| p.spec.as_ref().unwrap().readiness_gates.is_some())
        .collect();
    assert_eq!(gated.len(), 3);
    for pod in &gated {
        assert_eq!(pod_condition(pod, "ContainersReady"), Some("True"));
        assert_eq!(pod_condition(pod, "Ready"), Some("False"));
        let ready = pod
            .status
            .as_ref()
            .unwrap()
            .conditions
            .as_ref()
            .unwrap()
            .iter()
            .find(|c| c.type_ == "Ready")
            .unwrap();
        assert_eq!(ready.reason.as_deref(), Some("ReadinessGatesNotReady"));
    }

    // Whoever owns the gate sets it: the kubelet folds it into Ready and the rollout finishes.
    let pods_api: Api<Pod> = Api::namespaced(world.client.clone(), "default");
    let open_gates = async {
        loop {
            for pod in world.pods("app=gated").await {
                let gated = pod.spec.as_ref().unwrap().readiness_gates.is_some();
                if gated
                    && pod_condition(&pod, GATE).is_none()
                    && pod.metadata.deletion_timestamp.is_none()
                {
                    let patch = objects::condition_patch(GATE, true);
                    let name = pod.metadata.name.unwrap();
                    let _ = pods_api
                        .patch_status(&name, &PatchParams::default(), &Patch::Strategic(&patch))
                        .await;
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::select! {
        _ = complete(&world, "gated", 5) => {}
        () = open_gates => {}
    }
    let pods = world.pods("app=gated").await;
    assert!(
        pods.iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .all(|p| pod_condition(p, GATE) == Some("True") && is_ready(p))
    );
    world.stop().await;
}

async fn new_rs_name(world: &TestWorld) -> String {
    replica_sets(world)
        .await
        .last()
        .unwrap()
        .metadata
        .name
        .clone()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recreate_stops_every_old_pod_before_a_new_one_starts() {
    let world = TestWorld::start().await;
    let body = deployment("once", 3, "web:v1")
        .merge(json!({"spec": {"strategy": {"type": "Recreate", "rollingUpdate": null}}}));
    create(&world, body).await;
    complete(&world, "once", 3).await;
    let samples = Arc::new(Mutex::new(Vec::new()));
    let sampler = {
        let samples = Arc::clone(&samples);
        let api: Api<Pod> = Api::namespaced(world.client.clone(), "default");
        tokio::spawn(async move {
            loop {
                let pods = api
                    .list(&ListParams::default().labels("app=once"))
                    .await
                    .unwrap()
                    .items;
                let image = |p: &Pod| {
                    p.spec.as_ref().unwrap().containers[0]
                        .image
                        .clone()
                        .unwrap()
                };
                let old = pods.iter().filter(|p| image(p) == "web:v1").count();
                let new = pods.iter().filter(|p| image(p) == "web:v2").count();
                samples.lock().unwrap().push((old, new));
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        })
    };
    set_image(
        &world,
        "once",
        json!({"spec": {"containers": [{"name": "app", "image": "web:v2"}]}}),
    )
    .await;
    complete(&world, "once", 3).await;
    sampler.abort();
    let samples = samples.lock().unwrap().clone();
    // Old pods, terminating ones included, are all gone before the first new pod exists.
    assert!(
        samples.iter().all(|(old, new)| *old == 0 || *new == 0),
        "{samples:?}"
    );
    assert!(samples.iter().any(|(old, _)| *old > 0) && samples.iter().any(|(_, new)| *new == 3));
    world.stop().await;
}
