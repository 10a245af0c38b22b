//! The simulated API server through real clients (kube-rs, kubectl, HTTPS): REST, discovery,
//! LIST/WATCH, patches, deletion, CRDs and their schemas, TLS, and mutating and validating admission
//! webhooks. One test binary for the crate (each module a topic, helpers in `support` and
//! `webhook`), so that kube-rs is linked once.
// Tests fail loudly, and so do their helpers outside #[test] functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod admission;
mod client;
mod crd;
mod crd_schema;
mod delete;
mod kubectl;
mod server;
mod server_admission;
mod support;
mod tls;
mod validating;
mod watch;
mod webhook;
