//! Benchmarks: figures printed as a table and written as JSON under `bench/results/`.
//! Performance is measured here, never asserted by timed tests.

pub mod budget;
pub mod gate_lag;

use std::path::Path;

use serde::Serialize;

/// Writes `value` as pretty JSON to `dir/name`, creating the folder.
pub fn write_json<T: Serialize>(dir: &Path, name: &str, value: &T) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value)? + "\n")?;
    Ok(())
}
