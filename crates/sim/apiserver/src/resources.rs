//! The registry of served resources: the built-in kinds (core v1, apps, networking, …) with the
//! names, short names, categories and subresources kube-apiserver reports in discovery, plus one
//! entry per served version of every registered CustomResourceDefinition.

use serde_json::Value;

use super::status::qualified;
use super::table::PrinterColumn;

/// One resource at one group/version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceInfo {
    /// `""` for the core group.
    pub group: String,
    pub version: String,
    /// Plural resource name: `pods`.
    pub plural: String,
    pub singular: String,
    pub kind: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    /// Whether the `status` subresource exists (main resource then ignores status changes).
    pub status_subresource: bool,
    /// Served from a CustomResourceDefinition.
    pub custom: bool,
    /// A custom resource's `additionalPrinterColumns`.
    pub printer_columns: Vec<PrinterColumn>,
    /// The store key when another resource's storage is shared (events.k8s.io Events are
    /// stored as core Events).
    pub storage: Option<String>,
}

impl ResourceInfo {
    /// `v1` or `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The store key of the resource: `pods`, `deployments.apps` (one per group and plural,
    /// whatever the version).
    pub fn key(&self) -> String {
        self.storage
            .clone()
            .unwrap_or_else(|| qualified(&self.group, &self.plural))
    }

    /// Whether objects are converted between this resource and its storage (events.k8s.io).
    pub fn converts_events(&self) -> bool {
        self.group == "events.k8s.io" && self.plural == "events"
    }

    pub fn list_kind(&self) -> String {
        format!("{}List", self.kind)
    }

    /// Whether anything outside `metadata` and `status` counts as a spec change that bumps
    /// `metadata.generation`.
    pub fn tracks_generation(&self) -> bool {
        self.status_subresource || self.custom
    }
}

/// The verbs of every resource served here (`deletecollection` is not).
pub const VERBS: [&str; 7] = [
    "create", "delete", "get", "list", "patch", "update", "watch",
];

/// One built-in resource: (group, version, plural, kind, namespaced, short names, in category
/// `all`, status subresource).
type Builtin = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [&'static str],
    bool,
    bool,
);

