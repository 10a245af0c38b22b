//! The ELBv2 port through its public API: the SDK adapter against the ELBv2 simulator, and the
//! governor over the in-memory fake (paused clock) and over the simulator with throttling. One
//! test binary for the crate (each module a topic, helpers in `support`), so that the AWS SDK is
//! linked once.
// Tests fail loudly, and so do their helpers outside #[test] functions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod adapter_sim;
mod governor_fake;
mod governor_sim;
mod support;
