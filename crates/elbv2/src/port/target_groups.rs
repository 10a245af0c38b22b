//! [`TargetGroupsApi`]: the life of target groups — create, change, delete — with their
//! attributes and tags.

use std::collections::BTreeMap;

use crate::port::ApiFuture;
use crate::requests::{CallOptions, CreateTargetGroupSpec};
use crate::types::{HealthCheck, Tag, TargetGroup};

/// Creating and changing target groups (the IngressGroup controller's side of them).
pub trait TargetGroupsApi: Send + Sync {
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
}
