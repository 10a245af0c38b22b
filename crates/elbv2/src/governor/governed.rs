//! `Governed<A>`: any port behind the budget governor. It implements each port trait
//! ([`TargetsApi`], [`TargetGroupsApi`], [`LoadBalancersApi`]) that `A` implements. Each attempt
//! takes a token, is timed and counted; throttles slow the class down and are retried after a
//! jittered delay; transient failures get bounded retries; everything ends at the deadline or
//! cancellation.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::time::Instant;

use crate::batch::{
    TAG_ARNS_PER_CALL, TAG_MUTATION_ARNS_PER_CALL, TARGETS_PER_CALL, TargetBatchOutcome,
    send_in_chunks,
};
use crate::error::Elbv2Error;
use crate::governor::Governor;
use crate::governor::limiter::{AcquireError, cancelled};
use crate::operation::Operation;
use crate::port::{ApiFuture, LoadBalancersApi, TargetGroupsApi, TargetsApi};
use crate::requests::{
    CallOptions, CreateListenerSpec, CreateRuleSpec, CreateTargetGroupSpec, ListenerQuery,
    LoadBalancerQuery, ModifyListenerSpec, ModifyRuleSpec, RuleQuery, TargetGroupQuery,
};
use crate::types::{
    HealthCheck, Listener, LoadBalancer, Rule, Tag, Target, TargetGroup, TargetHealth,
};

/// A port whose calls all go through a shared [`Governor`].
///
/// Budget is charged per AWS request for register/deregister (per chunk) and tags (per ARN
/// group), because the chunking happens here. A paginated describe is one port call and is
/// charged one token even when the inner adapter fetches several pages (pages hold 400 items,
/// so this only matters for accounts with more than 400 target groups, load balancers,
/// listeners or rules in one answer).
#[derive(Debug, Clone)]
pub struct Governed<A> {
    inner: A,
    governor: Arc<Governor>,
}

impl<A> Governed<A> {
    pub fn new(inner: A, governor: Arc<Governor>) -> Self {
        Self { inner, governor }
    }

    pub fn inner(&self) -> &A {
        &self.inner
    }

    pub fn governor(&self) -> &Arc<Governor> {
        &self.governor
    }

    /// Runs one logical call: budget, attempt, classify, maybe retry.
    async fn call<'a, T, F>(
        &'a self,
        operation: Operation,
        opts: CallOptions,
        mut attempt: F,
    ) -> Result<T, Elbv2Error>
    where
        F: FnMut(CallOptions) -> ApiFuture<'a, T>,
    {
        let class = operation.class();
        let policy = self.governor.config().retry;
        let deadline = opts
            .deadline
            .unwrap_or_else(|| Instant::now() + self.governor.config().default_deadline);
        let opts = CallOptions {
            deadline: Some(deadline),
            ..opts
        };
        let cancel = opts.cancel.clone();
        let metrics = self.governor.metrics();
        let mut throttle_retries = 0u32;
        let mut transient_retries = 0u32;
        loop {
            match self
                .governor
                .acquire(class, opts.priority, deadline, cancel.as_ref())
                .await
            {
                Ok(_) => {}
                Err(AcquireError::DeadlineExceeded) => {
                    return Err(Elbv2Error::DeadlineExceeded {
                        operation,
                        message: "no API budget before the deadline".into(),
                    });
                }
                Err(AcquireError::Cancelled) => return Err(Elbv2Error::Cancelled { operation }),
            }

            if let Some(metrics) = metrics {
                metrics.call(operation);
            }
            let started = Instant::now();
            let result = tokio::select! {
                result = tokio::time::timeout_at(deadline, attempt(opts.clone())) => {
                    result.unwrap_or_else(|_| Err(Elbv2Error::DeadlineExceeded {
                        operation,
                        message: "the call did not finish before the deadline".into(),
                    }))
                }
                _ = cancelled(cancel.as_ref()) => Err(Elbv2Error::Cancelled { operation }),
            };
            if let Some(metrics) = metrics {
                metrics.duration(operation, started.elapsed());
            }

            let err = match result {
                Ok(value) => {
                    self.governor.record_success(class);
                    return Ok(value);
                }
                Err(err) => err,
            };
            if let Some(metrics) = metrics {
                metrics.error(operation, &err);
            }
            let delay = if err.is_throttle() {
                self.governor.record_throttle(class);
                if throttle_retries >= policy.max_throttle_retries {
                    return Err(err);
                }
                throttle_retries += 1;
                self.governor.throttle_delay(throttle_retries)
            } else if err.is_retryable() {
                if transient_retries >= policy.max_transient_retries {
                    return Err(err);
                }
                transient_retries += 1;
                self.governor.transient_delay(transient_retries)
            } else {
                return Err(err);
            };
            // A retry that cannot start before the deadline would only burn budget.
            if Instant::now() + delay >= deadline {
                return Err(err);
            }
            tracing::debug!(
                operation = %operation,
                error = %err,
                delay_ms = delay.as_millis() as u64,
                "retrying ELBv2 call"
            );
            if let Some(metrics) = metrics {
                metrics.retry(operation);
            }
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = cancelled(cancel.as_ref()) => return Err(Elbv2Error::Cancelled { operation }),
            }
        }
    }

    /// Register/deregister: chunking happens here, so each chunk is budgeted and retried on its
    /// own and a retry never re-sends chunks that already landed.
    fn targets_batch(
        &self,
        operation: Operation,
        target_group_arn: String,
        targets: Vec<Target>,
        opts: CallOptions,
    ) -> ApiFuture<'_, TargetBatchOutcome>
    where
        A: TargetsApi,
    {
        Box::pin(async move {
            let outcome = send_in_chunks(targets, TARGETS_PER_CALL, |chunk| {
                let arn = target_group_arn.clone();
                let opts = opts.clone();
                self.call(operation, opts, move |o| {
                    let arn = arn.clone();
                    let chunk = chunk.clone();
                    Box::pin(async move {
                        let outcome = if operation == Operation::DeregisterTargets {
                            self.inner.deregister_targets(arn, chunk, o).await?
                        } else {
                            self.inner.register_targets(arn, chunk, o).await?
                        };
                        outcome.into_result().map(|_| ())
                    })
                })
            })
            .await;
            Ok(outcome)
        })
    }

    /// Tag calls: ARN grouping happens here for the same reason as target chunking.
    async fn per_arn_group<'a, F>(
        &'a self,
        operation: Operation,
        resource_arns: Vec<String>,
        opts: CallOptions,
        call: F,
    ) -> Result<(), Elbv2Error>
    where
        F: Fn(Vec<String>, CallOptions) -> ApiFuture<'a, ()> + Clone + 'a,
    {
        for group in resource_arns.chunks(TAG_MUTATION_ARNS_PER_CALL) {
            let group = group.to_vec();
            let call = call.clone();
            self.call(operation, opts.clone(), move |o| call(group.clone(), o))
                .await?;
        }
        Ok(())
    }
}

