//! `kube::runtime::watcher` against the simulated API server: live events, resuming from its
//! resourceVersion after the server ends a watch, relisting after 410 Gone, streaming lists,
//! bookmarks, and raw watch semantics (selectors, ERROR events).

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::Api;
use kube::api::{DeleteParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::runtime::watcher::{self, Event};
use lbgate_sim_apiserver::KubeSimConfig;
use lbgate_testkit::objects;
use serde_json::json;

use crate::support::{start, start_with, within};

fn describe(event: &Event<Pod>) -> String {
    match event {
        Event::Apply(p) => format!("Apply {}", p.metadata.name.as_deref().unwrap_or_default()),
        Event::Delete(p) => format!("Delete {}", p.metadata.name.as_deref().unwrap_or_default()),
        Event::Init => "Init".to_owned(),
        Event::InitApply(p) => format!(
            "InitApply {}",
            p.metadata.name.as_deref().unwrap_or_default()
        ),
        Event::InitDone => "InitDone".to_owned(),
    }
}

/// Drives a watcher in its own task (a watcher only reconnects while polled) and forwards what
/// it yields, errors included, as text.
fn spawn_watcher(api: Api<Pod>, config: watcher::Config) -> Events {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        let mut stream = watcher::watcher(api, config).boxed();
        while let Some(item) = stream.next().await {
            let text = match item {
                Ok(event) => describe(&event),
                Err(error) => format!("error: {error}"),
            };
            if tx.send(text).is_err() {
                return;
            }
        }
    });
    Events { rx, task }
}

