//! The real `lbgate-controller` binary as a child process of a scenario.
//!
//! A scenario starts one or more controllers against the simulators, reads their `/readyz` and
//! `/metrics`, and stops them the ways Kubernetes does: SIGTERM (a rolling update), SIGKILL (a
//! node lost), SIGSTOP/SIGCONT (a process partitioned from the API server). Every process is
//! killed by its PID when its handle drops, so a failing test leaves nothing running.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use lbgate_testkit::metrics::sum_samples;

use crate::http::http_get;

/// How often a wait for the process's exit looks.
const EXIT_POLL: Duration = Duration::from_millis(50);

/// How the webhook server gets its certificate.
#[derive(Clone, Debug)]
pub enum Webhook {
    /// A CA and serving certificate of the controller's own, for `<name>.<namespace>.svc`.
    SelfManaged { service: String, namespace: String },
    /// `tls.crt`/`tls.key` in a directory (cert-manager's way).
    CertDir(PathBuf),
}

/// Everything a controller process needs to reach the simulated world.
#[derive(Clone, Debug)]
pub struct ControllerOptions {
    /// `POD_NAME`: the identity in the leader Lease.
    pub identity: String,
    pub kubeconfig: PathBuf,
    /// The ELBv2 simulator (`AWS_ENDPOINT_URL`).
    pub elbv2_endpoint: String,
    pub region: String,
    pub leader_election_id: String,
    pub leader_election_namespace: String,
    pub webhook: Webhook,
    /// Written next to the log; the process writes it when it stops with an error.
    pub log_dir: PathBuf,
    /// More flags, appended last (they win over the defaults above).
    pub extra_args: Vec<String>,
    pub extra_env: Vec<(String, String)>,
}

impl ControllerOptions {
    /// A controller named `identity` with its logs under `log_dir`: self-managed webhook
    /// certificates for `kube-system/lbgate-webhook-service`, leader election in `kube-system`.
    pub fn new(identity: &str, kubeconfig: &Path, elbv2_endpoint: &str, log_dir: &Path) -> Self {
        Self {
            identity: identity.to_owned(),
            kubeconfig: kubeconfig.to_owned(),
            elbv2_endpoint: elbv2_endpoint.to_owned(),
            region: "us-west-2".to_owned(),
            leader_election_id: lbgate_api::consts::DEFAULT_LEADER_ELECTION_ID.to_owned(),
            leader_election_namespace: "kube-system".to_owned(),
            webhook: Webhook::SelfManaged {
                service: lbgate_api::consts::DEFAULT_WEBHOOK_SERVICE_NAME.to_owned(),
                namespace: "kube-system".to_owned(),
            },
            log_dir: log_dir.to_owned(),
            extra_args: Vec::new(),
            extra_env: Vec::new(),
        }
    }
}

/// Where the workspace's binaries are: `LBGATE_BIN_DIR`, else the profile directory this test
/// or benchmark executable was built into (`target/<profile>/` or its `deps/` child).
pub fn binary(name: &str) -> anyhow::Result<PathBuf> {
    let dir = match std::env::var_os("LBGATE_BIN_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let exe = std::env::current_exe().context("locating the running executable")?;
            let parent = exe.parent().context("the executable has no directory")?;
            if parent.ends_with("deps") {
                parent.parent().unwrap_or(parent).to_owned()
            } else {
                parent.to_owned()
            }
        }
    };
    let path = dir.join(name);
    if !path.is_file() {
        bail!(
            "{} is missing: build it first (`cargo build -p lbgate-controller -p lbgate-sim --bins`; \
             `make test` and `make e2e` do) or point LBGATE_BIN_DIR at it",
            path.display()
        );
    }
    Ok(path)
}

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// A running controller.
#[derive(Debug)]
pub struct ControllerProcess {
    child: Child,
    identity: String,
    pub metrics_addr: SocketAddr,
    pub health_addr: SocketAddr,
    pub webhook_addr: SocketAddr,
    log_path: PathBuf,
    termination_log: PathBuf,
}

