//! Target groups, targets and their lifecycle through the real AWS SDK.

use std::net::IpAddr;
use std::time::Duration;

use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::error::ProvideErrorMetadata;
use aws_sdk_elasticloadbalancingv2::operation::create_target_group::CreateTargetGroupError;
use aws_sdk_elasticloadbalancingv2::operation::describe_target_health::DescribeTargetHealthError;
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, ProtocolEnum, TargetDescription, TargetGroupAttribute,
    TargetHealthReasonEnum, TargetHealthStateEnum, TargetTypeEnum,
};
use lbgate_sim_elbv2::{Elbv2Sim, HealthMode, SimConfig};

use crate::support;

fn target(id: &str, port: Option<i32>) -> TargetDescription {
    TargetDescription::builder().id(id).set_port(port).build()
}

/// An HTTP ip target group (interval 5 s, timeout 2 s, healthy 3) behind an ALB listener.
async fn attached_group(client: &Client, sim: &Elbv2Sim, name: &str) -> String {
    let tg = client
        .create_target_group()
        .name(name)
        .protocol(ProtocolEnum::Http)
        .port(8080)
        .vpc_id(sim.default_vpc_id())
        .target_type(TargetTypeEnum::Ip)
        .health_check_interval_seconds(5)
        .health_check_timeout_seconds(2)
        .healthy_threshold_count(3)
        .send()
        .await
        .expect("create target group");
    let arn = tg.target_groups()[0].target_group_arn().unwrap().to_owned();
    let lb = client
        .create_load_balancer()
        .name(format!("{name}-lb"))
        .set_subnets(Some(sim.default_subnet_ids()))
        .send()
        .await
        .expect("create load balancer");
    let lb_arn = lb.load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_owned();
    client
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
        .expect("create listener");
    arn
}

