//! The kit is dev-only: no crate under `crates/` may list it among its dependencies except as a
//! dev-dependency (the product must never link test code).

use std::path::{Path, PathBuf};

const KIT: &str = "lbgate-testkit";

/// Every `Cargo.toml` below `dir`, build outputs left out.
fn manifests(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|name| name != "target") {
                manifests(&path, found)?;
            }
        } else if path.file_name().is_some_and(|name| name == "Cargo.toml") {
            found.push(path);
        }
    }
    Ok(())
}

/// The lines of `manifest` that make the kit a normal or build dependency.
fn non_dev_uses(manifest: &str) -> Vec<String> {
    let mut section = String::new();
    let mut uses = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if let Some(header) = line.strip_prefix('[') {
            section = header.trim_end_matches(']').to_owned();
            // `[dependencies.lbgate-testkit]` and the like name the kit in the header.
            if section.ends_with(&format!("dependencies.{KIT}"))
                && !section.contains("dev-dependencies")
            {
                uses.push(line.to_owned());
            }
            continue;
        }
        let in_dependencies =
            section.ends_with("dependencies") && !section.ends_with("dev-dependencies");
        let key = line.split('=').next().unwrap_or_default().trim();
        if in_dependencies && key.trim_matches('"') == KIT {
            uses.push(format!("[{section}] {line}"));
        }
    }
    uses
}

#[test]
fn no_crate_depends_on_the_kit_outside_dev_dependencies() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the kit lives in crates/");
    let mut found = Vec::new();
    manifests(crates, &mut found).expect("crates/ is readable");
    assert!(found.len() > 4, "too few manifests found: {found:?}");
    let offenders: Vec<String> = found
        .iter()
        .flat_map(|path| {
            let text = std::fs::read_to_string(path).expect("manifest is readable");
            non_dev_uses(&text)
                .into_iter()
                .map(move |line| format!("{}: {line}", path.display()))
        })
        .collect();
    assert!(offenders.is_empty(), "{offenders:#?}");
}

#[test]
fn the_check_sees_every_way_of_depending() {
    let manifest = r#"
[dependencies]
lbgate-testkit = { workspace = true }

[dev-dependencies]
lbgate-testkit = { workspace = true }

[build-dependencies]
"lbgate-testkit" = "0.1"

[target.'cfg(unix)'.dependencies.lbgate-testkit]
workspace = true

[dev-dependencies.lbgate-testkit]
workspace = true
"#;
    assert_eq!(
        non_dev_uses(manifest),
        [
            "[dependencies] lbgate-testkit = { workspace = true }",
            "[build-dependencies] \"lbgate-testkit\" = \"0.1\"",
            "[target.'cfg(unix)'.dependencies.lbgate-testkit]",
        ]
    );
}
