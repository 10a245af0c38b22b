//! Wire parity: the same scenarios drive the real AWS SDK against the ELBv2 simulator and against
//! moto's ELBv2 server (a third-party implementation, pinned to 5.2.5), and assert identical results
//! wherever moto models AWS faithfully: response shapes and defaults, ARN formats, tags, pagination,
//! and the error codes for unknown ARNs and invalid targets.
//!
//! Where moto deviates from AWS, the simulator follows AWS. Each deviation is listed in
//! [`MOTO_DEVIATIONS`] and checked by `moto_deviations_are_known`, so a moto upgrade that fixes one,
//! or a simulator change that copies one, fails this suite.

use std::collections::BTreeSet;

use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::config::http::HttpResponse;
use aws_sdk_elasticloadbalancingv2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_elasticloadbalancingv2::types::{
    ProtocolEnum, Tag, TargetDescription, TargetGroup, TargetTypeEnum,
};
use lbgate_sim_elbv2::{Elbv2Sim, SimConfig};

use crate::moto::MotoServer;

/// moto 5.2.5 behaviour that differs from AWS; the simulator follows AWS in each case.
pub const MOTO_DEVIATIONS: &[&str] = &[
    "targets are `healthy` at once: no `initial`, no health-check timing",
    "targets are keyed by Id only: one IP on two ports is one target",
    "an identical second CreateTargetGroup fails with DuplicateTargetGroupName (AWS: idempotent)",
    "DescribeTags on an unknown target-group ARN answers with no error",
    "DescribeTargetGroups ignores PageSize and never returns NextMarker",
    "a target group used by no load balancer reports targets `healthy` (AWS: unused / Target.NotInUse)",
    "a deregistered target disappears at once (AWS: draining for the deregistration delay)",
    "DeregisterTargets of a target that is not registered fails with InvalidTarget (AWS: succeeds)",
    "RegisterTargets accepts any Id in an ip target group (AWS: ValidationError for a malformed IP)",
    "DescribeTargetHealth of an unknown group says \"One or more target groups not found\" \
     (AWS: \"Target groups '<arn>' not found\")",
    "CreateLoadBalancer without Scheme answers without Scheme (AWS: internet-facing)",
    "DescribeTargetHealth's HealthCheckPort is the literal \"traffic-port\" (AWS: the resolved port)",
];

const VPC_CIDR: &str = "10.0.0.0/16";

struct Backend {
    name: &'static str,
    client: Client,
    vpc: String,
    subnets: Vec<String>,
    // Kept alive for the test's duration; dropping them stops the servers.
    _sim: Option<Elbv2Sim>,
    _moto: Option<MotoServer>,
}

async fn client_for(endpoint: &str) -> Client {
    lbgate_testkit::install_crypto();
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-west-2"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "testing", "testing", None, None, "parity",
        ))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await;
    Client::new(&config)
}

async fn sim_backend() -> Backend {
    let sim = Elbv2Sim::start(SimConfig::default())
        .await
        .expect("start simulator");
    Backend {
        name: "sim",
        client: client_for(&sim.endpoint_url()).await,
        vpc: sim.default_vpc_id(),
        subnets: sim.default_subnet_ids(),
        _sim: Some(sim),
        _moto: None,
    }
}

async fn moto_backend() -> Backend {
    let moto = MotoServer::start().await.expect("start moto");
    let (vpc, subnets) = moto
        .create_vpc(
            VPC_CIDR,
            &[
                ("10.0.0.0/20", "us-west-2a"),
                ("10.0.16.0/20", "us-west-2b"),
            ],
        )
        .await
        .expect("create moto VPC");
    Backend {
        name: "moto",
        client: client_for(moto.endpoint_url()).await,
        vpc,
        subnets,
        _sim: None,
        _moto: Some(moto),
    }
}

async fn both() -> [Backend; 2] {
    let (sim, moto) = tokio::join!(sim_backend(), moto_backend());
    [sim, moto]
}

/// Replaces what legitimately differs between two servers (random ARN suffixes, VPC ids).
fn normalize(text: &str, vpc: &str) -> String {
    let text = text.replace(vpc, "<vpc>");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    // ARN suffixes are "/<16 lowercase hex>".
    while let Some(pos) = rest.find('/') {
        out.push_str(&rest[..=pos]);
        rest = &rest[pos + 1..];
        let hex: String = rest.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
        if hex.len() == 16 && hex.chars().all(|c| !c.is_ascii_uppercase()) {
            out.push_str("<id>");
            rest = &rest[16..];
        }
    }
    out.push_str(rest);
    out
}