impl ControllerProcess {
    /// Starts the binary; it is not ready yet (see [`Self::wait_ready`]).
    pub fn spawn(options: &ControllerOptions) -> anyhow::Result<Self> {
        let program = binary("lbgate-controller")?;
        std::fs::create_dir_all(&options.log_dir)
            .with_context(|| format!("creating {}", options.log_dir.display()))?;
        let metrics_addr = SocketAddr::from(([127, 0, 0, 1], free_port()?));
        let health_addr = SocketAddr::from(([127, 0, 0, 1], free_port()?));
        let webhook_addr = SocketAddr::from(([127, 0, 0, 1], free_port()?));
        let log_path = options.log_dir.join(format!("{}.log", options.identity));
        let termination_log = options
            .log_dir
            .join(format!("{}.termination", options.identity));
        // A previous run's message would be mistaken for this one's.
        let _ = std::fs::remove_file(&termination_log);
        let log = std::fs::File::create(&log_path)
            .with_context(|| format!("creating {}", log_path.display()))?;
        let mut args: Vec<String> = [
            "--metrics-bind-addr",
            &metrics_addr.to_string(),
            "--health-probe-bind-addr",
            &health_addr.to_string(),
            "--webhook-bind-port",
            &webhook_addr.port().to_string(),
            "--leader-election-id",
            &options.leader_election_id,
            "--leader-election-namespace",
            &options.leader_election_namespace,
            "--aws-region",
            &options.region,
            "--log-format",
            "json",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        match &options.webhook {
            Webhook::SelfManaged { service, namespace } => args.extend([
                "--webhook-cert-mode".to_owned(),
                "self-managed".to_owned(),
                "--webhook-service-name".to_owned(),
                service.clone(),
                "--webhook-service-namespace".to_owned(),
                namespace.clone(),
            ]),
            Webhook::CertDir(dir) => args.extend([
                "--webhook-cert-mode".to_owned(),
                "dir".to_owned(),
                "--webhook-cert-dir".to_owned(),
                dir.display().to_string(),
            ]),
        }
        args.extend(options.extra_args.iter().cloned());
        let mut command = Command::new(&program);
        command
            .args(&args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("KUBECONFIG", &options.kubeconfig)
            .env("POD_NAME", &options.identity)
            .env("LBGATE_TERMINATION_LOG", &termination_log)
            .env("AWS_ENDPOINT_URL", &options.elbv2_endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env(
                "RUST_LOG",
                std::env::var("LBGATE_E2E_LOG").unwrap_or_else(|_| "info".to_owned()),
            )
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        for (key, value) in &options.extra_env {
            command.env(key, value);
        }
        let child = command
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;
        Ok(Self {
            child,
            identity: options.identity.clone(),
            metrics_addr,
            health_addr,
            webhook_addr,
            log_path,
            termination_log,
        })
    }

    pub fn identity(&self) -> &str {
        &self.identity
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until `/readyz` answers 200, failing early when the process exits.
    pub async fn wait_ready(&mut self, within: Duration) -> anyhow::Result<()> {
        let until = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "{} exited with {status} before it was ready; log:\n{}",
                    self.identity,
                    self.log_tail(40)
                );
            }
            if http_get(self.health_addr, "/readyz")
                .await
                .map(|(code, _)| code)
                == Some(200)
            {
                return Ok(());
            }
            if Instant::now() >= until {
                bail!(
                    "{} not ready within {within:?}; log:\n{}",
                    self.identity,
                    self.log_tail(40)
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The Prometheus text of `/metrics`.
    pub async fn metrics(&self) -> anyhow::Result<String> {
        match http_get(self.metrics_addr, "/metrics").await {
            Some((200, body)) => Ok(body),
            Some((code, _)) => bail!("{}: /metrics answered {code}", self.identity),
            None => bail!("{}: /metrics did not answer", self.identity),
        }
    }

    /// The sum of every sample of metric `name` whose labels include `labels`.
    pub async fn metric(&self, name: &str, labels: &[(&str, &str)]) -> anyhow::Result<f64> {
        Ok(sum_samples(&self.metrics().await?, name, labels))
    }

    /// SIGTERM: the graceful stop of a pod deletion.
    pub fn terminate(&self) -> anyhow::Result<()> {
        self.signal("TERM")
    }

    /// SIGSTOP: the process freezes (no renewals, no answers) as if partitioned.
    pub fn pause(&self) -> anyhow::Result<()> {
        self.signal("STOP")
    }

    /// SIGCONT after [`Self::pause`].
    pub fn resume(&self) -> anyhow::Result<()> {
        self.signal("CONT")
    }

    /// SIGKILL, and the exit reaped.
    pub fn kill(&mut self) -> anyhow::Result<ExitStatus> {
        self.child.kill().context("killing the controller")?;
        Ok(self.child.wait()?)
    }

    fn signal(&self, name: &str) -> anyhow::Result<()> {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .context("running kill")?;
        if !status.success() {
            bail!("kill -{name} {} failed: {status}", self.child.id());
        }
        Ok(())
    }

    /// The exit status once the process has ended; `None` while it runs.
    pub fn try_exit(&mut self) -> anyhow::Result<Option<ExitStatus>> {
        Ok(self.child.try_wait()?)
    }

    /// Waits for the process to end.
    pub async fn wait_exit(&mut self, within: Duration) -> anyhow::Result<ExitStatus> {
        let what = format!("{} to exit", self.identity);
        let child = &mut self.child;
        crate::wait::until(&what, within, EXIT_POLL, String::new, async || {
            Ok(child.try_wait()?)
        })
        .await
    }

    /// The message the process left in its termination log, if it wrote one.
    pub fn termination_message(&self) -> Option<String> {
        std::fs::read_to_string(&self.termination_log).ok()
    }

    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The whole log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The last `lines` lines of the log, for failure messages.
    pub fn log_tail(&self, lines: usize) -> String {
        let log = self.log();
        let all: Vec<&str> = log.lines().collect();
        all.get(all.len().saturating_sub(lines)..)
            .unwrap_or_default()
            .join("\n")
    }

    /// Log lines (JSON) whose `fields.message` equals `message`, parsed.
    pub fn log_events(&self, message: &str) -> Vec<serde_json::Value> {
        self.log()
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|event| {
                event
                    .pointer("/fields/message")
                    .and_then(serde_json::Value::as_str)
                    == Some(message)
            })
            .collect()
    }
}

impl Drop for ControllerProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
