//! What the world records besides the pod timelines: each application's serving and SIGTERM
//! instants, and pods as the scenarios look at them.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use lbgate_sim::controllers::{AppPhase, AppRegistry, AppState};
use lbgate_sim_clock::Clock;
use tokio::task::JoinHandle;

use super::{APP_PORT, GATE};

/// Wall time between two looks at the application registry: the precision of the serving and
/// SIGTERM instants.
const APP_POLL: Duration = Duration::from_millis(10);

/// When one pod's application changed phase, in simulated seconds, as the kubelet set it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AppMoments {
    /// It started listening.
    pub serving: Option<f64>,
    /// SIGTERM (after the preStop hook): health checks fail from here, or the process is gone.
    pub stopping: Option<f64>,
}

/// One pod as a scenario looks at it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PodView {
    pub name: String,
    pub app: Option<String>,
    pub ip: Option<String>,
    /// Status of the binding's gate condition, when the pod has one.
    pub gate: Option<String>,
    pub gate_reason: Option<String>,
    pub ready: bool,
    pub terminating: bool,
}

impl PodView {
    /// `ip:port` of the pod's target.
    pub fn target(&self) -> Option<String> {
        self.ip.as_ref().map(|ip| format!("{ip}:{APP_PORT}"))
    }

    pub fn gate_true(&self) -> bool {
        self.gate.as_deref() == Some("True")
    }

    pub(super) fn of(pod: &Pod) -> Self {
        let status = pod.status.as_ref();
        let conditions = status
            .and_then(|s| s.conditions.as_deref())
            .unwrap_or_default();
        let gate = conditions.iter().find(|c| c.type_ == GATE);
        Self {
            name: pod.metadata.name.clone().unwrap_or_default(),
            app: pod
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("app").cloned()),
            ip: status.and_then(|s| s.pod_ip.clone()),
            gate: gate.map(|c| c.status.clone()),
            gate_reason: gate.and_then(|c| c.reason.clone()),
            ready: conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True"),
            terminating: pod.metadata.deletion_timestamp.is_some(),
        }
    }
}

/// Records when each application starts serving and stops, by polling the registry the kubelet
/// writes (every [`APP_POLL`]).
pub(super) struct AppWatch {
    pub(super) book: Arc<Mutex<BTreeMap<String, AppMoments>>>,
    task: JoinHandle<()>,
}

pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AppWatch {
    pub(super) fn start(apps: Arc<AppRegistry>, clock: Arc<dyn Clock>) -> Self {
        let book: Arc<Mutex<BTreeMap<String, AppMoments>>> = Arc::default();
        let task = {
            let book = Arc::clone(&book);
            tokio::spawn(async move {
                loop {
                    note_phases(&book, apps.snapshot(), clock.now().as_secs_f64());
                    tokio::time::sleep(APP_POLL).await;
                }
            })
        };
        Self { book, task }
    }
}

fn note_phases(
    book: &Mutex<BTreeMap<String, AppMoments>>,
    apps: BTreeMap<std::net::IpAddr, AppState>,
    now: f64,
) {
    let mut book = lock(book);
    for AppState { pod, phase, .. } in apps.into_values() {
        let moments = book.entry(pod).or_default();
        match phase {
            AppPhase::Serving => {
                moments.serving.get_or_insert(now);
            }
            AppPhase::ShuttingDown | AppPhase::Gone => {
                moments.stopping.get_or_insert(now);
            }
            AppPhase::Starting => {}
        }
    }
}

impl Drop for AppWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}
