//! `lbgate-sim serve` as a scenario's child process.
//!
//! A scenario that runs real controller processes needs the simulated world in a process of its
//! own too, as a cluster and AWS are: [`SimServe::start`] spawns the binary on 127.0.0.1, reads
//! the lines it prints (API server, ELBv2 endpoint, kubeconfig, nodes, VPC), and hands out a
//! [`kube::Client`] and a [`SimElbv2`] (the AWS SDK plus the simulator's `/_sim/` control API).
//! Its output goes to a log file (`LBGATE_E2E_SIM_LOG` sets its `RUST_LOG`, default `info`);
//! SIGTERM stops it, and dropping the handle kills it.

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use aws_sdk_elasticloadbalancingv2 as elbv2;
use serde_json::Value;

use crate::controller::binary;
use crate::http::http_call;

/// How `lbgate-sim serve` is started.
#[derive(Clone, Debug)]
pub struct SimServeOptions {
    /// Log, kubeconfig and anything else of this run go here.
    pub dir: PathBuf,
    /// Nodes of the world (`--nodes`).
    pub nodes: usize,
    /// `--seed`: UIDs, names, ELBv2 IDs and webhook endpoint picks.
    pub seed: u64,
    /// `--time-scale`: the controller schedules in real seconds, so scenarios with it use 1.0.
    pub time_scale: f64,
    /// More flags, appended last.
    pub extra_args: Vec<String>,
}

impl SimServeOptions {
    /// Three nodes, seed 1, real time, everything of the run under `dir`.
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
            nodes: 3,
            seed: 1,
            time_scale: 1.0,
            extra_args: Vec::new(),
        }
    }
}

/// What `lbgate-sim serve` says about itself on stdout.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Banner {
    pub kube_url: String,
    pub elbv2_url: String,
    pub kubeconfig: PathBuf,
    pub region: String,
    pub nodes: Vec<String>,
    pub default_vpc: String,
    pub subnets: Vec<String>,
}

impl Banner {
    /// Takes one line in; `true` once the last banner line (`# subnets:`) has been read.
    pub fn read_line(&mut self, line: &str) -> bool {
        let list = |text: &str| {
            text.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        if let Some(url) = line.strip_prefix("Kubernetes API server listening on ") {
            self.kube_url = url.trim().to_owned();
        } else if let Some(url) = line.strip_prefix("ELBv2 simulator listening on ") {
            self.elbv2_url = url.trim().to_owned();
        } else if let Some(path) = line.strip_prefix("export KUBECONFIG=") {
            self.kubeconfig = PathBuf::from(path.trim());
        } else if let Some(region) = line.strip_prefix("export AWS_REGION=") {
            self.region = region.trim().to_owned();
        } else if let Some(nodes) = line.strip_prefix("# nodes: ") {
            self.nodes = list(nodes);
        } else if let Some(vpc) = line.strip_prefix("# default VPC: ") {
            self.default_vpc = vpc.trim().to_owned();
        } else if let Some(subnets) = line.strip_prefix("# subnets: ") {
            self.subnets = list(subnets);
            return true;
        }
        false
    }

    fn missing(&self) -> Option<&'static str> {
        [
            (self.kube_url.is_empty(), "the API server URL"),
            (self.elbv2_url.is_empty(), "the ELBv2 URL"),
            (self.kubeconfig.as_os_str().is_empty(), "the kubeconfig"),
            (self.region.is_empty(), "the region"),
            (self.default_vpc.is_empty(), "the default VPC"),
            (self.subnets.is_empty(), "the subnets"),
        ]
        .into_iter()
        .find_map(|(missing, what)| missing.then_some(what))
    }
}

/// A running `lbgate-sim serve`.
#[derive(Debug)]
pub struct SimServe {
    child: Child,
    pub banner: Banner,
    log_path: PathBuf,
}

