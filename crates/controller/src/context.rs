//! What every reconcile pass shares: clients, stores, configuration, metrics, the Event queue,
//! the clock, each binding's memory and what is known about each target group.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use k8s_openapi::jiff::Timestamp;
use kube::Client;
use kube::runtime::events::{Recorder, Reporter};
use lbgate_api::consts::EVENT_REPORTING_CONTROLLER;
use lbgate_core::binding::{BindingMemory, PassConfig};
use lbgate_core::diff::DiffConfig;
use lbgate_core::schedule::{
    DEFAULT_ERROR_BACKOFF_BASE, DEFAULT_ERROR_BACKOFF_CAP, ScheduleConfig,
};
use lbgate_elbv2::TargetsApi;

mod groups;

pub use groups::TargetGroups;

use crate::events::EventQueue;
use crate::metrics::Metrics;
use crate::stores::Stores;

/// Tunables of the TargetGroupBinding controller.
#[derive(Clone, Debug)]
pub struct ControllerConfig {
    /// Bindings reconciled at once.
    pub concurrency: u16,
    /// Ownership, make-before-break and circuit-breaker settings.
    pub diff: DiffConfig,
    /// Health-poll schedule.
    pub schedule: ScheduleConfig,
    /// Error backoff of one binding: first ceiling.
    pub error_backoff_base: Duration,
    /// Error backoff of one binding: largest ceiling.
    pub error_backoff_cap: Duration,
    /// Requeue of a binding with bad input (it is woken early by any change to its inputs).
    pub invalid_requeue: Duration,
    /// How long a `DescribeTargetGroups` answer is reused.
    pub target_group_ttl: Duration,
    /// Bound on one Kubernetes API call.
    pub kube_timeout: Duration,
    /// Bound on one ELBv2 call, retries by the governor included.
    pub aws_timeout: Duration,
    /// How long a pass waits for the stores' first list.
    pub store_sync_timeout: Duration,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        Self {
            concurrency: 3,
            diff: DiffConfig::default(),
            schedule: ScheduleConfig::default(),
            error_backoff_base: DEFAULT_ERROR_BACKOFF_BASE,
            error_backoff_cap: DEFAULT_ERROR_BACKOFF_CAP,
            invalid_requeue: Duration::from_secs(300),
            target_group_ttl: Duration::from_secs(300),
            kube_timeout: Duration::from_secs(15),
            aws_timeout: Duration::from_secs(60),
            store_sync_timeout: Duration::from_secs(60),
        }
    }
}

impl ControllerConfig {
    /// The tunables core's pass planner reads.
    pub fn pass(&self) -> PassConfig {
        PassConfig {
            diff: self.diff,
            schedule: self.schedule,
            invalid_requeue: self.invalid_requeue,
        }
    }
}

/// Where passes read the time: the wall clock, or tokio's clock from a fixed start (tests on a
/// paused clock, where registration instants must move with `tokio::time::advance`).
#[derive(Clone, Copy, Debug)]
pub enum Clock {
    /// `Timestamp::now()`.
    Wall,
    /// `start` plus the tokio time elapsed since `origin`.
    Tokio {
        /// The tokio instant that maps to `start`.
        origin: tokio::time::Instant,
        /// The timestamp at `origin`.
        start: Timestamp,
    },
}

impl Clock {
    /// A clock that follows tokio's, starting now.
    pub fn tokio() -> Self {
        Self::Tokio {
            origin: tokio::time::Instant::now(),
            start: Timestamp::now(),
        }
    }

    /// Now.
    pub fn now(&self) -> Timestamp {
        match self {
            Self::Wall => Timestamp::now(),
            Self::Tokio { origin, start } => {
                let elapsed = i128::try_from(origin.elapsed().as_nanos()).unwrap_or(i128::MAX);
                Timestamp::from_nanosecond(start.as_nanosecond().saturating_add(elapsed))
                    .unwrap_or(*start)
            }
        }
    }
}

/// A panic while holding one of these locks cannot leave a map half-written in a way that
/// matters: every entry is rebuilt by the next pass.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Every binding's memory, by `namespace/name`. A pass takes a copy at its start and puts the
/// updated memory back at its end; kube-runtime never runs two passes of one binding at once.
#[derive(Debug, Default)]
pub struct Memories {
    memories: Mutex<HashMap<String, BindingMemory>>,
}

impl Memories {
    /// A copy of binding `id`'s memory; a fresh one when it has none.
    pub fn get(&self, id: &str, config: &ControllerConfig) -> BindingMemory {
        lock(&self.memories).get(id).cloned().unwrap_or_else(|| {
            BindingMemory::new(config.error_backoff_base, config.error_backoff_cap)
        })
    }

    /// Keeps binding `id`'s memory.
    pub fn put(&self, id: &str, memory: BindingMemory) {
        lock(&self.memories).insert(id.to_owned(), memory);
    }

    /// Forgets a deleted binding.
    pub fn forget(&self, id: &str) {
        lock(&self.memories).remove(id);
    }

    /// Ages of every pending gate of every binding, for the gauge.
    pub fn pending_gate_ages(&self, now: Timestamp) -> Vec<Duration> {
        lock(&self.memories)
            .values()
            .flat_map(|memory| memory.pending_gates.values())
            .map(|since| lbgate_core::binding::memory::elapsed(*since, now))
            .collect()
    }
}

/// Shared by every pass.
pub struct Context {
    pub client: Client,
    pub elbv2: Arc<dyn TargetsApi>,
    pub stores: Stores,
    pub config: ControllerConfig,
    pub metrics: Metrics,
    /// Events on bindings, published off the pass by one worker.
    pub events: EventQueue,
    /// Where passes read the time.
    pub clock: Clock,
    /// Each binding's memory.
    pub memories: Memories,
    /// What is known about each target group: its description and its shared health answer.
    pub groups: TargetGroups,
}

impl Context {
    /// A context on the wall clock; Events report as lbgate's controller (instance: `POD_NAME`).
    /// Call it inside a tokio runtime: the Event worker starts here.
    pub fn new(
        client: Client,
        elbv2: Arc<dyn TargetsApi>,
        stores: Stores,
        config: ControllerConfig,
        metrics: Metrics,
    ) -> Self {
        let reporter = Reporter {
            controller: EVENT_REPORTING_CONTROLLER.to_owned(),
            instance: std::env::var("POD_NAME").ok(),
        };
        let recorder = Recorder::new(client.clone(), reporter);
        Self {
            events: EventQueue::start(recorder, config.kube_timeout, metrics.clone()),
            client,
            elbv2,
            stores,
            config,
            metrics,
            clock: Clock::Wall,
            memories: Memories::default(),
            groups: TargetGroups::default(),
        }
    }

    /// Now, on the context's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
