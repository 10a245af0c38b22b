//! lbgate's pure decisions. No async, no I/O and no clocks: time comes in as arguments
//! (`k8s_openapi::jiff::Timestamp`, `Time` or `Duration` offsets) and randomness as seeds, so
//! every function is deterministic and table-tested.
//!
//! The TargetGroupBinding controller's decisions (issue 4):
//! - [`target`]: target identity and AWS health state;
//! - [`ports`]: `serviceRef.port` → EndpointSlice port (ip) or node port (instance);
//! - [`endpoints`]: desired targets in ip mode; [`instance`]: desired targets in instance mode;
//! - [`diff`]: the sync plan (ownership, make-before-break, circuit breaker);
//! - [`ledger`]: our ownership ledger and LBC's multi-cluster ledger;
//! - [`gates`]: pod readiness-gate conditions and their `pods/status` patch;
//! - [`schedule`]: the next health poll and the separate error backoff;
//! - [`validate`] and [`status`]: bad input as conditions, and the binding's status.

pub mod diff;
pub mod endpoints;
pub mod gates;
pub mod instance;
pub mod ledger;
pub mod ports;
pub mod schedule;
pub mod status;
pub mod target;
pub mod validate;
pub mod webhook;

#[cfg(test)]
mod fixtures;
