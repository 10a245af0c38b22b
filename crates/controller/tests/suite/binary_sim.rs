//! The real binary against the simulated API server: it takes the Lease, SIGTERM makes it
//! release the Lease and exit 0; a stolen Lease makes it exit non-zero.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::PostParams;
use kube::{Api, Client};
use lbgate_sim_apiserver::{KubeSim, KubeSimConfig};
use lbgate_testkit::eventually;
use lbgate_testkit::world::runtime::steal_lease;

const LEASE: &str = "lbgate-binary-test";
const POLL: Duration = Duration::from_millis(100);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn termination_log(identity: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "lbgate-termination-{identity}-{}",
        std::process::id()
    ))
}

fn spawn(kubeconfig: &std::path::Path, identity: &str) -> Child {
    let port = free_port().to_string();
    Command::new(env!("CARGO_BIN_EXE_lbgate-controller"))
        .args([
            "--metrics-bind-addr",
            "127.0.0.1:0",
            "--health-probe-bind-addr",
            "127.0.0.1:0",
            "--webhook-bind-port",
            &port,
            "--webhook-cert-mode",
            "self-managed",
            "--webhook-service-namespace",
            "default",
            "--leader-election-namespace",
            "default",
            "--leader-election-id",
            LEASE,
            "--aws-region",
            "us-west-2",
            "--log-format",
            "text",
        ])
        .env("KUBECONFIG", kubeconfig)
        .env("POD_NAME", identity)
        .env("LBGATE_TERMINATION_LOG", termination_log(identity))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .stdout(
            std::fs::File::create(
                std::env::temp_dir().join(format!("lbgate-binary-{identity}.log")),
            )
            .unwrap(),
        )
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn holder(api: &Api<Lease>) -> Option<String> {
    api.get(LEASE).await.ok()?.spec?.holder_identity
}

async fn wait_holder(api: &Api<Lease>, who: &str) {
    let leads = || async { (holder(api).await.as_deref() == Some(who)).then_some(()) };
    let what = format!("{who} to lead");
    eventually(&what, Duration::from_secs(20), POLL, leads)
        .await
        .unwrap();
}

async fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let exited = || std::future::ready(child.try_wait().unwrap());
    eventually("the process to exit", Duration::from_secs(30), POLL, exited)
        .await
        .unwrap()
}

#[tokio::test]
async fn sigterm_releases_the_lease_and_exits_zero_and_a_stolen_lease_exits_non_zero() {
    lbgate_testkit::install_crypto();
    let sim = KubeSim::start(KubeSimConfig::default()).await.unwrap();
    let dir = std::env::temp_dir().join(format!("lbgate-binary-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let kubeconfig = dir.join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig).unwrap();
    let client = Client::try_from(kube::Config::new(sim.url().parse().unwrap())).unwrap();
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    crds.create(
        &PostParams::default(),
        &lbgate_api::crd::target_group_binding_crd().unwrap(),
    )
    .await
    .unwrap();
    let leases: Api<Lease> = Api::namespaced(client, "default");

    let mut first = spawn(&kubeconfig, "first");
    wait_holder(&leases, "first").await;
    let stopping = tokio::time::Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &first.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = wait_exit(&mut first).await;
    assert_eq!(status.code(), Some(0));
    // Within the grace bound: the controller drained instead of being cut off at the bound.
    assert!(
        stopping.elapsed() < Duration::from_secs(10),
        "{:?}",
        stopping.elapsed()
    );
    assert_eq!(holder(&leases).await, None, "the Lease was not released");

    let mut second = spawn(&kubeconfig, "second");
    wait_holder(&leases, "second").await;
    steal_lease(&leases, LEASE).await;
    let status = wait_exit(&mut second).await;
    assert_ne!(status.code(), Some(0));
    let message = std::fs::read_to_string(termination_log("second")).unwrap();
    assert!(message.contains("lost the leader Lease"), "{message}");
    assert!(
        !termination_log("first").exists(),
        "a clean stop wrote a termination message"
    );
    let _ = std::fs::remove_file(termination_log("second"));
    let _ = std::fs::remove_dir_all(&dir);
    sim.shutdown().await.unwrap();
}
