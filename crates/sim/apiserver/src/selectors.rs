//! Label selectors (`labelSelector=` query syntax: `=`, `==`, `!=`, `in`, `notin`, `exists`,
//! `!key`, and `>`/`<` on integers) and field selectors (`fieldSelector=`: `=`, `==`, `!=` on the
//! fields kube-apiserver supports per kind, e.g. `metadata.name`, `metadata.namespace`,
//! `spec.nodeName`, `status.phase`).
//!
//! Parsing and messages follow `k8s.io/apimachinery` (`pkg/labels/selector.go`,
//! `pkg/fields/selector.go`); the per-kind field lists follow the field label conversion
//! functions of `pkg/apis/core/v1/conversion.go` (Pod, Node, Event, Namespace, Secret, Service,
//! ReplicationController) and `runtime.DefaultMetaV1FieldSelectorConversion` for every other
//! kind. Field selectors are not trimmed: kube-apiserver reads `a = b` as the field `a `.

mod label;
#[cfg(test)]
mod tests;
mod validation;

use std::collections::BTreeMap;

use serde_json::Value;

use label::{Operator, Requirement};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SelectorError {
    /// 400 BadRequest with this message (kube-apiserver's wording where known).
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    requirements: Vec<Requirement>,
}

impl LabelSelector {
    pub fn parse(text: &str) -> Result<Self, SelectorError> {
        let requirements = label::parse(text).map_err(SelectorError::Invalid)?;
        Ok(Self { requirements })
    }

    /// True when every requirement holds (an empty selector matches everything).
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|requirement| {
            let value = labels.get(&requirement.key);
            let listed = || value.is_some_and(|v| requirement.values.contains(v));
            let compare = |wanted: fn(i64, i64) -> bool| {
                let (Some(have), Some(bound)) = (
                    value.and_then(|v| v.parse::<i64>().ok()),
                    requirement
                        .values
                        .first()
                        .and_then(|v| v.parse::<i64>().ok()),
                ) else {
                    return false;
                };
                wanted(have, bound)
            };
            match requirement.operator {
                Operator::Equals | Operator::In => listed(),
                Operator::NotEquals | Operator::NotIn => !listed(),
                Operator::Exists => value.is_some(),
                Operator::DoesNotExist => value.is_none(),
                Operator::GreaterThan => compare(|have, bound| have > bound),
                Operator::LessThan => compare(|have, bound| have < bound),
            }
        })
    }

    /// True for the empty selector.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct FieldRequirement {
    field: String,
    value: String,
    negated: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector {
    kind: String,
    requirements: Vec<FieldRequirement>,
}

impl FieldSelector {
    /// `kind` is the resource's kind (e.g. `Pod`): each kind supports its own set of fields.
    pub fn parse(kind: &str, text: &str) -> Result<Self, SelectorError> {
        let mut terms = split_terms(text);
        terms.sort();
        let mut requirements = Vec::new();
        for term in terms.iter().filter(|term| !term.is_empty()) {
            let (field, operator, raw) = split_term(term).ok_or_else(|| {
                SelectorError::Invalid(format!(
                    "invalid selector: '{text}'; can't understand '{term}'"
                ))
            })?;
            let value = unescape(raw).map_err(SelectorError::Invalid)?;
            let field = supported_field(kind, field).map_err(SelectorError::Invalid)?;
            requirements.push(FieldRequirement {
                field: field.to_owned(),
                value,
                negated: operator == "!=",
            });
        }
        Ok(Self {
            kind: kind.to_owned(),
            requirements,
        })
    }

    /// True when every term holds for `object`; a field the object lacks reads as `""`.
    pub fn matches(&self, object: &Value) -> bool {
        self.requirements.iter().all(|requirement| {
            let actual = field_value(&self.kind, object, &requirement.field);
            (actual == requirement.value) != requirement.negated
        })
    }

    /// True for the empty selector.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }
}

/// Splits on commas not escaped by a backslash.
fn split_terms(text: &str) -> Vec<&str> {
    let mut terms = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (index, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            ',' => {
                terms.extend(text.get(start..index));
                start = index + 1;
            }
            _ => {}
        }
    }
    terms.extend(text.get(start..));
    terms
}

