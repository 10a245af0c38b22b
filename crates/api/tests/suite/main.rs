//! The CRD and the types through their public API: the committed manifest is what the types
//! generate, the schema is structural and means what LBC's means, and LBC-style manifests round
//! trip through the types. One test binary for the crate (each module a topic).
// Tests fail loudly, and so do their helpers outside #[test] functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers outside #[test] functions fail loudly by design"
)]

mod crd_drift;
mod crd_schema;
mod serde_roundtrip;
