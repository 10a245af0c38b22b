//! Load balancers, listeners and rules: describe (paginated), create / modify / delete.

use aws_sdk_elasticloadbalancingv2::types as sdk;

use crate::error::Elbv2Error;
use crate::operation::Operation;
use crate::requests::{
    CreateListenerSpec, CreateRuleSpec, ListenerQuery, LoadBalancerQuery, ModifyListenerSpec,
    ModifyRuleSpec, RuleQuery,
};
use crate::sdk::actions::{action_from_sdk, action_to_sdk, condition_from_sdk, condition_to_sdk};
use crate::sdk::errors::map_sdk_error;
use crate::sdk::{SdkElbv2, missing, paginate, port_from, to_i32};
use crate::types::{Listener, LoadBalancer, LoadBalancerState, LoadBalancerType, Protocol, Rule};

fn load_balancer_from_sdk(
    operation: Operation,
    lb: &sdk::LoadBalancer,
) -> Result<LoadBalancer, Elbv2Error> {
    Ok(LoadBalancer {
        arn: lb
            .load_balancer_arn()
            .ok_or_else(|| missing(operation, "LoadBalancerArn"))?
            .to_owned(),
        name: lb.load_balancer_name().unwrap_or_default().to_owned(),
        lb_type: lb.r#type().map(|t| LoadBalancerType::from_wire(t.as_str())),
        dns_name: lb.dns_name().map(str::to_owned),
        state: lb
            .state()
            .and_then(|s| s.code())
            .map(|code| LoadBalancerState::from_wire(code.as_str())),
        vpc_id: lb.vpc_id().map(str::to_owned),
    })
}

fn listener_from_sdk(
    operation: Operation,
    listener: &sdk::Listener,
) -> Result<Listener, Elbv2Error> {
    Ok(Listener {
        arn: listener
            .listener_arn()
            .ok_or_else(|| missing(operation, "ListenerArn"))?
            .to_owned(),
        load_balancer_arn: listener.load_balancer_arn().map(str::to_owned),
        port: port_from(listener.port()),
        protocol: listener.protocol().map(|p| Protocol::from_wire(p.as_str())),
        default_actions: listener
            .default_actions()
            .iter()
            .map(action_from_sdk)
            .collect(),
    })
}

fn rule_from_sdk(operation: Operation, rule: &sdk::Rule) -> Result<Rule, Elbv2Error> {
    Ok(Rule {
        arn: rule
            .rule_arn()
            .ok_or_else(|| missing(operation, "RuleArn"))?
            .to_owned(),
        priority: rule.priority().unwrap_or_default().to_owned(),
        is_default: rule.is_default().unwrap_or(false),
        conditions: rule.conditions().iter().map(condition_from_sdk).collect(),
        actions: rule.actions().iter().map(action_from_sdk).collect(),
    })
}

fn certificates(arns: &[String]) -> Vec<sdk::Certificate> {
    arns.iter()
        .map(|arn| sdk::Certificate::builder().certificate_arn(arn).build())
        .collect()
}

fn first_listener(
    operation: Operation,
    listeners: &[sdk::Listener],
) -> Result<Listener, Elbv2Error> {
    let listener = listeners
        .first()
        .ok_or_else(|| missing(operation, "Listeners.member.1"))?;
    listener_from_sdk(operation, listener)
}

fn first_rule(operation: Operation, rules: &[sdk::Rule]) -> Result<Rule, Elbv2Error> {
    let rule = rules
        .first()
        .ok_or_else(|| missing(operation, "Rules.member.1"))?;
    rule_from_sdk(operation, rule)
}

impl SdkElbv2 {
    pub(crate) async fn sdk_describe_load_balancers(
        &self,
        query: LoadBalancerQuery,
    ) -> Result<Vec<LoadBalancer>, Elbv2Error> {
        const OP: Operation = Operation::DescribeLoadBalancers;
        match &query {
            LoadBalancerQuery::Arns(list) | LoadBalancerQuery::Names(list) if list.is_empty() => {
                return Ok(Vec::new());
            }
            _ => {}
        }
        paginate(OP, |marker| {
            let mut request = self
                .client
                .describe_load_balancers()
                .page_size(self.page_size)
                .set_marker(marker);
            request = match &query {
                LoadBalancerQuery::All => request,
                LoadBalancerQuery::Arns(arns) => request.set_load_balancer_arns(Some(arns.clone())),
                LoadBalancerQuery::Names(names) => request.set_names(Some(names.clone())),
            };
            async move {
                let output = request.send().await.map_err(|e| map_sdk_error(OP, e))?;
                let page = output
                    .load_balancers()
                    .iter()
                    .map(|lb| load_balancer_from_sdk(OP, lb))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((page, output.next_marker().map(str::to_owned)))
            }
        })
        .await
    }

