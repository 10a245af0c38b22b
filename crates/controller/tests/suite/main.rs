//! The controller through its public API and its binary: the TargetGroupBinding controller
//! against the simulated API server and ELBv2 simulator, bad inputs, the webhooks over TLS,
//! leader election between in-process replicas, the certificate directory, and the binary's
//! flags and signals. One test binary for the crate (each module a topic; the simulated world
//! and its helpers are `lbgate_testkit::world`), so that kube and the AWS SDK are linked once.
// Tests fail loudly, and so do their helpers outside #[test] functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod binary_sim;
mod cert_dir;
mod flags_bin;
mod leader_sim;
mod tgb_inputs;
mod tgb_sim;
mod webhook_sim;
