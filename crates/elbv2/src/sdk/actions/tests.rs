use super::*;

fn round_trip(action: Action) {
    assert_eq!(action_from_sdk(&action_to_sdk(&action)), action);
}

#[test]
fn actions_round_trip() {
    round_trip(Action::forward_to("arn:tg/a"));
    round_trip(Action::Forward {
        target_groups: vec![
            WeightedTargetGroup {
                arn: "arn:tg/a".into(),
                weight: Some(90),
            },
            WeightedTargetGroup {
                arn: "arn:tg/b".into(),
                weight: Some(10),
            },
        ],
        stickiness_seconds: Some(300),
    });
    round_trip(Action::FixedResponse {
        status_code: "404".into(),
        content_type: Some("text/plain".into()),
        message_body: None,
    });
    round_trip(Action::Other {
        action_type: "redirect".into(),
    });
}

#[test]
fn single_forward_uses_the_plain_form() {
    let sdk_action = action_to_sdk(&Action::forward_to("arn:tg/a"));
    assert_eq!(sdk_action.target_group_arn(), Some("arn:tg/a"));
    assert!(sdk_action.forward_config().is_none());
}

#[test]
fn aws_echo_of_a_plain_forward_reads_as_the_plain_forward() {
    let echoed = sdk::Action::builder()
        .r#type(sdk::ActionTypeEnum::Forward)
        .target_group_arn("arn:tg/a")
        .forward_config(
            sdk::ForwardActionConfig::builder()
                .target_groups(
                    sdk::TargetGroupTuple::builder()
                        .target_group_arn("arn:tg/a")
                        .weight(1)
                        .build(),
                )
                .build(),
        )
        .build();
    assert_eq!(action_from_sdk(&echoed), Action::forward_to("arn:tg/a"));
}

#[test]
fn conditions_round_trip() {
    for condition in [
        RuleCondition::PathPattern(vec!["/api/*".into()]),
        RuleCondition::HostHeader(vec!["example.com".into()]),
        RuleCondition::Other {
            field: "source-ip".into(),
            values: vec!["10.0.0.0/8".into()],
        },
    ] {
        assert_eq!(condition_from_sdk(&condition_to_sdk(&condition)), condition);
    }
}

#[test]
fn legacy_values_are_read_when_the_typed_config_is_absent() {
    let legacy = sdk::RuleCondition::builder()
        .field("path-pattern")
        .values("/legacy")
        .build();
    assert_eq!(
        condition_from_sdk(&legacy),
        RuleCondition::PathPattern(vec!["/legacy".into()])
    );
}
