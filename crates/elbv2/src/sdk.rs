//! The aws-sdk-elasticloadbalancingv2 adapter of the port (all three traits): one file per
//! operation family, the client builder, and error mapping.

mod actions;
mod client;
mod errors;
mod load_balancers;
mod tags;
mod target_groups;
mod targets;

use std::collections::BTreeMap;
use std::future::Future;

pub use client::{AwsClientConfig, MAX_PAGE_SIZE, SdkElbv2};

use crate::batch::TargetBatchOutcome;
use crate::error::Elbv2Error;
use crate::operation::Operation;
use crate::port::{ApiFuture, LoadBalancersApi, TargetGroupsApi, TargetsApi};
use crate::requests::{
    CallOptions, CreateListenerSpec, CreateRuleSpec, CreateTargetGroupSpec, ListenerQuery,
    LoadBalancerQuery, ModifyListenerSpec, ModifyRuleSpec, RuleQuery, TargetGroupQuery,
};
use crate::types::{
    HealthCheck, Listener, LoadBalancer, Rule, Tag, Target, TargetGroup, TargetHealth,
};

/// Pages a describe call can take before we call the answer malformed: 1000 pages of 400 is
/// far beyond any account quota, so hitting it means the markers loop.
const MAX_PAGES: usize = 1000;

/// Follows `Marker` / `NextMarker` until the last page. `fetch` gets the marker to send and
/// returns one page's items and the `NextMarker`.
pub(crate) async fn paginate<T, F, Fut>(
    operation: Operation,
    mut fetch: F,
) -> Result<Vec<T>, Elbv2Error>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), Elbv2Error>>,
{
    let mut items = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let (page, next) = fetch(marker.clone()).await?;
        items.extend(page);
        match next.filter(|next| !next.is_empty()) {
            None => return Ok(items),
            Some(next) if marker.as_deref() == Some(next.as_str()) => {
                return Err(Elbv2Error::MalformedResponse {
                    operation,
                    message: format!("NextMarker {next:?} repeats the marker just sent"),
                });
            }
            Some(next) => marker = Some(next),
        }
    }
    Err(Elbv2Error::MalformedResponse {
        operation,
        message: format!("more than {MAX_PAGES} pages"),
    })
}

/// A required response field was absent.
pub(crate) fn missing(operation: Operation, field: &str) -> Elbv2Error {
    Elbv2Error::MalformedResponse {
        operation,
        message: format!("response lacks {field}"),
    }
}

/// AWS integers → our narrower types; out-of-range values read as absent rather than wrapping.
pub(crate) fn port_from(value: Option<i32>) -> Option<u16> {
    value.and_then(|v| u16::try_from(v).ok())
}

pub(crate) fn count_from(value: Option<i32>) -> Option<u32> {
    value.and_then(|v| u32::try_from(v).ok())
}

pub(crate) fn to_i32(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

impl TargetsApi for SdkElbv2 {
    fn describe_target_groups(
        &self,
        query: TargetGroupQuery,
        _opts: CallOptions,
    ) -> ApiFuture<'_, Vec<TargetGroup>> {
        Box::pin(self.sdk_describe_target_groups(query))
    }

    fn describe_target_health(
        &self,
        target_group_arn: String,
        targets: Option<Vec<Target>>,
        _opts: CallOptions,
    ) -> ApiFuture<'_, Vec<TargetHealth>> {
        Box::pin(self.sdk_describe_target_health(target_group_arn, targets))
    }

    fn register_targets(
        &self,
        target_group_arn: String,
        targets: Vec<Target>,
        _opts: CallOptions,
    ) -> ApiFuture<'_, TargetBatchOutcome> {
        Box::pin(async move { Ok(self.sdk_register_targets(target_group_arn, targets).await) })
    }

    fn deregister_targets(
        &self,
        target_group_arn: String,
        targets: Vec<Target>,
        _opts: CallOptions,
    ) -> ApiFuture<'_, TargetBatchOutcome> {
        Box::pin(async move { Ok(self.sdk_deregister_targets(target_group_arn, targets).await) })
    }
}

