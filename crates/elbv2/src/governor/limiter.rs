//! The async waiter on top of one token bucket: callers queue by priority (then arrival), only
//! the head of the queue may take a token, a caller leaves its reserve in the bucket only while
//! a higher priority competes for the class, and every wait ends at the caller's deadline or
//! cancellation.

use std::cmp::Reverse;
use std::collections::BTreeSet;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::governor::bucket::{AimdSpec, BucketSpec, TokenBucket};
use crate::governor::contention::Contention;
use crate::operation::Priority;

/// Why a caller got no token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcquireError {
    /// The token would (or did) arrive after the caller's deadline.
    DeadlineExceeded,
    Cancelled,
}

/// Queue position: highest priority first, then first come first served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Ticket {
    rank: Reverse<Priority>,
    seq: u64,
}

#[derive(Debug)]
struct State {
    bucket: TokenBucket,
    contention: Contention,
    queue: BTreeSet<Ticket>,
    next_seq: u64,
}

/// One class's bucket plus its queue of waiting callers.
#[derive(Debug)]
pub struct ClassLimiter {
    state: Mutex<State>,
    /// Woken whenever the head of the queue or the rate may have changed.
    changed: Notify,
}

/// Removes a ticket that leaves the queue without a token (deadline, cancellation, or the
/// waiting future being dropped), so it never blocks the callers behind it.
struct QueueSlot<'a> {
    limiter: &'a ClassLimiter,
    ticket: Ticket,
    armed: bool,
}

impl Drop for QueueSlot<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.limiter.lock().queue.remove(&self.ticket);
            self.limiter.changed.notify_waiters();
        }
    }
}

impl ClassLimiter {
    /// `contention_window`: how long after its last request a priority still counts as
    /// competing for this class.
    pub fn new(spec: BucketSpec, aimd: AimdSpec, contention_window: Duration) -> Self {
        Self {
            state: Mutex::new(State {
                bucket: TokenBucket::new(spec, aimd, Instant::now().into_std()),
                contention: Contention::new(contention_window),
                queue: BTreeSet::new(),
                next_seq: 0,
            }),
            changed: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the bucket half-updated in a way that
        // matters (all updates are single assignments), so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits for one token at `priority`, leaving `reserve` tokens (stated at the configured
    /// rate, see [`TokenBucket::try_take`]) for higher priorities while one competes.
    /// Returns how long the caller waited.
    pub async fn acquire(
        &self,
        priority: Priority,
        reserve: f64,
        deadline: Instant,
        cancel: Option<&CancellationToken>,
    ) -> Result<Duration, AcquireError> {
        let started = Instant::now();
        let ticket = {
            let mut state = self.lock();
            state.contention.note(priority, started.into_std());
            state.next_seq += 1;
            let ticket = Ticket {
                rank: Reverse(priority),
                seq: state.next_seq,
            };
            state.queue.insert(ticket);
            ticket
        };
        let mut slot = QueueSlot {
            limiter: self,
            ticket,
            armed: true,
        };
        loop {
            // Registered before the state is inspected, so no change between the check and
            // the wait can be missed.
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();

            let now = Instant::now();
            let wake_at = {
                let mut state = self.lock();
                if state.queue.first() == Some(&ticket) {
                    let std_now = now.into_std();
                    let competing_until = state.contention.higher_competes_until(priority, std_now);
                    let kept = if competing_until.is_some() {
                        reserve
                    } else {
                        0.0
                    };
                    match state.bucket.try_take(std_now, kept) {
                        Ok(()) => {
                            state.contention.note(priority, std_now);
                            state.queue.remove(&ticket);
                            slot.armed = false;
                            drop(state);
                            self.changed.notify_waiters();
                            return Ok(now.saturating_duration_since(started));
                        }
                        Err(wait) => {
                            let mut at = now.checked_add(wait).unwrap_or(deadline);
                            // The reserve is released when the competition lapses; the token
                            // may come sooner than the reserve would allow.
                            if let Some(until) = competing_until {
                                let free = now
                                    .checked_add(state.bucket.wait_for(std_now, 0.0))
                                    .unwrap_or(deadline);
                                at = at.min(free.max(Instant::from_std(until)));
                            }
                            if at > deadline {
                                return Err(AcquireError::DeadlineExceeded);
                            }
                            at
                        }
                    }
                } else {
                    deadline
                }
            };
            if now >= deadline {
                return Err(AcquireError::DeadlineExceeded);
            }
            tokio::select! {
                _ = tokio::time::sleep_until(wake_at) => {}
                _ = &mut changed => {}
                _ = cancelled(cancel) => return Err(AcquireError::Cancelled),
            }
        }
    }

    /// AIMD decrease; returns the new rate.
    pub fn on_throttle(&self) -> f64 {
        let rate = {
            let mut state = self.lock();
            state.bucket.on_throttle(Instant::now().into_std());
            state.bucket.rate()
        };
        self.changed.notify_waiters();
        rate
    }

    /// AIMD increase; returns the new rate.
    pub fn on_success(&self) -> f64 {
        let rate = {
            let mut state = self.lock();
            state.bucket.on_success(Instant::now().into_std());
            state.bucket.rate()
        };
        self.changed.notify_waiters();
        rate
    }

    pub fn rate(&self) -> f64 {
        self.lock().bucket.rate()
    }

    pub fn tokens(&self) -> f64 {
        self.lock().bucket.tokens(Instant::now().into_std())
    }

    pub fn waiting(&self) -> usize {
        self.lock().queue.len()
    }
}

/// Resolves when `cancel` fires; never when there is no token.
pub async fn cancelled(cancel: Option<&CancellationToken>) {
    match cancel {
        Some(token) => token.cancelled().await,
        None => std::future::pending().await,
    }
}
