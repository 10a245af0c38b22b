//! The deep merge behind our server-side apply (see the gaps in [`super`]'s module docs): the
//! applied configuration's fields win, maps merge, lists declared `+listType=map` merge by their
//! `+listMapKey`s, `+listType=set` lists gain the applied items, every other list is replaced,
//! and fields absent from the configuration are left alone.

use serde_json::{Map, Value};

use super::rules::list_rule;
use super::strategic::child;

/// Applies `config` to `current` (`Null` when the object does not exist yet).
pub(super) fn apply_config(kind: &str, current: Value, config: Map<String, Value>) -> Value {
    let base = match current {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Value::Object(apply_map(kind, base, config, ""))
}

fn apply_map(
    kind: &str,
    mut current: Map<String, Value>,
    config: Map<String, Value>,
    path: &str,
) -> Map<String, Value> {
    for (key, value) in config {
        // An explicit null in an apply configuration expresses no opinion on the field.
        if value.is_null() {
            continue;
        }
        let field_path = child(path, &key);
        let merged = match (current.remove(&key), value) {
            (Some(Value::Object(live)), Value::Object(applied)) => {
                Value::Object(apply_map(kind, live, applied, &field_path))
            }
            (Some(Value::Array(live)), Value::Array(applied)) => {
                Value::Array(apply_list(kind, live, applied, &field_path))
            }
            (_, value) => without_nulls(value),
        };
        current.insert(key, merged);
    }
    current
}

fn apply_list(kind: &str, mut live: Vec<Value>, applied: Vec<Value>, path: &str) -> Vec<Value> {
    let Some(rule) = list_rule(kind, path) else {
        return applied.into_iter().map(without_nulls).collect();
    };
    if rule.apply_keys.is_empty() {
        for item in applied {
            if !live.contains(&item) {
                live.push(item);
            }
        }
        return live;
    }
    for item in applied {
        let Value::Object(item) = item else {
            live.push(item);
            continue;
        };
        let same_keys = |existing: &Value| {
            rule.apply_keys
                .iter()
                .all(|key| existing.get(key) == item.get(*key))
        };
        match live.iter_mut().find(|existing| same_keys(existing)) {
            Some(existing) => {
                let base = match existing.take() {
                    Value::Object(map) => map,
                    _ => Map::new(),
                };
                *existing = Value::Object(apply_map(kind, base, item, path));
            }
            None => live.push(without_nulls(Value::Object(item))),
        }
    }
    live
}

fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, value)| !value.is_null())
                .map(|(key, value)| (key, without_nulls(value)))
                .collect(),
        ),
        Value::Array(list) => Value::Array(list.into_iter().map(without_nulls).collect()),
        scalar => scalar,
    }
}
