//! Listener and rule actions: CreateListener, DescribeListeners, ModifyListener, DeleteListener,
//! CreateRule, DescribeRules, ModifyRule, DeleteRule, SetRulePriorities.

use std::collections::BTreeMap;
use std::time::Duration;

use super::super::errors::ApiError;
use super::super::model::Model;
use super::super::model::actions::{Action, WeightedTargetGroup};
use super::super::model::listeners::{Listener, ListenerInput};
use super::super::model::rules::{Condition, Rule, RuleInput};
use super::super::query::Params;
use super::super::xml::Xml;
use super::tag_inputs;

const FIXED_RESPONSE_FIELDS: &[&str] = &["MessageBody", "StatusCode", "ContentType"];
const REDIRECT_FIELDS: &[&str] = &["Protocol", "Port", "Host", "Path", "Query", "StatusCode"];

fn actions(params: &Params, prefix: &str) -> Result<Vec<Action>, ApiError> {
    let mut actions = Vec::new();
    for (index, member) in params.members(prefix).into_iter().enumerate() {
        let kind = member.get("Type").ok_or_else(|| {
            ApiError::missing(&format!(
                "{}.{}.member.type",
                super::super::query::lower_first(prefix),
                index + 1
            ))
        })?;
        let forward = member.nested("ForwardConfig");
        let mut forward_target_groups = Vec::new();
        for tuple in forward.members("TargetGroups") {
            if let Some(arn) = tuple.get("TargetGroupArn") {
                forward_target_groups.push(WeightedTargetGroup {
                    arn: arn.to_owned(),
                    weight: tuple.int("Weight")?,
                });
            }
        }
        let target_group_arn = member.get("TargetGroupArn").map(str::to_owned);
        if let (Some(arn), true) = (&target_group_arn, forward_target_groups.is_empty()) {
            forward_target_groups.push(WeightedTargetGroup {
                arn: arn.clone(),
                weight: Some(1),
            });
        }
        let stickiness = forward.nested("TargetGroupStickinessConfig");
        let (config_prefix, fields) = match kind {
            "fixed-response" => ("FixedResponseConfig", FIXED_RESPONSE_FIELDS),
            "redirect" => ("RedirectConfig", REDIRECT_FIELDS),
            _ => ("", &[][..]),
        };
        let nested = member.nested(config_prefix);
        let config: BTreeMap<String, String> = fields
            .iter()
            .filter_map(|field| {
                nested
                    .get(field)
                    .map(|v| ((*field).to_owned(), v.to_owned()))
            })
            .collect();
        let is_forward = kind == "forward";
        actions.push(Action {
            kind: kind.to_owned(),
            order: member.int("Order")?,
            target_group_arn: if is_forward && forward_target_groups.len() == 1 {
                forward_target_groups.first().map(|t| t.arn.clone())
            } else {
                target_group_arn
            },
            stickiness_enabled: if is_forward {
                Some(stickiness.bool("Enabled")?.unwrap_or(false))
            } else {
                None
            },
            stickiness_duration_seconds: stickiness.int("DurationSeconds")?,
            forward_target_groups: if is_forward {
                forward_target_groups
            } else {
                Vec::new()
            },
            config,
        });
    }
    Ok(actions)
}

fn conditions(params: &Params) -> Vec<Condition> {
    params
        .members("Conditions")
        .into_iter()
        .map(|member| {
            let field = member.get("Field").unwrap_or_default().to_owned();
            let config = match field.as_str() {
                "host-header" => "HostHeaderConfig",
                "path-pattern" => "PathPatternConfig",
                "http-header" => "HttpHeaderConfig",
                "http-request-method" => "HttpRequestMethodConfig",
                "source-ip" => "SourceIpConfig",
                _ => "QueryStringConfig",
            };
            let nested = member.nested(config);
            let mut values = member.list("Values");
            values.extend(nested.list("Values"));
            if field == "query-string" {
                values.extend(nested.members("Values").into_iter().map(|kv| {
                    format!(
                        "{}={}",
                        kv.get("Key").unwrap_or_default(),
                        kv.get("Value").unwrap_or_default()
                    )
                }));
            }
            values.dedup();
            Condition {
                field,
                values,
                http_header_name: nested.get("HttpHeaderName").map(str::to_owned),
            }
        })
        .collect()
}

