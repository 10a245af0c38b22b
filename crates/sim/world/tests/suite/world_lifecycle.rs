//! Pod lifecycle in the simulated world: graceful deletion (preStop, SIGTERM, removal) as the
//! application and the EndpointSlices see it, and readiness gates in endpoint conditions.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointSlice};
use kube::Api;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
use lbgate_sim::controllers::AppPhase;
use lbgate_testkit::objects::{self, pod_condition};
use serde_json::json;

use crate::world_support::{PATIENCE, TestWorld, is_ready};

async fn service(world: &TestWorld, name: &str, publish_not_ready: bool) {
    let api: Api<Service> = Api::namespaced(world.client.clone(), "default");
    let svc = json!({
        "metadata": {"name": name},
        "spec": {"selector": {"app": name}, "publishNotReadyAddresses": publish_not_ready,
                 "ports": [{"port": 80, "targetPort": "http"}]},
    });
    api.create(
        &PostParams::default(),
        &serde_json::from_value(svc).unwrap(),
    )
    .await
    .unwrap();
}

async fn pod(world: &TestWorld, body: serde_json::Value) {
    let api: Api<Pod> = Api::namespaced(world.client.clone(), "default");
    api.create(
        &PostParams::default(),
        &serde_json::from_value(body).unwrap(),
    )
    .await
    .unwrap();
}

/// The endpoints of the Service's slices.
async fn endpoints(world: &TestWorld, service: &str) -> Vec<(EndpointSlice, Endpoint)> {
    let api: Api<EndpointSlice> = Api::namespaced(world.client.clone(), "default");
    let selector = format!("kubernetes.io/service-name={service}");
    let slices = api
        .list(&ListParams::default().labels(&selector))
        .await
        .unwrap()
        .items;
    slices
        .into_iter()
        .flat_map(|s| s.endpoints.clone().into_iter().map(move |e| (s.clone(), e)))
        .collect()
}

