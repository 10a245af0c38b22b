//! Listener rules: conditions, priorities, the default rule.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::super::errors::ApiError;
use super::actions::Action;
use super::{Model, arn};

pub const CONDITION_FIELDS: &[&str] = &[
    "http-header",
    "http-request-method",
    "host-header",
    "path-pattern",
    "query-string",
    "source-ip",
];

/// One rule condition. Values sent as `Values` or inside `HostHeaderConfig` / `PathPatternConfig`
/// (and the other `*Config` structures) are kept in `values`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    pub field: String,
    pub values: Vec<String>,
    /// `HttpHeaderConfig.HttpHeaderName`.
    pub http_header_name: Option<String>,
}

/// A listener rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub arn: String,
    pub listener_arn: String,
    /// `None` for the default rule.
    pub priority: Option<u32>,
    pub is_default: bool,
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
    pub tags: BTreeMap<String, String>,
}

impl Rule {
    /// The rule every listener has: priority "default", the listener's default actions.
    pub fn default_rule(arn: String, listener_arn: String, actions: Vec<Action>) -> Self {
        Self {
            arn,
            listener_arn,
            priority: None,
            is_default: true,
            conditions: Vec::new(),
            actions,
            tags: BTreeMap::new(),
        }
    }

    /// The wire form of the priority: a number, or `default`.
    pub fn priority_text(&self) -> String {
        self.priority
            .map_or_else(|| "default".to_owned(), |p| p.to_string())
    }
}

fn check_conditions(conditions: &[Condition]) -> Result<(), ApiError> {
    if conditions.is_empty() {
        return Err(ApiError::validation(
            "A rule must have at least one condition",
        ));
    }
    for condition in conditions {
        if !CONDITION_FIELDS.contains(&condition.field.as_str()) {
            return Err(ApiError::validation(format!(
                "Condition field '{}' must be one of '[{}]'",
                condition.field,
                CONDITION_FIELDS.join(",")
            )));
        }
        if condition.values.is_empty() {
            return Err(ApiError::validation("A condition value must be specified"));
        }
    }
    Ok(())
}

/// What CreateRule asks for, as the Query parameters give it (checked by
/// [`Model::create_rule`]).
#[derive(Debug, Clone)]
pub struct RuleInput {
    pub priority: i64,
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
}

impl Model {
    fn listener_load_balancer(&self, listener_arn: &str) -> Result<String, ApiError> {
        self.check_arn(listener_arn, arn::ResourceKind::Listener, "listener")?;
        self.listeners
            .iter()
            .find(|l| l.arn == listener_arn)
            .map(|l| l.load_balancer_arn.clone())
            .ok_or_else(ApiError::listener_not_found)
    }

    fn rule_index(&self, rule_arn: &str) -> Result<usize, ApiError> {
        self.check_arn(rule_arn, arn::ResourceKind::Rule, "rule")?;
        self.rules
            .iter()
            .position(|r| r.arn == rule_arn)
            .ok_or_else(ApiError::rule_not_found)
    }

    /// CreateRule.
    pub fn create_rule(
        &mut self,
        listener_arn: &str,
        input: RuleInput,
        tags: &[(String, Option<String>)],
        now: Duration,
    ) -> Result<Rule, ApiError> {
        let RuleInput {
            priority,
            conditions,
            actions,
        } = input;
        let lb_arn = self.listener_load_balancer(listener_arn)?;
        let priority: u32 = super::target_group::ranged("priority", priority, 1, 50_000)?;
        check_conditions(&conditions)?;
        self.check_actions(&lb_arn, &actions, now)?;
        super::tags::validate_new(tags)?;
        if self
            .rules
            .iter()
            .any(|r| r.listener_arn == listener_arn && r.priority == Some(priority))
        {
            return Err(ApiError::priority_in_use(&priority.to_string()));
        }
        let rule = Rule {
            arn: arn::rule(listener_arn, &self.ids.hex16()),
            listener_arn: listener_arn.to_owned(),
            priority: Some(priority),
            is_default: false,
            conditions,
            actions,
            tags: tags
                .iter()
                .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
                .collect(),
        };
        self.rules.push(rule.clone());
        self.refresh_usage(now);
        Ok(rule)
    }