fn tg_shape(tg: &TargetGroup, vpc: &str) -> String {
    normalize(
        &format!(
            "arn={:?} name={:?} protocol={:?} port={:?} vpc={:?} hc_protocol={:?} hc_port={:?} \
             hc_enabled={:?} interval={:?} timeout={:?} healthy={:?} unhealthy={:?} path={:?} \
             matcher={:?} target_type={:?} ip_type={:?} protocol_version={:?}",
            tg.target_group_arn(),
            tg.target_group_name(),
            tg.protocol(),
            tg.port(),
            tg.vpc_id(),
            tg.health_check_protocol(),
            tg.health_check_port(),
            tg.health_check_enabled(),
            tg.health_check_interval_seconds(),
            tg.health_check_timeout_seconds(),
            tg.healthy_threshold_count(),
            tg.unhealthy_threshold_count(),
            tg.health_check_path(),
            tg.matcher().and_then(|m| m.http_code()),
            tg.target_type(),
            tg.ip_address_type(),
            tg.protocol_version(),
        ),
        vpc,
    )
}

/// (code, message, HTTP status) of a failed call.
fn fault<T, E: ProvideErrorMetadata + std::fmt::Debug>(
    result: Result<T, SdkError<E, HttpResponse>>,
) -> Option<(String, String, u16)> {
    let err = result.err()?;
    let status = err.raw_response().map(|r| r.status().as_u16()).unwrap_or(0);
    match err {
        SdkError::ServiceError(service) => Some((
            service.err().code().unwrap_or_default().to_owned(),
            service.err().message().unwrap_or_default().to_owned(),
            status,
        )),
        other => Some((format!("transport: {other:?}"), String::new(), status)),
    }
}

async fn create_tg(b: &Backend, name: &str, protocol: ProtocolEnum) -> TargetGroup {
    let out = b
        .client
        .create_target_group()
        .name(name)
        .protocol(protocol)
        .port(80)
        .vpc_id(&b.vpc)
        .target_type(TargetTypeEnum::Ip)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{}: create {name}: {e:?}", b.name));
    out.target_groups()[0].clone()
}

fn is_tg_arn(arn: &str) -> bool {
    let prefix = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/";
    let Some(rest) = arn.strip_prefix(prefix) else {
        return false;
    };
    let mut parts = rest.split('/');
    let (Some(name), Some(id), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !name.is_empty()
        && id.len() == 16
        && id
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
}

fn unknown_tg_arn() -> &'static str {
    "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/nope/0123456789abcdef"
}

#[tokio::test]
async fn target_group_shapes_defaults_and_arns_match() {
    let backends = both().await;
    let mut shapes = Vec::new();
    for b in &backends {
        let http = create_tg(b, "parity-http", ProtocolEnum::Http).await;
        let tcp = create_tg(b, "parity-tcp", ProtocolEnum::Tcp).await;
        for tg in [&http, &tcp] {
            let arn = tg.target_group_arn().unwrap_or_default();
            assert!(is_tg_arn(arn), "{}: ARN not in AWS format: {arn}", b.name);
        }
        // Reading back by ARN and by name returns the same object, attached to no load balancer.
        let by_arn = b
            .client
            .describe_target_groups()
            .target_group_arns(http.target_group_arn().unwrap())
            .send()
            .await
            .unwrap();
        let by_name = b
            .client
            .describe_target_groups()
            .names("parity-tcp")
            .send()
            .await
            .unwrap();
        assert_eq!(
            tg_shape(&by_arn.target_groups()[0], &b.vpc),
            tg_shape(&http, &b.vpc),
            "{}",
            b.name
        );
        assert_eq!(
            tg_shape(&by_name.target_groups()[0], &b.vpc),
            tg_shape(&tcp, &b.vpc),
            "{}",
            b.name
        );
        assert!(
            by_arn.target_groups()[0].load_balancer_arns().is_empty(),
            "{}",
            b.name
        );
        shapes.push((tg_shape(&http, &b.vpc), tg_shape(&tcp, &b.vpc)));
    }
    assert_eq!(
        shapes[0], shapes[1],
        "simulator (left) and moto (right) disagree"
    );
}

