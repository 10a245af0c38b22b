//! `lbgate-sim serve`: prints how to reach both simulators, writes a kubeconfig that kube-rs
//! (and kubectl, when installed) use, runs the world controllers (minus those `--without`
//! names), and stops on SIGTERM.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::Api;
use kube::api::{ListParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use lbgate_testkit::{Patience, objects};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// This file's waits: the served world at real time, looked at every 50 ms.
const PATIENCE: Patience = Patience::new(Duration::from_secs(20), Duration::from_millis(50));

#[tokio::test]
async fn serve_writes_a_kubeconfig_and_stops_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("lbgate-serve-{}", std::process::id()));
    let kubeconfig = dir.join("nested/kubeconfig");
    let mut child = Command::new(env!("CARGO_BIN_EXE_lbgate-sim"))
        .args(["serve", "--kubeconfig", &kubeconfig.to_string_lossy()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn lbgate-sim");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            let done = line.starts_with("# subnets");
            printed.push(line);
            if done {
                break;
            }
        }
    })
    .await;
    assert!(read.is_ok(), "no banner: {printed:?}");
    assert!(
        printed[0].starts_with("Kubernetes API server listening on http://127.0.0.1:"),
        "{printed:?}"
    );
    let exported = printed
        .iter()
        .find_map(|l| l.strip_prefix("export KUBECONFIG="))
        .expect("KUBECONFIG");
    assert_eq!(
        Path::new(exported),
        std::fs::canonicalize(&kubeconfig).unwrap()
    );
    assert!(
        printed
            .iter()
            .any(|l| l.starts_with("export AWS_ENDPOINT_URL=http://127.0.0.1:")),
        "{printed:?}"
    );
    assert!(
        printed.contains(
            &"World: 3 nodes, controllers: nodes,deployments,replicasets,scheduler,kubelet,endpointslices"
                .to_owned()
        ),
        "{printed:?}"
    );

    let config = kube::Config::from_custom_kubeconfig(
        Kubeconfig::read_from(&kubeconfig).unwrap(),
        &KubeConfigOptions::default(),
    )
    .await
    .unwrap();
    let namespaces: Api<Namespace> = Api::all(kube::Client::try_from(config).unwrap());
    namespaces.get("kube-system").await.unwrap();
    if Path::new("/usr/bin/kubectl").exists() {
        let output = Command::new("/usr/bin/kubectl")
            .args(["get", "namespaces", "-o", "name"])
            .env("KUBECONFIG", &kubeconfig)
            .env("HOME", &dir)
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("namespace/default"), "{stdout}");
    } else {
        println!("kubectl part skipped: /usr/bin/kubectl is not installed");
    }

    let pid = child.id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let exit = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("exits after SIGTERM");
    assert!(exit.unwrap().success());
    let _ = std::fs::remove_dir_all(dir);
}

/// A running `lbgate-sim serve` with a client for its API server.
struct Served {
    child: tokio::process::Child,
    printed: Vec<String>,
    client: kube::Client,
    dir: std::path::PathBuf,
}

