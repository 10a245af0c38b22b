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
    let mut value = serde_json::to_value(value)?;
    if let Some(fields) = value.as_object_mut() {
        fields.insert("provenance".to_owned(), provenance());
    }
    std::fs::write(&path, serde_json::to_string_pretty(&value)? + "\n")?;
    Ok(())
}

/// Where a figure comes from: the commit measured (`-dirty` when the tree had uncommitted
/// changes) and when, in UTC.
fn provenance() -> serde_json::Value {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).map(|commit| {
        let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
            .is_some_and(|status| !status.is_empty());
        if dirty {
            format!("{commit}-dirty")
        } else {
            commit
        }
    });
    serde_json::json!({
        "commit": commit,
        "date": k8s_openapi::jiff::Timestamp::now().to_string(),
    })
}
