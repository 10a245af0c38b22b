//! End to end: the real `lbgate-controller` binary against the simulated world. One test binary
//! for the crate (each module a scenario family), so that kube, the AWS SDK and the world are
//! linked once:
//! - [`controller_process`]: the harness itself, one controller process against the in-process
//!   simulators;
//! - [`runtime_ha`]: two replicas against `lbgate-sim serve` installed from the manifests;
//! - [`tgb_world`]: the TargetGroupBinding controller against the whole world with traffic.
//!
//! Build the binaries first: `cargo build -p lbgate-controller -p lbgate-sim --bins`.
// Tests fail loudly, and so do their helpers outside #[test] functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod controller_process;
mod runtime_ha;
mod tgb_world;
