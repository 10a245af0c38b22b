//! lbgate's pure decisions. No async, no I/O and no clocks: time comes in as arguments
//! (`k8s_openapi::jiff::Timestamp`, `Time` or `Duration` offsets) and randomness as seeds, so
//! every function is deterministic and table-tested.
//!
//! **Start here: [`binding::plan_pass`].** One pass of a TargetGroupBinding is one call: it takes
//! everything the pass observed ([`binding::PassInput`]: the binding, its Service, EndpointSlices,
//! pods and nodes, the target group and its DescribeTargetHealth answer, our ledgers, the
//! binding's [`binding::BindingMemory`], now) and returns a [`binding::PassPlan`]: the ordered
//! steps (ledger writes, registrations, deregistrations with the guard that allowed each, each
//! pod's gate write, the status, Events), the memory to keep and the next poll with its reason.
//! The controller only gathers the inputs and carries the steps out.
//!
//! **One pod's gate** is decided by [`gates::decide_gate`]: whether the pod carries the
//! binding's gate, what the condition should say (True only for a `healthy` target), and the
//! condition to write.
//!
//! The parts the pass is made of:
//! - [`target`]: target identity and AWS health state;
//! - [`ports`]: `serviceRef.port` → EndpointSlice port (ip) or node port (instance);
//! - [`endpoints`]: desired targets in ip mode; [`instance`]: desired targets in instance mode;
//! - [`diff`]: the sync plan (ownership, make-before-break, circuit breaker);
//! - [`ledger`]: our ownership ledger and LBC's multi-cluster ledger;
//! - [`gates`]: pod readiness-gate conditions and their `pods/status` patch;
//! - [`schedule`]: the next health poll, the separate error backoff, and when a held
//!   DescribeTargetHealth answer may stand in for a new one;
//! - [`validate`] and [`status`]: bad input as conditions, and the binding's status;
//! - [`webhook`]: which readiness gates the pod webhook injects.

pub mod binding;
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