impl SimServe {
    /// Spawns the binary and waits (up to `within`) until it has printed its banner.
    pub async fn start(options: &SimServeOptions, within: Duration) -> anyhow::Result<Self> {
        let program = binary("lbgate-sim")?;
        std::fs::create_dir_all(&options.dir)
            .with_context(|| format!("creating {}", options.dir.display()))?;
        let log_path = options.dir.join("lbgate-sim.log");
        let log = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(&log_path)
            .with_context(|| format!("creating {}", log_path.display()))?;
        // Appending, so that the banner copy and stderr never write over each other.
        drop(log);
        let append = || {
            OpenOptions::new()
                .append(true)
                .open(&log_path)
                .with_context(|| format!("opening {}", log_path.display()))
        };
        let mut args: Vec<String> = vec![
            "serve".to_owned(),
            "--kubeconfig".to_owned(),
            options.dir.join("kubeconfig").display().to_string(),
            "--kube-listen".to_owned(),
            "127.0.0.1:0".to_owned(),
            "--elbv2-listen".to_owned(),
            "127.0.0.1:0".to_owned(),
            "--nodes".to_owned(),
            options.nodes.to_string(),
            "--seed".to_owned(),
            options.seed.to_string(),
            "--time-scale".to_owned(),
            options.time_scale.to_string(),
        ];
        args.extend(options.extra_args.iter().cloned());
        let mut child = Command::new(&program)
            .args(&args)
            .env(
                "RUST_LOG",
                std::env::var("LBGATE_E2E_SIM_LOG").unwrap_or_else(|_| "info".to_owned()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(append()?)
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;
        let stdout = child.stdout.take().context("no stdout of lbgate-sim")?;
        let (lines, received) = mpsc::channel();
        let mut copy = append()?;
        // Every stdout line goes to the log; the banner's lines also to the waiting test.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = writeln!(copy, "{line}");
                let _ = lines.send(line);
            }
        });
        let mut serve = Self {
            child,
            banner: Banner::default(),
            log_path,
        };
        let until = Instant::now() + within;
        loop {
            match received.try_recv() {
                Ok(line) => {
                    if serve.banner.read_line(&line) {
                        break;
                    }
                    continue;
                }
                Err(mpsc::TryRecvError::Disconnected) => {
                    bail!(
                        "lbgate-sim serve ended its output before the banner; log:\n{}",
                        serve.log_tail(40)
                    );
                }
                Err(mpsc::TryRecvError::Empty) => {}
            }
            if let Some(status) = serve.child.try_wait()? {
                bail!(
                    "lbgate-sim serve exited with {status}; log:\n{}",
                    serve.log_tail(40)
                );
            }
            if Instant::now() >= until {
                bail!(
                    "lbgate-sim serve printed no banner within {within:?}; log:\n{}",
                    serve.log_tail(40)
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if let Some(missing) = serve.banner.missing() {
            bail!(
                "lbgate-sim serve's banner lacks {missing}; log:\n{}",
                serve.log_tail(40)
            );
        }
        Ok(serve)
    }

    pub fn kubeconfig(&self) -> &Path {
        &self.banner.kubeconfig
    }

    pub fn elbv2_url(&self) -> &str {
        &self.banner.elbv2_url
    }

    pub fn region(&self) -> &str {
        &self.banner.region
    }

    /// A client of the simulated API server, read from the kubeconfig it wrote (plain HTTP).
    /// The test binary must have installed the rustls crypto provider first.
    pub async fn client(&self) -> anyhow::Result<kube::Client> {
        let kubeconfig = kube::config::Kubeconfig::read_from(self.kubeconfig())
            .with_context(|| format!("reading {}", self.kubeconfig().display()))?;
        let mut config = kube::Config::from_custom_kubeconfig(
            kubeconfig,
            &kube::config::KubeConfigOptions::default(),
        )
        .await
        .context("loading the kubeconfig")?;
        config.connect_timeout = Some(Duration::from_secs(5));
        config.read_timeout = Some(Duration::from_secs(30));
        kube::Client::try_from(config).context("building the Kubernetes client")
    }

    /// The ELBv2 simulator: AWS SDK client and control API.
    pub fn elbv2(&self) -> anyhow::Result<SimElbv2> {
        SimElbv2::new(&self.banner)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, then waits up to `within` for the exit.
    pub async fn stop(&mut self, within: Duration) -> anyhow::Result<ExitStatus> {
        if let Some(status) = self.child.try_wait()? {
            return Ok(status);
        }
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .context("running kill")?;
        if !status.success() {
            bail!("kill -TERM {} failed: {status}", self.child.id());
        }
        let child = &mut self.child;
        crate::wait::until(
            "lbgate-sim serve to exit after SIGTERM",
            within,
            Duration::from_millis(50),
            String::new,
            async || Ok(child.try_wait()?),
        )
        .await
    }

    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The last `lines` lines of the simulator's log.
    pub fn log_tail(&self, lines: usize) -> String {
        let log = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        let all: Vec<&str> = log.lines().collect();
        all.get(all.len().saturating_sub(lines)..)
            .unwrap_or_default()
            .join("\n")
    }
}

impl Drop for SimServe {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// An ALB target group made for a scenario: checked every `interval` seconds, healthy after
/// `healthy_threshold` checks, drained for `deregistration_delay` seconds.
#[derive(Clone, Debug)]
pub struct AlbTargetGroup {
    pub name: String,
    pub port: i32,
    pub interval: i32,
    pub timeout: i32,
    pub healthy_threshold: i32,
    pub deregistration_delay: u32,
}

impl AlbTargetGroup {
    /// AWS's fastest settings: 5 s interval, 2 s timeout, 2 checks; 5 s of draining.
    pub fn fast(name: &str, port: i32) -> Self {
        Self {
            name: name.to_owned(),
            port,
            interval: 5,
            timeout: 2,
            healthy_threshold: 2,
            deregistration_delay: 5,
        }
    }
}

/// One target of a target group as `DescribeTargetHealth` shows it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TargetRow {
    pub id: String,
    pub port: i32,
    pub state: String,
}

/// The ELBv2 simulator of a [`SimServe`].
#[derive(Clone, Debug)]
pub struct SimElbv2 {
    pub sdk: elbv2::Client,
    control: SocketAddr,
    default_vpc: String,
    subnets: Vec<String>,
}

impl SimElbv2 {
    fn new(banner: &Banner) -> anyhow::Result<Self> {
        let control: SocketAddr = banner
            .elbv2_url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .with_context(|| format!("ELBv2 URL {:?} is not http://IP:PORT", banner.elbv2_url))?;
        let sdk = elbv2::Client::from_conf(
            elbv2::Config::builder()
                .behavior_version(elbv2::config::BehaviorVersion::latest())
                .region(elbv2::config::Region::new(banner.region.clone()))
                .endpoint_url(&banner.elbv2_url)
                .credentials_provider(aws_credential_types::Credentials::for_tests())
                .build(),
        );
        Ok(Self {
            sdk,
            control,
            default_vpc: banner.default_vpc.clone(),
            subnets: banner.subnets.clone(),
        })
    }

    /// Creates an ip-mode target group behind a new ALB's HTTP listener (only a target group
    /// with a listener health-checks its targets) and returns its ARN.
    pub async fn create_alb_target_group(&self, spec: &AlbTargetGroup) -> anyhow::Result<String> {
        use elbv2::types::{Action, ActionTypeEnum, ProtocolEnum, TargetTypeEnum};
        let created = self
            .sdk
            .create_target_group()
            .name(&spec.name)
            .protocol(ProtocolEnum::Http)
            .port(spec.port)
            .vpc_id(&self.default_vpc)
            .target_type(TargetTypeEnum::Ip)
            .health_check_interval_seconds(spec.interval)
            .health_check_timeout_seconds(spec.timeout)
            .healthy_threshold_count(spec.healthy_threshold)
            .send()
            .await
            .context("CreateTargetGroup")?;
        let arn = created
            .target_groups()
            .first()
            .and_then(|g| g.target_group_arn())
            .context("CreateTargetGroup returned no ARN")?
            .to_owned();
        self.sdk
            .modify_target_group_attributes()
            .target_group_arn(&arn)
            .attributes(
                elbv2::types::TargetGroupAttribute::builder()
                    .key("deregistration_delay.timeout_seconds")
                    .value(spec.deregistration_delay.to_string())
                    .build(),
            )
            .send()
            .await
            .context("ModifyTargetGroupAttributes")?;
        let lb = self
            .sdk
            .create_load_balancer()
            .name(&spec.name)
            .set_subnets(Some(self.subnets.clone()))
            .send()
            .await
            .context("CreateLoadBalancer")?;
        let lb_arn = lb
            .load_balancers()
            .first()
            .and_then(|l| l.load_balancer_arn())
            .context("CreateLoadBalancer returned no ARN")?;
        self.sdk
            .create_listener()
            .load_balancer_arn(lb_arn)
            .protocol(ProtocolEnum::Http)
            .port(80)
            .default_actions(
                Action::builder()
                    .r#type(ActionTypeEnum::Forward)
                    .target_group_arn(&arn)
                    .build(),
            )
            .send()
            .await
            .context("CreateListener")?;
        Ok(arn)
    }

    /// Every target of `arn` with its state, sorted.
    pub async fn targets(&self, arn: &str) -> anyhow::Result<Vec<TargetRow>> {
        let health = self
            .sdk
            .describe_target_health()
            .target_group_arn(arn)
            .send()
            .await
            .context("DescribeTargetHealth")?;
        let mut rows: Vec<TargetRow> = health
            .target_health_descriptions()
            .iter()
            .filter_map(|d| {
                let target = d.target()?;
                Some(TargetRow {
                    id: target.id()?.to_owned(),
                    port: target.port().unwrap_or_default(),
                    state: d
                        .target_health()
                        .and_then(|h| h.state())
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                })
            })
            .collect();
        rows.sort();
        Ok(rows)
    }

    /// Calls received per action since the start, failed and throttled ones included.
    pub async fn calls(&self) -> anyhow::Result<BTreeMap<String, u64>> {
        let body = self.control_call("GET", "/_sim/calls", None).await?;
        serde_json::from_str(&body).with_context(|| format!("/_sim/calls answered {body}"))
    }

    /// Calls of one action so far.
    pub async fn call_count(&self, action: &str) -> anyhow::Result<u64> {
        Ok(self.calls().await?.get(action).copied().unwrap_or(0))
    }

    /// Injects a fault: `{"action":"RegisterTargets","latency_ms":3000}` and so on (see the
    /// simulator's control API).
    pub async fn set_fault(&self, fault: &Value) -> anyhow::Result<()> {
        self.control_call("POST", "/_sim/faults", Some(&fault.to_string()))
            .await
            .map(drop)
    }

    /// Removes every fault and injected throttle.
    pub async fn clear_faults(&self) -> anyhow::Result<()> {
        self.control_call("DELETE", "/_sim/faults", None)
            .await
            .map(drop)
    }

    /// The JSON dump of the whole model.
    pub async fn state(&self) -> anyhow::Result<Value> {
        let body = self.control_call("GET", "/_sim/state", None).await?;
        serde_json::from_str(&body).context("/_sim/state is not JSON")
    }

    /// One request to the control API; the body of a 2xx answer.
    async fn control_call(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> anyhow::Result<String> {
        let (code, answer) = http_call(self.control, method, path, body, Duration::from_secs(5))
            .await
            .with_context(|| format!("{method} {path}: no answer from the ELBv2 simulator"))?;
        if !(200..300).contains(&code) {
            bail!("{method} {path} answered {code}: {answer}");
        }
        Ok(answer)
    }
}

#[cfg(test)]
mod tests;
