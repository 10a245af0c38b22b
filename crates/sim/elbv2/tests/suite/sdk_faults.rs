//! Throttling, injected faults and the HTTP control API.

use std::time::{Duration, Instant};

use aws_sdk_elasticloadbalancingv2::error::ProvideErrorMetadata;
use aws_sdk_elasticloadbalancingv2::types::{TargetDescription, TargetHealthStateEnum};
use lbgate_sim_elbv2::{Elbv2Sim, Fault, SimConfig};

use crate::support;

#[tokio::test]
async fn forty_first_describe_within_a_second_is_throttled() {
    let sim = Elbv2Sim::start(SimConfig::default()).await.unwrap();
    let client = support::client(&sim).await;
    let arn = support::target_group_on_port(80, &client, &sim.default_vpc_id(), "busy").await;
    let started = Instant::now();
    for call in 1..=40 {
        client
            .describe_target_health()
            .target_group_arn(&arn)
            .send()
            .await
            .unwrap_or_else(|e| panic!("call {call}: {e:?}"));
    }
    let error = client
        .describe_target_health()
        .target_group_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "the test machine was too slow to judge"
    );
    let raw_status = error.raw_response().map(|r| r.status().as_u16());
    let service = error.into_service_error();
    assert_eq!(service.code(), Some("Throttling"));
    assert_eq!(service.message(), Some("Rate exceeded"));
    assert_eq!(raw_status, Some(400));
    // Registration has its own bucket.
    client
        .register_targets()
        .target_group_arn(&arn)
        .targets(TargetDescription::builder().id("10.0.3.3").build())
        .send()
        .await
        .expect("registration bucket is separate");
    assert_eq!(
        sim.call_counts().get("DescribeTargetHealth"),
        Some(&41),
        "throttled calls count too"
    );
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn injected_faults_latency_and_throttle_rate() {
    let (sim, _clock) = support::manual_sim(SimConfig::default()).await;
    let client = support::client(&sim).await;
    let arn = support::target_group_on_port(80, &client, &sim.default_vpc_id(), "flaky").await;
    sim.set_fault(
        "RegisterTargets",
        Fault {
            error_rate: 1.0,
            code: "ServiceUnavailable".into(),
            http_status: 503,
            message: "Service is unavailable".into(),
            latency: Duration::from_millis(150),
        },
    );
    let started = Instant::now();
    let error = client
        .register_targets()
        .target_group_arn(&arn)
        .targets(TargetDescription::builder().id("10.0.4.4").build())
        .send()
        .await
        .unwrap_err();
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "latency applied"
    );
    assert_eq!(error.raw_response().map(|r| r.status().as_u16()), Some(503));
    assert_eq!(
        error.into_service_error().code(),
        Some("ServiceUnavailable")
    );
    let health = client
        .describe_target_health()
        .target_group_arn(&arn)
        .send()
        .await
        .unwrap();
    assert!(
        health.target_health_descriptions().is_empty(),
        "a failed call does nothing"
    );

    sim.clear_faults();
    sim.set_throttle_rate("*", 1.0);
    let error = client.describe_target_groups().send().await.unwrap_err();
    assert_eq!(error.into_service_error().code(), Some("Throttling"));
    sim.set_throttle_rate("*", 0.0);
    client
        .describe_target_groups()
        .send()
        .await
        .expect("throttle off again");
    let counts = sim.call_counts();
    assert_eq!(counts.get("RegisterTargets"), Some(&1));
    assert_eq!(counts.get("DescribeTargetGroups"), Some(&2));
    sim.shutdown().await.unwrap();
}

