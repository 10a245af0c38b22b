//! The subcommands of the `lbgate-sim` binary that need more than a few lines of wiring.

pub mod scenario;
pub mod serve;
