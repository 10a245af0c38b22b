//! `lbgate-sim serve` as a scenario's child process.
