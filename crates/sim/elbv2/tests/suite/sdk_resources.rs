//! Load balancers, listeners, rules and tags through the real AWS SDK.

use std::time::Duration;

use aws_sdk_elasticloadbalancingv2::error::ProvideErrorMetadata;
use aws_sdk_elasticloadbalancingv2::operation::add_tags::AddTagsError;
use aws_sdk_elasticloadbalancingv2::operation::create_rule::CreateRuleError;
use aws_sdk_elasticloadbalancingv2::operation::delete_rule::DeleteRuleError;
use aws_sdk_elasticloadbalancingv2::operation::delete_target_group::DeleteTargetGroupError;
use aws_sdk_elasticloadbalancingv2::operation::describe_tags::DescribeTagsError;
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, ForwardActionConfig, LoadBalancerStateEnum, LoadBalancerTypeEnum,
    PathPatternConditionConfig, ProtocolEnum, RuleCondition, RulePriorityPair, Tag,
    TargetGroupTuple,
};
use lbgate_sim_elbv2::SimConfig;

use crate::support;

fn forward(arn: &str) -> Action {
    Action::builder()
        .r#type(ActionTypeEnum::Forward)
        .target_group_arn(arn)
        .build()
}

fn path(pattern: &str) -> RuleCondition {
    RuleCondition::builder()
        .field("path-pattern")
        .path_pattern_config(
            PathPatternConditionConfig::builder()
                .values(pattern)
                .build(),
        )
        .build()
}

