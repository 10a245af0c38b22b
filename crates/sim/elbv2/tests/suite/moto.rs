//! Starts moto's ELBv2/EC2 server (pinned in `e2e/harness/requirements.lock`, installed by `make venv`)
//! on 127.0.0.1 and stops it by PID when dropped.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};

pub struct MotoServer {
    child: Child,
    endpoint: String,
}

impl MotoServer {
    /// The binary comes from `LBGATE_MOTO_SERVER` (set by the Makefile) or the workspace's `.venv`.
    pub async fn start() -> anyhow::Result<Self> {
        let binary = std::env::var_os("LBGATE_MOTO_SERVER")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../.venv/bin/moto_server")
            });
        if !binary.exists() {
            bail!(
                "moto_server not found at {}: run `make venv` (the parity suite needs moto 5.2.5)",
                binary.display()
            );
        }
        // Ask the OS for a free port, release it, and hand it to moto.
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let server = MotoServer {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        server.wait_ready(Duration::from_secs(60)).await?;
        Ok(server)
    }

    pub fn endpoint_url(&self) -> &str {
        &self.endpoint
    }

    async fn wait_ready(&self, within: Duration) -> anyhow::Result<()> {
        // reqwest uses the process-wide rustls provider (aws-lc-rs), which must be installed first.
        lbgate_testkit::install_crypto();
        let http = reqwest::Client::new();
        let url = format!("{}/moto-api/", self.endpoint);
        let answers = || async {
            let resp = http.get(&url).send().await.ok()?;
            resp.status().is_success().then_some(())
        };
        lbgate_testkit::eventually(
            "moto to answer",
            within,
            Duration::from_millis(100),
            answers,
        )
        .await
        .map_err(|_| anyhow!("moto did not answer on {url} within {within:?}"))
    }

    /// moto needs a real VPC for ip target groups and subnets for load balancers: create them
    /// through its EC2 Query API. Returns (vpc id, subnet ids).
    pub async fn create_vpc(
        &self,
        cidr: &str,
        subnets: &[(&str, &str)],
    ) -> anyhow::Result<(String, Vec<String>)> {
        let vpc_xml = self
            .ec2(&[("Action", "CreateVpc"), ("CidrBlock", cidr)])
            .await?;
        let vpc = xml_text(&vpc_xml, "vpcId").context("CreateVpc answer without vpcId")?;
        let mut ids = Vec::new();
        for (subnet_cidr, zone) in subnets {
            let xml = self
                .ec2(&[
                    ("Action", "CreateSubnet"),
                    ("VpcId", &vpc),
                    ("CidrBlock", subnet_cidr),
                    ("AvailabilityZone", zone),
                ])
                .await?;
            ids.push(xml_text(&xml, "subnetId").context("CreateSubnet answer without subnetId")?);
        }
        Ok((vpc, ids))
    }

    async fn ec2(&self, params: &[(&str, &str)]) -> anyhow::Result<String> {
        let mut form: Vec<(&str, &str)> = vec![("Version", "2016-11-15")];
        form.extend_from_slice(params);
        // reqwest uses the process-wide rustls provider (aws-lc-rs), which must be installed first.
        lbgate_testkit::install_crypto();
        let resp = reqwest::Client::new()
            .post(&self.endpoint)
            // moto routes by the service named in the credential scope.
            .header(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=testing/20260101/us-west-2/ec2/aws4_request",
            )
            .form(&form)
            .send()
            .await?;
        let status = resp.status();
        let body = resp.text().await?;
        if !status.is_success() {
            bail!("moto EC2 {params:?} failed with {status}: {body}");
        }
        Ok(body)
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn xml_text(xml: &str, element: &str) -> Option<String> {
    let open = format!("<{element}>");
    let start = xml.find(&open)? + open.len();
    let end = xml.get(start..)?.find(&format!("</{element}>"))? + start;
    xml.get(start..end).map(str::to_owned)
}
