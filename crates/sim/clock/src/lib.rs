//! Time and randomness shared by every part of lbgate's simulated world.
//!
//! The ELBv2 simulator, the Kubernetes API server subset and the world controllers all read one
//! simulated time and draw from seeded generators, so that a run is reproducible and a test can
//! move time by hand. This crate holds just that and nothing that serves or talks to anything.
//!
//! The types a caller uses:
//! - [`Clock`]: a source of simulated time, a [`Duration`](std::time::Duration) since the clock's
//!   origin. [`ScaledClock`] follows the wall clock at a configurable speed (`time_scale` is real
//!   seconds per simulated second); [`ManualClock`] moves only when told, which makes lifecycle
//!   tests instant and deterministic. Share one as `Arc<dyn Clock>`.
//! - [`SimRng`]: a deterministic generator (SplitMix64, not cryptographic) for resource IDs,
//!   request IDs, UIDs, `generateName` suffixes and fault decisions; `stream` separates the
//!   purposes that share one seed.
//! - [`utc_timestamp`] and [`utc_seconds_timestamp`]: UTC timestamps in the forms AWS's XML and
//!   Kubernetes' RFC 3339 fields carry.
//!
//! What it does not do: no async and no timers. Waiting until simulated time has passed is the
//! caller's job ([`ScaledClock::sim_to_real`] says how long to sleep); simulated time has no
//! calendar of its own, so callers that print dates add it to a wall-clock origin they keep.
//!
//! ```
//! use std::time::Duration;
//! use lbgate_sim_clock::{Clock, ManualClock, SimRng};
//! let clock = ManualClock::new();
//! clock.advance(Duration::from_secs(5));
//! assert_eq!(clock.now(), Duration::from_secs(5));
//! assert_eq!(SimRng::new(7, 0).hex16(), SimRng::new(7, 0).hex16());
//! ```

mod clock;
mod rng;

pub use clock::{Clock, ManualClock, ScaledClock, utc_seconds_timestamp, utc_timestamp};
pub use rng::SimRng;
