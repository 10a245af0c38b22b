//! The application load balancer's data plane and a traffic generator.
//!
//! The ELBv2 simulator ([`lbgate_sim_elbv2`]) models the control plane: load balancers, listeners,
//! rules, target groups and target health over simulated time. This module sends requests through
//! that model the way an ALB node does — rule, target group, target — and answers them from the
//! pod applications of a [`crate::controllers::AppRegistry`], so that rollouts show the 502/503/504s
//! users see in production (draining targets still getting requests for a while, pods gone before
//! health checks notice).
//!
//! ```no_run
//! # async fn demo(sim: &lbgate_sim_elbv2::Elbv2Sim) -> Result<(), lbgate_sim::SimError> {
//! use std::sync::Arc;
//! use std::time::Duration;
//! use lbgate_sim::alb::{DataPlane, DataPlaneConfig, Traffic, TrafficConfig};
//! use lbgate_sim::controllers::AppRegistry;
//! let apps = AppRegistry::with_elbv2_mirror(sim);
//! let plane = Arc::new(DataPlane::new(sim, apps, DataPlaneConfig::default()));
//! let config = TrafficConfig::new("my-alb", 80, 20.0, Duration::from_secs(60));
//! let report = Traffic::run(plane, config, Duration::from_secs(120)).await?;
//! println!("{report}");
//! # Ok(()) }
//! ```

pub mod dataplane;
pub mod matching;
pub mod report;
pub mod router;
pub mod simtime;
pub mod traffic;

pub use dataplane::{DataPlane, DataPlaneConfig, Outcome, OutcomeKind};
pub use matching::HttpRequest;
pub use report::{FailureWindow, TrafficReport};
pub use router::{Balancing, Route, Router, RouterConfig, TargetRef};
pub use simtime::Polling;
pub use traffic::{Traffic, TrafficConfig};
