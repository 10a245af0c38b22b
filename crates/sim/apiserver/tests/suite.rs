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

#[path = "suite/admission.rs"]
mod admission;
#[path = "suite/client.rs"]
mod client;
#[path = "suite/crd.rs"]
mod crd;
#[path = "suite/crd_schema.rs"]
mod crd_schema;
#[path = "suite/delete.rs"]
mod delete;
#[path = "suite/kubectl.rs"]
mod kubectl;
#[path = "suite/server.rs"]
mod server;
#[path = "suite/server_admission.rs"]
mod server_admission;
#[path = "suite/support.rs"]
mod support;
#[path = "suite/tls.rs"]
mod tls;
#[path = "suite/validating.rs"]
mod validating;
#[path = "suite/watch.rs"]
mod watch;
#[path = "suite/webhook.rs"]
mod webhook;