#[tokio::test]
async fn load_balancer_listener_rules_and_usage() {
    let (sim, clock) = support::manual_sim(SimConfig::default()).await;
    let client = support::client(&sim).await;
    let vpc = sim.default_vpc_id();
    let blue = support::target_group_on_port(8080, &client, &vpc, "blue").await;
    let green = support::target_group_on_port(8080, &client, &vpc, "green").await;
    let api = support::target_group_on_port(8080, &client, &vpc, "api").await;

    let lb = client
        .create_load_balancer()
        .name("edge")
        .set_subnets(Some(sim.default_subnet_ids()))
        .r#type(LoadBalancerTypeEnum::Application)
        .send()
        .await
        .expect("create load balancer");
    let lb = &lb.load_balancers()[0];
    let lb_arn = lb.load_balancer_arn().unwrap().to_owned();
    assert!(lb_arn.contains(":loadbalancer/app/edge/"), "{lb_arn}");
    assert!(lb.dns_name().unwrap().starts_with("edge-"));
    assert_eq!(
        lb.state().and_then(|s| s.code()),
        Some(&LoadBalancerStateEnum::Provisioning)
    );
    assert_eq!(lb.availability_zones().len(), 3);
    assert!(lb.created_time().is_some());
    clock.advance(Duration::from_secs(10));
    let described = client
        .describe_load_balancers()
        .load_balancer_arns(&lb_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.load_balancers()[0].state().and_then(|s| s.code()),
        Some(&LoadBalancerStateEnum::Active)
    );

    let weighted = Action::builder()
        .r#type(ActionTypeEnum::Forward)
        .forward_config(
            ForwardActionConfig::builder()
                .target_groups(
                    TargetGroupTuple::builder()
                        .target_group_arn(&blue)
                        .weight(90)
                        .build(),
                )
                .target_groups(
                    TargetGroupTuple::builder()
                        .target_group_arn(&green)
                        .weight(10)
                        .build(),
                )
                .build(),
        )
        .build();
    let listener = client
        .create_listener()
        .load_balancer_arn(&lb_arn)
        .protocol(ProtocolEnum::Http)
        .port(80)
        .default_actions(weighted)
        .send()
        .await
        .expect("create listener");
    let listener_arn = listener.listeners()[0].listener_arn().unwrap().to_owned();
    let action = &listener.listeners()[0].default_actions()[0];
    let weights: Vec<(String, Option<i32>)> = action
        .forward_config()
        .unwrap()
        .target_groups()
        .iter()
        .map(|t| (t.target_group_arn().unwrap().to_owned(), t.weight()))
        .collect();
    assert_eq!(
        weights,
        [(blue.clone(), Some(90)), (green.clone(), Some(10))]
    );

    let used = client
        .describe_target_groups()
        .load_balancer_arn(&lb_arn)
        .send()
        .await
        .unwrap();
    let mut names: Vec<&str> = used
        .target_groups()
        .iter()
        .filter_map(|t| t.target_group_name())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["blue", "green"]);
    let blue_desc = client
        .describe_target_groups()
        .target_group_arns(&blue)
        .send()
        .await
        .unwrap();
    assert_eq!(
        blue_desc.target_groups()[0].load_balancer_arns(),
        std::slice::from_ref(&lb_arn)
    );

    let rule = client
        .create_rule()
        .listener_arn(&listener_arn)
        .priority(10)
        .conditions(path("/api/*"))
        .actions(forward(&api))
        .send()
        .await
        .expect("create rule");
    let rule_arn = rule.rules()[0].rule_arn().unwrap().to_owned();
    assert_eq!(rule.rules()[0].priority(), Some("10"));
    let error = client
        .create_rule()
        .listener_arn(&listener_arn)
        .priority(10)
        .conditions(path("/other/*"))
        .actions(forward(&api))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        error.into_service_error(),
        CreateRuleError::PriorityInUseException(_)
    ));

    let rules = client
        .describe_rules()
        .listener_arn(&listener_arn)
        .send()
        .await
        .unwrap();
    let priorities: Vec<&str> = rules.rules().iter().filter_map(|r| r.priority()).collect();
    assert_eq!(priorities, ["10", "default"]);
    let default_rule = rules
        .rules()
        .iter()
        .find(|r| r.is_default() == Some(true))
        .unwrap();
    let error = client
        .delete_rule()
        .rule_arn(default_rule.rule_arn().unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        error.into_service_error(),
        DeleteRuleError::OperationNotPermittedException(_)
    ));
    let moved = client
        .set_rule_priorities()
        .rule_priorities(
            RulePriorityPair::builder()
                .rule_arn(&rule_arn)
                .priority(5)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(moved.rules()[0].priority(), Some("5"));
    let described = client
        .describe_rules()
        .rule_arns(&rule_arn)
        .send()
        .await
        .unwrap();
    let condition = &described.rules()[0].conditions()[0];
    assert_eq!(condition.field(), Some("path-pattern"));
    assert_eq!(
        condition.path_pattern_config().unwrap().values(),
        ["/api/*"]
    );

    let error = client
        .delete_target_group()
        .target_group_arn(&api)
        .send()
        .await
        .unwrap_err();
    let service = error.into_service_error();
    assert!(
        matches!(service, DeleteTargetGroupError::ResourceInUseException(_)),
        "{service:?}"
    );
    assert_eq!(
        service.message().map(str::to_owned),
        Some(format!(
            "Target group '{api}' is currently in use by a listener or a rule"
        ))
    );
    client
        .delete_rule()
        .rule_arn(&rule_arn)
        .send()
        .await
        .unwrap();
    client
        .delete_target_group()
        .target_group_arn(&api)
        .send()
        .await
        .expect("no longer in use");

    client
        .delete_load_balancer()
        .load_balancer_arn(&lb_arn)
        .send()
        .await
        .unwrap();
    let listeners = client
        .describe_listeners()
        .listener_arns(&listener_arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        listeners.into_service_error().code(),
        Some("ListenerNotFound")
    );
    let blue_desc = client
        .describe_target_groups()
        .target_group_arns(&blue)
        .send()
        .await
        .unwrap();
    assert!(blue_desc.target_groups()[0].load_balancer_arns().is_empty());
    // Deleting a load balancer that no longer exists succeeds.
    client
        .delete_load_balancer()
        .load_balancer_arn(&lb_arn)
        .send()
        .await
        .unwrap();
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn tags_round_trip_and_limits() {
    let (sim, _clock) = support::manual_sim(SimConfig::default()).await;
    let client = support::client(&sim).await;
    let arn = support::target_group_on_port(8080, &client, &sim.default_vpc_id(), "tagged").await;
    let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build();
    client
        .add_tags()
        .resource_arns(&arn)
        .tags(tag("elbv2.k8s.aws/cluster", "prod"))
        .tags(tag("owner", "lbgate"))
        .send()
        .await
        .unwrap();
    client
        .remove_tags()
        .resource_arns(&arn)
        .tag_keys("owner")
        .send()
        .await
        .unwrap();
    let described = client
        .describe_tags()
        .resource_arns(&arn)
        .send()
        .await
        .unwrap();
    let tags: Vec<(&str, &str)> = described.tag_descriptions()[0]
        .tags()
        .iter()
        .map(|t| (t.key().unwrap(), t.value().unwrap()))
        .collect();
    assert_eq!(tags, [("elbv2.k8s.aws/cluster", "prod")]);

    let mut too_many = client.add_tags().resource_arns(&arn);
    for i in 0..50 {
        too_many = too_many.tags(tag(&format!("k{i}"), "v"));
    }
    let error = too_many.send().await.unwrap_err();
    assert!(matches!(
        error.into_service_error(),
        AddTagsError::TooManyTagsException(_)
    ));

    let error = client
        .add_tags()
        .resource_arns(&arn)
        .tags(tag("dup", "1"))
        .tags(tag("dup", "2"))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        error.into_service_error(),
        AddTagsError::DuplicateTagKeysException(_)
    ));

    let unknown = arn.replace("/tagged/", "/ghost/");
    let error = client
        .describe_tags()
        .resource_arns(&unknown)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        error.into_service_error(),
        DescribeTagsError::TargetGroupNotFoundException(_)
    ));

    let mut over_limit = client.describe_tags();
    for _ in 0..21 {
        over_limit = over_limit.resource_arns(&arn);
    }
    assert_eq!(
        over_limit
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .code(),
        Some("ValidationError")
    );
    sim.shutdown().await.unwrap();
}