fn listener_input(params: &Params) -> Result<ListenerInput, ApiError> {
    Ok(ListenerInput {
        port: params.int("Port")?,
        protocol: params.get("Protocol").map(str::to_owned),
        ssl_policy: params.get("SslPolicy").map(str::to_owned),
        certificates: params
            .members("Certificates")
            .into_iter()
            .filter_map(|c| c.get("CertificateArn").map(str::to_owned))
            .collect(),
        alpn_policy: params.list("AlpnPolicy"),
        default_actions: if params.has_prefix("DefaultActions") {
            Some(actions(params, "DefaultActions")?)
        } else {
            None
        },
    })
}

pub fn create_listener(
    params: &Params,
    model: &mut Model,
    now: Duration,
) -> Result<String, ApiError> {
    let lb_arn = params.required("LoadBalancerArn")?;
    if !params.has_prefix("DefaultActions") {
        return Err(ApiError::missing("defaultActions"));
    }
    let listener =
        model.create_listener(lb_arn, &listener_input(params)?, &tag_inputs(params), now)?;
    Ok(listeners_xml(&[&listener]))
}

pub fn describe_listeners(
    params: &Params,
    model: &mut Model,
    _now: Duration,
) -> Result<String, ApiError> {
    let listeners =
        model.describe_listeners(params.get("LoadBalancerArn"), &params.list("ListenerArns"))?;
    Ok(listeners_xml(&listeners))
}

pub fn modify_listener(
    params: &Params,
    model: &mut Model,
    now: Duration,
) -> Result<String, ApiError> {
    let listener = model.modify_listener(
        params.required("ListenerArn")?,
        &listener_input(params)?,
        now,
    )?;
    Ok(listeners_xml(&[&listener]))
}

pub fn delete_listener(
    params: &Params,
    model: &mut Model,
    now: Duration,
) -> Result<String, ApiError> {
    model.delete_listener(params.required("ListenerArn")?, now)?;
    Ok(String::new())
}

pub fn create_rule(params: &Params, model: &mut Model, now: Duration) -> Result<String, ApiError> {
    let listener_arn = params.required("ListenerArn")?;
    if !params.has_prefix("Conditions") {
        return Err(ApiError::missing("conditions"));
    }
    let priority = params
        .int("Priority")?
        .ok_or_else(|| ApiError::missing("priority"))?;
    if !params.has_prefix("Actions") {
        return Err(ApiError::missing("actions"));
    }
    let input = RuleInput {
        priority,
        conditions: conditions(params),
        actions: actions(params, "Actions")?,
    };
    let rule = model.create_rule(listener_arn, input, &tag_inputs(params), now)?;
    Ok(rules_xml(&[&rule]))
}

pub fn describe_rules(
    params: &Params,
    model: &mut Model,
    _now: Duration,
) -> Result<String, ApiError> {
    let rules = model.describe_rules(params.get("ListenerArn"), &params.list("RuleArns"))?;
    Ok(rules_xml(&rules))
}

pub fn modify_rule(params: &Params, model: &mut Model, now: Duration) -> Result<String, ApiError> {
    let rule_arn = params.required("RuleArn")?;
    let new_conditions = params.has_prefix("Conditions").then(|| conditions(params));
    let new_actions = if params.has_prefix("Actions") {
        Some(actions(params, "Actions")?)
    } else {
        None
    };
    let rule = model.modify_rule(rule_arn, new_conditions, new_actions, now)?;
    Ok(rules_xml(&[&rule]))
}

pub fn delete_rule(params: &Params, model: &mut Model, now: Duration) -> Result<String, ApiError> {
    model.delete_rule(params.required("RuleArn")?, now)?;
    Ok(String::new())
}

pub fn set_rule_priorities(
    params: &Params,
    model: &mut Model,
    _now: Duration,
) -> Result<String, ApiError> {
    if !params.has_prefix("RulePriorities") {
        return Err(ApiError::missing("rulePriorities"));
    }
    let mut changes = Vec::new();
    for (index, member) in params.members("RulePriorities").into_iter().enumerate() {
        let position = index + 1;
        let arn = member.get("RuleArn").ok_or_else(|| {
            ApiError::missing(&format!("rulePriorities.{position}.member.ruleArn"))
        })?;
        let priority = member.int("Priority")?.ok_or_else(|| {
            ApiError::missing(&format!("rulePriorities.{position}.member.priority"))
        })?;
        changes.push((arn.to_owned(), priority));
    }
    let rules = model.set_rule_priorities(&changes)?;
    let refs: Vec<&Rule> = rules.iter().collect();
    Ok(rules_xml(&refs))
}

