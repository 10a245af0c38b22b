//! Which lists merge, and by what key, for the kinds the simulated API server serves.
//!
//! Strategic merge patch reads the Go struct tags `patchStrategy:"merge"` / `patchMergeKey:"…"`;
//! server-side apply reads `+listType=map|set` / `+listMapKey=…`. Both tables below were checked
//! against `k8s.io/api` (`core/v1/types.go`, `apps/v1/types.go`, `networking/v1/types.go`,
//! `discovery/v1/types.go`, `coordination/v1/types.go`, `admissionregistration/v1/types.go`) and
//! `k8s.io/apimachinery/pkg/apis/meta/v1/types.go` (ObjectMeta). A list that is not listed here
//! is replaced as a whole by both engines, as kube-apiserver does for lists without a strategy:
//! notably `spec.readinessGates`, `spec.tolerations` and `status.containerStatuses` of a Pod are
//! atomic (`+listType=atomic`, no `patchStrategy`), and EndpointSlice `endpoints`/`ports` too.

/// How one list field merges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ListRule {
    /// Strategic merge: `Some(key)` merges maps by that key, `None` merges scalars as a set.
    pub smp_key: Option<&'static str>,
    /// Server-side apply: the `+listMapKey`s; empty means `+listType=set` (scalars).
    pub apply_keys: &'static [&'static str],
}

const fn keyed(key: &'static str, apply_keys: &'static [&'static str]) -> ListRule {
    ListRule {
        smp_key: Some(key),
        apply_keys,
    }
}

const SET: ListRule = ListRule {
    smp_key: None,
    apply_keys: &[],
};

/// ObjectMeta, relative to `metadata`.
const OBJECT_META: &[(&str, ListRule)] = &[
    ("finalizers", SET),
    ("ownerReferences", keyed("uid", &["uid"])),
];

/// A container (`containers`, `initContainers`, `ephemeralContainers`), relative to the item.
const CONTAINER: &[(&str, ListRule)] = &[
    (
        "ports",
        keyed("containerPort", &["containerPort", "protocol"]),
    ),
    ("env", keyed("name", &["name"])),
    ("volumeMounts", keyed("mountPath", &["mountPath"])),
    ("volumeDevices", keyed("devicePath", &["devicePath"])),
    ("resources.claims", keyed("name", &["name"])),
];

/// PodSpec, relative to the spec; container lists are handled by [`CONTAINER`].
const POD_SPEC: &[(&str, ListRule)] = &[
    ("containers", keyed("name", &["name"])),
    ("initContainers", keyed("name", &["name"])),
    ("ephemeralContainers", keyed("name", &["name"])),
    ("volumes", keyed("name", &["name"])),
    ("imagePullSecrets", keyed("name", &["name"])),
    ("hostAliases", keyed("ip", &["ip"])),
    (
        "topologySpreadConstraints",
        keyed("topologyKey", &["topologyKey", "whenUnsatisfiable"]),
    ),
    ("schedulingGates", keyed("name", &["name"])),
    ("resourceClaims", keyed("name", &["name"])),
];

const POD_STATUS: &[(&str, ListRule)] = &[
    ("conditions", keyed("type", &["type"])),
    ("hostIPs", keyed("ip", &["ip"])),
    ("podIPs", keyed("ip", &["ip"])),
    ("resourceClaimStatuses", keyed("name", &["name"])),
];

const CONDITIONS_BY_TYPE: &[(&str, ListRule)] = &[("conditions", keyed("type", &["type"]))];

const SERVICE: &[(&str, ListRule)] = &[
    ("spec.ports", keyed("port", &["port", "protocol"])),
    ("status.conditions", keyed("type", &["type"])),
];

const NODE: &[(&str, ListRule)] = &[
    ("spec.podCIDRs", SET),
    ("status.conditions", keyed("type", &["type"])),
    ("status.addresses", keyed("type", &["type"])),
];

const WEBHOOK_CONFIGURATION: &[(&str, ListRule)] = &[
    ("webhooks", keyed("name", &["name"])),
    ("webhooks.matchConditions", keyed("name", &["name"])),
];

/// Kinds whose `spec.template` is a PodTemplateSpec.
const POD_TEMPLATE_OWNERS: &[&str] = &[
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "ReplicationController",
    "Job",
];

/// The rule for the list at `path` (field names joined by `.`, list items not counted) of an
/// object of `kind`; `None` means the list is replaced as a whole.
pub(super) fn list_rule(kind: &str, path: &str) -> Option<ListRule> {
    if let Some(rest) = path.strip_prefix("metadata.") {
        return find(OBJECT_META, rest);
    }
    match kind {
        "Pod" => {
            if let Some(rest) = path.strip_prefix("spec.") {
                return pod_spec_rule(rest);
            }
            path.strip_prefix("status.")
                .and_then(|rest| find(POD_STATUS, rest))
        }
        "Service" => find(SERVICE, path),
        "Node" => find(NODE, path),
        "Namespace" => path
            .strip_prefix("status.")
            .and_then(|rest| find(CONDITIONS_BY_TYPE, rest)),
        "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration" => {
            find(WEBHOOK_CONFIGURATION, path)
        }
        "PodTemplate" => template_rule(path),
        _ if POD_TEMPLATE_OWNERS.contains(&kind) => {
            if let Some(rest) = path.strip_prefix("status.") {
                return find(CONDITIONS_BY_TYPE, rest);
            }
            path.strip_prefix("spec.").and_then(template_rule)
        }
        _ => None,
    }
}

/// Inside a PodTemplateSpec (`template.…`).
fn template_rule(path: &str) -> Option<ListRule> {
    let rest = path.strip_prefix("template.")?;
    if let Some(meta) = rest.strip_prefix("metadata.") {
        return find(OBJECT_META, meta);
    }
    rest.strip_prefix("spec.").and_then(pod_spec_rule)
}

fn pod_spec_rule(path: &str) -> Option<ListRule> {
    for list in ["containers.", "initContainers.", "ephemeralContainers."] {
        if let Some(rest) = path.strip_prefix(list) {
            return find(CONTAINER, rest);
        }
    }
    find(POD_SPEC, path)
}

fn find(table: &[(&str, ListRule)], path: &str) -> Option<ListRule> {
    table
        .iter()
        .find(|(field, _)| *field == path)
        .map(|(_, rule)| *rule)
}
