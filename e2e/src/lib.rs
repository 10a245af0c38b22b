//! End-to-end scenarios and benchmarks: the real lbgate binaries and libraries against `lbgate-sim`.

pub mod bench;
pub mod controller;
pub mod http;
pub mod serve;
pub mod wait;
pub mod world;
