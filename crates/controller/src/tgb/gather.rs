//! Everything a pass observes, gathered into owned values that core's planner borrows: the
//! objects around the binding from the stores, the target group and its targets from AWS, and
//! our ledgers (read once and then kept in the binding's memory; a deletion reads them afresh).

use std::collections::BTreeSet;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Node, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::jiff::Timestamp;
use lbgate_api::TargetGroupBinding;
use lbgate_core::binding::{
    AwsView, BindingMemory, ClusterView, PassConfig, PassInput, PassPlan, TargetsView, plan_pass,
};
use lbgate_core::schedule::HealthCheckSettings;
use lbgate_core::target::{ObservedTarget, TargetKey};
use lbgate_core::validate::BindingClaim;
use lbgate_elbv2::TargetGroup;

use super::aws::{self, Reuse};
use super::key::BindingKey;
use super::ledger;
use crate::context::Context;
use crate::error::ReconcileError;

/// What one pass observed, owned.
pub(crate) struct Observed {
    service: Option<Arc<Service>>,
    slices: Vec<EndpointSlice>,
    pods: Vec<Pod>,
    nodes: Vec<Node>,
    rivals: Vec<Arc<TargetGroupBinding>>,
    aws: Aws,
}

/// What AWS said, owned.
enum Aws {
    NoArn,
    Missing,
    Found {
        group: Box<TargetGroup>,
        observed: Vec<ObservedTarget>,
        ledger: BTreeSet<TargetKey>,
        lbc_ledger: Option<BTreeSet<TargetKey>>,
    },
}

/// Gathers what a pass of `binding` needs.
pub(crate) async fn gather(
    ctx: &Context,
    binding: &TargetGroupBinding,
    key: &BindingKey,
    memory: &BindingMemory,
) -> Result<Observed, ReconcileError> {
    let spec = &binding.spec;
    let deleting = binding.metadata.deletion_timestamp.is_some();
    let rivals = match spec.arn() {
        Some(arn) => ctx
            .stores
            .bindings
            .state()
            .into_iter()
            .filter(|other| other.spec.arn() == Some(arn))
            .collect(),
        None => Vec::new(),
    };
    let aws = match spec.arn() {
        None => Aws::NoArn,
        Some(arn) => target_group(ctx, key, arn, memory, deleting).await?,
    };
    Ok(Observed {
        service: ctx.stores.service(&key.namespace, &spec.service_ref.name),
        slices: ctx.stores.slices_of(&key.namespace, &spec.service_ref.name),
        pods: ctx.stores.pods_in(&key.namespace),
        nodes: ctx.stores.nodes(),
        rivals,
        aws,
    })
}

/// The target group, its targets and our ledgers. A live pass may reuse the group's held
/// health answer and the ledgers it remembers; a deletion asks AWS and reads the ledgers anew,
/// and a group gone by then leaves nothing to deregister.
async fn target_group(
    ctx: &Context,
    key: &BindingKey,
    arn: &str,
    memory: &BindingMemory,
    deleting: bool,
) -> Result<Aws, ReconcileError> {
    let Some(group) = aws::describe(ctx, arn).await? else {
        return Ok(Aws::Missing);
    };
    let reuse = (!deleting).then(|| Reuse {
        settings: HealthCheckSettings::of(&aws::facts(&group)),
        registered_at: &memory.registered_at,
        now: ctx.now(),
    });
    let Some(observed) = aws::observe(ctx, arn, reuse).await? else {
        if deleting {
            return Ok(Aws::Missing);
        }
        return Err(ReconcileError::TargetGroupVanished {
            arn: arn.to_owned(),
        });
    };
    let (remembered, remembered_lbc) = if deleting {
        (None, None)
    } else {
        (memory.ledger.clone(), memory.lbc_ledger.clone())
    };
    let ledger = match remembered {
        Some(ledger) => ledger,
        None => ledger::load(ctx, key).await?,
    };
    let lbc_ledger = match remembered_lbc {
        Some(lbc) => lbc,
        None => ledger::load_lbc(ctx, key).await?,
    };
    Ok(Aws::Found {
        group: Box::new(group),
        observed,
        ledger,
        lbc_ledger,
    })
}

impl Observed {
    /// Core's plan for what was observed.
    pub(crate) fn plan(
        &self,
        binding: &TargetGroupBinding,
        memory: &BindingMemory,
        config: &PassConfig,
        now: Timestamp,
    ) -> PassPlan {
        let claims: Vec<BindingClaim<'_>> = self
            .rivals
            .iter()
            .map(|rival| BindingClaim::of(rival))
            .collect();
        let aws = match &self.aws {
            Aws::NoArn => AwsView::NoArn,
            Aws::Missing => AwsView::Missing,
            Aws::Found {
                group,
                observed,
                ledger,
                lbc_ledger,
            } => AwsView::Found {
                facts: aws::facts(group),
                targets: TargetsView {
                    observed,
                    ledger,
                    lbc_ledger: lbc_ledger.as_ref(),
                },
            },
        };
        plan_pass(&PassInput {
            binding,
            cluster: ClusterView {
                service: self.service.as_deref(),
                slices: &self.slices,
                pods: &self.pods,
                nodes: &self.nodes,
                rivals: &claims,
            },
            aws,
            memory,
            config,
            now,
        })
    }
}
