//! Desired targets in instance mode: every eligible node, as instance ID + node port.
//!
//! A node is eligible when it passes LBC's default node selector, the binding's `nodeSelector`,
//! carries no taint that announces its removal, is not being deleted and is Ready. If no node is
//! Ready, nodes whose Ready status is Unknown are used instead (LBC's fail-open), so a control
//! plane that lost touch with its kubelets does not empty the target group.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use k8s_openapi::api::core::v1::Node;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use lbgate_api::consts::{
    NODE_ALPHA_EXCLUDE_BALANCER_LABEL, NODE_EXCLUDE_FROM_LB_LABEL, NODE_ROLE_MASTER_LABEL,
    TAINT_KARPENTER_DISRUPTED, TAINT_TO_BE_DELETED_BY_CLUSTER_AUTOSCALER,
};

use crate::target::TargetKey;
pub use lbgate_api::consts::{EKS_COMPUTE_TYPE_FARGATE, EKS_COMPUTE_TYPE_LABEL};

/// Why a label selector cannot be evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectorProblem {
    /// An operator other than In, NotIn, Exists and DoesNotExist.
    UnknownOperator(String),
    /// In or NotIn without values.
    MissingValues(String),
    /// Exists or DoesNotExist with values.
    UnexpectedValues(String),
}

impl fmt::Display for SelectorProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownOperator(op) => write!(f, "unknown label selector operator {op:?}"),
            Self::MissingValues(key) => {
                write!(
                    f,
                    "selector on {key:?}: In and NotIn need at least one value"
                )
            }
            Self::UnexpectedValues(key) => {
                write!(
                    f,
                    "selector on {key:?}: Exists and DoesNotExist take no values"
                )
            }
        }
    }
}

impl std::error::Error for SelectorProblem {}

/// Whether `labels` satisfy `selector` (matchLabels and every matchExpression). An empty
/// selector matches everything, as in Kubernetes.
///
/// # Errors
/// A [`SelectorProblem`] when the selector is one the API server would reject.
pub fn selector_matches(
    selector: &LabelSelector,
    labels: &BTreeMap<String, String>,
) -> Result<bool, SelectorProblem> {
    let mut matches = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(key, value)| labels.get(key) == Some(value));
    for requirement in selector.match_expressions.iter().flatten() {
        let values = requirement.values.as_deref().unwrap_or_default();
        let key = &requirement.key;
        let present = labels.get(key);
        let satisfied = match requirement.operator.as_str() {
            "In" | "NotIn" if values.is_empty() => {
                return Err(SelectorProblem::MissingValues(key.clone()));
            }
            "Exists" | "DoesNotExist" if !values.is_empty() => {
                return Err(SelectorProblem::UnexpectedValues(key.clone()));
            }
            "In" => present.is_some_and(|value| values.contains(value)),
            "NotIn" => present.is_none_or(|value| !values.contains(value)),
            "Exists" => present.is_some(),
            "DoesNotExist" => present.is_none(),
            other => return Err(SelectorProblem::UnknownOperator(other.to_owned())),
        };
        matches &= satisfied;
    }
    Ok(matches)
}

/// Why a node is not a target.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeSkipReason {
    /// A label of LBC's default selector excludes it (control plane, excluded from load
    /// balancers, Fargate).
    ExcludedByLabel(String),
    /// The binding's `nodeSelector` does not select it.
    NotSelected,
    /// A taint says it is about to be removed.
    Tainted(String),
    /// It has a deletionTimestamp.
    BeingDeleted,
    /// Its Ready condition is not True (or it is Unknown while other nodes are Ready).
    NotReady,
    /// Its `spec.providerID` names no EC2 instance.
    BadProviderId(String),
}

/// A node left out, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedNode {
    /// Name of the node.
    pub node: String,
    /// Why it is not a target.
    pub why: NodeSkipReason,
}

/// What instance mode wants registered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DesiredInstanceTargets {
    /// Each desired target and the node it belongs to.
    pub targets: BTreeMap<TargetKey, String>,
    /// Nodes left out, sorted by node name.
    pub skipped: Vec<SkippedNode>,
    /// True when no node was Ready and Unknown nodes were used instead.
    pub failed_open: bool,
}

