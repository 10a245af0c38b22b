//! The kit's own rules, checked from outside: it stays dev-only. One test binary for the crate.

mod dev_only;
