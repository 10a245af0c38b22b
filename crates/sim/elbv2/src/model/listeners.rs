//! Listeners of load balancers.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::super::errors::ApiError;
use super::actions::{ACTION_TYPES, Action};
use super::rules::Rule;
use super::{LoadBalancerType, Model, arn};

/// A listener of a load balancer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listener {
    pub arn: String,
    pub load_balancer_arn: String,
    pub port: Option<u16>,
    pub protocol: Option<String>,
    pub ssl_policy: Option<String>,
    pub certificates: Vec<String>,
    pub alpn_policy: Vec<String>,
    pub default_actions: Vec<Action>,
    pub tags: BTreeMap<String, String>,
}

/// What CreateListener / ModifyListener ask for.
#[derive(Debug, Clone, Default)]
pub struct ListenerInput {
    pub port: Option<i64>,
    pub protocol: Option<String>,
    pub ssl_policy: Option<String>,
    pub certificates: Vec<String>,
    pub alpn_policy: Vec<String>,
    pub default_actions: Option<Vec<Action>>,
}

const ALB_PROTOCOLS: &[&str] = &["HTTP", "HTTPS"];
const NLB_PROTOCOLS: &[&str] = &["TCP", "TLS", "UDP", "TCP_UDP", "QUIC", "TCP_QUIC"];

