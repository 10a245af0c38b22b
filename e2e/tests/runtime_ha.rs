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
//! Bad flags exiting non-zero is covered by `crates/controller/tests/flags_bin.rs`.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stderr,
    reason = "tests fail loudly and print what they measured"
)]

// A test crate's root sits in `tests/`; its modules live in `tests/runtime_ha/`.
#[path = "runtime_ha/admission.rs"]
mod admission;
#[path = "runtime_ha/cluster.rs"]
mod cluster;
#[path = "runtime_ha/failover.rs"]
mod failover;
#[path = "runtime_ha/tls.rs"]
mod tls;
