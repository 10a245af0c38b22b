//! Object metadata helpers: reading and writing `metadata.*` of JSON objects, RFC 3339
//! timestamps, and the random parts of names and UIDs (a seeded splitmix64; no UUID crate).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

/// `metadata.<field>` as text, or `""`.
pub fn meta_str<'a>(object: &'a Value, field: &str) -> &'a str {
    object
        .get("metadata")
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn ensure_object(value: &mut Value) {
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
}

/// `metadata`, created when missing (a non-object is replaced).
pub fn meta_mut(object: &mut Value) -> Option<&mut Map<String, Value>> {
    ensure_object(object);
    let meta = object
        .as_object_mut()?
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    ensure_object(meta);
    meta.as_object_mut()
}

pub fn set_meta(object: &mut Value, field: &str, value: Value) {
    if let Some(meta) = meta_mut(object) {
        meta.insert(field.to_owned(), value);
    }
}

pub fn remove_meta(object: &mut Value, field: &str) {
    if let Some(meta) = meta_mut(object) {
        meta.remove(field);
    }
}

/// Sets a top-level field (the object is made an object first).
pub fn set_field(object: &mut Value, field: &str, value: Value) {
    ensure_object(object);
    if let Some(root) = object.as_object_mut() {
        root.insert(field.to_owned(), value);
    }
}

/// `metadata.labels` (values that are not strings are skipped).
pub fn labels(object: &Value) -> std::collections::BTreeMap<String, String> {
    object
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

pub fn finalizers(object: &Value) -> Vec<String> {
    object
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|f| f.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The parsed `metadata.resourceVersion` (0 when absent or not a number).
pub fn resource_version(object: &Value) -> u64 {
    meta_str(object, "resourceVersion").parse().unwrap_or(0)
}

/// `2026-11-21T08:17:45Z` for a time since the Unix epoch.
pub fn rfc3339(since_epoch: Duration) -> String {
    lbgate_sim_clock::utc_timestamp(since_epoch, false)
}

/// The current wall-clock time as RFC 3339 (Kubernetes timestamps have second precision).
pub fn now_rfc3339() -> String {
    rfc3339(since_epoch())
}

pub fn since_epoch() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
