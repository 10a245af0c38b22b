//! Reading one node of a structural schema (`JSONSchemaProps` as JSON) and naming the paths
//! of the values under it as kube-apiserver does (`spec.ports[0].name`).

use serde_json::Value;

/// `additionalProperties` of a node: a schema, or `true` (any value, nothing declared inside).
#[derive(Debug, Clone, Copy)]
pub enum Additional<'a> {
    Schema(&'a Value),
    Any,
}

impl<'a> Additional<'a> {
    /// `None` when the node has no `additionalProperties` (or `false`, which structural
    /// schemas forbid).
    pub fn of(schema: &'a Value) -> Option<Self> {
        match schema.get("additionalProperties")? {
            Value::Bool(true) => Some(Self::Any),
            s @ Value::Object(_) => Some(Self::Schema(s)),
            _ => None,
        }
    }

    pub fn schema(self) -> Option<&'a Value> {
        match self {
            Self::Schema(s) => Some(s),
            Self::Any => None,
        }
    }
}

/// `parent.key` (just `key` at the root).
pub fn child_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// `parent[index]`.
pub fn index_path(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

/// The JSON type of a decoded value as the OpenAPI validator names it.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The types a node allows: its `type`, or integer and string under
/// `x-kubernetes-int-or-string`.
pub fn allowed_types(schema: &Value) -> Vec<&str> {
    if flag(schema, "x-kubernetes-int-or-string") {
        return vec!["integer", "string"];
    }
    schema
        .get("type")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .into_iter()
        .collect()
}

pub fn flag(schema: &Value, key: &str) -> bool {
    schema.get(key).and_then(Value::as_bool) == Some(true)
}

pub fn number(schema: &Value, key: &str) -> Option<f64> {
    schema.get(key).and_then(Value::as_f64)
}

pub fn count(schema: &Value, key: &str) -> Option<u64> {
    schema
        .get(key)
        .and_then(|v| v.as_u64().or_else(|| v.as_f64().map(|f| f.max(0.0) as u64)))
}

/// The item of `old` a `x-kubernetes-list-type: map` list correlates with `item` (same values
/// of every `x-kubernetes-list-map-keys` key); other lists do not correlate items.
pub fn correlated_item<'a>(
    schema: &Value,
    old: Option<&'a Value>,
    item: &Value,
) -> Option<&'a Value> {
    if schema.get("x-kubernetes-list-type").and_then(Value::as_str) != Some("map") {
        return None;
    }
    let keys: Vec<&str> = schema
        .get("x-kubernetes-list-map-keys")?
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if keys.is_empty() {
        return None;
    }
    old?.as_array()?
        .iter()
        .find(|candidate| keys.iter().all(|k| candidate.get(*k) == item.get(*k)))
}
