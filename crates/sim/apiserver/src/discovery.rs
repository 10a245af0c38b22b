//! Discovery documents: `/version`, `/api`, `/api/v1`, `/apis`, `/apis/<group>`,
//! `/apis/<group>/<version>`. Aggregated discovery (`apidiscovery.k8s.io/v2`) is not offered;
//! answering the legacy documents with `Content-Type: application/json` makes kubectl and
//! client-go fall back to them, as they do against servers older than 1.26.

use serde_json::{Value, json};

use super::resources::{Registry, ResourceInfo, VERBS};

/// What `/version` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionInfo {
    pub major: String,
    pub minor: String,
    pub git_version: String,
}

impl Default for VersionInfo {
    fn default() -> Self {
        Self {
            major: "1".to_owned(),
            minor: "33".to_owned(),
            git_version: "v1.33.0".to_owned(),
        }
    }
}

pub fn version(info: &VersionInfo) -> Value {
    json!({
        "major": info.major,
        "minor": info.minor,
        "emulationMajor": info.major,
        "emulationMinor": info.minor,
        "minCompatibilityMajor": info.major,
        "minCompatibilityMinor": info.minor,
        "gitVersion": info.git_version,
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2025-04-23T00:00:00Z",
        "goVersion": "go1.24.2",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

pub fn api_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    })
}

fn group_document(name: &str, versions: &[String]) -> Value {
    let entries: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{name}/{v}"), "version": v}))
        .collect();
    let preferred = entries.first().cloned().unwrap_or(Value::Null);
    json!({"name": name, "versions": entries, "preferredVersion": preferred})
}

pub fn api_group_list(registry: &Registry) -> Value {
    let groups: Vec<Value> = registry
        .groups()
        .iter()
        .map(|(name, versions)| group_document(name, versions))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

pub fn api_group(registry: &Registry, group: &str) -> Option<Value> {
    let groups = registry.groups();
    let (name, versions) = groups.iter().find(|(name, _)| name == group)?;
    let mut document = group_document(name, versions);
    crate::meta::set_field(&mut document, "kind", json!("APIGroup"));
    crate::meta::set_field(&mut document, "apiVersion", json!("v1"));
    Some(document)
}

fn resource_entry(res: &ResourceInfo) -> Value {
    let mut entry = json!({
        "name": res.plural,
        "singularName": res.singular,
        "namespaced": res.namespaced,
        "kind": res.kind,
        "verbs": VERBS,
    });
    if !res.short_names.is_empty() {
        crate::meta::set_field(&mut entry, "shortNames", json!(res.short_names));
    }
    if !res.categories.is_empty() {
        crate::meta::set_field(&mut entry, "categories", json!(res.categories));
    }
    entry
}

/// The `APIResourceList` of a group/version, or `None` if nothing is served there.
pub fn api_resource_list(registry: &Registry, group: &str, version: &str) -> Option<Value> {
    let served = registry.in_group_version(group, version);
    if served.is_empty() {
        return None;
    }
    let mut resources = Vec::new();
    for res in served {
        resources.push(resource_entry(res));
        if res.status_subresource {
            resources.push(json!({
                "name": format!("{}/status", res.plural),
                "singularName": "",
                "namespaced": res.namespaced,
                "kind": res.kind,
                "verbs": ["get", "patch", "update"],
            }));
        }
    }
    let group_version = if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    };
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }))
}