#[tokio::test]
async fn unknown_target_group_errors_match() {
    let backends = both().await;
    let mut seen = Vec::new();
    for b in &backends {
        let c = &b.client;
        let arn = unknown_tg_arn();
        let target = TargetDescription::builder().id("10.0.0.1").port(80).build();
        let faults = vec![
            (
                "DescribeTargetHealth",
                fault(
                    c.describe_target_health()
                        .target_group_arn(arn)
                        .send()
                        .await,
                ),
            ),
            (
                "RegisterTargets",
                fault(
                    c.register_targets()
                        .target_group_arn(arn)
                        .targets(target.clone())
                        .send()
                        .await,
                ),
            ),
            (
                "DeregisterTargets",
                fault(
                    c.deregister_targets()
                        .target_group_arn(arn)
                        .targets(target)
                        .send()
                        .await,
                ),
            ),
            (
                "DescribeTargetGroups(arn)",
                fault(
                    c.describe_target_groups()
                        .target_group_arns(arn)
                        .send()
                        .await,
                ),
            ),
            (
                "DescribeTargetGroups(name)",
                fault(c.describe_target_groups().names("nope").send().await),
            ),
            (
                "ModifyTargetGroup",
                fault(
                    c.modify_target_group()
                        .target_group_arn(arn)
                        .health_check_path("/x")
                        .send()
                        .await,
                ),
            ),
            (
                "AddTags",
                fault(
                    c.add_tags()
                        .resource_arns(arn)
                        .tags(Tag::builder().key("k").value("v").build())
                        .send()
                        .await,
                ),
            ),
        ];
        let mut row = Vec::new();
        for (op, f) in faults {
            let (code, message, status) =
                f.unwrap_or_else(|| panic!("{}: {op} on an unknown ARN succeeded", b.name));
            assert_eq!(
                (code.as_str(), status),
                ("TargetGroupNotFound", 400),
                "{}: {op}",
                b.name
            );
            // The wording of DescribeTargetHealth's message is a listed moto deviation.
            let message = if op == "DescribeTargetHealth" {
                String::new()
            } else {
                message
            };
            row.push((op, code, message, status));
        }
        seen.push(row);
    }
    assert_eq!(
        seen[0], seen[1],
        "simulator (left) and moto (right) disagree"
    );
}

#[tokio::test]
async fn invalid_target_group_names_are_rejected_alike() {
    let backends = both().await;
    let mut seen = Vec::new();
    for b in &backends {
        let create = |name: String| {
            b.client
                .create_target_group()
                .name(name)
                .protocol(ProtocolEnum::Http)
                .port(80)
                .vpc_id(&b.vpc)
                .send()
        };
        let long = fault(create("a".repeat(33)).await);
        let bad_chars = fault(create("bad_name".to_owned()).await);
        let leading_hyphen = fault(create("-web".to_owned()).await);
        let mut row = Vec::new();
        for (what, f) in [
            ("33 characters", long),
            ("underscore", bad_chars),
            ("leading hyphen", leading_hyphen),
        ] {
            let (code, _, status) =
                f.unwrap_or_else(|| panic!("{}: name with {what} accepted", b.name));
            assert_eq!(
                (code.as_str(), status),
                ("ValidationError", 400),
                "{}: {what}",
                b.name
            );
            row.push((what, code, status));
        }
        seen.push(row);
    }
    assert_eq!(
        seen[0], seen[1],
        "simulator (left) and moto (right) disagree"
    );
}

async fn sorted_tags(b: &Backend, arn: &str) -> Vec<(String, String)> {
    let out = b
        .client
        .describe_tags()
        .resource_arns(arn)
        .send()
        .await
        .unwrap();
    let mut tags: Vec<(String, String)> = out.tag_descriptions()[0]
        .tags()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_owned(),
                t.value().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    tags.sort();
    tags
}

