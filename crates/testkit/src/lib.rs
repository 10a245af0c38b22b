//! `lbgate-testkit`: what lbgate's tests share and the product never ships.
//!
//! **Dev-only.** Any crate may use it as a `[dev-dependencies]` entry; no crate under `crates/`
//! may list it among its `[dependencies]` (this crate's `dev_only` test fails when one does). It may depend on product crates, never the reverse.
//!
//! Public API:
//! - [`install_crypto`]: installs aws-lc-rs as the process's rustls provider, the one kube and
//!   the AWS SDK share (a test binary that builds either client calls it first);
//! - [`eventually`]: polls a check until it answers, bounded by a deadline on tokio's clock;
//!   [`TimedOut`] says what it waited for;
//! - [`fake_elbv2`]: [`FakeElbv2`], an in-memory [`lbgate_elbv2::TargetsApi`] with injected
//!   throttling, latency and failures, and the inherent helpers tests set it up and read it
//!   with. Target-group life, tags, load balancers, listeners and rules are not faked: the
//!   ELBv2 simulator (`lbgate-sim-elbv2`) serves them over the real SDK.
//!
//! A unit test (`src/**/tests.rs`) of a crate that this kit depends on builds a second copy of
//! that crate, so it can pass the kit's values only through types of crates the kit shares with
//! it (for the controller: `lbgate_elbv2::TargetsApi`), never through its own.

pub mod fake_elbv2;
pub mod metrics;
pub mod objects;
pub mod wait;
#[cfg(feature = "world")]
pub mod world;

pub use fake_elbv2::{FakeConfig, FakeElbv2};
pub use wait::{Patience, TimedOut, eventually};

/// Installs aws-lc-rs as the process-wide rustls provider: kube and the AWS SDK must share one,
/// and a second install (another test of the same binary) is a no-op.
pub fn install_crypto() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}