    pub(crate) async fn sdk_describe_listeners(
        &self,
        query: ListenerQuery,
    ) -> Result<Vec<Listener>, Elbv2Error> {
        const OP: Operation = Operation::DescribeListeners;
        if matches!(&query, ListenerQuery::Arns(list) if list.is_empty()) {
            return Ok(Vec::new());
        }
        paginate(OP, |marker| {
            let mut request = self
                .client
                .describe_listeners()
                .page_size(self.page_size)
                .set_marker(marker);
            request = match &query {
                ListenerQuery::LoadBalancer(arn) => request.load_balancer_arn(arn),
                ListenerQuery::Arns(arns) => request.set_listener_arns(Some(arns.clone())),
            };
            async move {
                let output = request.send().await.map_err(|e| map_sdk_error(OP, e))?;
                let page = output
                    .listeners()
                    .iter()
                    .map(|l| listener_from_sdk(OP, l))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((page, output.next_marker().map(str::to_owned)))
            }
        })
        .await
    }

    pub(crate) async fn sdk_describe_rules(
        &self,
        query: RuleQuery,
    ) -> Result<Vec<Rule>, Elbv2Error> {
        const OP: Operation = Operation::DescribeRules;
        if matches!(&query, RuleQuery::Arns(list) if list.is_empty()) {
            return Ok(Vec::new());
        }
        paginate(OP, |marker| {
            let mut request = self
                .client
                .describe_rules()
                .page_size(self.page_size)
                .set_marker(marker);
            request = match &query {
                RuleQuery::Listener(arn) => request.listener_arn(arn),
                RuleQuery::Arns(arns) => request.set_rule_arns(Some(arns.clone())),
            };
            async move {
                let output = request.send().await.map_err(|e| map_sdk_error(OP, e))?;
                let page = output
                    .rules()
                    .iter()
                    .map(|r| rule_from_sdk(OP, r))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((page, output.next_marker().map(str::to_owned)))
            }
        })
        .await
    }

    pub(crate) async fn sdk_create_listener(
        &self,
        spec: CreateListenerSpec,
    ) -> Result<Listener, Elbv2Error> {
        const OP: Operation = Operation::CreateListener;
        let certs = certificates(&spec.certificate_arns);
        let output = self
            .client
            .create_listener()
            .load_balancer_arn(spec.load_balancer_arn)
            .set_protocol(spec.protocol.map(|p| sdk::ProtocolEnum::from(p.as_str())))
            .set_port(spec.port.map(i32::from))
            .set_ssl_policy(spec.ssl_policy)
            .set_certificates((!certs.is_empty()).then_some(certs))
            .set_default_actions(Some(
                spec.default_actions.iter().map(action_to_sdk).collect(),
            ))
            .send()
            .await
            .map_err(|e| map_sdk_error(OP, e))?;
        first_listener(OP, output.listeners())
    }

    pub(crate) async fn sdk_modify_listener(
        &self,
        spec: ModifyListenerSpec,
    ) -> Result<Listener, Elbv2Error> {
        const OP: Operation = Operation::ModifyListener;
        let output = self
            .client
            .modify_listener()
            .listener_arn(spec.listener_arn)
            .set_protocol(spec.protocol.map(|p| sdk::ProtocolEnum::from(p.as_str())))
            .set_port(spec.port.map(i32::from))
            .set_ssl_policy(spec.ssl_policy)
            .set_certificates(spec.certificate_arns.as_deref().map(certificates))
            .set_default_actions(
                spec.default_actions
                    .as_ref()
                    .map(|actions| actions.iter().map(action_to_sdk).collect()),
            )
            .send()
            .await
            .map_err(|e| map_sdk_error(OP, e))?;
        first_listener(OP, output.listeners())
    }

    pub(crate) async fn sdk_delete_listener(&self, listener_arn: String) -> Result<(), Elbv2Error> {
        const OP: Operation = Operation::DeleteListener;
        self.client
            .delete_listener()
            .listener_arn(listener_arn)
            .send()
            .await
            .map_err(|e| map_sdk_error(OP, e))?;
        Ok(())
    }

    pub(crate) async fn sdk_create_rule(&self, spec: CreateRuleSpec) -> Result<Rule, Elbv2Error> {
        const OP: Operation = Operation::CreateRule;
        let output = self
            .client
            .create_rule()
            .listener_arn(spec.listener_arn)
            .priority(to_i32(spec.priority))
            .set_conditions(Some(spec.conditions.iter().map(condition_to_sdk).collect()))
            .set_actions(Some(spec.actions.iter().map(action_to_sdk).collect()))
            .send()
            .await
            .map_err(|e| map_sdk_error(OP, e))?;
        first_rule(OP, output.rules())
    }

    pub(crate) async fn sdk_modify_rule(&self, spec: ModifyRuleSpec) -> Result<Rule, Elbv2Error> {
        const OP: Operation = Operation::ModifyRule;
        let output = self
            .client
            .modify_rule()
            .rule_arn(spec.rule_arn)
            .set_conditions(
                spec.conditions
                    .as_ref()
                    .map(|conditions| conditions.iter().map(condition_to_sdk).collect()),
            )
            .set_actions(
                spec.actions
                    .as_ref()
                    .map(|actions| actions.iter().map(action_to_sdk).collect()),
            )
            .send()
            .await
            .map_err(|e| map_sdk_error(OP, e))?;
        first_rule(OP, output.rules())
    }

    pub(crate) async fn sdk_delete_rule(&self, rule_arn: String) -> Result<(), Elbv2Error> {
        const OP: Operation = Operation::DeleteRule;
        self.client
            .delete_rule()
            .rule_arn(rule_arn)
            .send()
            .await
            .map_err(|e| map_sdk_error(OP, e))?;
        Ok(())
    }
}
