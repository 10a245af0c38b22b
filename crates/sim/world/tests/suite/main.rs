//! The world through the binary and the library: the world controllers against the simulated
//! API server (nodes, rollouts, pod lifecycle), the ALB data plane and traffic, scenarios from Rust
//! and from files, `lbgate-sim serve`, the demo and the binary's signals. One test binary for the
//! crate (each module a topic, helpers in `alb_support` and `world_support`), so that kube-rs and
//! the AWS SDK are linked once.
// Tests fail loudly, and so do their helpers outside #[test] functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod alb_dataplane;
mod alb_routing;
mod alb_support;
mod alb_traffic;
mod binary;
mod demo;
mod scenario_cli;
mod scenario_rollout;
mod scenario_world;
mod serve;
mod world_lifecycle;
mod world_nodes;
mod world_rollout;
mod world_support;
