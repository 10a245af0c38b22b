//! Which priorities compete for one class: a priority competes from the moment one of its
//! callers asks for a token until `window` after the last such request or grant. A reserve is
//! kept back from lower priorities only while a higher priority competes, so a health poll is
//! never held behind tokens that no caller will use. Pure bookkeeping with explicit instants.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::operation::Priority;

/// Recent activity per priority on one class.
#[derive(Debug, Clone)]
pub struct Contention {
    window: Duration,
    last_seen: BTreeMap<Priority, Instant>,
}

impl Contention {
    pub fn new(window: Duration) -> Self {
        Self {
            window,
            last_seen: BTreeMap::new(),
        }
    }

    /// A caller of `priority` asked for, or took, a token at `now`.
    pub fn note(&mut self, priority: Priority, now: Instant) {
        let seen = self.last_seen.entry(priority).or_insert(now);
        if now > *seen {
            *seen = now;
        }
    }

    /// When no priority above `priority` competes any more, unless one calls again; `None` when
    /// none competes at `now`.
    pub fn higher_competes_until(&self, priority: Priority, now: Instant) -> Option<Instant> {
        self.last_seen
            .range((
                std::ops::Bound::Excluded(priority),
                std::ops::Bound::Unbounded,
            ))
            .filter_map(|(_, seen)| seen.checked_add(self.window))
            .filter(|until| *until > now)
            .max()
    }
}

#[cfg(test)]
mod tests;