async fn states(
    client: &Client,
    arn: &str,
) -> Vec<(
    String,
    i32,
    TargetHealthStateEnum,
    Option<TargetHealthReasonEnum>,
)> {
    let out = client
        .describe_target_health()
        .target_group_arn(arn)
        .send()
        .await
        .expect("describe target health");
    out.target_health_descriptions()
        .iter()
        .map(|d| {
            let target = d.target().unwrap();
            let health = d.target_health().unwrap();
            (
                target.id().unwrap().to_owned(),
                target.port().unwrap_or_default(),
                health.state().unwrap().clone(),
                health.reason().cloned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn unused_group_targets_and_per_port_identity() {
    let (sim, _clock) = support::manual_sim(SimConfig::default()).await;
    let client = support::client(&sim).await;
    let created = client
        .create_target_group()
        .name("web")
        .protocol(ProtocolEnum::Http)
        .port(8080)
        .vpc_id(sim.default_vpc_id())
        .target_type(TargetTypeEnum::Ip)
        .send()
        .await
        .expect("create target group");
    let tg = &created.target_groups()[0];
    let arn = tg.target_group_arn().unwrap().to_owned();
    assert_eq!(tg.health_check_interval_seconds(), Some(30));
    assert_eq!(tg.health_check_timeout_seconds(), Some(5));
    assert_eq!(tg.healthy_threshold_count(), Some(5));
    assert_eq!(tg.unhealthy_threshold_count(), Some(2));
    assert_eq!(tg.matcher().and_then(|m| m.http_code()), Some("200"));
    assert_eq!(tg.health_check_path(), Some("/"));
    assert!(
        arn.starts_with("arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/web/")
    );

    client
        .register_targets()
        .target_group_arn(&arn)
        .targets(target("10.0.1.5", None))
        .targets(target("10.0.1.5", Some(9090)))
        .send()
        .await
        .expect("register");
    let rows = states(&client, &arn).await;
    assert_eq!(
        rows.len(),
        2,
        "two ports of one address are two targets: {rows:?}"
    );
    for (_, _, state, reason) in &rows {
        assert_eq!(state, &TargetHealthStateEnum::Unused);
        assert_eq!(reason, &Some(TargetHealthReasonEnum::NotInUse));
    }
    client
        .deregister_targets()
        .target_group_arn(&arn)
        .targets(target("10.0.1.5", Some(9090)))
        .send()
        .await
        .expect("deregister");
    assert_eq!(
        states(&client, &arn).await.len(),
        1,
        "an unused group drops deregistered targets at once"
    );
    sim.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn lifecycle_initial_healthy_unhealthy_draining() {
    let (sim, clock) = support::manual_sim(SimConfig::default()).await;
    let client = support::client(&sim).await;
    let arn = attached_group(&client, &sim, "life").await;
    client
        .modify_target_group_attributes()
        .target_group_arn(&arn)
        .attributes(
            TargetGroupAttribute::builder()
                .key("deregistration_delay.timeout_seconds")
                .value("20")
                .build(),
        )
        .send()
        .await
        .expect("modify attributes");
    client
        .register_targets()
        .target_group_arn(&arn)
        .targets(target("10.0.1.5", None))
        .send()
        .await
        .unwrap();

    let expect =
        |state: TargetHealthStateEnum, reason: Option<TargetHealthReasonEnum>| (state, reason);
    let one = |rows: Vec<(
        String,
        i32,
        TargetHealthStateEnum,
        Option<TargetHealthReasonEnum>,
    )>| {
        assert_eq!(rows.len(), 1, "{rows:?}");
        let (_, port, state, reason) = rows.into_iter().next().unwrap();
        assert_eq!(port, 8080);
        (state, reason)
    };
    assert_eq!(
        one(states(&client, &arn).await),
        expect(
            TargetHealthStateEnum::Initial,
            Some(TargetHealthReasonEnum::RegistrationInProgress)
        )
    );
    clock.advance(Duration::from_secs(5));
    assert_eq!(
        one(states(&client, &arn).await),
        expect(
            TargetHealthStateEnum::Initial,
            Some(TargetHealthReasonEnum::InitialHealthChecking)
        )
    );
    clock.advance(Duration::from_secs(10));
    assert_eq!(
        one(states(&client, &arn).await),
        expect(TargetHealthStateEnum::Healthy, None)
    );

    let ip: IpAddr = "10.0.1.5".parse().unwrap();
    sim.set_health(ip, Some(8080), HealthMode::ResponseCode(503));
    clock.advance(Duration::from_secs(10));
    let health = client
        .describe_target_health()
        .target_group_arn(&arn)
        .send()
        .await
        .unwrap();
    let th = health.target_health_descriptions()[0]
        .target_health()
        .unwrap();
    assert_eq!(th.state(), Some(&TargetHealthStateEnum::Unhealthy));
    assert_eq!(
        th.reason(),
        Some(&TargetHealthReasonEnum::ResponseCodeMismatch)
    );
    assert_eq!(
        th.description(),
        Some("Health checks failed with these codes: [503]")
    );

    client
        .deregister_targets()
        .target_group_arn(&arn)
        .targets(target("10.0.1.5", None))
        .send()
        .await
        .unwrap();
    assert_eq!(
        one(states(&client, &arn).await),
        expect(
            TargetHealthStateEnum::Draining,
            Some(TargetHealthReasonEnum::DeregistrationInProgress)
        )
    );
    clock.advance(Duration::from_secs(20));
    assert!(
        states(&client, &arn).await.is_empty(),
        "gone after the deregistration delay"
    );
    let asked = client
        .describe_target_health()
        .target_group_arn(&arn)
        .targets(target("10.0.1.5", Some(8080)))
        .send()
        .await
        .unwrap();
    let th = asked.target_health_descriptions()[0]
        .target_health()
        .unwrap();
    assert_eq!(th.state(), Some(&TargetHealthStateEnum::Unused));
    assert_eq!(th.reason(), Some(&TargetHealthReasonEnum::NotRegistered));
    sim.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn scaled_time_turns_targets_healthy_in_real_time() {
    // 1 simulated second = 10 ms: interval 5 × threshold 3 = 15 s simulated = 150 ms.
    let sim = Elbv2Sim::start(SimConfig {
        time_scale: 0.01,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let client = support::client(&sim).await;
    let arn = attached_group(&client, &sim, "fast").await;
    client
        .register_targets()
        .target_group_arn(&arn)
        .targets(target("10.0.2.7", None))
        .send()
        .await
        .unwrap();
    let healthy = lbgate_testkit::eventually(
        "a healthy target",
        Duration::from_secs(5),
        Duration::from_millis(20),
        || {
            let client = client.clone();
            let arn = arn.clone();
            async move {
                let rows = states(&client, &arn).await;
                rows.iter()
                    .any(|r| r.2 == TargetHealthStateEnum::Healthy)
                    .then_some(())
            }
        },
    )
    .await;
    assert!(healthy.is_ok(), "target never became healthy");
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn typed_errors_for_target_operations() {
    let (sim, _clock) = support::manual_sim(SimConfig::default()).await;
    let client = support::client(&sim).await;
    let arn = attached_group(&client, &sim, "errs").await;
    let unknown = arn.replace("/errs/", "/gone/");
    let error = client
        .describe_target_health()
        .target_group_arn(&unknown)
        .send()
        .await
        .unwrap_err();
    let service = error.into_service_error();
    assert!(
        matches!(
            service,
            DescribeTargetHealthError::TargetGroupNotFoundException(_)
        ),
        "{service:?}"
    );
    assert_eq!(service.code(), Some("TargetGroupNotFound"));

    let error = client
        .register_targets()
        .target_group_arn(&arn)
        .targets(target("10.200.0.1", None))
        .send()
        .await
        .unwrap_err();
    let service = error.into_service_error();
    assert_eq!(service.code(), Some("ValidationError"));
    assert_eq!(
        service.message(),
        Some(
            "The Availability Zone is required for IP address '10.200.0.1' because it is not in the VPC"
        )
    );

    let error = client
        .register_targets()
        .target_group_arn("arn:bogus")
        .targets(target("10.0.1.5", None))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error.into_service_error().message(),
        Some("'arn:bogus' is not a valid target group ARN")
    );

    // Identical settings: the same group back; different settings: DuplicateTargetGroupName.
    let again = client
        .create_target_group()
        .name("errs")
        .protocol(ProtocolEnum::Http)
        .port(8080)
        .vpc_id(sim.default_vpc_id())
        .target_type(TargetTypeEnum::Ip)
        .health_check_interval_seconds(5)
        .health_check_timeout_seconds(2)
        .healthy_threshold_count(3)
        .send()
        .await
        .expect("idempotent create");
    assert_eq!(
        again.target_groups()[0].target_group_arn(),
        Some(arn.as_str())
    );
    let error = client
        .create_target_group()
        .name("errs")
        .protocol(ProtocolEnum::Http)
        .port(9999)
        .vpc_id(sim.default_vpc_id())
        .target_type(TargetTypeEnum::Ip)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        error.into_service_error(),
        CreateTargetGroupError::DuplicateTargetGroupNameException(_)
    ));

    let error = client
        .create_target_group()
        .name("bad_name")
        .protocol(ProtocolEnum::Http)
        .port(80)
        .vpc_id(sim.default_vpc_id())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.into_service_error().code(), Some("ValidationError"));
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn attributes_and_pagination() {
    let (sim, _clock) = support::manual_sim(SimConfig::default()).await;
    let client = support::client(&sim).await;
    for i in 0..5 {
        client
            .create_target_group()
            .name(format!("page-{i}"))
            .protocol(ProtocolEnum::Tcp)
            .port(443)
            .vpc_id(sim.default_vpc_id())
            .target_type(TargetTypeEnum::Ip)
            .send()
            .await
            .unwrap();
    }
    let mut names = Vec::new();
    let mut marker = None;
    let mut pages = 0;
    loop {
        let page = client
            .describe_target_groups()
            .page_size(2)
            .set_marker(marker)
            .send()
            .await
            .unwrap();
        pages += 1;
        names.extend(
            page.target_groups()
                .iter()
                .map(|tg| tg.target_group_name().unwrap().to_owned()),
        );
        marker = page.next_marker().map(str::to_owned);
        if marker.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names, ["page-0", "page-1", "page-2", "page-3", "page-4"]);

    let arn = client
        .describe_target_groups()
        .names("page-0")
        .send()
        .await
        .unwrap()
        .target_groups()[0]
        .target_group_arn()
        .unwrap()
        .to_owned();
    let attributes = client
        .describe_target_group_attributes()
        .target_group_arn(&arn)
        .send()
        .await
        .unwrap();
    let value = |key: &str| {
        attributes
            .attributes()
            .iter()
            .find(|a| a.key() == Some(key))
            .and_then(|a| a.value())
            .map(str::to_owned)
    };
    assert_eq!(
        value("deregistration_delay.timeout_seconds").as_deref(),
        Some("300")
    );
    assert_eq!(
        value("preserve_client_ip.enabled").as_deref(),
        Some("false"),
        "ip targets over TCP"
    );
    let error = client
        .modify_target_group_attributes()
        .target_group_arn(&arn)
        .attributes(
            TargetGroupAttribute::builder()
                .key("deregistration_delay.timeout_seconds")
                .value("3601")
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.into_service_error().code(), Some("ValidationError"));
    let error = client
        .modify_target_group_attributes()
        .target_group_arn(&arn)
        .attributes(
            TargetGroupAttribute::builder()
                .key("slow_start.duration_seconds")
                .value("60")
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    let service = error.into_service_error();
    assert_eq!(
        service.message(),
        Some("Target group attribute key 'slow_start.duration_seconds' is not recognized")
    );
    sim.shutdown().await.unwrap();
}