impl TargetGroupsApi for SdkElbv2 {
    fn create_target_group(
        &self,
        spec: CreateTargetGroupSpec,
        _opts: CallOptions,
    ) -> ApiFuture<'_, TargetGroup> {
        Box::pin(self.sdk_create_target_group(spec))
    }

    fn modify_target_group(
        &self,
        target_group_arn: String,
        health_check: HealthCheck,
        _opts: CallOptions,
    ) -> ApiFuture<'_, TargetGroup> {
        Box::pin(self.sdk_modify_target_group(target_group_arn, health_check))
    }

    fn delete_target_group(
        &self,
        target_group_arn: String,
        _opts: CallOptions,
    ) -> ApiFuture<'_, ()> {
        Box::pin(self.sdk_delete_target_group(target_group_arn))
    }

    fn describe_target_group_attributes(
        &self,
        target_group_arn: String,
        _opts: CallOptions,
    ) -> ApiFuture<'_, BTreeMap<String, String>> {
        Box::pin(self.sdk_describe_target_group_attributes(target_group_arn))
    }

    fn modify_target_group_attributes(
        &self,
        target_group_arn: String,
        attributes: BTreeMap<String, String>,
        _opts: CallOptions,
    ) -> ApiFuture<'_, BTreeMap<String, String>> {
        Box::pin(self.sdk_modify_target_group_attributes(target_group_arn, attributes))
    }

    fn add_tags(
        &self,
        resource_arns: Vec<String>,
        tags: Vec<Tag>,
        _opts: CallOptions,
    ) -> ApiFuture<'_, ()> {
        Box::pin(self.sdk_add_tags(resource_arns, tags))
    }

    fn remove_tags(
        &self,
        resource_arns: Vec<String>,
        tag_keys: Vec<String>,
        _opts: CallOptions,
    ) -> ApiFuture<'_, ()> {
        Box::pin(self.sdk_remove_tags(resource_arns, tag_keys))
    }

    fn describe_tags(
        &self,
        resource_arns: Vec<String>,
        _opts: CallOptions,
    ) -> ApiFuture<'_, BTreeMap<String, Vec<Tag>>> {
        Box::pin(self.sdk_describe_tags(resource_arns))
    }
}

impl LoadBalancersApi for SdkElbv2 {
    fn describe_load_balancers(
        &self,
        query: LoadBalancerQuery,
        _opts: CallOptions,
    ) -> ApiFuture<'_, Vec<LoadBalancer>> {
        Box::pin(self.sdk_describe_load_balancers(query))
    }

    fn describe_listeners(
        &self,
        query: ListenerQuery,
        _opts: CallOptions,
    ) -> ApiFuture<'_, Vec<Listener>> {
        Box::pin(self.sdk_describe_listeners(query))
    }

    fn describe_rules(&self, query: RuleQuery, _opts: CallOptions) -> ApiFuture<'_, Vec<Rule>> {
        Box::pin(self.sdk_describe_rules(query))
    }

    fn create_listener(
        &self,
        spec: CreateListenerSpec,
        _opts: CallOptions,
    ) -> ApiFuture<'_, Listener> {
        Box::pin(self.sdk_create_listener(spec))
    }

    fn modify_listener(
        &self,
        spec: ModifyListenerSpec,
        _opts: CallOptions,
    ) -> ApiFuture<'_, Listener> {
        Box::pin(self.sdk_modify_listener(spec))
    }

    fn delete_listener(&self, listener_arn: String, _opts: CallOptions) -> ApiFuture<'_, ()> {
        Box::pin(self.sdk_delete_listener(listener_arn))
    }

    fn create_rule(&self, spec: CreateRuleSpec, _opts: CallOptions) -> ApiFuture<'_, Rule> {
        Box::pin(self.sdk_create_rule(spec))
    }

    fn modify_rule(&self, spec: ModifyRuleSpec, _opts: CallOptions) -> ApiFuture<'_, Rule> {
        Box::pin(self.sdk_modify_rule(spec))
    }

    fn delete_rule(&self, rule_arn: String, _opts: CallOptions) -> ApiFuture<'_, ()> {
        Box::pin(self.sdk_delete_rule(rule_arn))
    }
}

#[cfg(test)]
mod tests;
