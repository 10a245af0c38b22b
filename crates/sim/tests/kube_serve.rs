//! `lbgate-sim serve`: prints how to reach both simulators, writes a kubeconfig that kube-rs
//! (and kubectl, when installed) use, and stops on SIGTERM.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use kube::Api;
use kube::config::{KubeConfigOptions, Kubeconfig};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

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
