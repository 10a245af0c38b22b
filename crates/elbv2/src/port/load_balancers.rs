//! [`LoadBalancersApi`]: load balancers as they are, and the listeners and rules that route
//! them to target groups.

use crate::port::ApiFuture;
use crate::requests::{
    CallOptions, CreateListenerSpec, CreateRuleSpec, ListenerQuery, LoadBalancerQuery,
    ModifyListenerSpec, ModifyRuleSpec, RuleQuery,
};
use crate::types::{Listener, LoadBalancer, Rule};

/// Listeners and rules of existing load balancers (lbgate never creates load balancers).
pub trait LoadBalancersApi: Send + Sync {
    fn describe_load_balancers(
        &self,
        query: LoadBalancerQuery,
        opts: CallOptions,
    ) -> ApiFuture<'_, Vec<LoadBalancer>>;

    fn describe_listeners(
        &self,
        query: ListenerQuery,
        opts: CallOptions,
    ) -> ApiFuture<'_, Vec<Listener>>;

    fn describe_rules(&self, query: RuleQuery, opts: CallOptions) -> ApiFuture<'_, Vec<Rule>>;

    fn create_listener(
        &self,
        spec: CreateListenerSpec,
        opts: CallOptions,
    ) -> ApiFuture<'_, Listener>;

    fn modify_listener(
        &self,
        spec: ModifyListenerSpec,
        opts: CallOptions,
    ) -> ApiFuture<'_, Listener>;

    fn delete_listener(&self, listener_arn: String, opts: CallOptions) -> ApiFuture<'_, ()>;

    fn create_rule(&self, spec: CreateRuleSpec, opts: CallOptions) -> ApiFuture<'_, Rule>;

    fn modify_rule(&self, spec: ModifyRuleSpec, opts: CallOptions) -> ApiFuture<'_, Rule>;

    fn delete_rule(&self, rule_arn: String, opts: CallOptions) -> ApiFuture<'_, ()>;
}
