//! The fake's port implementations: forwards to the operation families in `groups` and
//! `wiring`.

use std::collections::BTreeMap;

use crate::batch::TargetBatchOutcome;
use crate::port::{ApiFuture, LoadBalancersApi, TargetGroupsApi, TargetsApi};
use crate::requests::{
    CallOptions, CreateListenerSpec, CreateRuleSpec, CreateTargetGroupSpec, ListenerQuery,
    LoadBalancerQuery, ModifyListenerSpec, ModifyRuleSpec, RuleQuery, TargetGroupQuery,
};
use crate::testing::FakeElbv2;
use crate::types::{
    HealthCheck, Listener, LoadBalancer, Rule, Tag, Target, TargetGroup, TargetHealth,
};

impl TargetsApi for FakeElbv2 {
    fn describe_target_groups(
        &self,
        query: TargetGroupQuery,
        opts: CallOptions,
    ) -> ApiFuture<'_, Vec<TargetGroup>> {
        self.fake_describe_target_groups(query, opts)
    }

    fn describe_target_health(
        &self,
        target_group_arn: String,
        targets: Option<Vec<Target>>,
        opts: CallOptions,
    ) -> ApiFuture<'_, Vec<TargetHealth>> {
        self.fake_describe_target_health(target_group_arn, targets, opts)
    }

    fn register_targets(
        &self,
        target_group_arn: String,
        targets: Vec<Target>,
        opts: CallOptions,
    ) -> ApiFuture<'_, TargetBatchOutcome> {
        self.fake_register_targets(target_group_arn, targets, opts)
    }

    fn deregister_targets(
        &self,
        target_group_arn: String,
        targets: Vec<Target>,
        opts: CallOptions,
    ) -> ApiFuture<'_, TargetBatchOutcome> {
        self.fake_deregister_targets(target_group_arn, targets, opts)
    }
}

impl TargetGroupsApi for FakeElbv2 {
    fn create_target_group(
        &self,
        spec: CreateTargetGroupSpec,
        opts: CallOptions,
    ) -> ApiFuture<'_, TargetGroup> {
        self.fake_create_target_group(spec, opts)
    }

    fn modify_target_group(
        &self,
        target_group_arn: String,
        health_check: HealthCheck,
        opts: CallOptions,
    ) -> ApiFuture<'_, TargetGroup> {
        self.fake_modify_target_group(target_group_arn, health_check, opts)
    }

    fn delete_target_group(
        &self,
        target_group_arn: String,
        opts: CallOptions,
    ) -> ApiFuture<'_, ()> {
        self.fake_delete_target_group(target_group_arn, opts)
    }

    fn describe_target_group_attributes(
        &self,
        target_group_arn: String,
        opts: CallOptions,
    ) -> ApiFuture<'_, BTreeMap<String, String>> {
        self.fake_describe_target_group_attributes(target_group_arn, opts)
    }

    fn modify_target_group_attributes(
        &self,
        target_group_arn: String,
        attributes: BTreeMap<String, String>,
        opts: CallOptions,
    ) -> ApiFuture<'_, BTreeMap<String, String>> {
        self.fake_modify_target_group_attributes(target_group_arn, attributes, opts)
    }

    fn add_tags(
        &self,
        resource_arns: Vec<String>,
        tags: Vec<Tag>,
        opts: CallOptions,
    ) -> ApiFuture<'_, ()> {
        self.fake_add_tags(resource_arns, tags, opts)
    }

    fn remove_tags(
        &self,
        resource_arns: Vec<String>,
        tag_keys: Vec<String>,
        opts: CallOptions,
    ) -> ApiFuture<'_, ()> {
        self.fake_remove_tags(resource_arns, tag_keys, opts)
    }

    fn describe_tags(
        &self,
        resource_arns: Vec<String>,
        opts: CallOptions,
    ) -> ApiFuture<'_, BTreeMap<String, Vec<Tag>>> {
        self.fake_describe_tags(resource_arns, opts)
    }
}

impl LoadBalancersApi for FakeElbv2 {
    fn describe_load_balancers(
        &self,
        query: LoadBalancerQuery,
        opts: CallOptions,
    ) -> ApiFuture<'_, Vec<LoadBalancer>> {
        self.fake_describe_load_balancers(query, opts)
    }

    fn describe_listeners(
        &self,
        query: ListenerQuery,
        opts: CallOptions,
    ) -> ApiFuture<'_, Vec<Listener>> {
        self.fake_describe_listeners(query, opts)
    }

    fn describe_rules(&self, query: RuleQuery, opts: CallOptions) -> ApiFuture<'_, Vec<Rule>> {
        self.fake_describe_rules(query, opts)
    }

    fn create_listener(
        &self,
        spec: CreateListenerSpec,
        opts: CallOptions,
    ) -> ApiFuture<'_, Listener> {
        self.fake_create_listener(spec, opts)
    }

    fn modify_listener(
        &self,
        spec: ModifyListenerSpec,
        opts: CallOptions,
    ) -> ApiFuture<'_, Listener> {
        self.fake_modify_listener(spec, opts)
    }

    fn delete_listener(&self, listener_arn: String, opts: CallOptions) -> ApiFuture<'_, ()> {
        self.fake_delete_listener(listener_arn, opts)
    }

    fn create_rule(&self, spec: CreateRuleSpec, opts: CallOptions) -> ApiFuture<'_, Rule> {
        self.fake_create_rule(spec, opts)
    }

    fn modify_rule(&self, spec: ModifyRuleSpec, opts: CallOptions) -> ApiFuture<'_, Rule> {
        self.fake_modify_rule(spec, opts)
    }

    fn delete_rule(&self, rule_arn: String, opts: CallOptions) -> ApiFuture<'_, ()> {
        self.fake_delete_rule(rule_arn, opts)
    }
}