    /// ModifyRule: replaces the conditions and/or actions sent.
    pub fn modify_rule(
        &mut self,
        rule_arn: &str,
        conditions: Option<Vec<Condition>>,
        actions: Option<Vec<Action>>,
        now: Duration,
    ) -> Result<Rule, ApiError> {
        let index = self.rule_index(rule_arn)?;
        let listener_arn = self
            .rules
            .get(index)
            .map(|r| r.listener_arn.clone())
            .unwrap_or_default();
        let lb_arn = self.listener_load_balancer(&listener_arn)?;
        if let Some(conditions) = &conditions {
            check_conditions(conditions)?;
        }
        if let Some(actions) = &actions {
            self.check_actions(&lb_arn, actions, now)?;
        }
        let rule = self
            .rules
            .get_mut(index)
            .ok_or_else(ApiError::rule_not_found)?;
        if let Some(conditions) = conditions {
            if rule.is_default {
                return Err(ApiError::operation_not_permitted(
                    "The default rule's conditions cannot be modified",
                ));
            }
            rule.conditions = conditions;
        }
        if let Some(actions) = actions {
            rule.actions = actions.clone();
            if rule.is_default {
                let listener_arn = rule.listener_arn.clone();
                if let Some(listener) = self.listeners.iter_mut().find(|l| l.arn == listener_arn) {
                    listener.default_actions = actions;
                }
            }
        }
        let updated = self
            .rules
            .get(index)
            .cloned()
            .ok_or_else(ApiError::rule_not_found)?;
        self.refresh_usage(now);
        Ok(updated)
    }

    /// DeleteRule; the default rule cannot be deleted.
    pub fn delete_rule(&mut self, rule_arn: &str, now: Duration) -> Result<(), ApiError> {
        let index = self.rule_index(rule_arn)?;
        if self.rules.get(index).is_some_and(|r| r.is_default) {
            return Err(ApiError::operation_not_permitted(format!(
                "Default rule '{rule_arn}' cannot be deleted"
            )));
        }
        self.rules.remove(index);
        self.refresh_usage(now);
        Ok(())
    }

    /// SetRulePriorities: all changes or none.
    pub fn set_rule_priorities(
        &mut self,
        changes: &[(String, i64)],
    ) -> Result<Vec<Rule>, ApiError> {
        let mut planned: Vec<(usize, u32)> = Vec::with_capacity(changes.len());
        for (position, (rule_arn, priority)) in changes.iter().enumerate() {
            let index = self.rule_index(rule_arn)?;
            let member = format!("rulePriorities.{}.member.priority", position + 1);
            let priority: u32 = super::target_group::ranged(&member, *priority, 1, 50_000)?;
            if self.rules.get(index).is_some_and(|r| r.is_default) {
                return Err(ApiError::operation_not_permitted(format!(
                    "Default rule '{rule_arn}' priority cannot be modified"
                )));
            }
            if planned.iter().any(|&(_, p)| p == priority) {
                return Err(ApiError::validation(format!(
                    "Priority '{priority}' was provided multiple times"
                )));
            }
            planned.push((index, priority));
        }
        for &(index, priority) in &planned {
            let Some(listener_arn) = self.rules.get(index).map(|r| r.listener_arn.clone()) else {
                continue;
            };
            let taken = self.rules.iter().enumerate().any(|(other, r)| {
                other != index
                    && r.listener_arn == listener_arn
                    && r.priority == Some(priority)
                    && !planned.iter().any(|&(moved, _)| moved == other)
            });
            if taken {
                return Err(ApiError::priority_in_use(&priority.to_string()));
            }
        }
        let mut updated = Vec::with_capacity(planned.len());
        for (index, priority) in planned {
            if let Some(rule) = self.rules.get_mut(index) {
                rule.priority = Some(priority);
                updated.push(rule.clone());
            }
        }
        Ok(updated)
    }

    /// DescribeRules: by listener (priority order, default last) or by ARNs.
    pub fn describe_rules(
        &self,
        listener_arn: Option<&str>,
        rule_arns: &[String],
    ) -> Result<Vec<&Rule>, ApiError> {
        let mut rules: Vec<&Rule> = match (listener_arn, rule_arns.is_empty()) {
            (Some(listener_arn), true) => {
                self.listener_load_balancer(listener_arn)?;
                self.rules
                    .iter()
                    .filter(|r| r.listener_arn == listener_arn)
                    .collect()
            }
            (None, false) => {
                for arn in rule_arns {
                    self.check_arn(arn, arn::ResourceKind::Rule, "rule")?;
                }
                let found: Vec<&Rule> = self
                    .rules
                    .iter()
                    .filter(|r| rule_arns.contains(&r.arn))
                    .collect();
                if found.len() < rule_arns.len() {
                    return Err(ApiError::rule_not_found());
                }
                found
            }
            _ => {
                return Err(ApiError::validation(
                    "You must specify either listener ARNs or rule ARNs",
                ));
            }
        };
        rules.sort_by_key(|r| r.priority.unwrap_or(u32::MAX));
        Ok(rules)
    }
}
