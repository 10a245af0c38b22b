//! The runtime end to end: two real `lbgate-controller` processes against `lbgate-sim serve`, set up
//! as production installs them (CRD, webhook configurations and webhook Service from
//! `manifests/install.yaml`, self-managed certificates, the Service's endpoints on both
//! processes).
//!
//! - admission over TLS from both replicas: gates in an opted-in namespace only, the certificate
//!   verified against the published caBundle, immutable binding fields refused;
//! - certificate rotation (seconds, through `--config`) under admission traffic: nothing fails;
//! - SIGKILL of the leader: the follower leads within the Lease duration plus one retry period,
//!   no target deregistered or registered twice, no True gate lost;
//! - SIGTERM during a slow RegisterTargets batch: exit 0 within the grace, every target in ELBv2
//!   recorded in the ledger, and the successor finishes the job.
//!
//! Bad flags exiting non-zero is covered by `crates/controller/tests/suite/flags_bin.rs`.

#![allow(
    clippy::print_stderr,
    reason = "the scenarios print what they measured"
)]

mod admission;
mod cluster;
mod failover;
mod tls;
