//! The simulated world of lbgate.
//!
//! Today it holds the ELBv2 API simulator ([`elbv2`]); the Kubernetes API server subset, the world
//! controllers and the ALB data plane will join it as sibling modules.

pub mod alb;
pub mod demo;
pub mod error;
pub mod scenario;
pub mod world;

pub use error::SimError;

// Until the dependents name lbgate-sim-clock, lbgate-sim-elbv2 and lbgate-sim-apiserver themselves.
pub use lbgate_sim_apiserver as kube;
pub use lbgate_sim_clock as clock;
pub use lbgate_sim_elbv2 as elbv2;