impl<A: TargetsApi> TargetsApi for Governed<A> {
    fn describe_target_groups(
        &self,
        query: TargetGroupQuery,
        opts: CallOptions,
    ) -> ApiFuture<'_, Vec<TargetGroup>> {
        Box::pin(self.call(Operation::DescribeTargetGroups, opts, move |o| {
            self.inner.describe_target_groups(query.clone(), o)
        }))
    }

    fn describe_target_health(
        &self,
        target_group_arn: String,
        targets: Option<Vec<Target>>,
        opts: CallOptions,
    ) -> ApiFuture<'_, Vec<TargetHealth>> {
        Box::pin(self.call(Operation::DescribeTargetHealth, opts, move |o| {
            self.inner
                .describe_target_health(target_group_arn.clone(), targets.clone(), o)
        }))
    }

    fn register_targets(
        &self,
        target_group_arn: String,
        targets: Vec<Target>,
        opts: CallOptions,
    ) -> ApiFuture<'_, TargetBatchOutcome> {
        self.targets_batch(Operation::RegisterTargets, target_group_arn, targets, opts)
    }

    fn deregister_targets(
        &self,
        target_group_arn: String,
        targets: Vec<Target>,
        opts: CallOptions,
    ) -> ApiFuture<'_, TargetBatchOutcome> {
        self.targets_batch(
            Operation::DeregisterTargets,
            target_group_arn,
            targets,
            opts,
        )
    }
}