fn listeners_xml(listeners: &[&Listener]) -> String {
    let mut xml = Xml::new();
    xml.members("Listeners", listeners, |x, listener| {
        x.leaf("ListenerArn", &listener.arn)
            .leaf("LoadBalancerArn", &listener.load_balancer_arn);
        x.opt_leaf("Port", listener.port.map(|p| p.to_string()).as_deref());
        x.opt_leaf("Protocol", listener.protocol.as_deref());
        if !listener.certificates.is_empty() {
            x.members("Certificates", &listener.certificates, |x, arn| {
                x.leaf("CertificateArn", arn);
            });
        }
        x.opt_leaf("SslPolicy", listener.ssl_policy.as_deref());
        write_actions(x, "DefaultActions", &listener.default_actions);
        if !listener.alpn_policy.is_empty() {
            x.members("AlpnPolicy", &listener.alpn_policy, |x, policy| {
                x.text(policy);
            });
        }
    });
    xml.finish()
}

fn rules_xml(rules: &[&Rule]) -> String {
    let mut xml = Xml::new();
    xml.members("Rules", rules, |x, rule| {
        x.leaf("RuleArn", &rule.arn)
            .leaf("Priority", &rule.priority_text());
        x.members("Conditions", &rule.conditions, write_condition);
        write_actions(x, "Actions", &rule.actions);
        x.leaf("IsDefault", &rule.is_default.to_string());
    });
    xml.finish()
}

fn write_condition(xml: &mut Xml, condition: &Condition) {
    xml.leaf("Field", &condition.field);
    let values = |x: &mut Xml| {
        x.members("Values", &condition.values, |x, value| {
            x.text(value);
        });
    };
    if matches!(condition.field.as_str(), "host-header" | "path-pattern") {
        values(xml);
    }
    let config = match condition.field.as_str() {
        "host-header" => "HostHeaderConfig",
        "path-pattern" => "PathPatternConfig",
        "http-header" => "HttpHeaderConfig",
        "http-request-method" => "HttpRequestMethodConfig",
        "source-ip" => "SourceIpConfig",
        _ => return,
    };
    xml.element(config, |x| {
        x.opt_leaf("HttpHeaderName", condition.http_header_name.as_deref());
        values(x);
    });
}

fn write_actions(xml: &mut Xml, tag: &str, actions: &[Action]) {
    xml.members(tag, actions, |x, action| {
        x.leaf("Type", &action.kind);
        x.opt_leaf("TargetGroupArn", action.target_group_arn.as_deref());
        x.opt_leaf("Order", action.order.map(|o| o.to_string()).as_deref());
        let (config_tag, fields) = match action.kind.as_str() {
            "fixed-response" => ("FixedResponseConfig", FIXED_RESPONSE_FIELDS),
            "redirect" => ("RedirectConfig", REDIRECT_FIELDS),
            _ => ("", &[][..]),
        };
        if !config_tag.is_empty() {
            x.element(config_tag, |x| {
                for field in fields {
                    x.opt_leaf(field, action.config.get(*field).map(String::as_str));
                }
            });
        }
        if action.kind == "forward" {
            x.element("ForwardConfig", |x| {
                x.members("TargetGroups", &action.forward_target_groups, |x, tuple| {
                    x.leaf("TargetGroupArn", &tuple.arn);
                    x.opt_leaf("Weight", tuple.weight.map(|w| w.to_string()).as_deref());
                });
                x.element("TargetGroupStickinessConfig", |x| {
                    x.leaf(
                        "Enabled",
                        &action.stickiness_enabled.unwrap_or(false).to_string(),
                    );
                    x.opt_leaf(
                        "DurationSeconds",
                        action
                            .stickiness_duration_seconds
                            .map(|d| d.to_string())
                            .as_deref(),
                    );
                });
            });
        }
    });
}
