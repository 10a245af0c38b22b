//! kubectl 1.32 against the simulated API server (skipped, saying why, when `/usr/bin/kubectl`
//! is absent): apply of a Deployment, a Service, the lbgate CRD and a TargetGroupBinding, `get`
//! tables (READINESS GATES, the CRD's columns), `patch --subresource=status`, `delete`, and
//! `get -w` streaming a change.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use lbgate_sim_apiserver::{KubeSim, KubeSimConfig};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::support::{DEADLINE, within};

const KUBECTL: &str = "/usr/bin/kubectl";

fn kubectl_present() -> bool {
    if Path::new(KUBECTL).exists() {
        return true;
    }
    println!("skipped: {KUBECTL} is not installed");
    false
}

struct Cluster {
    sim: KubeSim,
    dir: PathBuf,
    kubeconfig: PathBuf,
}

impl Cluster {
    async fn start(name: &str) -> Self {
        let sim = KubeSim::start(KubeSimConfig::default()).await.unwrap();
        let dir =
            std::env::temp_dir().join(format!("lbgate-kubectl-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let kubeconfig = dir.join("kubeconfig");
        sim.write_kubeconfig(&kubeconfig).unwrap();
        Self {
            sim,
            dir,
            kubeconfig,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(KUBECTL);
        command
            .args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("HOME", &self.dir)
            .kill_on_drop(true)
            .stdin(Stdio::null());
        command
    }

    /// Runs kubectl and returns its stdout; fails the test (with stderr) when it fails.
    async fn run(&self, args: &[&str]) -> String {
        let output = within("kubectl", self.command(args).output())
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(
            output.status.success(),
            "kubectl {args:?} failed:\n{stdout}\n{stderr}"
        );
        // e.g. "warning: error calculating patch from openapi v3 spec" would mean a fallback.
        assert!(
            !stderr.to_lowercase().contains("warning"),
            "kubectl {args:?} warned:\n{stderr}"
        );
        stdout
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    }

    async fn stop(self) {
        self.sim.shutdown().await.unwrap();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const WORKLOAD: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 80
";

const BINDING: &str = "\
apiVersion: elbv2.k8s.aws/v1beta1
kind: TargetGroupBinding
metadata:
  name: web
spec:
  targetGroupARN: arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/web/0123456789abcdef
  targetType: ip
  serviceRef:
    name: web
    port: 80
";

const GATED_POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: gated
  labels: {app: web}
spec:
  nodeName: node-1
  readinessGates:
  - conditionType: target-health.elbv2.k8s.aws/web
  containers:
  - name: app
    image: nginx:1.27
";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

#[tokio::test]
async fn kubectl_applies_gets_patches_and_deletes() {
    if !kubectl_present() {
        return;
    }
    let cluster = Cluster::start("apply").await;
    let workload = cluster.write("workload.yaml", WORKLOAD);
    let out = cluster.run(&["apply", "-f", &workload]).await;
    assert!(
        out.contains("deployment.apps/web created") && out.contains("service/web created"),
        "{out}"
    );
    // A second apply computes a patch from the last-applied annotation.
    let changed = cluster.write(
        "workload2.yaml",
        &WORKLOAD.replace("replicas: 2", "replicas: 3"),
    );
    let out = cluster.run(&["apply", "-f", &changed]).await;
    assert!(
        out.contains("deployment.apps/web configured") && out.contains("service/web unchanged"),
        "{out}"
    );
    let replicas = cluster
        .run(&["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"])
        .await;
    assert_eq!(replicas, "3");

    let crd = workspace_root().join("manifests/crds/elbv2.k8s.aws_targetgroupbindings.yaml");
    let out = cluster.run(&["apply", "-f", &crd.to_string_lossy()]).await;
    assert!(out.contains("customresourcedefinition.apiextensions.k8s.io/targetgroupbindings.elbv2.k8s.aws created"), "{out}");
    let binding = cluster.write("binding.yaml", BINDING);
    let out = cluster.run(&["apply", "-f", &binding]).await;
    assert!(
        out.contains("targetgroupbinding.elbv2.k8s.aws/web created"),
        "{out}"
    );
    let out = cluster.run(&["get", "targetgroupbindings"]).await;
    // The CRD's priority-0 columns (v1beta1, the preferred version), then AGE.
    let header: Vec<&str> = out
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(
        header.get(..4),
        Some(&["NAME", "SERVICE-NAME", "SERVICE-PORT", "TARGET-TYPE"][..]),
        "{out}"
    );
    assert_eq!(header.last(), Some(&"AGE"), "{out}");
    assert!(
        !header.contains(&"ARN"),
        "priority-1 columns only show with -o wide: {out}"
    );
    assert!(
        out.lines().nth(1).unwrap_or_default().starts_with("web"),
        "{out}"
    );

    let pod = cluster.write("pod.yaml", GATED_POD);
    cluster.run(&["apply", "-f", &pod]).await;
    let out = cluster.run(&["get", "pods", "-o", "wide"]).await;
    assert!(
        out.lines()
            .next()
            .unwrap_or_default()
            .contains("READINESS GATES"),
        "{out}"
    );
    assert!(out.contains("0/1"), "{out}");

    let status =
        r#"{"status":{"conditions":[{"type":"target-health.elbv2.k8s.aws/web","status":"True"}]}}"#;
    cluster
        .run(&[
            "patch",
            "pod",
            "gated",
            "--subresource=status",
            "--type=strategic",
            "-p",
            status,
        ])
        .await;
    let out = cluster
        .run(&[
            "get",
            "pod",
            "gated",
            "-o",
            "jsonpath={.status.conditions[0].type}",
        ])
        .await;
    assert_eq!(out, "target-health.elbv2.k8s.aws/web");
    let out = cluster.run(&["get", "pods", "-o", "wide"]).await;
    assert!(out.contains("1/1"), "the gate counts as ready: {out}");

    let out = cluster.run(&["delete", "targetgroupbinding", "web"]).await;
    assert!(out.contains("deleted"), "{out}");
    let out = cluster.run(&["delete", "-f", &workload]).await;
    assert!(out.contains("deployment.apps \"web\" deleted"), "{out}");
    let out = cluster.run(&["get", "deploy,svc"]).await;
    assert!(!out.contains("web"), "{out}");
    cluster.stop().await;
}

#[tokio::test]
async fn kubectl_get_watch_streams_a_change() {
    if !kubectl_present() {
        return;
    }
    let cluster = Cluster::start("watch").await;
    let pod = cluster.write("pod.yaml", GATED_POD);
    cluster.run(&["apply", "-f", &pod]).await;
    let mut child = cluster
        .command(&[
            "get",
            "pods",
            "-w",
            "--output-watch-events",
            "--request-timeout=20s",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let header = within("the header", lines.next_line())
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        header.contains("READY") && header.contains("STATUS"),
        "pod columns: {header}"
    );
    let initial = within("the initial row", lines.next_line())
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        initial.contains("ADDED") && initial.contains("gated"),
        "{initial}"
    );
    cluster.run(&["label", "pod", "gated", "changed=yes"]).await;
    let change = tokio::time::timeout(DEADLINE, lines.next_line()).await;
    let _ = child.kill().await;
    let change = change
        .expect("a streamed change")
        .unwrap()
        .unwrap_or_default();
    assert!(
        change.contains("MODIFIED") && change.contains("gated"),
        "{change}"
    );
    cluster.stop().await;
}
