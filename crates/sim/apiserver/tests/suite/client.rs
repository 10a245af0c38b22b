//! The real kube-rs client against the simulated API server: CRUD, selectors, paging,
//! optimistic concurrency, the status subresource and generation.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::Api;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
use lbgate_testkit::objects;
use serde_json::json;

use crate::support::{api_error, start};

#[tokio::test]
async fn pods_are_created_read_listed_replaced_and_deleted() {
    let (sim, client) = start().await;
    let pods: Api<Pod> = Api::namespaced(client, "default");
    let created = pods
        .create(
            &PostParams::default(),
            &objects::pod("web").label("app", "web").build(),
        )
        .await
        .unwrap();
    let uid = created.metadata.uid.clone().unwrap();
    assert_eq!(created.metadata.namespace.as_deref(), Some("default"));
    assert!(created.metadata.creation_timestamp.is_some());
    assert_eq!(
        created.status.as_ref().unwrap().phase.as_deref(),
        Some("Pending")
    );
    let version: u64 = created
        .metadata
        .resource_version
        .clone()
        .unwrap()
        .parse()
        .unwrap();

    let fetched = pods.get("web").await.unwrap();
    assert_eq!(fetched.metadata.uid.as_deref(), Some(uid.as_str()));
    let listed = pods.list(&ListParams::default()).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    let list_version: u64 = listed
        .metadata
        .resource_version
        .clone()
        .unwrap()
        .parse()
        .unwrap();
    assert!(list_version >= version);

    let mut changed = fetched.clone();
    changed
        .metadata
        .labels
        .as_mut()
        .unwrap()
        .insert("tier".into(), "front".into());
    let replaced = pods
        .replace("web", &PostParams::default(), &changed)
        .await
        .unwrap();
    let new_version: u64 = replaced
        .metadata
        .resource_version
        .clone()
        .unwrap()
        .parse()
        .unwrap();
    assert!(new_version > version);
    assert_eq!(replaced.metadata.labels.unwrap()["tier"], "front");

    let duplicate = pods
        .create(&PostParams::default(), &objects::pod("web").build())
        .await
        .unwrap_err();
    assert_eq!(
        api_error(duplicate),
        (
            409,
            "AlreadyExists".into(),
            "pods \"web\" already exists".into()
        )
    );

    // An unscheduled pod goes at once; pods answer a DELETE with the object.
    let deleted = pods.delete("web", &DeleteParams::default()).await.unwrap();
    assert!(deleted.is_left());
    let missing = pods.get("web").await.unwrap_err();
    assert_eq!(
        api_error(missing),
        (404, "NotFound".into(), "pods \"web\" not found".into())
    );
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn creating_in_a_missing_namespace_is_not_found() {
    let (sim, client) = start().await;
    let pods: Api<Pod> = Api::namespaced(client, "nowhere");
    let error = pods
        .create(&PostParams::default(), &objects::pod("x").build())
        .await
        .unwrap_err();
    assert_eq!(
        api_error(error),
        (
            404,
            "NotFound".into(),
            "namespaces \"nowhere\" not found".into()
        )
    );
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn label_and_field_selectors_filter_lists() {
    let (sim, client) = start().await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    for (name, app, node) in [
        ("a1", "a", "node-1"),
        ("a2", "a", "node-2"),
        ("b1", "b", "node-1"),
    ] {
        pods.create(
            &PostParams::default(),
            &objects::pod(name).label("app", app).node(node).build(),
        )
        .await
        .unwrap();
    }
    let names = |list: kube::core::ObjectList<Pod>| {
        list.items
            .into_iter()
            .map(|p| p.metadata.name.unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(
            pods.list(&ListParams::default().labels("app=a"))
                .await
                .unwrap()
        ),
        ["a1", "a2"]
    );
    assert_eq!(
        names(
            pods.list(&ListParams::default().labels("app!=a"))
                .await
                .unwrap()
        ),
        ["b1"]
    );
    assert_eq!(
        names(
            pods.list(&ListParams::default().fields("spec.nodeName=node-1"))
                .await
                .unwrap()
        ),
        ["a1", "b1"]
    );
    assert_eq!(
        names(
            pods.list(
                &ListParams::default()
                    .labels("app in (a,b)")
                    .fields("metadata.name=a2")
            )
            .await
            .unwrap()
        ),
        ["a2"]
    );
    let all: Api<Pod> = Api::all(client);
    assert_eq!(
        names(
            all.list(&ListParams::default().fields("metadata.namespace=default"))
                .await
                .unwrap()
        )
        .len(),
        3
    );
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn limit_and_continue_page_through_a_list() {
    let (sim, client) = start().await;
    let maps: Api<ConfigMap> = Api::namespaced(client, "default");
    for i in 0..5 {
        let cm: ConfigMap =
            serde_json::from_value(json!({"metadata": {"name": format!("cm-{i}")}})).unwrap();
        maps.create(&PostParams::default(), &cm).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut params = ListParams::default().limit(2);
        if let Some(t) = &token {
            params = params.continue_token(t);
        }
        let page = maps.list(&params).await.unwrap();
        pages += 1;
        assert!(page.items.len() <= 2);
        seen.extend(page.items.into_iter().map(|c| c.metadata.name.unwrap()));
        token = page.metadata.continue_.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ["cm-0", "cm-1", "cm-2", "cm-3", "cm-4"]);
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_stale_resource_version_gets_409_conflict() {
    let (sim, client) = start().await;
    let pods: Api<Pod> = Api::namespaced(client, "default");
    let original = pods
        .create(
            &PostParams::default(),
            &objects::pod("p").label("v", "1").build(),
        )
        .await
        .unwrap();
    let mut first = original.clone();
    first.metadata.labels = Some([("v".to_owned(), "2".to_owned())].into());
    pods.replace("p", &PostParams::default(), &first)
        .await
        .unwrap();
    let mut stale = original;
    stale.metadata.labels = Some([("v".to_owned(), "3".to_owned())].into());
    let error = pods
        .replace("p", &PostParams::default(), &stale)
        .await
        .unwrap_err();
    assert_eq!(
        api_error(error),
        (
            409,
            "Conflict".into(),
            "Operation cannot be fulfilled on pods \"p\": the object has been modified; please apply your changes to the latest version and try again".into()
        )
    );
    // The same precondition inside a merge patch.
    let patch = json!({"metadata": {"resourceVersion": "1", "labels": {"v": "4"}}});
    let error = pods
        .patch("p", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap_err();
    assert_eq!(api_error(error).0, 409);
    assert_eq!(
        pods.get("p").await.unwrap().metadata.labels.unwrap()["v"],
        "2"
    );
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_strategic_status_patch_adds_one_condition_and_keeps_the_others() {
    let (sim, client) = start().await;
    let pods: Api<Pod> = Api::namespaced(client, "default");
    pods.create(
        &PostParams::default(),
        &objects::pod("gated").node("node-1").build(),
    )
    .await
    .unwrap();
    let status = json!({"status": {"phase": "Running", "conditions": [
        {"type": "PodScheduled", "status": "True"},
        {"type": "Ready", "status": "False", "reason": "ReadinessGatesNotReady"},
    ]}});
    pods.patch_status("gated", &PatchParams::default(), &Patch::Merge(&status))
        .await
        .unwrap();
    let gate = json!({"status": {"conditions": [{"type": "example.com/gate", "status": "True"}]}});
    let patched = pods
        .patch_status("gated", &PatchParams::default(), &Patch::Strategic(&gate))
        .await
        .unwrap();
    let conditions = patched.status.unwrap().conditions.unwrap();
    // Order is the strategic-merge engine's business (kube-apiserver puts new patch items before
    // server-only ones); what matters is that nothing else was touched.
    let mut types: Vec<_> = conditions
        .iter()
        .map(|c| (c.type_.as_str(), c.status.as_str()))
        .collect();
    types.sort_unstable();
    assert_eq!(
        types,
        [
            ("PodScheduled", "True"),
            ("Ready", "False"),
            ("example.com/gate", "True")
        ]
    );
    let ready = conditions.iter().find(|c| c.type_ == "Ready").unwrap();
    assert_eq!(ready.reason.as_deref(), Some("ReadinessGatesNotReady"));

    // The status subresource ignores spec changes; the main resource ignores status changes.
    let sneaky = json!({"spec": {"activeDeadlineSeconds": 5}, "status": {"phase": "Failed"}});
    let after = pods
        .patch_status("gated", &PatchParams::default(), &Patch::Merge(&sneaky))
        .await
        .unwrap();
    assert_eq!(after.spec.unwrap().active_deadline_seconds, None);
    assert_eq!(
        after.status.as_ref().unwrap().phase.as_deref(),
        Some("Failed")
    );
    let main = json!({"metadata": {"labels": {"x": "y"}}, "status": {"phase": "Succeeded"}});
    let after = pods
        .patch("gated", &PatchParams::default(), &Patch::Merge(&main))
        .await
        .unwrap();
    assert_eq!(after.status.unwrap().phase.as_deref(), Some("Failed"));
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn spec_changes_bump_generation_and_status_changes_do_not() {
    let (sim, client) = start().await;
    let deployments: Api<Deployment> = Api::namespaced(client, "default");
    let deployment: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}},
    }))
    .unwrap();
    let created = deployments
        .create(&PostParams::default(), &deployment)
        .await
        .unwrap();
    assert_eq!(created.metadata.generation, Some(1));
    assert_eq!(
        created.spec.as_ref().unwrap().replicas,
        Some(1),
        "defaulted"
    );
    let status = json!({"status": {"observedGeneration": 1, "replicas": 1}});
    let after = deployments
        .patch_status("web", &PatchParams::default(), &Patch::Merge(&status))
        .await
        .unwrap();
    assert_eq!(after.metadata.generation, Some(1));
    let labels = json!({"metadata": {"labels": {"team": "a"}}});
    let after = deployments
        .patch("web", &PatchParams::default(), &Patch::Merge(&labels))
        .await
        .unwrap();
    assert_eq!(after.metadata.generation, Some(1));
    let scale = json!({"spec": {"replicas": 3}});
    let after = deployments
        .patch("web", &PatchParams::default(), &Patch::Merge(&scale))
        .await
        .unwrap();
    assert_eq!(after.metadata.generation, Some(2));
    assert_eq!(after.status.unwrap().observed_generation, Some(1));
    sim.shutdown().await.unwrap();
}
