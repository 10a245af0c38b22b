//! The actions listeners and rules carry.

use std::collections::BTreeMap;

use serde::Serialize;

pub const ACTION_TYPES: &[&str] = &[
    "forward",
    "authenticate-oidc",
    "authenticate-cognito",
    "redirect",
    "fixed-response",
    "jwt-validation",
];

/// One target group of a forward action, with its weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WeightedTargetGroup {
    pub arn: String,
    pub weight: Option<i64>,
}

/// An action of a listener or rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    pub kind: String,
    pub order: Option<i64>,
    pub target_group_arn: Option<String>,
    /// `ForwardConfig.TargetGroups`; when the request named only `TargetGroupArn`, AWS reports
    /// that group here with weight 1.
    pub forward_target_groups: Vec<WeightedTargetGroup>,
    pub stickiness_enabled: Option<bool>,
    pub stickiness_duration_seconds: Option<i64>,
    /// Fields of `FixedResponseConfig` / `RedirectConfig`, echoed back as sent.
    pub config: BTreeMap<String, String>,
}

impl Action {
    /// Whether this action sends traffic to the target group `arn`.
    pub fn forwards_to(&self, tg_arn: &str) -> bool {
        self.kind == "forward"
            && (self.target_group_arn.as_deref() == Some(tg_arn)
                || self.forward_target_groups.iter().any(|t| t.arn == tg_arn))
    }

    pub fn target_group_arns(&self) -> Vec<&str> {
        let mut arns: Vec<&str> = self
            .forward_target_groups
            .iter()
            .map(|t| t.arn.as_str())
            .collect();
        if let Some(arn) = &self.target_group_arn {
            arns.push(arn);
        }
        arns.sort_unstable();
        arns.dedup();
        arns
    }
}
