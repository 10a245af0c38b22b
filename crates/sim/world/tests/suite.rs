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

#[path = "suite/alb_dataplane.rs"]
mod alb_dataplane;
#[path = "suite/alb_routing.rs"]
mod alb_routing;
#[path = "suite/alb_support.rs"]
mod alb_support;
#[path = "suite/alb_traffic.rs"]
mod alb_traffic;
#[path = "suite/binary.rs"]
mod binary;
#[path = "suite/demo.rs"]
mod demo;
#[path = "suite/scenario_cli.rs"]
mod scenario_cli;
#[path = "suite/scenario_rollout.rs"]
mod scenario_rollout;
#[path = "suite/scenario_world.rs"]
mod scenario_world;
#[path = "suite/serve.rs"]
mod serve;
#[path = "suite/world_lifecycle.rs"]
mod world_lifecycle;
#[path = "suite/world_nodes.rs"]
mod world_nodes;
#[path = "suite/world_rollout.rs"]
mod world_rollout;
#[path = "suite/world_support.rs"]
mod world_support;
