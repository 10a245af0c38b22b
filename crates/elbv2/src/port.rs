//! The ELBv2 port: every ELBv2 operation lbgate uses, as an object-safe trait so the controller
//! can hold an `Arc<dyn Elbv2Api>` and tests can substitute a fake. Implementations: the AWS SDK
//! adapter (`SdkElbv2`), the budget governor wrapper (`Governed`), and the in-memory fake
//! (`testing::FakeElbv2`, feature `testing`).

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::future::BoxFuture;

use crate::batch::TargetBatchOutcome;
use crate::error::Elbv2Error;
use crate::requests::{
    CallOptions, CreateListenerSpec, CreateRuleSpec, CreateTargetGroupSpec, ListenerQuery,
    LoadBalancerQuery, ModifyListenerSpec, ModifyRuleSpec, RuleQuery, TargetGroupQuery,
};
use crate::types::{
    HealthCheck, Listener, LoadBalancer, Rule, Tag, Target, TargetGroup, TargetHealth,
};

/// The future every port operation returns.
pub type ApiFuture<'a, T> = BoxFuture<'a, Result<T, Elbv2Error>>;

/// The ELBv2 operations lbgate uses. Describe operations fetch every page; register and
/// deregister accept any number of targets and send them in chunks of
/// [`crate::batch::TARGETS_PER_CALL`], reporting per chunk what landed (their `Err` is reserved
/// for failures before anything was sent); `describe_tags` accepts any number of ARNs and sends
/// them in groups of [`crate::batch::TAG_ARNS_PER_CALL`], the tag mutations one ARN per call
/// ([`crate::batch::TAG_MUTATION_ARNS_PER_CALL`]).
pub trait Elbv2Api: Send + Sync {
    fn describe_target_groups(
        &self,
        query: TargetGroupQuery,
        opts: CallOptions,
    ) -> ApiFuture<'_, Vec<TargetGroup>>;

    /// Health of every registered (and draining) target, or of the given targets only.
    fn describe_target_health(
        &self,
        target_group_arn: String,
        targets: Option<Vec<Target>>,
        opts: CallOptions,
    ) -> ApiFuture<'_, Vec<TargetHealth>>;

    fn register_targets(
        &self,
        target_group_arn: String,
        targets: Vec<Target>,
        opts: CallOptions,
    ) -> ApiFuture<'_, TargetBatchOutcome>;

    fn deregister_targets(
        &self,
        target_group_arn: String,
        targets: Vec<Target>,
        opts: CallOptions,
    ) -> ApiFuture<'_, TargetBatchOutcome>;

    fn create_target_group(
        &self,
        spec: CreateTargetGroupSpec,
        opts: CallOptions,
    ) -> ApiFuture<'_, TargetGroup>;

    /// Changes the health-check settings that are set in `health_check`.
    fn modify_target_group(
        &self,
        target_group_arn: String,
        health_check: HealthCheck,
        opts: CallOptions,
    ) -> ApiFuture<'_, TargetGroup>;

    fn delete_target_group(&self, target_group_arn: String, opts: CallOptions)
    -> ApiFuture<'_, ()>;

    fn describe_target_group_attributes(
        &self,
        target_group_arn: String,
        opts: CallOptions,
    ) -> ApiFuture<'_, BTreeMap<String, String>>;

    /// Sets the given attributes; returns every attribute of the group afterwards.
    fn modify_target_group_attributes(
        &self,
        target_group_arn: String,
        attributes: BTreeMap<String, String>,
        opts: CallOptions,
    ) -> ApiFuture<'_, BTreeMap<String, String>>;

    fn add_tags(
        &self,
        resource_arns: Vec<String>,
        tags: Vec<Tag>,
        opts: CallOptions,
    ) -> ApiFuture<'_, ()>;

    fn remove_tags(
        &self,
        resource_arns: Vec<String>,
        tag_keys: Vec<String>,
        opts: CallOptions,
    ) -> ApiFuture<'_, ()>;

    /// Tags per resource ARN.
    fn describe_tags(
        &self,
        resource_arns: Vec<String>,
        opts: CallOptions,
    ) -> ApiFuture<'_, BTreeMap<String, Vec<Tag>>>;

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

/// Lets `Governed<Arc<dyn Elbv2Api>>` and shared fakes work without unwrapping the `Arc`.
impl<T: Elbv2Api + ?Sized> Elbv2Api for Arc<T> {
    fn describe_target_groups(
        &self,
        query: TargetGroupQuery,
        opts: CallOptions,
    ) -> ApiFuture<'_, Vec<TargetGroup>> {
        (**self).describe_target_groups(query, opts)
    }

