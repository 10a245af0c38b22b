//! The fake's tags, load balancers, listeners and rules.

use std::collections::BTreeMap;

use crate::batch::{TAG_ARNS_PER_CALL, TAG_MUTATION_ARNS_PER_CALL};
use crate::operation::Operation;
use crate::port::ApiFuture;
use crate::requests::{
    CallOptions, CreateListenerSpec, CreateRuleSpec, ListenerQuery, LoadBalancerQuery,
    ModifyListenerSpec, ModifyRuleSpec, RuleQuery,
};
use crate::testing::groups::{MAX_TAGS, ONE_RESOURCE, check_target_groups_exist, tg_not_found};
use crate::testing::{FakeElbv2, aws_error};
use crate::types::{Listener, LoadBalancer, Rule, Tag};

impl FakeElbv2 {
    pub(super) fn fake_add_tags(
        &self,
        resource_arns: Vec<String>,
        tags: Vec<Tag>,
        _opts: CallOptions,
    ) -> ApiFuture<'_, ()> {
        Box::pin(async move {
            const OP: Operation = Operation::AddTags;
            self.enter(OP).await?;
            let mut state = self.state();
            if resource_arns.len() > TAG_MUTATION_ARNS_PER_CALL {
                return Err(aws_error(OP, "ValidationError", ONE_RESOURCE));
            }
            for arn in &resource_arns {
                let mut merged = state.tags.get(arn).cloned().unwrap_or_default();
                merged.extend(tags.iter().map(|t| (t.key.clone(), t.value.clone())));
                if merged.len() > MAX_TAGS {
                    return Err(aws_error(
                        OP,
                        "TooManyTags",
                        "You've reached the limit on the number of tags for this resource",
                    ));
                }
                if arn.contains(":targetgroup/") && !state.target_groups.contains_key(arn) {
                    return Err(tg_not_found(OP));
                }
                state.tags.insert(arn.clone(), merged);
            }
            Ok(())
        })
    }

    pub(super) fn fake_remove_tags(
        &self,
        resource_arns: Vec<String>,
        tag_keys: Vec<String>,
        _opts: CallOptions,
    ) -> ApiFuture<'_, ()> {
        Box::pin(async move {
            self.enter(Operation::RemoveTags).await?;
            let mut state = self.state();
            if resource_arns.len() > TAG_MUTATION_ARNS_PER_CALL {
                return Err(aws_error(
                    Operation::RemoveTags,
                    "ValidationError",
                    ONE_RESOURCE,
                ));
            }
            for arn in &resource_arns {
                if let Some(tags) = state.tags.get_mut(arn) {
                    tags.retain(|key, _| !tag_keys.contains(key));
                }
            }
            Ok(())
        })
    }

    pub(super) fn fake_describe_tags(
        &self,
        resource_arns: Vec<String>,
        _opts: CallOptions,
    ) -> ApiFuture<'_, BTreeMap<String, Vec<Tag>>> {
        Box::pin(async move {
            const OP: Operation = Operation::DescribeTags;
            self.enter(OP).await?;
            let state = self.state();
            if resource_arns.len() > TAG_ARNS_PER_CALL {
                return Err(aws_error(
                    OP,
                    "ValidationError",
                    "Up to 20 resources can be described",
                ));
            }
            let mut out = BTreeMap::new();
            for arn in resource_arns {
                if arn.contains(":targetgroup/") && !state.target_groups.contains_key(&arn) {
                    return Err(tg_not_found(OP));
                }
                let tags = state
                    .tags
                    .get(&arn)
                    .map(|tags| tags.iter().map(|(k, v)| Tag::new(k, v)).collect())
                    .unwrap_or_default();
                out.insert(arn, tags);
            }
            Ok(out)
        })
    }

    pub(super) fn fake_describe_load_balancers(
        &self,
        query: LoadBalancerQuery,
        _opts: CallOptions,
    ) -> ApiFuture<'_, Vec<LoadBalancer>> {
        Box::pin(async move {
            const OP: Operation = Operation::DescribeLoadBalancers;
            self.enter(OP).await?;
            let state = self.state();
            let all = state.load_balancers.values();
            let wanted = match query {
                LoadBalancerQuery::All => return Ok(all.cloned().collect()),
                LoadBalancerQuery::Arns(list) | LoadBalancerQuery::Names(list) => list,
            };
            let found: Vec<LoadBalancer> = all
                .filter(|lb| wanted.contains(&lb.arn) || wanted.contains(&lb.name))
                .cloned()
                .collect();
            if found.len() < wanted.len() {
                return Err(aws_error(
                    OP,
                    "LoadBalancerNotFound",
                    "One or more load balancers not found",
                ));
            }
            Ok(found)
        })
    }

    pub(super) fn fake_describe_listeners(
        &self,
        query: ListenerQuery,
        _opts: CallOptions,
    ) -> ApiFuture<'_, Vec<Listener>> {
        Box::pin(async move {
            const OP: Operation = Operation::DescribeListeners;
            self.enter(OP).await?;
            let state = self.state();
            match query {
                ListenerQuery::LoadBalancer(lb) => {
                    if !state.load_balancers.contains_key(&lb) {
                        return Err(aws_error(
                            OP,
                            "LoadBalancerNotFound",
                            "One or more load balancers not found",
                        ));
                    }
                    Ok(state
                        .listeners
                        .values()
                        .filter(|l| l.load_balancer_arn.as_deref() == Some(lb.as_str()))
                        .cloned()
                        .collect())
                }
                ListenerQuery::Arns(arns) => arns
                    .iter()
                    .map(|arn| {
                        state.listeners.get(arn).cloned().ok_or_else(|| {
                            aws_error(OP, "ListenerNotFound", "One or more listeners not found")
                        })
                    })
                    .collect(),
            }
        })
    }

    pub(super) fn fake_describe_rules(
        &self,
        query: RuleQuery,
        _opts: CallOptions,
    ) -> ApiFuture<'_, Vec<Rule>> {
        Box::pin(async move {
            const OP: Operation = Operation::DescribeRules;
            self.enter(OP).await?;
            let state = self.state();
            match query {
                RuleQuery::Listener(listener) => {
                    if !state.listeners.contains_key(&listener) {
                        return Err(aws_error(
                            OP,
                            "ListenerNotFound",
                            "One or more listeners not found",
                        ));
                    }
                    Ok(state
                        .rules
                        .values()
                        .filter(|(l, _)| *l == listener)
                        .map(|(_, r)| r.clone())
                        .collect())
                }
                RuleQuery::Arns(arns) => arns
                    .iter()
                    .map(|arn| {
                        state.rules.get(arn).map(|(_, r)| r.clone()).ok_or_else(|| {
                            aws_error(OP, "RuleNotFound", "One or more rules not found")
                        })
                    })
                    .collect(),
            }
        })
    }

    pub(super) fn fake_create_listener(
        &self,
        spec: CreateListenerSpec,
        _opts: CallOptions,
    ) -> ApiFuture<'_, Listener> {
        Box::pin(async move {
            const OP: Operation = Operation::CreateListener;
            self.enter(OP).await?;
            let mut state = self.state();
            let Some(lb_name) = state
                .load_balancers
                .get(&spec.load_balancer_arn)
                .map(|lb| lb.name.clone())
            else {
                return Err(aws_error(
                    OP,
                    "LoadBalancerNotFound",
                    "One or more load balancers not found",
                ));
            };
            check_target_groups_exist(&state, OP, &spec.default_actions)?;
            let arn = state.arn(&format!("listener/app/{lb_name}"));
            let listener = Listener {
                arn: arn.clone(),
                load_balancer_arn: Some(spec.load_balancer_arn),
                port: spec.port,
                protocol: spec.protocol,
                default_actions: spec.default_actions.clone(),
            };
            let default_rule = Rule {
                arn: state.arn(&format!("listener-rule/app/{lb_name}")),
                priority: "default".into(),
                is_default: true,
                conditions: Vec::new(),
                actions: spec.default_actions,
            };
            state
                .rules
                .insert(default_rule.arn.clone(), (arn.clone(), default_rule));
            state.listeners.insert(arn, listener.clone());
            state.relink();
            Ok(listener)
        })
    }

    pub(super) fn fake_modify_listener(
        &self,
        spec: ModifyListenerSpec,
        _opts: CallOptions,
    ) -> ApiFuture<'_, Listener> {
        Box::pin(async move {
            const OP: Operation = Operation::ModifyListener;
            self.enter(OP).await?;
            let mut state = self.state();
            if let Some(actions) = &spec.default_actions {
                check_target_groups_exist(&state, OP, actions)?;
            }
            let listener = state.listeners.get_mut(&spec.listener_arn).ok_or_else(|| {
                aws_error(OP, "ListenerNotFound", "One or more listeners not found")
            })?;
            listener.port = spec.port.or(listener.port);
            listener.protocol = spec.protocol.or(listener.protocol.take());
            if let Some(actions) = spec.default_actions {
                listener.default_actions = actions;
            }
            let listener = listener.clone();
            for (owner, rule) in state.rules.values_mut() {
                if *owner == listener.arn && rule.is_default {
                    rule.actions = listener.default_actions.clone();
                }
            }
            state.relink();
            Ok(listener)
        })
    }

    pub(super) fn fake_delete_listener(
        &self,
        listener_arn: String,
        _opts: CallOptions,
    ) -> ApiFuture<'_, ()> {
        Box::pin(async move {
            const OP: Operation = Operation::DeleteListener;
            self.enter(OP).await?;
            let mut state = self.state();
            if state.listeners.remove(&listener_arn).is_none() {
                return Err(aws_error(
                    OP,
                    "ListenerNotFound",
                    "One or more listeners not found",
                ));
            }
            state
                .rules
                .retain(|_, (listener, _)| *listener != listener_arn);
            state.relink();
            Ok(())
        })
    }

    pub(super) fn fake_create_rule(
        &self,
        spec: CreateRuleSpec,
        _opts: CallOptions,
    ) -> ApiFuture<'_, Rule> {
        Box::pin(async move {
            const OP: Operation = Operation::CreateRule;
            self.enter(OP).await?;
            let mut state = self.state();
            if !state.listeners.contains_key(&spec.listener_arn) {
                return Err(aws_error(
                    OP,
                    "ListenerNotFound",
                    "One or more listeners not found",
                ));
            }
            let priority = spec.priority.to_string();
            if state
                .rules
                .values()
                .any(|(l, r)| *l == spec.listener_arn && r.priority == priority)
            {
                return Err(aws_error(
                    OP,
                    "PriorityInUse",
                    format!("Priority '{priority}' is currently in use"),
                ));
            }
            check_target_groups_exist(&state, OP, &spec.actions)?;
            let rule = Rule {
                arn: state.arn("listener-rule/app/fake"),
                priority,
                is_default: false,
                conditions: spec.conditions,
                actions: spec.actions,
            };
            state
                .rules
                .insert(rule.arn.clone(), (spec.listener_arn, rule.clone()));
            state.relink();
            Ok(rule)
        })
    }

    pub(super) fn fake_modify_rule(
        &self,
        spec: ModifyRuleSpec,
        _opts: CallOptions,
    ) -> ApiFuture<'_, Rule> {
        Box::pin(async move {
            const OP: Operation = Operation::ModifyRule;
            self.enter(OP).await?;
            let mut state = self.state();
            if let Some(actions) = &spec.actions {
                check_target_groups_exist(&state, OP, actions)?;
            }
            let (_, rule) = state
                .rules
                .get_mut(&spec.rule_arn)
                .ok_or_else(|| aws_error(OP, "RuleNotFound", "One or more rules not found"))?;
            if let Some(conditions) = spec.conditions {
                rule.conditions = conditions;
            }
            if let Some(actions) = spec.actions {
                rule.actions = actions;
            }
            let rule = rule.clone();
            state.relink();
            Ok(rule)
        })
    }

    pub(super) fn fake_delete_rule(
        &self,
        rule_arn: String,
        _opts: CallOptions,
    ) -> ApiFuture<'_, ()> {
        Box::pin(async move {
            const OP: Operation = Operation::DeleteRule;
            self.enter(OP).await?;
            let mut state = self.state();
            if state.rules.remove(&rule_arn).is_none() {
                return Err(aws_error(OP, "RuleNotFound", "One or more rules not found"));
            }
            state.relink();
            Ok(())
        })
    }
}
