//! The committed CRD manifest must be exactly what the Rust types generate.

use lbgate_api::crd::{REGENERATE_COMMAND, crd_yaml, first_difference, manifest_path};

#[test]
fn committed_crd_manifest_matches_the_types() {
    let path = manifest_path();
    let generated = crd_yaml().unwrap();
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "cannot read {}: {err}; run `{REGENERATE_COMMAND}`",
            path.display()
        )
    });
    if let Some(diff) = first_difference(&generated, &committed) {
        panic!(
            "{} is stale (expected = generated from the types, actual = committed):\n{diff}\n\
             run `{REGENERATE_COMMAND}` and commit the result",
            path.display()
        );
    }
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(crd_yaml().unwrap(), crd_yaml().unwrap());
}
