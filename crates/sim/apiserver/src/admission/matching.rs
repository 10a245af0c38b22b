//! Whether a webhook applies to a request: `namespaceSelector`, `objectSelector` and `rules`, in
//! the order and with the precedence kube-apiserver uses (a selector that cannot be evaluated is
//! an error only when the rules match the request).

use std::collections::BTreeMap;

use serde_json::Value;

use super::config::{LabelSelector, Rule, Webhook};
use super::{AdmissionInput, AdmissionOperation};

pub(super) fn operation_name(operation: AdmissionOperation) -> &'static str {
    match operation {
        AdmissionOperation::Create => "CREATE",
        AdmissionOperation::Update => "UPDATE",
        AdmissionOperation::Delete => "DELETE",
        AdmissionOperation::Connect => "CONNECT",
    }
}

/// Requests for the Namespace object itself: cluster-scoped, yet matched by namespace rules.
pub(super) fn is_namespace_object(input: &AdmissionInput) -> bool {
    input.group.is_empty() && input.resource == "namespaces"
}

/// `Ok(true)` when the webhook must be called for `input`, whose object is now `object` (earlier
/// webhooks may have changed its labels). `Err` carries the reason of an internal error.
pub(super) fn should_call(
    hook: &Webhook,
    input: &AdmissionInput,
    object: &Value,
) -> Result<bool, String> {
    let namespace = namespace_matches(hook, input, object);
    if matches!(namespace, Ok(false)) {
        return Ok(false);
    }
    let object_selected = object_matches(hook, input, object);
    if matches!(object_selected, Ok(false)) {
        return Ok(false);
    }
    if !hook.rules.iter().any(|rule| rule_matches(rule, input)) {
        return Ok(false);
    }
    namespace?;
    object_selected?;
    Ok(true)
}

fn namespace_matches(
    hook: &Webhook,
    input: &AdmissionInput,
    object: &Value,
) -> Result<bool, String> {
    let namespaced = input.namespace.as_deref().is_some_and(|n| !n.is_empty());
    // The selector never exempts a cluster-scoped object other than a Namespace.
    if !namespaced && input.resource != "namespaces" {
        return Ok(true);
    }
    let Some(selector) = &hook.namespace_selector else {
        return Ok(true);
    };
    let requirements = parse_selector(selector)?;
    if requirements.is_empty() {
        return Ok(true);
    }
    // A Namespace being created or updated is not stored yet: its own new labels count.
    let own_labels = input.resource == "namespaces"
        && input.subresource.is_empty()
        && matches!(
            input.operation,
            AdmissionOperation::Create | AdmissionOperation::Update
        );
    let labels = if own_labels {
        labels_of(object).unwrap_or_default()
    } else {
        input.namespace_labels.clone()
    };
    Ok(requirements.iter().all(|r| r.matches(&labels)))
}

fn object_matches(hook: &Webhook, input: &AdmissionInput, object: &Value) -> Result<bool, String> {
    let Some(selector) = &hook.object_selector else {
        return Ok(true);
    };
    let requirements = parse_selector(selector)?;
    if requirements.is_empty() {
        return Ok(true);
    }
    let selects = |candidate: Option<&Value>| {
        candidate
            .and_then(labels_of)
            .is_some_and(|labels| requirements.iter().all(|r| r.matches(&labels)))
    };
    // Either the new or the old object (DELETE has only the old one) may match.
    Ok(selects(Some(object)) || selects(input.old_object.as_ref()))
}

fn labels_of(object: &Value) -> Option<BTreeMap<String, String>> {
    let metadata = object.as_object()?.get("metadata")?;
    let labels = match metadata.get("labels") {
        Some(Value::Object(labels)) => labels
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
            .collect(),
        _ => BTreeMap::new(),
    };
    Some(labels)
}

pub(super) fn rule_matches(rule: &Rule, input: &AdmissionInput) -> bool {
    scope_matches(rule, input)
        && rule
            .operations
            .iter()
            .any(|op| op == "*" || op == operation_name(input.operation))
        && exact_or_wildcard(&rule.api_groups, &input.group)
        && exact_or_wildcard(&rule.api_versions, &input.version)
        && resource_matches(&rule.resources, &input.resource, &input.subresource)
}

fn scope_matches(rule: &Rule, input: &AdmissionInput) -> bool {
    let namespace_object = is_namespace_object(input) && input.version == "v1";
    let namespaced = input.namespace.as_deref().is_some_and(|n| !n.is_empty());
    match rule.scope.as_deref() {
        None | Some("*") => true,
        Some("Namespaced") => !namespace_object && namespaced,
        Some("Cluster") => namespace_object || !namespaced,
        Some(_) => false,
    }
}

fn exact_or_wildcard(items: &[String], requested: &str) -> bool {
    items.iter().any(|item| item == "*" || item == requested)
}

/// `pods` matches the main resource only, `pods/status` one subresource, `pods/*` every
/// subresource of pods (and, as kube-apiserver's matcher has it, pods itself), `*` every main
/// resource, `*/status` that subresource of everything and `*/*` everything.
fn resource_matches(resources: &[String], resource: &str, subresource: &str) -> bool {
    resources.iter().any(|entry| {
        let (res, sub) = entry.split_once('/').unwrap_or((entry.as_str(), ""));
        (res == "*" || res == resource) && (sub == "*" || sub == subresource)
    })
}

#[derive(Debug)]
enum Requirement {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

impl Requirement {
    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        match self {
            Self::In(key, values) => labels.get(key).is_some_and(|v| values.contains(v)),
            Self::NotIn(key, values) => labels.get(key).is_none_or(|v| !values.contains(v)),
            Self::Exists(key) => labels.contains_key(key),
            Self::DoesNotExist(key) => !labels.contains_key(key),
        }
    }
}

/// Validates the whole selector first, as `LabelSelectorAsSelector` does: one bad expression
/// makes the selector unusable even if another one would not match.
fn parse_selector(selector: &LabelSelector) -> Result<Vec<Requirement>, String> {
    let mut requirements: Vec<Requirement> = selector
        .match_labels
        .iter()
        .map(|(k, v)| Requirement::In(k.clone(), vec![v.clone()]))
        .collect();
    for expression in &selector.match_expressions {
        let key = expression.key.clone();
        let values = expression.values.clone();
        let requirement = match expression.operator.as_str() {
            "In" | "NotIn" if values.is_empty() => {
                return Err(format!(
                    "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty (key {key:?})"
                ));
            }
            "Exists" | "DoesNotExist" if !values.is_empty() => {
                return Err(format!(
                    "values: Invalid value: {values:?}: values set must be empty for exists and does not exist (key {key:?})"
                ));
            }
            "In" => Requirement::In(key, values),
            "NotIn" => Requirement::NotIn(key, values),
            "Exists" => Requirement::Exists(key),
            "DoesNotExist" => Requirement::DoesNotExist(key),
            other => return Err(format!("{other:?} is not a valid label selector operator")),
        };
        requirements.push(requirement);
    }
    Ok(requirements)
}

#[cfg(test)]
mod tests;
