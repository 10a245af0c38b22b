//! The simulated world of lbgate around its two API servers: the world controllers, the ALB data
//! plane with traffic, scenarios and the demo, behind the `lbgate-sim` binary (`elbv2`, `serve`,
//! `scenario`, `demo`).
//!
//! The servers are crates of their own: the ELBv2 API in `lbgate-sim-elbv2`, the Kubernetes API
//! server subset in `lbgate-sim-apiserver`, their shared clock in `lbgate-sim-clock`. Code that only
//! needs a server depends on that crate, not on this one.
//!
//! # What a caller uses
//!
//! - [`scenario`]: a whole world in-process ([`scenario::SimWorld`]: both servers, the world
//!   controllers and the data plane on one clock), the AWS objects and manifests a scenario
//!   starts from, steps, traffic and a report of what users saw ([`scenario::ScenarioReport`]),
//!   from Rust or from a YAML file ([`scenario::run_file`]; the format is in
//!   `src/scenario/README.md`).
//! - [`controllers`]: nodes, scheduler, kubelet, Deployments and ReplicaSets, EndpointSlices and a
//!   baseline target registrar, each a client of the API server ([`controllers::World`]), and the
//!   pod applications they start ([`controllers::AppRegistry`]).
//! - [`alb`]: the application load balancer's data plane over the ELBv2 model, and a traffic
//!   generator that counts every outcome.
//! - [`demo`]: the ELBv2 target-lifecycle story that `make demo` tells.
//!
//! Every failure is a [`SimError`]; the servers' own errors pass through it unchanged.
//!
//! # What it does not do
//!
//! The world controllers are level-triggered loops over the whole cluster, faithful in outcome
//! (rolling-update arithmetic, kubelet timing, EndpointSlice conditions) and not in mechanics (no
//! work queues); they suit worlds of a few hundred pods. No container runs: a pod's application
//! is a phase in the [`controllers::AppRegistry`]. Only an application load balancer carries
//! traffic (no NLB data plane). lbgate's controller is never part of the world: it runs against
//! it as against a cluster.

pub mod alb;
pub mod controllers;
pub mod demo;
mod error;
pub mod scenario;

pub use error::SimError;