    fn describe_target_health(
        &self,
        target_group_arn: String,
        targets: Option<Vec<Target>>,
        opts: CallOptions,
    ) -> ApiFuture<'_, Vec<TargetHealth>> {
        (**self).describe_target_health(target_group_arn, targets, opts)
    }

    fn register_targets(
        &self,
        target_group_arn: String,
        targets: Vec<Target>,
        opts: CallOptions,
    ) -> ApiFuture<'_, TargetBatchOutcome> {
        (**self).register_targets(target_group_arn, targets, opts)
    }

    fn deregister_targets(
        &self,
        target_group_arn: String,
        targets: Vec<Target>,
        opts: CallOptions,
    ) -> ApiFuture<'_, TargetBatchOutcome> {
        (**self).deregister_targets(target_group_arn, targets, opts)
    }

    fn create_target_group(
        &self,
        spec: CreateTargetGroupSpec,
        opts: CallOptions,
    ) -> ApiFuture<'_, TargetGroup> {
        (**self).create_target_group(spec, opts)
    }

    fn modify_target_group(
        &self,
        target_group_arn: String,
        health_check: HealthCheck,
        opts: CallOptions,
    ) -> ApiFuture<'_, TargetGroup> {
        (**self).modify_target_group(target_group_arn, health_check, opts)
    }

    fn delete_target_group(
        &self,
        target_group_arn: String,
        opts: CallOptions,
    ) -> ApiFuture<'_, ()> {
        (**self).delete_target_group(target_group_arn, opts)
    }

    fn describe_target_group_attributes(
        &self,
        target_group_arn: String,
        opts: CallOptions,
    ) -> ApiFuture<'_, BTreeMap<String, String>> {
        (**self).describe_target_group_attributes(target_group_arn, opts)
    }

    fn modify_target_group_attributes(
        &self,
        target_group_arn: String,
        attributes: BTreeMap<String, String>,
        opts: CallOptions,
    ) -> ApiFuture<'_, BTreeMap<String, String>> {
        (**self).modify_target_group_attributes(target_group_arn, attributes, opts)
    }

    fn add_tags(
        &self,
        resource_arns: Vec<String>,
        tags: Vec<Tag>,
        opts: CallOptions,
    ) -> ApiFuture<'_, ()> {
        (**self).add_tags(resource_arns, tags, opts)
    }

    fn remove_tags(
        &self,
        resource_arns: Vec<String>,
        tag_keys: Vec<String>,
        opts: CallOptions,
    ) -> ApiFuture<'_, ()> {
        (**self).remove_tags(resource_arns, tag_keys, opts)
    }

    fn describe_tags(
        &self,
        resource_arns: Vec<String>,
        opts: CallOptions,
    ) -> ApiFuture<'_, BTreeMap<String, Vec<Tag>>> {
        (**self).describe_tags(resource_arns, opts)
    }

    fn describe_load_balancers(
        &self,
        query: LoadBalancerQuery,
        opts: CallOptions,
    ) -> ApiFuture<'_, Vec<LoadBalancer>> {
        (**self).describe_load_balancers(query, opts)
    }

    fn describe_listeners(
        &self,
        query: ListenerQuery,
        opts: CallOptions,
    ) -> ApiFuture<'_, Vec<Listener>> {
        (**self).describe_listeners(query, opts)
    }

    fn describe_rules(&self, query: RuleQuery, opts: CallOptions) -> ApiFuture<'_, Vec<Rule>> {
        (**self).describe_rules(query, opts)
    }

    fn create_listener(
        &self,
        spec: CreateListenerSpec,
        opts: CallOptions,
    ) -> ApiFuture<'_, Listener> {
        (**self).create_listener(spec, opts)
    }

    fn modify_listener(
        &self,
        spec: ModifyListenerSpec,
        opts: CallOptions,
    ) -> ApiFuture<'_, Listener> {
        (**self).modify_listener(spec, opts)
    }

    fn delete_listener(&self, listener_arn: String, opts: CallOptions) -> ApiFuture<'_, ()> {
        (**self).delete_listener(listener_arn, opts)
    }

    fn create_rule(&self, spec: CreateRuleSpec, opts: CallOptions) -> ApiFuture<'_, Rule> {
        (**self).create_rule(spec, opts)
    }

    fn modify_rule(&self, spec: ModifyRuleSpec, opts: CallOptions) -> ApiFuture<'_, Rule> {
        (**self).modify_rule(spec, opts)
    }

    fn delete_rule(&self, rule_arn: String, opts: CallOptions) -> ApiFuture<'_, ()> {
        (**self).delete_rule(rule_arn, opts)
    }
}