fn flags(endpoint: &Endpoint) -> (Option<bool>, Option<bool>, Option<bool>) {
    let c = endpoint.conditions.clone().unwrap();
    (c.ready, c.serving, c.terminating)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_deletion_runs_prestop_then_sigterm_then_removal() {
    // 20 times faster than real time: a simulated second is 50 ms.
    let world = TestWorld::start_with(0.05, |_| {}).await;
    service(&world, "solo", false).await;
    pod(
        &world,
        json!({
            "metadata": {"name": "solo", "labels": {"app": "solo"},
                         "annotations": {"sim.lbgate.io/shutdown-seconds": "3"}},
            "spec": {
                "terminationGracePeriodSeconds": 30,
                "containers": [{"name": "app", "image": "web:v1",
                    "ports": [{"name": "http", "containerPort": 8080}],
                    "lifecycle": {"preStop": {"exec": {"command": ["/bin/sh", "-c", "sleep 5"]}}}}],
            },
        }),
    )
    .await;
    let apps = world.world.apps();
    let ip: IpAddr = PATIENCE
        .eventually("the pod to serve", || async {
            let pods = world.pods("app=solo").await;
            let pod = pods.first()?;
            let ip: IpAddr = pod.status.as_ref()?.pod_ip.as_ref()?.parse().ok()?;
            (is_ready(pod) && apps.phase(ip) == Some(AppPhase::Serving)).then_some(ip)
        })
        .await;
    let app = apps.get(ip).unwrap();
    assert_eq!((app.pod.as_str(), app.port), ("default/solo", 8080));
    let (slice, endpoint) = PATIENCE
        .eventually("a ready endpoint", || async {
            endpoints(&world, "solo")
                .await
                .into_iter()
                .find(|(_, e)| flags(e) == (Some(true), Some(true), Some(false)))
        })
        .await;
    assert_eq!(slice.address_type, "IPv4");
    let port = &slice.ports.as_ref().unwrap()[0];
    assert_eq!(
        (port.port, port.protocol.as_deref()),
        (Some(8080), Some("TCP"))
    );
    assert_eq!(endpoint.addresses, [ip.to_string()]);
    assert_eq!(
        endpoint.target_ref.as_ref().unwrap().name.as_deref(),
        Some("solo")
    );
    let node = world
        .world
        .nodes()
        .iter()
        .find(|n| Some(&n.name) == endpoint.node_name.as_ref())
        .unwrap();
    assert_eq!(endpoint.zone.as_deref(), Some(node.zone.as_str()));

    // Watch the application from the side while the pod is deleted.
    let samples = Arc::new(Mutex::new(Vec::new()));
    let sampler = {
        let (samples, apps, clock) = (
            Arc::clone(&samples),
            Arc::clone(&apps),
            Arc::clone(&world.clock),
        );
        tokio::spawn(async move {
            loop {
                samples.lock().unwrap().push((clock.now(), apps.phase(ip)));
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    let deleted_at = world.now();
    let api: Api<Pod> = Api::namespaced(world.client.clone(), "default");
    api.delete("solo", &DeleteParams::default()).await.unwrap();
    // While it terminates the endpoint stays, not ready, still serving.
    PATIENCE
        .eventually("a terminating endpoint", || async {
            endpoints(&world, "solo")
                .await
                .into_iter()
                .find(|(_, e)| flags(e) == (Some(false), Some(true), Some(true)))
        })
        .await;
    PATIENCE
        .eventually("the pod to be removed", || async {
            match api.get("solo").await {
                Err(kube::Error::Api(status)) if status.code == 404 => Some(()),
                _ => None,
            }
        })
        .await;
    assert_eq!(
        apps.phase(ip),
        Some(AppPhase::Gone),
        "removed only after the process is gone"
    );
    PATIENCE
        .eventually("the endpoint to go", || async {
            endpoints(&world, "solo").await.is_empty().then_some(())
        })
        .await;
    sampler.abort();

    let samples = samples.lock().unwrap().clone();
    let first = |phase: AppPhase| {
        samples
            .iter()
            .find(|(_, p)| *p == Some(phase))
            .map(|(t, _)| *t)
            .unwrap()
    };
    let mut order: Vec<AppPhase> = samples.iter().filter_map(|(_, p)| *p).collect();
    order.dedup();
    assert_eq!(
        order,
        [AppPhase::Serving, AppPhase::ShuttingDown, AppPhase::Gone]
    );
    let sigterm = first(AppPhase::ShuttingDown) - deleted_at;
    let running = first(AppPhase::Gone) - first(AppPhase::ShuttingDown);
    assert!(
        sigterm >= Duration::from_secs(5),
        "SIGTERM after the 5 s preStop, not {sigterm:?}"
    );
    assert!(
        sigterm <= Duration::from_secs(7),
        "SIGTERM right after the preStop, not {sigterm:?}"
    );
    assert!(
        running >= Duration::from_millis(2500) && running <= Duration::from_millis(4500),
        "3 s shutdown, not {running:?}"
    );
    world.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoints_follow_readiness_gates_and_publish_not_ready_addresses() {
    let world = TestWorld::start().await;
    service(&world, "gated", false).await;
    service(&world, "eager", true).await;
    for app in ["gated", "eager"] {
        pod(&world, json!({
            "metadata": {"name": app, "labels": {"app": app}},
            "spec": {
                "readinessGates": [{"conditionType": "example.com/gate"}],
                "containers": [{"name": "app", "image": "web:v1", "ports": [{"name": "http", "containerPort": 9090}]}],
            },
        }))
        .await;
    }
    let api: Api<Pod> = Api::namespaced(world.client.clone(), "default");
    PATIENCE
        .eventually("containers ready behind a closed gate", || async {
            let pod = api.get("gated").await.ok()?;
            (pod_condition(&pod, "ContainersReady") == Some("True")).then_some(())
        })
        .await;
    assert_eq!(
        pod_condition(&api.get("gated").await.unwrap(), "Ready"),
        Some("False")
    );
    PATIENCE
        .eventually("a not-ready endpoint", || async {
            let all = endpoints(&world, "gated").await;
            all.iter()
                .any(|(_, e)| flags(e) == (Some(false), Some(false), Some(false)))
                .then_some(())
        })
        .await;
    PATIENCE
        .eventually("a published not-ready endpoint", || async {
            let all = endpoints(&world, "eager").await;
            all.iter()
                .any(|(_, e)| flags(e) == (Some(true), Some(false), Some(false)))
                .then_some(())
        })
        .await;
    // Opening the gate makes the pod Ready without touching the kubelet's own conditions.
    let open = objects::condition_patch("example.com/gate", true);
    api.patch_status("gated", &PatchParams::default(), &Patch::Strategic(&open))
        .await
        .unwrap();
    PATIENCE
        .eventually("a ready endpoint", || async {
            let all = endpoints(&world, "gated").await;
            all.iter()
                .any(|(_, e)| flags(e) == (Some(true), Some(true), Some(false)))
                .then_some(())
        })
        .await;
    let pod = api.get("gated").await.unwrap();
    assert_eq!(
        pod_condition(&pod, "example.com/gate"),
        Some("True"),
        "the kubelet keeps others' conditions"
    );
    assert_eq!(pod_condition(&pod, "PodScheduled"), Some("True"));
    assert!(is_ready(&pod));
    world.stop().await;
}