impl Served {
    async fn start(tag: &str, extra: &[&str]) -> Self {
        let dir = std::env::temp_dir().join(format!("lbgate-serve-{tag}-{}", std::process::id()));
        let kubeconfig = dir.join("kubeconfig");
        let mut args = vec![
            "serve".to_owned(),
            "--kubeconfig".to_owned(),
            kubeconfig.to_string_lossy().into_owned(),
            "--time-scale".to_owned(),
            "0.05".to_owned(),
        ];
        args.extend(extra.iter().map(|a| (*a).to_owned()));
        let mut child = Command::new(env!("CARGO_BIN_EXE_lbgate-sim"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn lbgate-sim");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut printed = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                let done = line.starts_with("# subnets");
                printed.push(line);
                if done {
                    break;
                }
            }
        })
        .await;
        assert!(read.is_ok(), "no banner: {printed:?}");
        let config = kube::Config::from_custom_kubeconfig(
            Kubeconfig::read_from(&kubeconfig).unwrap(),
            &KubeConfigOptions::default(),
        )
        .await
        .unwrap();
        let client = kube::Client::try_from(config).unwrap();
        Self {
            child,
            printed,
            client,
            dir,
        }
    }

    async fn stop(mut self) {
        let pid = self.child.id().unwrap().to_string();
        assert!(
            std::process::Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let exit = tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .expect("exits after SIGTERM");
        assert!(exit.unwrap().success());
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// Creates Service `web` and a Deployment of two pods behind it.
    async fn create_app(&self) {
        let services: Api<Service> = Api::namespaced(self.client.clone(), "default");
        // The target port by name, as charts write it.
        let service = objects::service("web", "web").merge(
            json!({"spec": {"ports": [{"name": "http", "port": 80, "targetPort": "http"}]}}),
        );
        services
            .create(&PostParams::default(), &service.build())
            .await
            .unwrap();
        let deployments: Api<Deployment> = Api::namespaced(self.client.clone(), "default");
        deployments
            .create(
                &PostParams::default(),
                &objects::deployment("web", "web", 2).build(),
            )
            .await
            .unwrap();
    }

    /// Waits (bounded) until both pods of `web` run with an address and are Ready.
    async fn running_pods(&self) -> Vec<Pod> {
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), "default");
        PATIENCE
            .eventually("both pods of web running and Ready", || async {
                let items = pods
                    .list(&ListParams::default().labels("app=web"))
                    .await
                    .unwrap()
                    .items;
                let running = items
                    .iter()
                    .filter(|p| {
                        let status = p.status.as_ref();
                        status.and_then(|s| s.phase.as_deref()) == Some("Running")
                            && status.and_then(|s| s.pod_ip.as_ref()).is_some()
                            && status.and_then(|s| s.conditions.as_ref()).is_some_and(|c| {
                                c.iter().any(|c| c.type_ == "Ready" && c.status == "True")
                            })
                    })
                    .count();
                (items.len() == 2 && running == 2).then_some(items)
            })
            .await
    }

    async fn web_slices(&self) -> Vec<EndpointSlice> {
        let slices: Api<EndpointSlice> = Api::namespaced(self.client.clone(), "default");
        slices
            .list(&ListParams::default().labels("kubernetes.io/service-name=web"))
            .await
            .unwrap()
            .items
    }
}

#[tokio::test]
async fn serve_runs_the_world_controllers() {
    let served = Served::start("world", &["--nodes", "2"]).await;
    assert!(
        served.printed.contains(
            &"World: 2 nodes, controllers: nodes,deployments,replicasets,scheduler,kubelet,endpointslices"
                .to_owned()
        ),
        "{:?}",
        served.printed
    );
    let nodes: Api<Node> = Api::all(served.client.clone());
    assert_eq!(
        nodes
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    served.create_app().await;
    let pods = served.running_pods().await;
    let mut pod_ips: Vec<String> = pods
        .iter()
        .map(|p| p.status.as_ref().unwrap().pod_ip.clone().unwrap())
        .collect();
    pod_ips.sort();

    PATIENCE
        .eventually(
            "the slices to list the pods' addresses as ready",
            || async {
                let mut ready: Vec<String> = served
                    .web_slices()
                    .await
                    .iter()
                    .flat_map(|s| s.endpoints.clone())
                    .filter(|e| e.conditions.as_ref().and_then(|c| c.ready) == Some(true))
                    .flat_map(|e| e.addresses)
                    .collect();
                ready.sort();
                (ready == pod_ips).then_some(())
            },
        )
        .await;
    let slice = &served.web_slices().await[0];
    let port = &slice.ports.as_ref().unwrap()[0];
    assert_eq!(
        (port.name.as_deref(), port.port),
        (Some("http"), Some(8080))
    );
    served.stop().await;
}

#[tokio::test]
async fn without_names_controllers_that_stay_off() {
    let served = Served::start("without", &["--without", "endpointslices"]).await;
    assert!(
        served.printed.contains(
            &"World: 3 nodes, controllers: nodes,deployments,replicasets,scheduler,kubelet"
                .to_owned()
        ),
        "{:?}",
        served.printed
    );
    served.create_app().await;
    // The pods take seconds of simulated time to become Ready; a running slice controller
    // writes the Service's slice within a pass of its creation, long before.
    served.running_pods().await;
    assert!(served.web_slices().await.is_empty());
    served.stop().await;
}
