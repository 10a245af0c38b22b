//! [`TargetsApi`]: the operations the TargetGroupBinding controller and its webhook use.

use std::sync::Arc;

use crate::batch::TargetBatchOutcome;
use crate::port::ApiFuture;
use crate::requests::{CallOptions, TargetGroupQuery};
use crate::types::{Target, TargetGroup, TargetHealth};

/// Target groups as they are, and the targets in them.
pub trait TargetsApi: Send + Sync {
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
}

/// Lets a shared `Arc<dyn TargetsApi>` (the handle the controller holds) be wrapped again, e.g.
/// in a [`crate::Governed`], without unwrapping the `Arc`.
impl<T: TargetsApi + ?Sized> TargetsApi for Arc<T> {
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
}
