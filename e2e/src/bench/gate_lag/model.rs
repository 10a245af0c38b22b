//! A model of the measured rollout, to ask what another gate rule would have done to it.
//!
//! A rolling update with maxUnavailable 0 is a pipeline: `surge` new pods start at once; each new
//! pod that turns available lets the Deployment delete one old pod and create the next new one.
//! The delays between those steps (pod start-up, health-check verdict, Ready → deletion, …) are
//! measured in the real run ([`RolloutShape`]); only the gate rule changes. Because later pods
//! are created by earlier pods' gates, a slower gate rule slows the whole rollout, which a replay
//! of the measured instants would miss.

use serde::Serialize;

/// The measured delays of one rollout, seconds (medians over its pods).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RolloutShape {
    pub replicas: usize,
    /// New pods started at once (maxSurge, rounded up).
    pub surge: usize,
    /// New image set → first new pods created.
    pub to_first: f64,
    /// New pod created → its target registered.
    pub to_registered: f64,
    /// Registered → healthy (the health-check grid: interval × healthy threshold).
    pub to_healthy: f64,
    /// Gate True → pod Ready.
    pub to_available: f64,
    /// A new pod Ready → the next new pod created.
    pub to_next: f64,
    /// A new pod Ready → one old pod's target deregistered.
    pub to_deregistered: f64,
    /// Deregistered → gone from the target group (deregistration delay).
    pub drain: f64,
}

/// When a pending gate turns True.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GateRule {
    /// A fixed time after the target turns healthy.
    AfterHealthy(f64),
    /// The AWS Load Balancer Controller's TargetGroupBinding passes, with this requeue:
    /// - an endpoint change (registration, deregistration) is a full pass;
    /// - a pass that leaves a gated pod not True requeues the binding; the delaying queue keeps
    ///   the earliest pending requeue, so later passes do not push it back;
    /// - a requeue with every gate True exits early (checkpoint), with no AWS call;
    /// - a full pass sends one DescribeTargetHealth for the cached targets that are not healthy
    ///   (pending ones, and deregistered ones until a pass after draining), none otherwise, and
    ///   flips every pending gate whose target is healthy by then.
    LbcRequeue(f64),
}

/// What the model gives for one gate rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelledRollout {
    /// Gate lag of each new pod, in creation order.
    pub lags: Vec<f64>,
    /// New image set → the last old pod deregistered (seconds).
    pub seconds: f64,
    /// Full reconcile passes (LBC rule only).
    pub passes: u64,
    /// DescribeTargetHealth calls (LBC rule only).
    pub describe_target_health_calls: u64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Event {
    Create,
    Register(usize),
    Flip(usize),
    Available(usize),
    Deregister,
    Requeue,
}

#[derive(Default)]
struct Run {
    queue: Vec<(f64, u64, Event)>,
    sequence: u64,
    healthy_at: Vec<f64>,
    lags: Vec<Option<f64>>,
    pending: Vec<usize>,
    draining: Vec<f64>,
    requeue_at: Option<f64>,
    passes: u64,
    calls: u64,
}

impl Run {
    fn push(&mut self, at: f64, event: Event) {
        self.sequence += 1;
        self.queue.push((at, self.sequence, event));
    }

    fn pop(&mut self) -> Option<(f64, Event)> {
        let index = self
            .queue
            .iter()
            .enumerate()
            .min_by(|(_, a), (_, b)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map(|(i, _)| i)?;
        let (at, _, event) = self.queue.swap_remove(index);
        Some((at, event))
    }

    /// One LBC full pass at `at`, then its own endpoint change.
    fn pass(&mut self, at: f64, shape: &RolloutShape, requeue: f64, change: Event) {
        self.passes += 1;
        if !self.pending.is_empty() || !self.draining.is_empty() {
            self.calls += 1;
            let mut flipped = Vec::new();
            self.pending.retain(|&i| {
                let due = self.healthy_at.get(i).is_some_and(|h| *h <= at);
                if due {
                    flipped.push(i);
                }
                !due
            });
            for i in flipped {
                self.flip(at, i, shape);
            }
            self.draining.retain(|gone| *gone > at);
        }
        match change {
            Event::Register(i) => self.pending.push(i),
            Event::Deregister => self.draining.push(at + shape.drain),
            _ => {}
        }
        if !self.pending.is_empty() {
            let due = at + requeue;
            if self.requeue_at.is_none_or(|r| due < r) {
                self.requeue_at = Some(due);
                self.push(due, Event::Requeue);
            }
        }
    }

    fn flip(&mut self, at: f64, i: usize, shape: &RolloutShape) {
        if let (Some(lag), Some(healthy)) = (self.lags.get_mut(i), self.healthy_at.get(i)) {
            *lag = Some(at - healthy);
        }
        self.push(at + shape.to_available, Event::Available(i));
    }
}

/// Runs the rollout of `shape` under `rule`.
pub fn model_rollout(shape: &RolloutShape, rule: GateRule) -> ModelledRollout {
    let n = shape.replicas;
    let mut run = Run {
        healthy_at: vec![f64::NAN; n],
        lags: vec![None; n],
        ..Run::default()
    };
    // Pods asked for (the Deployment counts them at once), and pods created so far.
    let mut requested = shape.surge.clamp(1, n.max(1)).min(n);
    for _ in 0..requested {
        run.push(shape.to_first, Event::Create);
    }
    let (mut created, mut deleted, mut end) = (0, 0, 0.0_f64);
    // Every pod is created, flipped and made available once; requeues stop with the last gate.
    let bound = 64 * (n + 1) * (n + 1);
    for _ in 0..bound {
        let Some((at, event)) = run.pop() else { break };
        match event {
            Event::Create => {
                let i = created;
                created += 1;
                run.push(at + shape.to_registered, Event::Register(i));
            }
            Event::Register(i) => {
                let healthy = at + shape.to_healthy;
                if let Some(h) = run.healthy_at.get_mut(i) {
                    *h = healthy;
                }
                match rule {
                    GateRule::AfterHealthy(lag) => run.push(healthy + lag, Event::Flip(i)),
                    GateRule::LbcRequeue(requeue) => run.pass(at, shape, requeue, event),
                }
            }
            Event::Flip(i) => run.flip(at, i, shape),
            Event::Available(_) => {
                if deleted < n {
                    deleted += 1;
                    run.push(at + shape.to_deregistered, Event::Deregister);
                }
                if requested < n {
                    requested += 1;
                    run.push(at + shape.to_next, Event::Create);
                }
            }
            Event::Deregister => {
                end = end.max(at);
                if let GateRule::LbcRequeue(requeue) = rule {
                    run.pass(at, shape, requeue, event);
                }
            }
            Event::Requeue => {
                if run.requeue_at == Some(at) {
                    run.requeue_at = None;
                    if let GateRule::LbcRequeue(requeue) = rule
                        && !run.pending.is_empty()
                    {
                        run.pass(at, shape, requeue, event);
                    }
                }
            }
        }
    }
    ModelledRollout {
        lags: run
            .lags
            .into_iter()
            .map(|l| l.unwrap_or(f64::NAN))
            .collect(),
        seconds: end,
        passes: run.passes,
        describe_target_health_calls: run.calls,
    }
}

#[cfg(test)]
mod tests;