/// The first operator in the term wins (`!=` before `==` before `=` at each position).
fn split_term(term: &str) -> Option<(&str, &'static str, &str)> {
    for (index, _) in term.char_indices() {
        let rest = term.get(index..)?;
        for operator in ["!=", "==", "="] {
            if let Some(value) = rest.strip_prefix(operator) {
                return Some((term.get(..index)?, operator, value));
            }
        }
    }
    None
}

fn unescape(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped @ ('\\' | ',' | '=')) => out.push(escaped),
                Some(other) => {
                    return Err(format!(
                        "invalid field selector: invalid escape sequence: \\{other}"
                    ));
                }
                None => {
                    return Err("invalid field selector: invalid escape sequence: \\".to_owned());
                }
            },
            ',' | '=' => {
                return Err(format!(
                    "invalid field selector: unescaped character in value: {c}"
                ));
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// The field kube-apiserver selects on for `label`, or its refusal.
fn supported_field<'a>(kind: &str, label: &'a str) -> Result<&'a str, String> {
    let listed: &[&str] = match kind {
        "Pod" => {
            if label == "spec.host" {
                // Old v1 clients' name for spec.nodeName.
                return Ok("spec.nodeName");
            }
            &[
                "metadata.name",
                "metadata.namespace",
                "spec.nodeName",
                "spec.restartPolicy",
                "spec.schedulerName",
                "spec.serviceAccountName",
                "spec.hostNetwork",
                "status.phase",
                "status.podIP",
                "status.podIPs",
                "status.nominatedNodeName",
            ]
        }
        "Node" => &["metadata.name", "spec.unschedulable"],
        "ReplicationController" => &["metadata.name", "metadata.namespace", "status.replicas"],
        "Event" => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
            "metadata.namespace",
            "metadata.name",
        ],
        "Namespace" => &["status.phase", "metadata.name"],
        "Secret" => &["type", "metadata.namespace", "metadata.name"],
        "Service" => &[
            "metadata.namespace",
            "metadata.name",
            "spec.clusterIP",
            "spec.type",
        ],
        _ => {
            if matches!(label, "metadata.name" | "metadata.namespace") {
                return Ok(label);
            }
            return Err(format!(
                "\"{label}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
            ));
        }
    };
    if listed.contains(&label) {
        Ok(label)
    } else {
        Err(format!("field label not supported: {label}"))
    }
}

/// The value kube-apiserver's `ToSelectableFields` gives `field` on `object`.
fn field_value(kind: &str, object: &Value, field: &str) -> String {
    let text = |path: &str| scalar_text(pointer(object, path));
    match (kind, field) {
        ("Pod", "spec.hostNetwork") | ("Node", "spec.unschedulable") => pointer(object, field)
            .and_then(Value::as_bool)
            .unwrap_or(false)
            .to_string(),
        ("Pod", "status.podIP") => match pointer(object, "status.podIPs") {
            Some(Value::Array(ips)) if !ips.is_empty() => {
                scalar_text(ips.first().and_then(|ip| ip.get("ip")))
            }
            _ => text("status.podIP"),
        },
        // ToSelectableFields does not set it: it reads as empty.
        ("Pod", "status.podIPs") => String::new(),
        ("Event", "source") => {
            first_text(object, &["source.component", "deprecatedSource.component"])
        }
        ("Event", "reportingComponent") => {
            first_text(object, &["reportingComponent", "reportingController"])
        }
        ("Event", field) if field.starts_with("involvedObject.") => {
            let regarding = field.replacen("involvedObject.", "regarding.", 1);
            first_text(object, &[field, &regarding])
        }
        _ => text(field),
    }
}

fn first_text(object: &Value, paths: &[&str]) -> String {
    paths
        .iter()
        .find_map(|path| pointer(object, path))
        .map_or_else(String::new, |value| scalar_text(Some(value)))
}

fn pointer<'a>(object: &'a Value, dotted: &str) -> Option<&'a Value> {
    dotted
        .split('.')
        .try_fold(object, |value, segment| value.get(segment))
}

fn scalar_text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        Some(Value::Bool(flag)) => flag.to_string(),
        _ => String::new(),
    }
}
