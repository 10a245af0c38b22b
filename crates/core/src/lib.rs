//! lbgate's pure decisions: desired targets from EndpointSlices, Pods and Nodes; the target diff
//! (make-before-break, ownership, circuit breaker); gate conditions from target health; stale-gate
//! resolution; the webhook's mutation plan; the IngressGroup model and its transition plan; health-poll
//! scheduling. No async and no I/O, so table-driven unit tests carry most of the logic.
//!
//! The decisions land with the TargetGroupBinding controller (issue 4) and the IngressGroup work; this
//! crate holds only what those issues have delivered.