struct Events {
    rx: tokio::sync::mpsc::UnboundedReceiver<String>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Events {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads events until one described as `wanted` arrives; returns everything seen on the way.
async fn until(events: &mut Events, wanted: &str) -> Vec<String> {
    within(wanted, async {
        let mut seen = Vec::new();
        while let Some(text) = events.rx.recv().await {
            seen.push(text.clone());
            if text == wanted {
                return seen;
            }
        }
        panic!("the watcher ended before {wanted}: {seen:?}");
    })
    .await
}

#[tokio::test]
async fn the_watcher_sees_added_modified_and_deleted() {
    let (sim, client) = start().await;
    let pods: Api<Pod> = Api::namespaced(client, "default");
    pods.create(&PostParams::default(), &objects::pod("before").build())
        .await
        .unwrap();
    let mut events = spawn_watcher(pods.clone(), watcher::Config::default());
    let seen = until(&mut events, "InitDone").await;
    assert_eq!(seen, ["Init", "InitApply before", "InitDone"]);
    pods.create(&PostParams::default(), &objects::pod("live").build())
        .await
        .unwrap();
    assert_eq!(until(&mut events, "Apply live").await, ["Apply live"]);
    let label = json!({"metadata": {"labels": {"changed": "yes"}}});
    pods.patch("live", &PatchParams::default(), &Patch::Merge(&label))
        .await
        .unwrap();
    assert_eq!(until(&mut events, "Apply live").await, ["Apply live"]);
    pods.delete("live", &DeleteParams::default()).await.unwrap();
    assert_eq!(until(&mut events, "Delete live").await, ["Delete live"]);
    drop(events);
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_watcher_resumes_after_a_dropped_watch_and_relists_after_410() {
    // A tiny window: a dozen unrelated writes push the watcher's version out of it.
    let config = KubeSimConfig {
        watch_window: 5,
        ..KubeSimConfig::default()
    };
    let (sim, client) = start_with(config).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    pods.create(&PostParams::default(), &objects::pod("first").build())
        .await
        .unwrap();
    // The server ends each watch after a second; the watcher then watches again.
    let config = watcher::Config::default().timeout(1);
    let mut events = spawn_watcher(pods.clone(), config);
    until(&mut events, "InitDone").await;
    let watches = sim.watch_requests();

    // Resume: the watch is ended by the server, the watcher comes back from its version
    // without relisting, and sees what happened meanwhile.
    within("a second watch", async {
        while sim.watch_requests() <= watches {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    pods.create(&PostParams::default(), &objects::pod("second").build())
        .await
        .unwrap();
    assert_eq!(until(&mut events, "Apply second").await, ["Apply second"]);

    // 410: writes of another kind move the store far past the watcher's last version while the
    // watcher waits; its next watch (after the timeout) is answered with 410 Expired.
    let maps: Api<ConfigMap> = Api::namespaced(client, "default");
    for i in 0..12 {
        let cm: ConfigMap =
            serde_json::from_value(json!({"metadata": {"name": format!("noise-{i}")}})).unwrap();
        maps.create(&PostParams::default(), &cm).await.unwrap();
    }
    let seen = until(&mut events, "InitDone").await;
    assert!(
        seen.iter()
            .any(|e| e.starts_with("error:") && e.contains("too old resource version")),
        "{seen:?}"
    );
    assert!(seen.contains(&"Init".to_owned()), "{seen:?}");
    assert!(
        seen.contains(&"InitApply first".to_owned())
            && seen.contains(&"InitApply second".to_owned()),
        "{seen:?}"
    );
    drop(events);
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn streaming_lists_end_with_the_initial_events_bookmark() {
    let (sim, client) = start().await;
    let pods: Api<Pod> = Api::namespaced(client, "default");
    pods.create(&PostParams::default(), &objects::pod("one").build())
        .await
        .unwrap();
    let mut events = spawn_watcher(pods.clone(), watcher::Config::default().streaming_lists());
    assert_eq!(
        until(&mut events, "InitDone").await,
        ["Init", "InitApply one", "InitDone"]
    );
    pods.create(&PostParams::default(), &objects::pod("two").build())
        .await
        .unwrap();
    assert_eq!(until(&mut events, "Apply two").await, ["Apply two"]);
    drop(events);
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn raw_watches_apply_selectors_send_bookmarks_and_report_expiry() {
    let config = KubeSimConfig {
        watch_window: 3,
        bookmark_interval: Duration::from_millis(100),
        ..KubeSimConfig::default()
    };
    let (sim, client) = start_with(config).await;
    let pods: Api<Pod> = Api::namespaced(client, "default");
    let created = pods
        .create(
            &PostParams::default(),
            &objects::pod("p").label("app", "a").build(),
        )
        .await
        .unwrap();
    let version = created.metadata.resource_version.unwrap();
    let params = WatchParams::default().labels("app=a").timeout(5);
    let mut stream = pods.watch(&params, &version).await.unwrap().boxed();
    // Leaving the selector is a DELETED event for this watch.
    let relabel = json!({"metadata": {"labels": {"app": "b"}}});
    pods.patch("p", &PatchParams::default(), &Patch::Merge(&relabel))
        .await
        .unwrap();
    let mut kinds = Vec::new();
    within("DELETED and a BOOKMARK", async {
        while let Some(event) = stream.try_next().await.unwrap() {
            kinds.push(match event {
                WatchEvent::Added(_) => "ADDED",
                WatchEvent::Modified(_) => "MODIFIED",
                WatchEvent::Deleted(p) => {
                    // The previous content (still matching), at the change's version.
                    assert_eq!(p.metadata.labels.unwrap()["app"], "a");
                    assert_ne!(
                        p.metadata.resource_version.as_deref(),
                        Some(version.as_str())
                    );
                    "DELETED"
                }
                WatchEvent::Bookmark(_) => "BOOKMARK",
                WatchEvent::Error(_) => "ERROR",
            });
            if kinds.contains(&"DELETED") && kinds.contains(&"BOOKMARK") {
                break;
            }
        }
    })
    .await;
    assert_eq!(kinds.first(), Some(&"DELETED"), "{kinds:?}");
    drop(stream);

    // Too old a version: the watch answers 200 and then one ERROR event with 410 Expired.
    for i in 0..5 {
        let label = json!({"metadata": {"labels": {"n": i.to_string()}}});
        pods.patch("p", &PatchParams::default(), &Patch::Merge(&label))
            .await
            .unwrap();
    }
    let mut stream = pods
        .watch(&WatchParams::default(), &version)
        .await
        .unwrap()
        .boxed();
    let first = within("an ERROR event", stream.try_next())
        .await
        .unwrap()
        .unwrap();
    match first {
        WatchEvent::Error(status) => {
            assert_eq!((status.code, status.reason.as_str()), (410, "Expired"));
            assert!(
                status.message.starts_with("too old resource version"),
                "{}",
                status.message
            );
        }
        other => panic!("expected an ERROR event, got {other:?}"),
    }
    sim.shutdown().await.unwrap();
}
