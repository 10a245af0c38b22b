//! Events on bindings, published through one bounded queue by one worker: a pass (or the error
//! policy) never waits on the Events API and never spawns a task per Event. Events are for
//! people and the status carries the same facts, so when the queue is full an Event is dropped
//! and counted rather than slowing a pass.

use std::time::Duration;

use k8s_openapi::api::core::v1::ObjectReference;
use kube::Resource;
use kube::runtime::events::{Event, Recorder};
use lbgate_api::TargetGroupBinding;
use tokio::sync::mpsc;

use crate::metrics::Metrics;

/// Events waiting to be published.
const QUEUE: usize = 256;
/// Longest Event note we send (the API allows 1 kB).
const MAX_NOTE: usize = 1000;

/// The sending end of the Event queue.
#[derive(Clone, Debug)]
pub struct EventQueue {
    sender: Option<mpsc::Sender<(ObjectReference, Event)>>,
    metrics: Metrics,
}

impl EventQueue {
    /// Starts the worker on the current tokio runtime; without one, Events are only logged.
    pub fn start(recorder: Recorder, timeout: Duration, metrics: Metrics) -> Self {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!("no tokio runtime: Events will not be published");
            return Self {
                sender: None,
                metrics,
            };
        };
        let (sender, mut receiver) = mpsc::channel::<(ObjectReference, Event)>(QUEUE);
        runtime.spawn(async move {
            while let Some((reference, event)) = receiver.recv().await {
                let reason = event.reason.clone();
                match tokio::time::timeout(timeout, recorder.publish(&event, &reference)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(error)) => tracing::warn!(%error, reason, "publishing an Event failed"),
                    Err(_) => tracing::warn!(reason, "publishing an Event timed out"),
                }
            }
        });
        Self {
            sender: Some(sender),
            metrics,
        }
    }

    /// Queues `event` on `binding`; its note is cut to what the API accepts.
    pub fn publish(&self, binding: &TargetGroupBinding, mut event: Event) {
        event.note = event.note.map(|note| truncate(note, MAX_NOTE));
        let reason = event.reason.clone();
        let queued = self
            .sender
            .as_ref()
            .is_some_and(|sender| sender.try_send((binding.object_ref(&()), event)).is_ok());
        if !queued {
            self.metrics.event_dropped();
            tracing::warn!(%reason, "Event dropped: the queue is full or closed");
        }
    }
}

/// `note` cut to at most `max` bytes on a character boundary.
fn truncate(mut note: String, max: usize) -> String {
    if note.len() > max {
        let mut cut = max;
        while !note.is_char_boundary(cut) {
            cut = cut.saturating_sub(1);
        }
        note.truncate(cut);
    }
    note
}

#[cfg(test)]
mod tests;
