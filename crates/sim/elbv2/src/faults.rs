//! Injected faults: errors at a rate, added latency, injected throttling. Decisions come from a
//! seeded generator so that a run can be replayed.

use std::collections::BTreeMap;
use std::time::Duration;

use lbgate_sim_clock::SimRng;

use super::errors::ApiError;

/// A fault injected into one action (or every action, under `"*"`).
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// Probability in [0, 1] that a call fails with `code`.
    pub error_rate: f64,
    pub code: String,
    pub http_status: u16,
    pub message: String,
    /// Added to every call, failed or not (wall time).
    pub latency: Duration,
}

impl Default for Fault {
    fn default() -> Self {
        Self {
            error_rate: 0.0,
            code: "InternalFailure".to_owned(),
            http_status: 500,
            message: "We encountered an internal error. Please try again.".to_owned(),
            latency: Duration::ZERO,
        }
    }
}

/// What to do to one call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decision {
    pub latency: Duration,
    pub error: Option<ApiError>,
}

/// The faults in force.
#[derive(Debug, Clone)]
pub struct FaultBook {
    faults: BTreeMap<String, Fault>,
    throttle_rates: BTreeMap<String, f64>,
    rng: SimRng,
}

pub const ANY_ACTION: &str = "*";

impl FaultBook {
    pub fn new(seed: u64) -> Self {
        Self {
            faults: BTreeMap::new(),
            throttle_rates: BTreeMap::new(),
            rng: SimRng::new(seed, 2),
        }
    }

    pub fn set_fault(&mut self, action: &str, fault: Fault) {
        self.faults.insert(action.to_owned(), fault);
    }

    pub fn set_throttle_rate(&mut self, action: &str, rate: f64) {
        self.throttle_rates.insert(action.to_owned(), rate);
    }

    pub fn clear(&mut self) {
        self.faults.clear();
        self.throttle_rates.clear();
    }

    /// Decides the fate of one call to `action`: the action's own settings win over `"*"`.
    pub fn decide(&mut self, action: &str) -> Decision {
        let fault = self
            .faults
            .get(action)
            .or_else(|| self.faults.get(ANY_ACTION))
            .cloned();
        let throttle = self
            .throttle_rates
            .get(action)
            .or_else(|| self.throttle_rates.get(ANY_ACTION))
            .copied()
            .unwrap_or(0.0);
        let latency = fault.as_ref().map_or(Duration::ZERO, |f| f.latency);
        if self.rng.chance(throttle) {
            return Decision {
                latency,
                error: Some(ApiError::throttling()),
            };
        }
        let error = fault.and_then(|f| {
            self.rng
                .chance(f.error_rate)
                .then(|| ApiError::new(f.http_status, f.code, f.message))
        });
        Decision { latency, error }
    }
}

#[cfg(test)]
mod tests;
