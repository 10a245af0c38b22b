//! Scenarios: a whole simulated world ([`SimWorld`]: Kubernetes API server, ELBv2 simulator, world
//! controllers, ALB data plane on one clock), the AWS objects and manifests a scenario starts
//! from, and (see the README next to this file) steps, traffic and a report of what users saw.
//!
//! ```no_run
//! # async fn demo() -> Result<(), lbgate_sim::SimError> {
//! use lbgate_sim::scenario::{ListenerOptions, LoadBalancerOptions, SimWorld, SimWorldOptions,
//!     TargetGroupOptions};
//! let world = SimWorld::start(SimWorldOptions::with_time_scale(0.05)).await?;
//! world.create_load_balancer(&LoadBalancerOptions::new("web-alb"))?;
//! world.create_target_group(&TargetGroupOptions::ip("web", 8080).with_health_checks(5, 2, 2))?;
//! world.create_listener(&ListenerOptions::new("web-alb", 80, "web"))?;
//! world.apply_yaml("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n").await?;
//! world.shutdown().await?;
//! # Ok(()) }
//! ```

pub mod apply;
pub mod aws;
pub mod file;
pub mod report;
pub mod runner;
pub mod steps;
pub mod timeline;
pub mod world;

pub use apply::Applied;
pub use aws::{ListenerOptions, LoadBalancerOptions, TargetGroupOptions};
pub use file::{Scenario, run_file};
pub use report::{ScenarioReport, StepRecord, TrafficSummary, WindowSummary};
pub use runner::ScenarioRun;
pub use steps::{Condition, Step, TrafficSpec};
pub use timeline::{Moment, PodTimeline, TimelineRecorder};
pub use world::{SimWorld, SimWorldOptions};

use crate::SimError;

/// A scenario failure.
pub(crate) fn failure(message: String) -> SimError {
    SimError::Scenario { message }
}