#[tokio::test]
async fn tags_round_trip_matches() {
    let backends = both().await;
    let mut seen = Vec::new();
    for b in &backends {
        let tg = create_tg(b, "parity-tags", ProtocolEnum::Http).await;
        let arn = tg.target_group_arn().unwrap();
        let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build();
        b.client
            .add_tags()
            .resource_arns(arn)
            .tags(tag("elbv2.k8s.aws/cluster", "prod"))
            .tags(tag("team", "web"))
            .send()
            .await
            .unwrap();
        let after_add = sorted_tags(b, arn).await;
        // Re-adding a key overwrites its value.
        b.client
            .add_tags()
            .resource_arns(arn)
            .tags(tag("team", "edge"))
            .send()
            .await
            .unwrap();
        let after_overwrite = sorted_tags(b, arn).await;
        b.client
            .remove_tags()
            .resource_arns(arn)
            .tag_keys("team")
            .send()
            .await
            .unwrap();
        let after_remove = sorted_tags(b, arn).await;
        assert_eq!(
            after_remove,
            vec![("elbv2.k8s.aws/cluster".to_owned(), "prod".to_owned())],
            "{}",
            b.name
        );
        seen.push((after_add, after_overwrite, after_remove));
    }
    assert_eq!(
        seen[0], seen[1],
        "simulator (left) and moto (right) disagree"
    );
}

#[tokio::test]
async fn registered_target_sets_match() {
    let backends = both().await;
    let mut seen = Vec::new();
    for b in &backends {
        let tg = create_tg(b, "parity-targets", ProtocolEnum::Http).await;
        let arn = tg.target_group_arn().unwrap();
        let t = |ip: &str, port: Option<i32>| {
            TargetDescription::builder().id(ip).set_port(port).build()
        };
        b.client
            .register_targets()
            .target_group_arn(arn)
            .targets(t("10.0.1.10", Some(8080)))
            .targets(t("10.0.1.11", Some(8080)))
            .targets(t("10.0.1.12", None)) // no port: the target group's port
            .send()
            .await
            .unwrap();
        b.client
            .deregister_targets()
            .target_group_arn(arn)
            .targets(t("10.0.1.11", Some(8080)))
            .send()
            .await
            .unwrap();
        let out = b
            .client
            .describe_target_health()
            .target_group_arn(arn)
            .send()
            .await
            .unwrap();
        // moto drops a deregistered target at once while AWS drains it: compare the live ones.
        // HealthCheckPort differs by design (a listed moto deviation): compare identities.
        let live: BTreeSet<(String, i32)> = out
            .target_health_descriptions()
            .iter()
            .filter(|d| {
                d.target_health()
                    .and_then(|h| h.state())
                    .map(|s| s.as_str())
                    != Some("draining")
            })
            .map(|d| {
                let target = d.target().unwrap();
                (
                    target.id().unwrap_or_default().to_owned(),
                    target.port().unwrap_or(0),
                )
            })
            .collect();
        seen.push(live);
    }
    let expected: BTreeSet<(String, i32)> =
        [("10.0.1.10".to_owned(), 8080), ("10.0.1.12".to_owned(), 80)].into();
    assert_eq!(seen[0], expected, "simulator");
    assert_eq!(seen[1], expected, "moto");
}

#[tokio::test]
async fn load_balancer_pagination_matches() {
    let backends = both().await;
    let mut seen = Vec::new();
    for b in &backends {
        for i in 0..3 {
            b.client
                .create_load_balancer()
                .name(format!("parity-lb{i}"))
                .set_subnets(Some(b.subnets.clone()))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{}: create LB: {e:?}", b.name));
        }
        let first = b
            .client
            .describe_load_balancers()
            .page_size(2)
            .send()
            .await
            .unwrap();
        assert_eq!(first.load_balancers().len(), 2, "{}", b.name);
        let marker = first
            .next_marker()
            .unwrap_or_else(|| panic!("{}: no NextMarker on a partial page", b.name))
            .to_owned();
        let second = b
            .client
            .describe_load_balancers()
            .page_size(2)
            .marker(marker)
            .send()
            .await
            .unwrap();
        assert!(
            second.next_marker().is_none(),
            "{}: marker after the last page",
            b.name
        );
        let mut rows: Vec<String> = first
            .load_balancers()
            .iter()
            .chain(second.load_balancers())
            .map(|lb| {
                normalize(
                    &format!(
                        "name={:?} arn={:?} type={:?} vpc={:?} ip={:?}",
                        lb.load_balancer_name(),
                        lb.load_balancer_arn(),
                        lb.r#type(),
                        lb.vpc_id(),
                        lb.ip_address_type(),
                    ),
                    &b.vpc,
                )
            })
            .collect();
        rows.sort();
        assert_eq!(rows.len(), 3, "{}", b.name);
        seen.push(rows);
    }
    assert_eq!(
        seen[0], seen[1],
        "simulator (left) and moto (right) disagree"
    );
}

