//! Escape detection: pods in opted-in namespaces that a binding selects but that carry no gate
//! for it (admitted while the webhook was unreachable under failurePolicy Ignore, or created
//! before the binding). Their readiness never waits for AWS, so a rollout can outrun target
//! registration. Each is counted in `lbgate_pods_missing_gate` and gets one Warning Event.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::ListParams;
use kube::runtime::events::{Event, EventType, Recorder};
use kube::{Api, Client, Resource};
use lbgate_api::consts::{POD_READINESS_GATE_INJECT_ENABLED, POD_READINESS_GATE_INJECT_LABEL};
use lbgate_core::webhook::missing_gates;

use super::WebhookState;

pub use lbgate_api::consts::EVENT_REASON_MISSING_READINESS_GATE;

/// Pods missing gates, by `namespace/name`, with the gates they lack.
pub fn scan(
    state: &WebhookState,
    namespaces: &BTreeSet<String>,
) -> BTreeMap<String, (Arc<Pod>, Vec<String>)> {
    let mut found = BTreeMap::new();
    for pod in state.stores.pods.state() {
        let Some(namespace) = pod.metadata.namespace.as_deref() else {
            continue;
        };
        if !namespaces.contains(namespace) || pod.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let labels = pod.metadata.labels.clone().unwrap_or_default();
        let existing: Vec<String> = pod
            .spec
            .as_ref()
            .and_then(|spec| spec.readiness_gates.as_ref())
            .map(|gates| gates.iter().map(|g| g.condition_type.clone()).collect())
            .unwrap_or_default();
        let views_missing = super::pod::with_bindings(state, namespace, |views| {
            missing_gates(&existing, &labels, views)
        });
        if !views_missing.is_empty() {
            let key = format!(
                "{namespace}/{}",
                pod.metadata.name.as_deref().unwrap_or_default()
            );
            found.insert(key, (pod, views_missing));
        }
    }
    found
}

async fn opted_in(client: &Client, timeout: Duration) -> Option<BTreeSet<String>> {
    let api: Api<Namespace> = Api::all(client.clone());
    let params = ListParams::default().labels(&format!(
        "{POD_READINESS_GATE_INJECT_LABEL}={POD_READINESS_GATE_INJECT_ENABLED}"
    ));
    match tokio::time::timeout(timeout, api.list(&params)).await {
        Ok(Ok(list)) => Some(
            list.items
                .into_iter()
                .filter_map(|ns| ns.metadata.name)
                .collect(),
        ),
        Ok(Err(error)) => {
            tracing::warn!(%error, "listing opted-in namespaces failed");
            None
        }
        Err(_) => {
            tracing::warn!("listing opted-in namespaces timed out");
            None
        }
    }
}

/// The periodic scan for escaped pods, run by the leader only (Events must not be doubled).
pub struct EscapeScan {
    /// The webhook's view of the cluster (stores, metrics).
    pub state: WebhookState,
    pub client: Client,
    pub recorder: Recorder,
    /// How often to scan.
    pub interval: Duration,
    /// Bound on one Kubernetes call.
    pub timeout: Duration,
}

impl EscapeScan {
    /// Scans every interval until `shutdown`.
    pub async fn run(self, shutdown: tokio_util::sync::CancellationToken) {
        let Self {
            state,
            client,
            recorder,
            interval,
            timeout,
        } = self;
        let mut reported: BTreeSet<String> = BTreeSet::new();
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(interval) => {}
            }
            let Some(namespaces) = opted_in(&client, timeout).await else {
                continue;
            };
            let found = scan(&state, &namespaces);
            state
                .metrics
                .set_pods_missing_gate(i64::try_from(found.len()).unwrap_or(i64::MAX));
            for (key, (pod, gates)) in &found {
                let uid = pod.metadata.uid.clone().unwrap_or_default();
                if reported.contains(&uid) {
                    continue;
                }
                let event = Event {
                    type_: EventType::Warning,
                    reason: EVENT_REASON_MISSING_READINESS_GATE.to_owned(),
                    note: Some(format!(
                        "pod is behind a TargetGroupBinding but lacks readiness gate(s) {}; it was admitted without the pod webhook, recreate it to get them",
                        gates.join(", ")
                    )),
                    action: "DetectMissingGate".to_owned(),
                    secondary: None,
                };
                let reference = pod.object_ref(&());
                match tokio::time::timeout(timeout, recorder.publish(&event, &reference)).await {
                    Ok(Ok(())) => {
                        reported.insert(uid);
                    }
                    Ok(Err(error)) => {
                        tracing::warn!(pod = %key, %error, "publishing an Event failed")
                    }
                    Err(_) => tracing::warn!(pod = %key, "publishing an Event timed out"),
                }
            }
            // Forget pods that are gone or fixed, so the set does not grow forever.
            let live: BTreeSet<String> = found
                .values()
                .filter_map(|(pod, _)| pod.metadata.uid.clone())
                .collect();
            reported.retain(|uid| live.contains(uid));
        }
    }
}
