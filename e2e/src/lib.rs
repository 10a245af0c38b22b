//! End-to-end scenarios and benchmarks: the real lbgate binaries against `lbgate-sim`.