/// Each entry of [`MOTO_DEVIATIONS`] observed on moto, and the AWS behaviour observed on the simulator.
#[tokio::test]
async fn moto_deviations_are_known() {
    let [sim, moto] = both().await;
    assert_eq!(
        MOTO_DEVIATIONS.len(),
        12,
        "a deviation was added or removed: check it here"
    );
    let is_moto = |b: &Backend| b.name == "moto";
    let target = |ip: &str, port: i32| TargetDescription::builder().id(ip).port(port).build();

    for b in [&sim, &moto] {
        let tg = create_tg(b, "dev-targets", ProtocolEnum::Http).await;
        let arn = tg.target_group_arn().unwrap();

        // 1, 2, 6: health timing, keying by Id + Port, unused while no load balancer uses the group.
        b.client
            .register_targets()
            .target_group_arn(arn)
            .targets(target("10.0.2.5", 8080))
            .targets(target("10.0.2.5", 9090))
            .send()
            .await
            .unwrap();
        let states = health_rows(b, arn).await;
        if is_moto(b) {
            assert_eq!(
                states,
                vec![(9090, "healthy".into(), String::new())],
                "moto: keyed by Id, healthy at once"
            );
        } else {
            assert_eq!(
                states,
                vec![
                    (8080, "unused".into(), "Target.NotInUse".into()),
                    (9090, "unused".into(), "Target.NotInUse".into())
                ],
                "simulator: keyed by Id+Port; unused while no load balancer uses the group"
            );
        }

        // 3: an identical CreateTargetGroup.
        let dup = fault(
            b.client
                .create_target_group()
                .name("dev-targets")
                .protocol(ProtocolEnum::Http)
                .port(80)
                .vpc_id(&b.vpc)
                .target_type(TargetTypeEnum::Ip)
                .send()
                .await,
        );
        if is_moto(b) {
            assert_eq!(
                dup.map(|f| f.0).as_deref(),
                Some("DuplicateTargetGroupName"),
                "moto: duplicate create"
            );
        } else {
            assert_eq!(
                dup, None,
                "simulator: an identical CreateTargetGroup is idempotent"
            );
        }

        // 4: DescribeTags on an unknown ARN.
        let tags = fault(
            b.client
                .describe_tags()
                .resource_arns(unknown_tg_arn())
                .send()
                .await,
        );
        if is_moto(b) {
            assert_eq!(tags, None, "moto: DescribeTags on an unknown ARN succeeds");
        } else {
            assert_eq!(
                tags.map(|f| f.0).as_deref(),
                Some("TargetGroupNotFound"),
                "simulator: unknown ARN"
            );
        }

        // 5: DescribeTargetGroups paging.
        for i in 0..3 {
            create_tg(b, &format!("dev-page{i}"), ProtocolEnum::Http).await;
        }
        let page = b
            .client
            .describe_target_groups()
            .page_size(2)
            .send()
            .await
            .unwrap();
        if is_moto(b) {
            assert!(
                page.next_marker().is_none() && page.target_groups().len() > 2,
                "moto: PageSize ignored"
            );
        } else {
            assert!(
                page.next_marker().is_some() && page.target_groups().len() == 2,
                "simulator: paged"
            );
        }

        // 7: draining. Put the group behind a listener so AWS drains instead of dropping.
        let lb = b
            .client
            .create_load_balancer()
            .name("dev-lb")
            .set_subnets(Some(b.subnets.clone()))
            .send()
            .await
            .unwrap();
        let lb_arn = lb.load_balancers()[0]
            .load_balancer_arn()
            .unwrap()
            .to_owned();
        let forward = aws_sdk_elasticloadbalancingv2::types::Action::builder()
            .r#type(aws_sdk_elasticloadbalancingv2::types::ActionTypeEnum::Forward)
            .target_group_arn(arn)
            .build();
        b.client
            .create_listener()
            .load_balancer_arn(&lb_arn)
            .protocol(ProtocolEnum::Http)
            .port(80)
            .default_actions(forward)
            .send()
            .await
            .unwrap();
        b.client
            .deregister_targets()
            .target_group_arn(arn)
            .targets(target("10.0.2.5", 9090))
            .send()
            .await
            .unwrap();
        let after = health_rows(b, arn).await;
        let drained: Vec<_> = after
            .iter()
            .filter(|r| r.0 == 9090)
            .map(|r| r.1.as_str())
            .collect();
        if is_moto(b) {
            assert!(
                drained.is_empty(),
                "moto: a deregistered target is gone at once: {after:?}"
            );
        } else {
            assert_eq!(
                drained,
                vec!["draining"],
                "simulator: draining for the deregistration delay"
            );
        }

        // 12: HealthCheckPort of a target registered into a group now in use.
        b.client
            .register_targets()
            .target_group_arn(arn)
            .targets(target("10.0.2.6", 8080))
            .send()
            .await
            .unwrap();
        let described = b
            .client
            .describe_target_health()
            .target_group_arn(arn)
            .targets(target("10.0.2.6", 8080))
            .send()
            .await
            .unwrap();
        let hc_port = described
            .target_health_descriptions()
            .iter()
            .find(|d| d.target().and_then(|t| t.port()) == Some(8080))
            .and_then(|d| d.health_check_port())
            .map(str::to_owned);
        let expected = if is_moto(b) { "traffic-port" } else { "8080" };
        assert_eq!(
            hc_port.as_deref(),
            Some(expected),
            "{}: HealthCheckPort",
            b.name
        );

        // 11: Scheme of a load balancer created without one.
        let scheme = b
            .client
            .describe_load_balancers()
            .load_balancer_arns(&lb_arn)
            .send()
            .await
            .unwrap()
            .load_balancers()[0]
            .scheme()
            .cloned();
        if is_moto(b) {
            assert_eq!(scheme, None, "moto: no Scheme");
        } else {
            assert_eq!(
                scheme,
                Some(aws_sdk_elasticloadbalancingv2::types::LoadBalancerSchemeEnum::InternetFacing)
            );
        }

        // 8: DeregisterTargets of a target that was never registered.
        let never = fault(
            b.client
                .deregister_targets()
                .target_group_arn(arn)
                .targets(target("10.0.2.99", 80))
                .send()
                .await,
        );
        if is_moto(b) {
            assert_eq!(
                never.map(|f| f.0).as_deref(),
                Some("InvalidTarget"),
                "moto: InvalidTarget"
            );
        } else {
            assert_eq!(
                never, None,
                "simulator: succeeds, as the DeregisterTargets reference says"
            );
        }

        // 9: a malformed IP in an ip target group.
        let bad_ip = fault(
            b.client
                .register_targets()
                .target_group_arn(arn)
                .targets(target("not-an-ip", 80))
                .send()
                .await,
        );
        if is_moto(b) {
            assert_eq!(bad_ip, None, "moto: any Id accepted");
        } else {
            assert_eq!(
                bad_ip.map(|f| (f.0, f.2)),
                Some(("ValidationError".to_owned(), 400)),
                "simulator"
            );
        }

        // 10: the wording of DescribeTargetHealth's TargetGroupNotFound.
        let (code, message, _) = fault(
            b.client
                .describe_target_health()
                .target_group_arn(unknown_tg_arn())
                .send()
                .await,
        )
        .expect("unknown group must fail");
        assert_eq!(code, "TargetGroupNotFound", "{}", b.name);
        if is_moto(b) {
            assert_eq!(message, "One or more target groups not found");
        } else {
            assert_eq!(
                message,
                format!("Target groups '{}' not found", unknown_tg_arn())
            );
        }
    }
}

async fn health_rows(b: &Backend, arn: &str) -> Vec<(i32, String, String)> {
    let out = b
        .client
        .describe_target_health()
        .target_group_arn(arn)
        .send()
        .await
        .unwrap();
    let mut rows: Vec<(i32, String, String)> = out
        .target_health_descriptions()
        .iter()
        .map(|d| {
            let h = d.target_health().unwrap();
            (
                d.target().and_then(|t| t.port()).unwrap_or(0),
                h.state().map(|s| s.as_str().to_owned()).unwrap_or_default(),
                h.reason()
                    .map(|r| r.as_str().to_owned())
                    .unwrap_or_default(),
            )
        })
        .collect();
    rows.sort();
    rows
}
