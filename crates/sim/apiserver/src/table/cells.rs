//! What every printer reads objects with, and the row it makes.

use serde_json::{Value, json};

use super::age::age;

/// A row's cells and, for pods, its row conditions.
pub(super) struct Row {
    pub cells: Vec<Value>,
    pub conditions: Option<Value>,
}

impl From<Vec<Value>> for Row {
    fn from(cells: Vec<Value>) -> Self {
        Self {
            cells,
            conditions: None,
        }
    }
}

pub(super) fn at<'a>(object: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(object, |value, segment| value.get(segment))
}

pub(super) fn str_at<'a>(object: &'a Value, path: &str) -> &'a str {
    at(object, path).and_then(Value::as_str).unwrap_or_default()
}

pub(super) fn int_at(object: &Value, path: &str) -> i64 {
    at(object, path).and_then(Value::as_i64).unwrap_or(0)
}

pub(super) fn list<'a>(object: &'a Value, path: &str) -> &'a [Value] {
    at(object, path)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

pub(super) fn text(object: &Value, path: &str) -> Value {
    json!(str_at(object, path))
}

pub(super) fn name(object: &Value) -> Value {
    text(object, "metadata.name")
}

pub(super) fn age_of(object: &Value, now: i64) -> Value {
    json!(age(
        at(object, "metadata.creationTimestamp").and_then(Value::as_str),
        now
    ))
}
