//! Listener/rule actions and rule conditions between our types and the SDK's.

use aws_sdk_elasticloadbalancingv2::types as sdk;

use crate::sdk::{count_from, to_i32};
use crate::types::{Action, RuleCondition, WeightedTargetGroup};

const PATH_PATTERN: &str = "path-pattern";
const HOST_HEADER: &str = "host-header";

pub(crate) fn action_to_sdk(action: &Action) -> sdk::Action {
    match action {
        Action::Forward {
            target_groups,
            stickiness_seconds,
        } => {
            let builder = sdk::Action::builder().r#type(sdk::ActionTypeEnum::Forward);
            // A single unweighted group uses the plain `TargetGroupArn` form, which every ELB
            // API version and simulator understands; anything richer needs `ForwardConfig`.
            if let [single] = target_groups.as_slice()
                && single.weight.is_none()
                && stickiness_seconds.is_none()
            {
                return builder.target_group_arn(&single.arn).build();
            }
            let tuples = target_groups
                .iter()
                .map(|tg| {
                    sdk::TargetGroupTuple::builder()
                        .target_group_arn(&tg.arn)
                        .set_weight(tg.weight.map(to_i32))
                        .build()
                })
                .collect();
            let stickiness = stickiness_seconds.map(|seconds| {
                sdk::TargetGroupStickinessConfig::builder()
                    .enabled(true)
                    .duration_seconds(to_i32(seconds))
                    .build()
            });
            let config = sdk::ForwardActionConfig::builder()
                .set_target_groups(Some(tuples))
                .set_target_group_stickiness_config(stickiness)
                .build();
            builder.forward_config(config).build()
        }
        Action::FixedResponse {
            status_code,
            content_type,
            message_body,
        } => sdk::Action::builder()
            .r#type(sdk::ActionTypeEnum::FixedResponse)
            .fixed_response_config(
                sdk::FixedResponseActionConfig::builder()
                    .status_code(status_code)
                    .set_content_type(content_type.clone())
                    .set_message_body(message_body.clone())
                    .build(),
            )
            .build(),
        Action::Other { action_type } => sdk::Action::builder()
            .r#type(sdk::ActionTypeEnum::from(action_type.as_str()))
            .build(),
    }
}

pub(crate) fn action_from_sdk(action: &sdk::Action) -> Action {
    match action.r#type() {
        Some(sdk::ActionTypeEnum::Forward) => {
            let config = action.forward_config();
            let mut target_groups: Vec<WeightedTargetGroup> = config
                .map(|c| c.target_groups())
                .unwrap_or_default()
                .iter()
                .filter_map(|tuple| {
                    tuple.target_group_arn().map(|arn| WeightedTargetGroup {
                        arn: arn.to_owned(),
                        weight: count_from(tuple.weight()),
                    })
                })
                .collect();
            // AWS echoes a plain `TargetGroupArn` forward as a one-group `ForwardConfig` with
            // weight 1; a weight means nothing with one group, so it reads as unset and a
            // described action compares equal to the one that was sent.
            if let [single] = target_groups.as_mut_slice() {
                single.weight = None;
            }
            if target_groups.is_empty()
                && let Some(arn) = action.target_group_arn()
            {
                target_groups.push(WeightedTargetGroup {
                    arn: arn.to_owned(),
                    weight: None,
                });
            }
            let stickiness_seconds = config
                .and_then(|c| c.target_group_stickiness_config())
                .filter(|s| s.enabled().unwrap_or(false))
                .and_then(|s| count_from(s.duration_seconds()));
            Action::Forward {
                target_groups,
                stickiness_seconds,
            }
        }
        Some(sdk::ActionTypeEnum::FixedResponse) => {
            let config = action.fixed_response_config();
            Action::FixedResponse {
                status_code: config
                    .and_then(|c| c.status_code())
                    .unwrap_or_default()
                    .to_owned(),
                content_type: config.and_then(|c| c.content_type()).map(str::to_owned),
                message_body: config.and_then(|c| c.message_body()).map(str::to_owned),
            }
        }
        other => Action::Other {
            action_type: other.map(|t| t.as_str().to_owned()).unwrap_or_default(),
        },
    }
}

pub(crate) fn condition_to_sdk(condition: &RuleCondition) -> sdk::RuleCondition {
    match condition {
        RuleCondition::PathPattern(values) => sdk::RuleCondition::builder()
            .field(PATH_PATTERN)
            .path_pattern_config(
                sdk::PathPatternConditionConfig::builder()
                    .set_values(Some(values.clone()))
                    .build(),
            )
            .build(),
        RuleCondition::HostHeader(values) => sdk::RuleCondition::builder()
            .field(HOST_HEADER)
            .host_header_config(
                sdk::HostHeaderConditionConfig::builder()
                    .set_values(Some(values.clone()))
                    .build(),
            )
            .build(),
        RuleCondition::Other { field, values } => sdk::RuleCondition::builder()
            .field(field)
            .set_values(Some(values.clone()))
            .build(),
    }
}

pub(crate) fn condition_from_sdk(condition: &sdk::RuleCondition) -> RuleCondition {
    let field = condition.field().unwrap_or_default();
    // AWS echoes the values both in the typed config and in the legacy `Values` list; prefer the
    // typed one and fall back to the list.
    let pick = |typed: Option<&[String]>| -> Vec<String> {
        match typed {
            Some(values) if !values.is_empty() => values.to_vec(),
            _ => condition.values().to_vec(),
        }
    };
    match field {
        PATH_PATTERN => {
            RuleCondition::PathPattern(pick(condition.path_pattern_config().map(|c| c.values())))
        }
        HOST_HEADER => {
            RuleCondition::HostHeader(pick(condition.host_header_config().map(|c| c.values())))
        }
        other => RuleCondition::Other {
            field: other.to_owned(),
            values: condition.values().to_vec(),
        },
    }
}

#[cfg(test)]
mod tests;