impl Model {
    /// Checks the actions of a listener or rule on load balancer `lb_arn`: forward targets must
    /// exist, and a target group may serve only one load balancer.
    pub fn check_actions(
        &self,
        lb_arn: &str,
        actions: &[Action],
        now: Duration,
    ) -> Result<(), ApiError> {
        if actions.is_empty() {
            return Err(ApiError::validation(
                "At least one action must be specified",
            ));
        }
        for (index, action) in actions.iter().enumerate() {
            if !ACTION_TYPES.contains(&action.kind.as_str()) {
                return Err(ApiError::not_in_enum(
                    &format!("actions.{}.member.type", index + 1),
                    &action.kind,
                    ACTION_TYPES,
                ));
            }
            if action.kind != "forward" {
                continue;
            }
            let targets = action.target_group_arns();
            if targets.is_empty() {
                return Err(ApiError::validation(
                    "A target group ARN must be specified for forward actions",
                ));
            }
            for tg_arn in targets {
                if !self
                    .target_groups
                    .iter()
                    .any(|tg| tg.arn == tg_arn && tg.visible_at <= now)
                {
                    return Err(ApiError::new(
                        400,
                        "TargetGroupNotFound",
                        format!("Target group '{tg_arn}' not found"),
                    ));
                }
                if self
                    .load_balancers_using(tg_arn)
                    .iter()
                    .any(|other| other != lb_arn)
                {
                    return Err(ApiError::new(
                        400,
                        "TargetGroupAssociationLimit",
                        format!(
                            "The following target groups cannot be associated with more than one load balancer: {tg_arn}"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    fn load_balancer_kind(&self, lb_arn: &str) -> Result<LoadBalancerType, ApiError> {
        self.load_balancers
            .iter()
            .find(|lb| lb.arn == lb_arn)
            .map(|lb| lb.kind)
            .ok_or_else(ApiError::load_balancer_not_found)
    }

    /// CreateListener (idempotent for an identical listener on the same port).
    pub fn create_listener(
        &mut self,
        lb_arn: &str,
        input: &ListenerInput,
        tags: &[(String, Option<String>)],
        now: Duration,
    ) -> Result<Listener, ApiError> {
        self.check_arn(lb_arn, arn::ResourceKind::LoadBalancer, "load balancer")?;
        let kind = self.load_balancer_kind(lb_arn)?;
        let port = input
            .port
            .ok_or_else(|| ApiError::validation("A listener port must be specified"))?;
        let port: u16 = super::target_group::ranged("port", port, 1, 65_535)?;
        let protocol = input
            .protocol
            .clone()
            .ok_or_else(|| ApiError::validation("A listener protocol must be specified"))?;
        check_protocol(kind, &protocol)?;
        let actions = input.default_actions.clone().unwrap_or_default();
        self.check_actions(lb_arn, &actions, now)?;
        super::tags::validate_new(tags)?;
        if let Some(existing) = self
            .listeners
            .iter()
            .find(|l| l.load_balancer_arn == lb_arn && l.port == Some(port))
        {
            let same = existing.protocol.as_deref() == Some(protocol.as_str())
                && existing.default_actions == actions;
            return if same {
                Ok(existing.clone())
            } else {
                Err(ApiError::duplicate_listener())
            };
        }
        let listener_arn = arn::listener(lb_arn, &self.ids.hex16());
        let listener = Listener {
            arn: listener_arn.clone(),
            load_balancer_arn: lb_arn.to_owned(),
            port: Some(port),
            protocol: Some(protocol),
            ssl_policy: input.ssl_policy.clone(),
            certificates: input.certificates.clone(),
            alpn_policy: input.alpn_policy.clone(),
            default_actions: actions.clone(),
            tags: tags
                .iter()
                .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
                .collect(),
        };
        self.listeners.push(listener.clone());
        let rule_arn = arn::rule(&listener_arn, &self.ids.hex16());
        self.rules
            .push(Rule::default_rule(rule_arn, listener_arn, actions));
        self.refresh_usage(now);
        Ok(listener)
    }

    /// ModifyListener: replaces what the request names.
    pub fn modify_listener(
        &mut self,
        listener_arn: &str,
        input: &ListenerInput,
        now: Duration,
    ) -> Result<Listener, ApiError> {
        self.check_arn(listener_arn, arn::ResourceKind::Listener, "listener")?;
        let current = self
            .listeners
            .iter()
            .find(|l| l.arn == listener_arn)
            .cloned()
            .ok_or_else(ApiError::listener_not_found)?;
        let kind = self.load_balancer_kind(&current.load_balancer_arn)?;
        let mut next = current.clone();
        if let Some(port) = input.port {
            let port: u16 = super::target_group::ranged("port", port, 1, 65_535)?;
            if self.listeners.iter().any(|l| {
                l.arn != listener_arn
                    && l.load_balancer_arn == current.load_balancer_arn
                    && l.port == Some(port)
            }) {
                return Err(ApiError::duplicate_listener());
            }
            next.port = Some(port);
        }
        if let Some(protocol) = &input.protocol {
            check_protocol(kind, protocol)?;
            next.protocol = Some(protocol.clone());
        }
        if input.ssl_policy.is_some() {
            next.ssl_policy = input.ssl_policy.clone();
        }
        if !input.certificates.is_empty() {
            next.certificates = input.certificates.clone();
        }
        if let Some(actions) = &input.default_actions {
            self.check_actions(&current.load_balancer_arn, actions, now)?;
            next.default_actions = actions.clone();
            for rule in self
                .rules
                .iter_mut()
                .filter(|r| r.listener_arn == listener_arn && r.is_default)
            {
                rule.actions = actions.clone();
            }
        }
        if let Some(slot) = self.listeners.iter_mut().find(|l| l.arn == listener_arn) {
            *slot = next.clone();
        }
        self.refresh_usage(now);
        Ok(next)
    }

    /// DeleteListener: removes the listener and its rules.
    pub fn delete_listener(&mut self, listener_arn: &str, now: Duration) -> Result<(), ApiError> {
        self.check_arn(listener_arn, arn::ResourceKind::Listener, "listener")?;
        if !self.listeners.iter().any(|l| l.arn == listener_arn) {
            return Err(ApiError::listener_not_found());
        }
        self.listeners.retain(|l| l.arn != listener_arn);
        self.rules.retain(|r| r.listener_arn != listener_arn);
        self.refresh_usage(now);
        Ok(())
    }

    /// DescribeListeners: by load balancer or by ARNs.
    pub fn describe_listeners(
        &self,
        lb_arn: Option<&str>,
        listener_arns: &[String],
    ) -> Result<Vec<&Listener>, ApiError> {
        match (lb_arn, listener_arns.is_empty()) {
            (Some(lb_arn), true) => {
                self.check_arn(lb_arn, arn::ResourceKind::LoadBalancer, "load balancer")?;
                self.load_balancer_kind(lb_arn)?;
                Ok(self
                    .listeners
                    .iter()
                    .filter(|l| l.load_balancer_arn == lb_arn)
                    .collect())
            }
            (None, false) => {
                for arn in listener_arns {
                    self.check_arn(arn, arn::ResourceKind::Listener, "listener")?;
                }
                let found: Vec<&Listener> = self
                    .listeners
                    .iter()
                    .filter(|l| listener_arns.contains(&l.arn))
                    .collect();
                if found.len() < listener_arns.len() {
                    return Err(ApiError::listener_not_found());
                }
                Ok(found)
            }
            _ => Err(ApiError::validation(
                "You must specify either listener ARNs or a load balancer ARN",
            )),
        }
    }
}

fn check_protocol(kind: LoadBalancerType, protocol: &str) -> Result<(), ApiError> {
    let allowed = match kind {
        LoadBalancerType::Application => ALB_PROTOCOLS,
        LoadBalancerType::Network => NLB_PROTOCOLS,
    };
    if allowed.contains(&protocol) {
        Ok(())
    } else {
        Err(ApiError::validation(format!(
            "Listener protocol '{protocol}' must be one of '{}'",
            allowed.join(", ")
        )))
    }
}
