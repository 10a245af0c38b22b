//! The multi-version `TargetGroupBinding` CRD and its committed YAML manifest.
//!
//! `manifests/crds/elbv2.k8s.aws_targetgroupbindings.yaml` is generated from the Rust types by
//! `lbgate-crdgen`; a test fails when the committed file and the types disagree.

use std::path::{Path, PathBuf};

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinition, CustomResourceDefinitionVersion, JSONSchemaProps,
};
use kube_core::crd::{CustomResourceExt, merge_crds};

use crate::consts::{LIST_KIND, STORAGE_VERSION};
use crate::error::ApiError;
use crate::schema::match_lbc_semantics;
use crate::{v1alpha1, v1beta1};

/// Where the manifest lives, relative to the workspace root.
pub const CRD_MANIFEST_PATH: &str = "manifests/crds/elbv2.k8s.aws_targetgroupbindings.yaml";

/// The command that regenerates the manifest.
pub const REGENERATE_COMMAND: &str = "make manifests";

/// First lines of the manifest, so nobody edits it by hand.
pub const MANIFEST_HEADER: &str = "\
# Generated from crates/api/src/{v1beta1,v1alpha1}.rs by `cargo run -p lbgate-api --bin lbgate-crdgen`
# (`make manifests`). Do not edit: change the Rust types and regenerate.
---
";

/// The `TargetGroupBinding` CRD with both served versions: v1beta1 (storage) and v1alpha1.
///
/// # Errors
/// [`ApiError::CrdMerge`] if the per-version CRDs disagree on group, kind or scope, which the
/// tests rule out.
pub fn target_group_binding_crd() -> Result<CustomResourceDefinition, ApiError> {
    let mut crd = merge_crds(
        vec![
            v1beta1::TargetGroupBinding::crd(),
            v1alpha1::TargetGroupBinding::crd(),
        ],
        STORAGE_VERSION,
    )
    .map_err(|source| ApiError::CrdMerge { source })?;

    // LBC's CRD names the list kind; the API server would default it, but spelling it out keeps
    // a diff against LBC's manifest empty here.
    crd.spec.names.list_kind = Some(LIST_KIND.to_owned());
    // Same order as LBC's manifest (by version name), so the two diff cleanly.
    crd.spec.versions.sort_by(|a, b| a.name.cmp(&b.name));
    for version in &mut crd.spec.versions {
        tidy_version(version);
    }
    Ok(crd)
}

fn tidy_version(version: &mut CustomResourceDefinitionVersion) {
    let Some(root) = version
        .schema
        .as_mut()
        .and_then(|validation| validation.open_api_v3_schema.as_mut())
    else {
        return;
    };
    match_lbc_semantics(root);
    // kube-derive requires `spec` at the root; LBC's schema does not, and an object that LBC's
    // CRD accepts must be accepted here too.
    if let Some(required) = root.required.as_mut() {
        required.retain(|field| field != "spec");
        if required.is_empty() {
            root.required = None;
        }
    }
    // kube-derive leaves the type-meta fields out; LBC's schema lists them, and `kubectl
    // explain` shows what the schema lists.
    let properties = root.properties.get_or_insert_with(Default::default);
    for (field, type_, description) in [
        (
            "apiVersion",
            "string",
            "Versioned schema of this object: elbv2.k8s.aws/<version>.",
        ),
        ("kind", "string", "TargetGroupBinding."),
        ("metadata", "object", ""),
    ] {
        properties
            .entry(field.to_owned())
            .or_insert_with(|| JSONSchemaProps {
                type_: Some(type_.to_owned()),
                description: (!description.is_empty()).then(|| description.to_owned()),
                ..JSONSchemaProps::default()
            });
    }
}

/// The CRD as the YAML manifest that is committed, header included.
///
/// # Errors
/// [`ApiError::CrdMerge`] as [`target_group_binding_crd`]; [`ApiError::CrdYaml`] if the YAML
/// serializer fails.
pub fn crd_yaml() -> Result<String, ApiError> {
    let crd = target_group_binding_crd()?;
    // k8s-openapi serializes struct fields in a fixed order and schema properties from a
    // BTreeMap, so the output is byte-for-byte stable across runs.
    let body = serde_saphyr::to_string(&crd).map_err(|source| ApiError::CrdYaml { source })?;
    Ok(format!("{MANIFEST_HEADER}{body}"))
}

/// Absolute path of the committed manifest in this source tree.
pub fn manifest_path() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    // crates/api → workspace root
    let workspace_root = crate_dir.ancestors().nth(2).unwrap_or(crate_dir);
    workspace_root.join(CRD_MANIFEST_PATH)
}

/// The first line at which two texts differ, for telling a developer what drifted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineDifference {
    /// 1-based line number.
    pub line: usize,
    /// That line in the expected text, or `None` past its end.
    pub expected: Option<String>,
    /// That line in the actual text, or `None` past its end.
    pub actual: Option<String>,
    /// How many line positions differ in total.
    pub differing_lines: usize,
}

impl std::fmt::Display for LineDifference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |line: &Option<String>| line.clone().unwrap_or_else(|| "<end of file>".into());
        write!(
            f,
            "first difference at line {} ({} differing lines)\n  expected: {}\n  actual:   {}",
            self.line,
            self.differing_lines,
            show(&self.expected),
            show(&self.actual),
        )
    }
}

/// Compares `expected` with `actual` line by line; `None` when they are equal.
pub fn first_difference(expected: &str, actual: &str) -> Option<LineDifference> {
    if expected == actual {
        return None;
    }
    let expected_lines: Vec<&str> = expected.lines().collect();
    let actual_lines: Vec<&str> = actual.lines().collect();
    let longest = expected_lines.len().max(actual_lines.len());
    let differing: Vec<usize> = (0..longest)
        .filter(|&i| expected_lines.get(i) != actual_lines.get(i))
        .collect();
    // Equal lines but unequal texts: only line endings or the final newline differ.
    let first = differing
        .first()
        .copied()
        .unwrap_or(longest.saturating_sub(1));
    Some(LineDifference {
        line: first + 1,
        expected: expected_lines.get(first).map(|line| (*line).to_owned()),
        actual: actual_lines.get(first).map(|line| (*line).to_owned()),
        differing_lines: differing.len().max(1),
    })
}

#[cfg(test)]
mod tests;
