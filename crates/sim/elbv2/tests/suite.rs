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

#[path = "suite/moto.rs"]
mod moto;
#[path = "suite/parity_moto.rs"]
mod parity_moto;
#[path = "suite/sdk_faults.rs"]
mod sdk_faults;
#[path = "suite/sdk_resources.rs"]
mod sdk_resources;
#[path = "suite/sdk_targets.rs"]
mod sdk_targets;
#[path = "suite/support.rs"]
mod support;
