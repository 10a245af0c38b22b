//! What one binding remembers between passes, as a plain value: the plan of a pass returns it
//! updated, and the controller reports each effect back through [`BindingMemory::record`].
//!
//! Lost on restart by design: everything that must survive one (which targets the binding
//! registered) lives in the ledger ConfigMap, and the first pass after a restart simply asks AWS.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Duration;

use k8s_openapi::jiff::Timestamp;

use crate::schedule::{ErrorBackoff, requeue_after};
use crate::target::TargetKey;

/// One binding's memory.
#[derive(Clone, Debug, PartialEq)]
pub struct BindingMemory {
    /// Consecutive failed passes of this binding only.
    pub backoff: ErrorBackoff,
    /// The health wait of the last successful pass, so an error never delays a pending poll.
    pub health_wait: Option<Duration>,
    /// When the running make-before-break hold began.
    pub hold_started: Option<Timestamp>,
    /// When this process's RegisterTargets of each target returned (verdicts are aimed from
    /// there); dropped when the target is deregistered.
    pub registered_at: BTreeMap<TargetKey, Timestamp>,
    /// The latest pass that saw each target healthy, since its registration.
    pub healthy_at: BTreeMap<TargetKey, Timestamp>,
    /// Our ledger as last read or written; `None` until read.
    pub ledger: Option<BTreeSet<TargetKey>>,
    /// LBC's ledger: `None` until read, `Some(None)` when its ConfigMap does not exist.
    pub lbc_ledger: Option<Option<BTreeSet<TargetKey>>>,
    /// Gates not True, by pod `namespace/name`, with when they last went False.
    pub pending_gates: BTreeMap<String, Timestamp>,
    /// Passes so far, mixed into jitter seeds.
    pub passes: u64,
}

/// An effect of a step that the controller carried out, reported back to the memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepOutcome {
    /// Our ledger was written with these targets.
    LedgerWritten(BTreeSet<TargetKey>),
    /// RegisterTargets of these targets returned successfully at `at`.
    Registered {
        /// The targets.
        targets: Vec<TargetKey>,
        /// When the call returned: the earliest instant we know AWS has them.
        at: Timestamp,
    },
    /// DeregisterTargets of these targets succeeded (or the group is gone).
    Deregistered(Vec<TargetKey>),
    /// A gate write found the pod gone or recreated: its gate is nobody's to wait on.
    PodGone(String),
}

impl BindingMemory {
    /// A fresh memory whose errors back off from `backoff_base` up to `backoff_cap`.
    pub fn new(backoff_base: Duration, backoff_cap: Duration) -> Self {
        Self {
            backoff: ErrorBackoff::new(backoff_base, backoff_cap),
            health_wait: None,
            hold_started: None,
            registered_at: BTreeMap::new(),
            healthy_at: BTreeMap::new(),
            ledger: None,
            lbc_ledger: None,
            pending_gates: BTreeMap::new(),
            passes: 0,
        }
    }

    /// Takes in the effect of one executed step.
    pub fn record(&mut self, outcome: StepOutcome) {
        match outcome {
            StepOutcome::LedgerWritten(targets) => self.ledger = Some(targets),
            StepOutcome::Registered { targets, at } => {
                for target in targets {
                    self.healthy_at.remove(&target);
                    self.registered_at.insert(target, at);
                }
            }
            StepOutcome::Deregistered(targets) => {
                for target in &targets {
                    self.registered_at.remove(target);
                    self.healthy_at.remove(target);
                }
            }
            StepOutcome::PodGone(pod) => {
                self.pending_gates.remove(&pod);
            }
        }
    }

    /// A pass succeeded and will look at health again after `health_wait`.
    pub fn succeeded(&mut self, health_wait: Option<Duration>) {
        self.backoff.reset();
        self.health_wait = health_wait;
    }

    /// A pass of binding `id` failed: counts the failure and answers the retry delay, a
    /// jittered exponential backoff that never lands later than the health poll the binding was
    /// already waiting for (`cap` when it waited for none).
    pub fn failed(&mut self, id: &str, cap: Duration) -> Duration {
        self.backoff.record_failure();
        self.passes = self.passes.wrapping_add(1);
        let delay = self.backoff.delay(seed(id, self.passes));
        requeue_after(self.health_wait.unwrap_or(cap), delay)
    }

    /// Counts one more pass and answers the jitter seed of its poll.
    pub(crate) fn next_seed(&mut self, id: &str) -> u64 {
        self.passes = self.passes.wrapping_add(1);
        seed(id, self.passes)
    }
}

/// A jitter seed stable for one binding and pass, different across both.
fn seed(id: &str, pass: u64) -> u64 {
    let mut hasher = DefaultHasher::new();
    id.hash(&mut hasher);
    pass.hash(&mut hasher);
    hasher.finish()
}

/// How long from `from` to `to`; zero when `to` is earlier.
pub fn elapsed(from: Timestamp, to: Timestamp) -> Duration {
    let millis = to.as_millisecond().saturating_sub(from.as_millisecond());
    Duration::from_millis(u64::try_from(millis).unwrap_or(0))
}
