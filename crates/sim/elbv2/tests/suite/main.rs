//! The ELBv2 simulator through the real AWS SDK: resources, targets and their lifecycle, faults
//! and throttling, and wire parity with moto. One test binary for the crate (each module a topic,
//! helpers in `support` and `moto`), so that the SDK is linked once.
// Tests fail loudly, and so do their helpers outside #[test] functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod moto;
mod parity_moto;
mod sdk_faults;
mod sdk_resources;
mod sdk_targets;
mod support;
