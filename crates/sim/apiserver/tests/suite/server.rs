//! The simulated API server as a whole: HTTPS with the kubeconfig it writes, discovery
//! documents, namespaces, dry runs and raw HTTP answers (Status bodies, 405, 415).

use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod};
use kube::Api;
use kube::api::{DeleteParams, ListParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use lbgate_sim_apiserver::{KubeSim, KubeSimConfig};
use lbgate_testkit::objects;
use serde_json::{Value, json};

use crate::support::{api_error, start};

#[tokio::test]
async fn kube_rs_reads_the_written_kubeconfig_over_https() {
    let sim = KubeSim::start(KubeSimConfig {
        tls: true,
        ..KubeSimConfig::default()
    })
    .await
    .unwrap();
    let https = sim.https_url().expect("an HTTPS URL");
    assert_eq!(sim.client_config().url, https);
    let dir = std::env::temp_dir().join(format!("lbgate-kube-https-{}", std::process::id()));
    let path = dir.join("kubeconfig");
    sim.write_kubeconfig(&path).unwrap();
    let kubeconfig = Kubeconfig::read_from(&path).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .unwrap();
    assert_eq!(config.cluster_url.to_string().trim_end_matches('/'), https);
    let client = kube::Client::try_from(config).unwrap();
    let version = client.apiserver_version().await.unwrap();
    assert_eq!(
        (version.major.as_str(), version.minor.as_str()),
        ("1", "33")
    );
    let namespaces: Api<Namespace> = Api::all(client);
    let names: Vec<String> = namespaces
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|n| n.metadata.name.unwrap())
        .collect();
    assert_eq!(
        names,
        ["default", "kube-node-lease", "kube-public", "kube-system"]
    );
    sim.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(dir);
}

