//! The `lbgate-sim elbv2` binary: prints its endpoint, serves, stops on SIGTERM.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

#[tokio::test]
async fn serves_until_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lbgate-sim"))
        .args([
            "elbv2",
            "--listen",
            "127.0.0.1:0",
            "--time-scale",
            "0.5",
            "--region",
            "eu-west-1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn lbgate-sim");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut printed = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(line) = lines.next_line().await.expect("read stdout") {
            let done = line.starts_with("# control API");
            printed.push(line);
            if done {
                break;
            }
        }
    })
    .await;
    assert!(read.is_ok(), "no banner: {printed:?}");
    let endpoint = printed[0].rsplit(' ').next().unwrap().to_owned();
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{printed:?}");
    assert!(printed.contains(&format!("export AWS_ENDPOINT_URL={endpoint}")));
    assert!(printed.contains(&"export AWS_REGION=eu-west-1".to_owned()));

    // reqwest uses the process-wide rustls provider (aws-lc-rs), which must be installed first.
    lbgate_testkit::install_crypto();
    let body = reqwest::Client::new()
        .post(&endpoint)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("Action=DescribeLoadBalancers&Version=2015-12-01")
        .send()
        .await
        .expect("query")
        .text()
        .await
        .unwrap();
    assert!(
        body.contains("<DescribeLoadBalancersResult><LoadBalancers></LoadBalancers>"),
        "{body}"
    );

    let pid = child.id().expect("pid").to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("exits after SIGTERM");
    assert!(exit.expect("wait").success());
}