impl<A: TargetGroupsApi> TargetGroupsApi for Governed<A> {
    fn create_target_group(
        &self,
        spec: CreateTargetGroupSpec,
        opts: CallOptions,
    ) -> ApiFuture<'_, TargetGroup> {
        Box::pin(self.call(Operation::CreateTargetGroup, opts, move |o| {
            self.inner.create_target_group(spec.clone(), o)
        }))
    }

    fn modify_target_group(
        &self,
        target_group_arn: String,
        health_check: HealthCheck,
        opts: CallOptions,
    ) -> ApiFuture<'_, TargetGroup> {
        Box::pin(self.call(Operation::ModifyTargetGroup, opts, move |o| {
            self.inner
                .modify_target_group(target_group_arn.clone(), health_check.clone(), o)
        }))
    }

    fn delete_target_group(
        &self,
        target_group_arn: String,
        opts: CallOptions,
    ) -> ApiFuture<'_, ()> {
        Box::pin(self.call(Operation::DeleteTargetGroup, opts, move |o| {
            self.inner.delete_target_group(target_group_arn.clone(), o)
        }))
    }

    fn describe_target_group_attributes(
        &self,
        target_group_arn: String,
        opts: CallOptions,
    ) -> ApiFuture<'_, BTreeMap<String, String>> {
        Box::pin(
            self.call(Operation::DescribeTargetGroupAttributes, opts, move |o| {
                self.inner
                    .describe_target_group_attributes(target_group_arn.clone(), o)
            }),
        )
    }

    fn modify_target_group_attributes(
        &self,
        target_group_arn: String,
        attributes: BTreeMap<String, String>,
        opts: CallOptions,
    ) -> ApiFuture<'_, BTreeMap<String, String>> {
        Box::pin(
            self.call(Operation::ModifyTargetGroupAttributes, opts, move |o| {
                self.inner.modify_target_group_attributes(
                    target_group_arn.clone(),
                    attributes.clone(),
                    o,
                )
            }),
        )
    }

    fn add_tags(
        &self,
        resource_arns: Vec<String>,
        tags: Vec<Tag>,
        opts: CallOptions,
    ) -> ApiFuture<'_, ()> {
        let inner = &self.inner;
        Box::pin(
            self.per_arn_group(Operation::AddTags, resource_arns, opts, move |arns, o| {
                inner.add_tags(arns, tags.clone(), o)
            }),
        )
    }

    fn remove_tags(
        &self,
        resource_arns: Vec<String>,
        tag_keys: Vec<String>,
        opts: CallOptions,
    ) -> ApiFuture<'_, ()> {
        let inner = &self.inner;
        Box::pin(self.per_arn_group(
            Operation::RemoveTags,
            resource_arns,
            opts,
            move |arns, o| inner.remove_tags(arns, tag_keys.clone(), o),
        ))
    }

    fn describe_tags(
        &self,
        resource_arns: Vec<String>,
        opts: CallOptions,
    ) -> ApiFuture<'_, BTreeMap<String, Vec<Tag>>> {
        Box::pin(async move {
            let mut all = BTreeMap::new();
            for group in resource_arns.chunks(TAG_ARNS_PER_CALL) {
                let group = group.to_vec();
                let tags = self
                    .call(Operation::DescribeTags, opts.clone(), move |o| {
                        self.inner.describe_tags(group.clone(), o)
                    })
                    .await?;
                all.extend(tags);
            }
            Ok(all)
        })
    }
}

impl<A: LoadBalancersApi> LoadBalancersApi for Governed<A> {
    fn describe_load_balancers(
        &self,
        query: LoadBalancerQuery,
        opts: CallOptions,
    ) -> ApiFuture<'_, Vec<LoadBalancer>> {
        Box::pin(self.call(Operation::DescribeLoadBalancers, opts, move |o| {
            self.inner.describe_load_balancers(query.clone(), o)
        }))
    }

    fn describe_listeners(
        &self,
        query: ListenerQuery,
        opts: CallOptions,
    ) -> ApiFuture<'_, Vec<Listener>> {
        Box::pin(self.call(Operation::DescribeListeners, opts, move |o| {
            self.inner.describe_listeners(query.clone(), o)
        }))
    }

    fn describe_rules(&self, query: RuleQuery, opts: CallOptions) -> ApiFuture<'_, Vec<Rule>> {
        Box::pin(self.call(Operation::DescribeRules, opts, move |o| {
            self.inner.describe_rules(query.clone(), o)
        }))
    }

    fn create_listener(
        &self,
        spec: CreateListenerSpec,
        opts: CallOptions,
    ) -> ApiFuture<'_, Listener> {
        Box::pin(self.call(Operation::CreateListener, opts, move |o| {
            self.inner.create_listener(spec.clone(), o)
        }))
    }

    fn modify_listener(
        &self,
        spec: ModifyListenerSpec,
        opts: CallOptions,
    ) -> ApiFuture<'_, Listener> {
        Box::pin(self.call(Operation::ModifyListener, opts, move |o| {
            self.inner.modify_listener(spec.clone(), o)
        }))
    }

    fn delete_listener(&self, listener_arn: String, opts: CallOptions) -> ApiFuture<'_, ()> {
        Box::pin(self.call(Operation::DeleteListener, opts, move |o| {
            self.inner.delete_listener(listener_arn.clone(), o)
        }))
    }

    fn create_rule(&self, spec: CreateRuleSpec, opts: CallOptions) -> ApiFuture<'_, Rule> {
        Box::pin(self.call(Operation::CreateRule, opts, move |o| {
            self.inner.create_rule(spec.clone(), o)
        }))
    }

    fn modify_rule(&self, spec: ModifyRuleSpec, opts: CallOptions) -> ApiFuture<'_, Rule> {
        Box::pin(self.call(Operation::ModifyRule, opts, move |o| {
            self.inner.modify_rule(spec.clone(), o)
        }))
    }

    fn delete_rule(&self, rule_arn: String, opts: CallOptions) -> ApiFuture<'_, ()> {
        Box::pin(self.call(Operation::DeleteRule, opts, move |o| {
            self.inner.delete_rule(rule_arn.clone(), o)
        }))
    }
}