async fn raw(url: &str, method: &str, path: &str, content_type: &str, body: &str) -> (u16, Value) {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap();
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let response = client
        .request(method, format!("{url}{path}"))
        .header("Content-Type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn discovery_and_error_answers_look_like_kube_apiserver() {
    let (sim, _client) = start().await;
    let url = sim.url();
    let (code, core) = raw(&url, "GET", "/api/v1", "application/json", "").await;
    assert_eq!(code, 200);
    assert_eq!(core["groupVersion"], "v1");
    let resources = core["resources"].as_array().unwrap();
    let pods = resources.iter().find(|r| r["name"] == "pods").unwrap();
    assert_eq!(pods["shortNames"], json!(["po"]));
    assert_eq!(pods["categories"], json!(["all"]));
    assert!(resources.iter().any(|r| r["name"] == "pods/status"));
    let (_, groups) = raw(&url, "GET", "/apis", "application/json", "").await;
    assert_eq!(groups["kind"], "APIGroupList");
    let apps = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "apps")
        .unwrap();
    assert_eq!(apps["preferredVersion"]["groupVersion"], "apps/v1");

    let (code, status) = raw(
        &url,
        "GET",
        "/api/v1/namespaces/default/pods/nope",
        "application/json",
        "",
    )
    .await;
    assert_eq!(code, 404);
    assert_eq!(status["kind"], "Status");
    assert_eq!(status["reason"], "NotFound");
    assert_eq!(status["details"], json!({"name": "nope", "kind": "pods"}));
    let (code, status) = raw(
        &url,
        "GET",
        "/apis/nothing.example.com/v1/widgets",
        "application/json",
        "",
    )
    .await;
    assert_eq!((code, status["reason"].as_str()), (404, Some("NotFound")));
    let (code, status) = raw(
        &url,
        "PUT",
        "/api/v1/namespaces/default/pods",
        "application/json",
        "{}",
    )
    .await;
    assert_eq!(
        (code, status["reason"].as_str()),
        (405, Some("MethodNotAllowed"))
    );
    let (code, status) = raw(
        &url,
        "PATCH",
        "/api/v1/namespaces/default/configmaps/x",
        "text/plain",
        "{}",
    )
    .await;
    assert_eq!(
        (code, status["reason"].as_str()),
        (415, Some("UnsupportedMediaType"))
    );
    let (code, status) = raw(
        &url,
        "POST",
        "/api/v1/namespaces/default/configmaps",
        "application/json",
        "{",
    )
    .await;
    assert_eq!((code, status["reason"].as_str()), (400, Some("BadRequest")));
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn dry_runs_store_nothing_and_generate_name_fills_the_name() {
    let (sim, client) = start().await;
    let maps: Api<ConfigMap> = Api::namespaced(client, "default");
    let cm: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "dry"}})).unwrap();
    let params = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    let answered = maps.create(&params, &cm).await.unwrap();
    assert!(answered.metadata.uid.is_some());
    assert_eq!(api_error(maps.get("dry").await.unwrap_err()).0, 404);
    let bad: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "Bad_Name"}})).unwrap();
    let (code, reason, message) =
        api_error(maps.create(&PostParams::default(), &bad).await.unwrap_err());
    assert_eq!((code, reason.as_str()), (422, "Invalid"));
    assert!(
        message.starts_with("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"),
        "{message}"
    );
    let generated: ConfigMap =
        serde_json::from_value(json!({"metadata": {"generateName": "web-"}})).unwrap();
    let created = maps
        .create(&PostParams::default(), &generated)
        .await
        .unwrap();
    let name = created.metadata.name.unwrap();
    assert!(name.starts_with("web-") && name.len() == 9, "{name}");
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_deleted_namespace_terminates_with_its_contents() {
    let (sim, client) = start().await;
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": "team"}})).unwrap();
    namespaces
        .create(&PostParams::default(), &ns)
        .await
        .unwrap();
    let maps: Api<ConfigMap> = Api::namespaced(client.clone(), "team");
    let held: ConfigMap = serde_json::from_value(
        json!({"metadata": {"name": "held", "finalizers": ["example.com/x"]}}),
    )
    .unwrap();
    maps.create(&PostParams::default(), &held).await.unwrap();
    let pods: Api<Pod> = Api::namespaced(client, "team");
    pods.create(&PostParams::default(), &objects::pod("p").build())
        .await
        .unwrap();

    let terminating = namespaces
        .delete("team", &DeleteParams::default())
        .await
        .unwrap()
        .left()
        .unwrap();
    assert_eq!(
        terminating.status.unwrap().phase.as_deref(),
        Some("Terminating")
    );
    assert_eq!(
        api_error(pods.get("p").await.unwrap_err()).0,
        404,
        "contents are deleted"
    );
    let error = pods
        .create(&PostParams::default(), &objects::pod("late").build())
        .await
        .unwrap_err();
    assert_eq!(api_error(error).1, "Forbidden");
    // The finalizer holds the namespace; releasing it lets the namespace go.
    let release = json!({"metadata": {"finalizers": null}});
    maps.patch(
        "held",
        &Default::default(),
        &kube::api::Patch::Merge(&release),
    )
    .await
    .unwrap();
    assert_eq!(api_error(namespaces.get("team").await.unwrap_err()).0, 404);
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_store_handle_reads_writes_and_watches_without_http() {
    use lbgate_sim_apiserver::patch::PatchType;
    use lbgate_sim_apiserver::{Addressed, EventType, Filter, Subresource, WriteOptions};

    let (sim, client) = start().await;
    let store = sim.store();
    let pods = store.resource_for_kind("v1", "Pod").unwrap();
    let mut watch = store
        .watch(
            &pods,
            Filter::default(),
            Some(store.current_resource_version()),
        )
        .unwrap();
    let object = objects::pod("inproc")
        .label("app", "a")
        .node("node-1")
        .into_json();
    let written = store
        .create(&pods, "default", object, &WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(
        written.object["spec"]["restartPolicy"], "Always",
        "defaults apply in-process too"
    );
    let (kind, seen) = watch.next().await.unwrap();
    assert_eq!(
        (kind, seen["metadata"]["name"].as_str()),
        (EventType::Added, Some("inproc"))
    );

    let patch = br#"{"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#;
    store
        .patch(
            Addressed {
                res: &pods,
                namespace: "default",
                name: "inproc",
                subresource: Subresource::Status,
            },
            PatchType::StrategicMerge,
            patch,
            &WriteOptions::default(),
        )
        .await
        .unwrap();
    let (kind, _) = watch.next().await.unwrap();
    assert_eq!(kind, EventType::Modified);
    // The HTTP side sees the same store.
    let api: Api<Pod> = Api::namespaced(client, "default");
    let read = api.get("inproc").await.unwrap();
    assert_eq!(read.status.unwrap().conditions.unwrap()[0].type_, "Ready");
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn events_recorded_through_events_k8s_io_show_as_core_events() {
    use k8s_openapi::api::core::v1::Event as CoreEvent;
    use k8s_openapi::api::events::v1::Event;

    let (sim, client) = start().await;
    let new_api: Api<Event> = Api::namespaced(client.clone(), "default");
    let event: Event = serde_json::from_value(json!({
        "metadata": {"name": "web.1"},
        "eventTime": "2026-11-21T08:00:00.000000Z",
        "regarding": {"kind": "Pod", "namespace": "default", "name": "web", "uid": "u-1"},
        "note": "registered in the target group",
        "reason": "Registered",
        "type": "Normal",
        "action": "Register",
        "reportingController": "lbgate",
        "reportingInstance": "lbgate-0",
    }))
    .unwrap();
    let created = new_api
        .create(&PostParams::default(), &event)
        .await
        .unwrap();
    assert_eq!(
        created.note.as_deref(),
        Some("registered in the target group")
    );
    let core_api: Api<CoreEvent> = Api::namespaced(client, "default");
    let listed = core_api
        .list(&ListParams::default().fields("involvedObject.name=web,involvedObject.kind=Pod"))
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    let core = &listed.items[0];
    assert_eq!(
        core.message.as_deref(),
        Some("registered in the target group")
    );
    assert_eq!(core.reporting_component.as_deref(), Some("lbgate"));
    let patch = json!({"series": {"count": 2, "lastObservedTime": "2026-11-21T08:01:00.000000Z"}});
    let patched = new_api
        .patch(
            "web.1",
            &Default::default(),
            &kube::api::Patch::Merge(&patch),
        )
        .await
        .unwrap();
    assert_eq!(patched.series.unwrap().count, 2);
    sim.shutdown().await.unwrap();
}
