//! The TargetGroupBinding reconciler: [`reconcile`] and [`error_policy`], with one module per
//! concern: [`sync`] (ELBv2 reads and writes), [`ledger`] (ownership ConfigMaps), [`gates`]
//! (pod readiness conditions), [`status`] (binding status), [`finalizer`], [`cleanup`].

mod cleanup;
mod finalizer;
mod gates;
mod inputs;
mod ledger;
mod reconcile;
mod schedule;
mod status;
mod sync;

use kube::Resource;
use kube::runtime::events::{Event, EventType};
use lbgate_api::TargetGroupBinding;

pub use reconcile::{error_policy, reconcile};

use crate::context::Context;
use crate::error::Error;
pub use lbgate_api::consts::{
    EVENT_REASON_CIRCUIT_BREAKER_TRIPPED, EVENT_REASON_DEREGISTERED_TARGETS,
    EVENT_REASON_REGISTERED_TARGETS, REASON_INVALID_INPUT,
};

/// Identity of a binding for logs, state and child objects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BindingKey {
    pub namespace: String,
    pub name: String,
    pub uid: String,
}

impl BindingKey {
    pub(crate) fn of(binding: &TargetGroupBinding) -> Result<Self, Error> {
        let missing = |field| Error::MissingMetadata {
            kind: "TargetGroupBinding",
            field,
        };
        Ok(Self {
            namespace: binding
                .metadata
                .namespace
                .clone()
                .ok_or(missing("namespace"))?,
            name: binding.metadata.name.clone().ok_or(missing("name"))?,
            uid: binding.metadata.uid.clone().ok_or(missing("uid"))?,
        })
    }

    /// `namespace/name`, the key of per-binding state.
    pub(crate) fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

// Cluster-visible strings that belong in `lbgate_api::consts`; they live here until that crate
// takes them.

/// Longest Event note we send (the API allows 1 kB).
const MAX_NOTE: usize = 1000;

/// Publishes an Event on the binding. A failure is logged, never fails the pass: Events are
/// for people, and the status carries the same facts.
pub(crate) async fn publish(
    ctx: &Context,
    binding: &TargetGroupBinding,
    type_: EventType,
    reason: &str,
    action: &str,
    note: String,
) {
    let mut note = note;
    if note.len() > MAX_NOTE {
        let mut cut = MAX_NOTE;
        while !note.is_char_boundary(cut) {
            cut = cut.saturating_sub(1);
        }
        note.truncate(cut);
    }
    let event = Event {
        type_,
        reason: reason.to_owned(),
        note: Some(note),
        action: action.to_owned(),
        secondary: None,
    };
    let reference = binding.object_ref(&());
    let sent = tokio::time::timeout(
        ctx.config.kube_timeout,
        ctx.recorder.publish(&event, &reference),
    )
    .await;
    match sent {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!(%error, reason, "publishing an Event failed"),
        Err(_) => tracing::warn!(reason, "publishing an Event timed out"),
    }
}

/// Targets named in one register/deregister Event; the rest are counted.
const EVENT_TARGETS: usize = 20;

/// Publishes the Normal Event for a batch of targets just registered or deregistered: `what`
/// says what happened (e.g. "registered"), followed by the count and the first targets.
pub(crate) async fn publish_batch(
    ctx: &Context,
    binding: &TargetGroupBinding,
    reason: &str,
    action: &str,
    what: &str,
    targets: &[lbgate_core::target::TargetKey],
) {
    let note = format!(
        "{what} {} targets: {}",
        targets.len(),
        summarize(targets, EVENT_TARGETS)
    );
    publish(ctx, binding, EventType::Normal, reason, action, note).await;
}

/// `a, b, c` for at most `limit` items, then `and N more`.
fn summarize<T: std::fmt::Display>(items: &[T], limit: usize) -> String {
    let mut text = items
        .iter()
        .take(limit)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > limit {
        text.push_str(&format!(" and {} more", items.len() - limit));
    }
    text
}