/// Computes the desired targets of an instance-mode binding.
///
/// # Errors
/// A [`SelectorProblem`] when `node_selector` is invalid; one bad node never fails the set.
pub fn desired_instance_targets(
    nodes: &[Node],
    node_selector: Option<&LabelSelector>,
    node_port: i32,
) -> Result<DesiredInstanceTargets, SelectorProblem> {
    let mut desired = DesiredInstanceTargets::default();
    let mut ready = Vec::new();
    let mut unknown = Vec::new();
    for node in nodes {
        let Some(name) = node.metadata.name.clone() else {
            continue;
        };
        match eligibility(node, node_selector)? {
            Err(why) => desired.skipped.push(SkippedNode { node: name, why }),
            Ok(ReadyStatus::True) => ready.push((name, node)),
            Ok(ReadyStatus::Unknown) => unknown.push((name, node)),
            Ok(ReadyStatus::False) => desired.skipped.push(SkippedNode {
                node: name,
                why: NodeSkipReason::NotReady,
            }),
        }
    }
    let chosen = if ready.is_empty() && !unknown.is_empty() {
        desired.failed_open = true;
        unknown
    } else {
        desired
            .skipped
            .extend(unknown.into_iter().map(|(node, _)| SkippedNode {
                node,
                why: NodeSkipReason::NotReady,
            }));
        ready
    };
    for (name, node) in chosen {
        match instance_id(node) {
            Ok(id) => {
                desired.targets.insert(TargetKey::new(id, node_port), name);
            }
            Err(provider_id) => desired.skipped.push(SkippedNode {
                node: name,
                why: NodeSkipReason::BadProviderId(provider_id),
            }),
        }
    }
    desired.skipped.sort_by(|a, b| a.node.cmp(&b.node));
    Ok(desired)
}

/// Instance IDs of nodes that still serve (exist and are not being deleted). A surplus target
/// on one of these may be held for make-before-break.
pub fn serving_instance_ids(nodes: &[Node]) -> BTreeSet<String> {
    nodes
        .iter()
        .filter(|node| node.metadata.deletion_timestamp.is_none())
        .filter_map(|node| instance_id(node).ok())
        .collect()
}

/// The EC2 instance ID in `spec.providerID` (`aws:///<az>/i-…`): its last path segment, which
/// must start with `i-`.
///
/// # Errors
/// The provider ID as found (empty when unset) when it names no instance.
pub fn instance_id(node: &Node) -> Result<String, String> {
    let provider_id = node
        .spec
        .as_ref()
        .and_then(|spec| spec.provider_id.as_deref())
        .unwrap_or_default();
    let last = provider_id.rsplit('/').next().unwrap_or_default();
    let valid = provider_id.contains('/')
        && last.len() > 2
        && last.starts_with("i-")
        && !last.chars().any(char::is_whitespace);
    if valid {
        Ok(last.to_owned())
    } else {
        Err(provider_id.to_owned())
    }
}

enum ReadyStatus {
    True,
    False,
    Unknown,
}

fn eligibility(
    node: &Node,
    node_selector: Option<&LabelSelector>,
) -> Result<Result<ReadyStatus, NodeSkipReason>, SelectorProblem> {
    let empty = BTreeMap::new();
    let labels = node.metadata.labels.as_ref().unwrap_or(&empty);
    let excluded = [
        NODE_ROLE_MASTER_LABEL,
        NODE_EXCLUDE_FROM_LB_LABEL,
        NODE_ALPHA_EXCLUDE_BALANCER_LABEL,
    ]
    .into_iter()
    .find(|label| labels.contains_key(*label));
    if let Some(label) = excluded {
        return Ok(Err(NodeSkipReason::ExcludedByLabel(label.to_owned())));
    }
    if labels.get(EKS_COMPUTE_TYPE_LABEL).map(String::as_str) == Some(EKS_COMPUTE_TYPE_FARGATE) {
        return Ok(Err(NodeSkipReason::ExcludedByLabel(
            EKS_COMPUTE_TYPE_LABEL.to_owned(),
        )));
    }
    if let Some(selector) = node_selector
        && !selector_matches(selector, labels)?
    {
        return Ok(Err(NodeSkipReason::NotSelected));
    }
    if let Some(taint) = removal_taint(node) {
        return Ok(Err(NodeSkipReason::Tainted(taint)));
    }
    if node.metadata.deletion_timestamp.is_some() {
        return Ok(Err(NodeSkipReason::BeingDeleted));
    }
    let ready = node
        .status
        .as_ref()
        .and_then(|status| status.conditions.as_deref())
        .unwrap_or_default()
        .iter()
        .find(|condition| condition.type_ == "Ready")
        .map(|condition| condition.status.as_str());
    Ok(Ok(match ready {
        Some("True") => ReadyStatus::True,
        Some("Unknown") => ReadyStatus::Unknown,
        // A missing Ready condition counts as False, as in LBC.
        _ => ReadyStatus::False,
    }))
}

fn removal_taint(node: &Node) -> Option<String> {
    node.spec
        .as_ref()
        .and_then(|spec| spec.taints.as_deref())
        .unwrap_or_default()
        .iter()
        .find(|taint| {
            taint.key == TAINT_TO_BE_DELETED_BY_CLUSTER_AUTOSCALER
                || (taint.key == TAINT_KARPENTER_DISRUPTED && taint.effect == "NoSchedule")
        })
        .map(|taint| taint.key.clone())
}

#[cfg(test)]
mod tests;
