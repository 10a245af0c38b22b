//! `lbgate-testkit`: what lbgate's tests share and the product never ships.
//!
//! **Dev-only.** Any crate may use it as a `[dev-dependencies]` entry; no crate under `crates/`
//! may list it among its `[dependencies]` (this crate's `dev_only` test fails when one does).
//! It may depend on product crates, never the reverse. `e2e/`, the scenario and benchmark
//! harness outside `crates/` that nothing ships, uses it as a normal dependency.
//!
//! Public API (default build: no simulator, no controller):
//! - [`install_crypto`]: installs aws-lc-rs as the process's rustls provider, the one kube and
//!   the AWS SDK share (a test binary that builds either client calls it first);
//! - [`wait`]: [`eventually`], the one bounded wait: polls a check until it answers, bounded by
//!   a deadline on tokio's clock, [`TimedOut`] saying what it waited for; [`Patience`], a
//!   suite's deadline and poll interval, whose wait fails the test when it runs out;
//! - [`objects`]: builders for the Kubernetes objects tests create (pods plain, gated,
//!   scheduled, their running status and conditions; Services, EndpointSlices, nodes,
//!   namespaces, Deployments, TargetGroupBindings), as k8s-openapi values or JSON;
//! - [`metrics`]: counters, gauges and histogram counts read from a `prometheus::Registry` or
//!   from a Prometheus text exposition (a process's `/metrics`), through one parser;
//! - [`fake_elbv2`]: [`FakeElbv2`], an in-memory [`lbgate_elbv2::TargetsApi`] with injected
//!   throttling, latency and failures, and the inherent helpers tests set it up and read it
//!   with. Target-group life, tags, load balancers, listeners and rules are not faked: the
//!   ELBv2 simulator (`lbgate-sim-elbv2`) serves them over the real SDK.
//!
//! Feature `world` (the controller's integration tests): `world::ControllerWorld`, the
//! simulated Kubernetes API server (`lbgate-sim-apiserver`) and ELBv2 simulator
//! (`lbgate-sim-elbv2`) on a manual clock with the helpers that play kubelet and the
//! EndpointSlice controller, and the controller started the way the binary starts it
//! (`Parts::new`, `Runtime::start`); `world::runtime` starts further runtime instances (leader
//! election, webhooks) the same way. It does not pull the world crate `lbgate-sim` (world
//! controllers, ALB data plane, scenarios).
//!
//! A unit test (`src/**/tests.rs`) of a crate that this kit depends on builds a second copy of
//! that crate, so it can pass the kit's values only through types of crates the kit shares with
//! it (for the controller: `lbgate_elbv2::TargetsApi`), never through its own; the world is for
//! integration tests (`tests/suite/`), which link the one copy.

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