// Names as `kubectl api-resources` lists them on a v1.33 cluster:
// (group, version, plural, kind, namespaced, short names, in category `all`, status subresource).
#[rustfmt::skip]
const BUILTINS: &[Builtin] = &[
    ("", "v1", "namespaces", "Namespace", false, &["ns"], false, true),
    ("", "v1", "pods", "Pod", true, &["po"], true, true),
    ("", "v1", "services", "Service", true, &["svc"], true, true),
    ("", "v1", "nodes", "Node", false, &["no"], false, true),
    ("", "v1", "events", "Event", true, &["ev"], false, false),
    ("", "v1", "configmaps", "ConfigMap", true, &["cm"], false, false),
    ("", "v1", "secrets", "Secret", true, &[], false, false),
    ("", "v1", "serviceaccounts", "ServiceAccount", true, &["sa"], false, false),
    ("", "v1", "endpoints", "Endpoints", true, &["ep"], false, false),
    ("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true, &[], false, false),
    ("events.k8s.io", "v1", "events", "Event", true, &["ev"], false, false),
    ("apps", "v1", "deployments", "Deployment", true, &["deploy"], true, true),
    ("apps", "v1", "replicasets", "ReplicaSet", true, &["rs"], true, true),
    ("networking.k8s.io", "v1", "ingresses", "Ingress", true, &["ing"], false, true),
    ("networking.k8s.io", "v1", "ingressclasses", "IngressClass", false, &[], false, false),
    ("coordination.k8s.io", "v1", "leases", "Lease", true, &[], false, false),
    ("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", false, &[], false, false),
    ("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false, &[], false, false),
    ("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, &["crd", "crds"], false, true),
];

/// Every built-in resource.
pub fn builtins() -> Vec<ResourceInfo> {
    BUILTINS
        .iter()
        .map(
            |&(group, version, plural, kind, namespaced, short_names, all, status)| ResourceInfo {
                group: group.to_owned(),
                version: version.to_owned(),
                plural: plural.to_owned(),
                singular: kind.to_lowercase(),
                kind: kind.to_owned(),
                namespaced,
                short_names: short_names.iter().map(|s| (*s).to_owned()).collect(),
                categories: if all {
                    vec!["all".to_owned()]
                } else {
                    Vec::new()
                },
                status_subresource: status,
                custom: false,
                printer_columns: Vec::new(),
                storage: (group == "events.k8s.io").then(|| "events".to_owned()),
            },
        )
        .collect()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn printer_columns(version: &Value) -> Vec<PrinterColumn> {
    version
        .get("additionalPrinterColumns")
        .and_then(Value::as_array)
        .map(|columns| {
            columns
                .iter()
                .map(|c| PrinterColumn {
                    name: text(c, "/name").to_owned(),
                    type_: text(c, "/type").to_owned(),
                    format: c.get("format").and_then(Value::as_str).map(str::to_owned),
                    description: c
                        .get("description")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    priority: c
                        .get("priority")
                        .and_then(Value::as_i64)
                        .and_then(|p| i32::try_from(p).ok())
                        .unwrap_or(0),
                    json_path: text(c, "/jsonPath").to_owned(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The resources a CustomResourceDefinition serves: one per served version.
pub fn from_crd(crd: &Value) -> Vec<ResourceInfo> {
    let group = text(crd, "/spec/group");
    let names = crd.pointer("/spec/names").cloned().unwrap_or(Value::Null);
    let plural = text(&names, "/plural");
    let kind = text(&names, "/kind");
    if group.is_empty() || plural.is_empty() || kind.is_empty() {
        return Vec::new();
    }
    let singular = match text(&names, "/singular") {
        "" => kind.to_lowercase(),
        s => s.to_owned(),
    };
    let versions = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    versions
        .iter()
        .filter(|v| v.get("served").and_then(Value::as_bool).unwrap_or(false))
        .map(|v| ResourceInfo {
            group: group.to_owned(),
            version: text(v, "/name").to_owned(),
            plural: plural.to_owned(),
            singular: singular.clone(),
            kind: kind.to_owned(),
            namespaced: text(crd, "/spec/scope") != "Cluster",
            short_names: names.get("shortNames").map(strings).unwrap_or_default(),
            categories: names.get("categories").map(strings).unwrap_or_default(),
            status_subresource: v.pointer("/subresources/status").is_some(),
            custom: true,
            printer_columns: printer_columns(v),
            storage: None,
        })
        .collect()
}

/// Kubernetes version priority (`v1` > `v1beta2` > `v1beta1` > `v1alpha1` > other names), for
/// the preferred version of a group.
pub fn version_rank(version: &str) -> (u8, u32, u32, String) {
    let parsed = version.strip_prefix('v').and_then(|rest| {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let major: u32 = digits.parse().ok()?;
        let tail = rest.get(digits.len()..).unwrap_or_default();
        let (level, minor_text) = if let Some(m) = tail.strip_prefix("beta") {
            (1, m)
        } else if let Some(m) = tail.strip_prefix("alpha") {
            (2, m)
        } else if tail.is_empty() {
            (0, "0")
        } else {
            return None;
        };
        let minor: u32 = minor_text.parse().ok()?;
        Some((level, major, minor))
    });
    match parsed {
        // Invert so that a plain ascending sort puts the preferred version first.
        Some((level, major, minor)) => (level, u32::MAX - major, u32::MAX - minor, String::new()),
        None => (3, 0, 0, version.to_owned()),
    }
}

/// The served resources: built-ins and custom resources.
#[derive(Debug, Clone)]
pub struct Registry {
    builtin: Vec<ResourceInfo>,
    custom: Vec<ResourceInfo>,
}

impl Default for Registry {
    fn default() -> Self {
        Self {
            builtin: builtins(),
            custom: Vec::new(),
        }
    }
}

impl Registry {
    /// Replaces the custom resources with those of `crds` (established ones only).
    pub fn set_crds<'a>(&mut self, crds: impl Iterator<Item = &'a Value>) {
        self.custom = crds.flat_map(from_crd).collect();
    }

    pub fn all(&self) -> impl Iterator<Item = &ResourceInfo> {
        self.builtin.iter().chain(self.custom.iter())
    }

    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceInfo> {
        self.all()
            .find(|r| r.group == group && r.version == version && r.plural == plural)
    }

    /// The resource of this group and plural at its preferred version.
    pub fn preferred(&self, group: &str, plural: &str) -> Option<&ResourceInfo> {
        self.all()
            .filter(|r| r.group == group && r.plural == plural)
            .min_by_key(|r| version_rank(&r.version))
    }

    /// The resource of a kind (for in-process callers that know `apiVersion` and `kind`).
    pub fn by_kind(&self, group: &str, version: &str, kind: &str) -> Option<&ResourceInfo> {
        self.all()
            .find(|r| r.group == group && r.version == version && r.kind == kind)
    }

    /// Groups with their versions, preferred version first; the core group is left out.
    pub fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for r in self.all().filter(|r| !r.group.is_empty()) {
            match groups.iter_mut().find(|(g, _)| *g == r.group) {
                Some((_, versions)) => {
                    if !versions.contains(&r.version) {
                        versions.push(r.version.clone());
                    }
                }
                None => groups.push((r.group.clone(), vec![r.version.clone()])),
            }
        }
        for (_, versions) in &mut groups {
            versions.sort_by_key(|v| version_rank(v));
        }
        groups
    }

    pub fn in_group_version(&self, group: &str, version: &str) -> Vec<&ResourceInfo> {
        self.all()
            .filter(|r| r.group == group && r.version == version)
            .collect()
    }
}

#[cfg(test)]
mod tests;
