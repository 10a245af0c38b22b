//! The TargetGroupBinding controller against the whole simulated world with the real binary: the
//! world's Deployment, ReplicaSet, scheduler, kubelet (preStop, grace period) and EndpointSlice
//! controllers drive the pods; `lbgate-controller` runs as a process against the simulated API
//! servers; an ALB data plane carries traffic. One scenario per world:
//! - [`lifecycle`]: registration, gates only after health, scale 3→6→2, a deleted pod drained
//!   before its containers stop, a foreign target never touched, no failed request;
//! - [`swap`]: a Service selector swap is make-before-break;
//! - [`throttle`]: with 30 % of the controller's ELBv2 calls throttled, gates still follow health
//!   within two health-check intervals;
//! - [`restart`]: a controller killed during a scale-up and restarted neither registers a target
//!   twice nor deregisters a healthy one.
//!
//! Build the binaries first: `cargo build -p lbgate-controller -p lbgate-sim --bins`.

mod checks;
mod lifecycle;
mod restart;
mod swap;
mod throttle;