async fn post_json(http: &reqwest::Client, url: String, body: &str) -> (u16, String) {
    let response = http
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("control call");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

#[tokio::test]
async fn control_api_over_http() {
    let (sim, clock) = support::manual_sim(SimConfig::default()).await;
    let client = support::client(&sim).await;
    // reqwest uses the process-wide rustls provider (aws-lc-rs), which must be installed first.
    lbgate_testkit::install_crypto();
    let http = reqwest::Client::new();
    let base = sim.endpoint_url();

    // A second VPC, and a target group in it.
    let (status, body) =
        post_json(&http, format!("{base}/_sim/vpcs"), r#"{"cidrs":["10.50.0.0/16"],"subnets":[{"cidr":"10.50.0.0/16","availability_zone":"us-west-2b"}]}"#).await;
    assert_eq!(status, 200, "{body}");
    let vpc: serde_json::Value = serde_json::from_str(&body).unwrap();
    let vpc_id = vpc["vpc_id"].as_str().unwrap().to_owned();
    let arn = support::target_group_on_port(80, &client, &vpc_id, "peer").await;
    client
        .register_targets()
        .target_group_arn(&arn)
        .targets(TargetDescription::builder().id("10.50.1.1").build())
        .send()
        .await
        .expect("address inside the new VPC");

    // Health mode over HTTP, seen in the state dump.
    let (status, _) = post_json(
        &http,
        format!("{base}/_sim/health"),
        r#"{"ip":"10.50.1.1","port":80,"mode":"refusing"}"#,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = post_json(
        &http,
        format!("{base}/_sim/health"),
        r#"{"mode":"refusing"}"#,
    )
    .await;
    assert_eq!(status, 400, "an address is required");
    let state: serde_json::Value = http
        .get(format!("{base}/_sim/state"))
        .send()
        .await
        .unwrap()
        .json_text()
        .await;
    let tg = state["target_groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["arn"] == arn.as_str())
        .unwrap();
    assert_eq!(tg["targets"][0]["health"]["state"], "unused");

    // Faults over HTTP.
    let (status, _) = post_json(
        &http,
        format!("{base}/_sim/faults"),
        r#"{"action":"DescribeTargetHealth","error_rate":1.0,"code":"InternalFailure","http_status":500,"message":"boom"}"#,
    )
    .await;
    assert_eq!(status, 200);
    let error = client
        .describe_target_health()
        .target_group_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.into_service_error().message(), Some("boom"));
    let cleared = http
        .delete(format!("{base}/_sim/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status().as_u16(), 200);
    let health = client
        .describe_target_health()
        .target_group_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        health.target_health_descriptions()[0]
            .target_health()
            .unwrap()
            .state(),
        Some(&TargetHealthStateEnum::Unused)
    );

    let (status, _) = post_json(
        &http,
        format!("{base}/_sim/throttle"),
        r#"{"action":"DescribeTargetGroups","rate":1.0}"#,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        client
            .describe_target_groups()
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .code(),
        Some("Throttling")
    );

    let calls: serde_json::Value = http
        .get(format!("{base}/_sim/calls"))
        .send()
        .await
        .unwrap()
        .json_text()
        .await;
    assert_eq!(calls["DescribeTargetHealth"], 2);
    assert_eq!(calls["DescribeTargetGroups"], 1);

    clock.advance(Duration::from_secs(42));
    let time: serde_json::Value = http
        .get(format!("{base}/_sim/time"))
        .send()
        .await
        .unwrap()
        .json_text()
        .await;
    assert_eq!(time["now_seconds"], 42.0);
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn unknown_and_missing_actions() {
    let sim = Elbv2Sim::start(SimConfig::default()).await.unwrap();
    // reqwest uses the process-wide rustls provider (aws-lc-rs), which must be installed first.
    lbgate_testkit::install_crypto();
    let http = reqwest::Client::new();
    let send = |form: &'static str| {
        http.post(sim.endpoint_url())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
    };
    let response = send("Action=DescribeNothing&Version=2015-12-01")
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert!(response.headers().contains_key("x-amzn-requestid"));
    let body = response.text().await.unwrap();
    assert!(
        body.starts_with(
            "<ErrorResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">"
        ),
        "{body}"
    );
    assert!(body.contains("<Code>InvalidAction</Code>"), "{body}");
    let body = send("Version=2015-12-01")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("<Code>MissingAction</Code>"), "{body}");
    let body = send("Action=DescribeTargetHealth&Version=2015-12-01")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        body.contains("Value null at &apos;targetGroupArn&apos;"),
        "{body}"
    );
    sim.shutdown().await.unwrap();
}

trait JsonText {
    async fn json_text(self) -> serde_json::Value;
}

impl JsonText for reqwest::Response {
    async fn json_text(self) -> serde_json::Value {
        serde_json::from_str(&self.text().await.unwrap()).unwrap()
    }
}
