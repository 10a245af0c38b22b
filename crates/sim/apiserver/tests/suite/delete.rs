//! Deletion through kube-rs: finalizers, graceful pod deletion, DELETE of a collection, and the
//! garbage collection of dependents by `ownerReferences`.

use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::Api;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
use lbgate_testkit::objects;
use serde_json::json;

use crate::support::{api_error, start};

#[tokio::test]
async fn a_finalizer_holds_an_object_until_it_is_removed() {
    let (sim, client) = start().await;
    let maps: Api<ConfigMap> = Api::namespaced(client, "default");
    let cm: ConfigMap = serde_json::from_value(json!({
        "metadata": {"name": "held", "finalizers": ["example.com/hold"]},
        "data": {"k": "v"},
    }))
    .unwrap();
    maps.create(&PostParams::default(), &cm).await.unwrap();
    let pending = maps.delete("held", &DeleteParams::default()).await.unwrap();
    let pending = pending.left().expect("the object, still there");
    assert!(pending.metadata.deletion_timestamp.is_some());
    let still = maps.get("held").await.unwrap();
    assert!(still.metadata.deletion_timestamp.is_some());
    let release = json!({"metadata": {"finalizers": null}});
    maps.patch("held", &PatchParams::default(), &Patch::Merge(&release))
        .await
        .unwrap();
    let error = maps.get("held").await.unwrap_err();
    assert_eq!(api_error(error).0, 404);

    // Without finalizers a ConfigMap goes at once, and the answer is a success Status.
    let plain: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "plain"}})).unwrap();
    maps.create(&PostParams::default(), &plain).await.unwrap();
    let gone = maps
        .delete("plain", &DeleteParams::default())
        .await
        .unwrap();
    assert!(gone.is_right());
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_scheduled_pod_is_deleted_gracefully() {
    let (sim, client) = start().await;
    let pods: Api<Pod> = Api::namespaced(client, "default");
    let mut p = objects::pod("slow").node("node-1").build();
    p.spec.as_mut().unwrap().termination_grace_period_seconds = Some(20);
    pods.create(&PostParams::default(), &p).await.unwrap();
    let terminating = pods
        .delete("slow", &DeleteParams::default())
        .await
        .unwrap()
        .left()
        .unwrap();
    assert_eq!(terminating.metadata.deletion_grace_period_seconds, Some(20));
    assert!(terminating.metadata.deletion_timestamp.is_some());
    assert!(
        pods.get("slow")
            .await
            .unwrap()
            .metadata
            .deletion_timestamp
            .is_some()
    );
    // What the kubelet does once the containers stopped: delete with grace period 0.
    pods.delete(
        "slow",
        &DeleteParams {
            grace_period_seconds: Some(0),
            ..DeleteParams::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(api_error(pods.get("slow").await.unwrap_err()).0, 404);

    // A request's grace period wins over the pod's, and 0 removes at once.
    pods.create(
        &PostParams::default(),
        &objects::pod("quick").node("node-1").build(),
    )
    .await
    .unwrap();
    let deleted = pods
        .delete(
            "quick",
            &DeleteParams {
                grace_period_seconds: Some(0),
                ..DeleteParams::default()
            },
        )
        .await
        .unwrap();
    assert!(deleted.left().is_some());
    assert_eq!(api_error(pods.get("quick").await.unwrap_err()).0, 404);
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn delete_collection_deletes_what_the_selector_matches() {
    let (sim, client) = start().await;
    let maps: Api<ConfigMap> = Api::namespaced(client, "default");
    for (name, app) in [("a", "x"), ("b", "x"), ("c", "y")] {
        let cm: ConfigMap =
            serde_json::from_value(json!({"metadata": {"name": name, "labels": {"app": app}}}))
                .unwrap();
        maps.create(&PostParams::default(), &cm).await.unwrap();
    }
    let deleted = maps
        .delete_collection(
            &DeleteParams::default(),
            &ListParams::default().labels("app=x"),
        )
        .await
        .unwrap()
        .left()
        .unwrap();
    assert_eq!(deleted.items.len(), 2);
    let left: Vec<_> = maps
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|c| c.metadata.name.unwrap())
        .collect();
    assert_eq!(left, ["c"]);
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn deleting_an_owner_collects_or_orphans_its_dependents() {
    let (sim, client) = start().await;
    let maps: Api<ConfigMap> = Api::namespaced(client, "default");
    let make = |name: &str, owners: serde_json::Value| -> ConfigMap {
        serde_json::from_value(json!({"metadata": {"name": name, "ownerReferences": owners}}))
            .unwrap()
    };
    let owner = maps
        .create(&PostParams::default(), &make("owner", json!([])))
        .await
        .unwrap();
    let other = maps
        .create(&PostParams::default(), &make("other", json!([])))
        .await
        .unwrap();
    let reference = |o: &ConfigMap| json!({"apiVersion": "v1", "kind": "ConfigMap", "name": o.metadata.name, "uid": o.metadata.uid});
    maps.create(
        &PostParams::default(),
        &make("child", json!([reference(&owner)])),
    )
    .await
    .unwrap();
    maps.create(
        &PostParams::default(),
        &make("shared", json!([reference(&owner), reference(&other)])),
    )
    .await
    .unwrap();
    maps.delete("owner", &DeleteParams::default())
        .await
        .unwrap();
    assert_eq!(
        api_error(maps.get("child").await.unwrap_err()).0,
        404,
        "collected"
    );
    let shared = maps.get("shared").await.unwrap();
    assert_eq!(
        shared.metadata.owner_references.unwrap().len(),
        1,
        "kept, one owner left"
    );

    maps.delete("other", &DeleteParams::orphan()).await.unwrap();
    let orphan = maps.get("shared").await.unwrap();
    assert!(orphan.metadata.owner_references.is_none(), "orphaned");
    sim.shutdown().await.unwrap();
}
