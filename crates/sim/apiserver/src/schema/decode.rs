//! What kube-apiserver does to a custom resource while decoding it, before any validation:
//! unknown metadata fields dropped, unknown fields pruned (apiextensions `pruning.Prune`, the
//! resource root and embedded resources keeping `apiVersion`, `kind` and `metadata`), null values
//! of non-nullable fields without a default dropped, then `default:` values filled in
//! (`defaulting.Default`). Each returns what it removed where the caller reports it.

use serde_json::{Map, Value};

use super::node::{Additional, child_path, index_path};

const TYPE_META: [&str; 3] = ["apiVersion", "kind", "metadata"];

/// The fields of `ObjectMeta` (v1.33); anything else under `metadata` is dropped.
const OBJECT_META: [&str; 15] = [
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];

/// Prunes, drops non-nullable nulls and defaults a whole custom resource against its version's
/// `openAPIV3Schema`; answers the paths of the unknown fields it dropped, metadata first, each
/// group sorted (the order of kube-apiserver's `unknown field` warnings).
pub fn decode(object: &mut Value, schema: &Value) -> Vec<String> {
    let mut unknown = prune_metadata(object);
    unknown.extend(prune(object, schema));
    prune_nulls(object, Some(schema));
    apply_defaults(object, schema);
    unknown
}

fn prune_metadata(object: &mut Value) -> Vec<String> {
    let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) else {
        return Vec::new();
    };
    let mut unknown: Vec<String> = metadata
        .keys()
        .filter(|k| !OBJECT_META.contains(&k.as_str()))
        .cloned()
        .collect();
    unknown.sort();
    for key in &unknown {
        metadata.remove(key);
    }
    unknown
        .into_iter()
        .map(|k| format!("metadata.{k}"))
        .collect()
}

/// Drops every field `schema` does not declare; answers their paths, sorted.
pub fn prune(object: &mut Value, schema: &Value) -> Vec<String> {
    let mut unknown = Vec::new();
    prune_node(object, Some(schema), true, "", &mut unknown);
    unknown.sort();
    unknown
}

fn prune_node(x: &mut Value, s: Option<&Value>, root: bool, path: &str, unknown: &mut Vec<String>) {
    if s.is_some_and(preserves_unknown) {
        keep_unknown(x, s, root, path, unknown);
        return;
    }
    match x {
        Value::Object(map) => {
            let Some(s) = s else {
                unknown.extend(map.keys().map(|k| child_path(path, k)));
                map.clear();
                return;
            };
            let embedded = root || is_embedded(s);
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                if embedded && TYPE_META.contains(&key.as_str()) {
                    continue;
                }
                let child = child_path(path, &key);
                match (property(s, &key), Additional::of(s)) {
                    (Some(prop), _) => prune_entry(map, &key, Some(prop), &child, unknown),
                    (None, Some(additional)) => {
                        prune_entry(map, &key, additional.schema(), &child, unknown);
                    }
                    (None, None) => {
                        if !TYPE_META.contains(&key.as_str()) || !path.is_empty() {
                            unknown.push(child);
                        }
                        map.remove(&key);
                    }
                }
            }
        }
        Value::Array(items) => {
            let item_schema = s.and_then(|s| s.get("items"));
            for (i, item) in items.iter_mut().enumerate() {
                prune_node(item, item_schema, false, &index_path(path, i), unknown);
            }
        }
        _ => {}
    }
}

fn prune_entry(
    map: &mut Map<String, Value>,
    key: &str,
    s: Option<&Value>,
    path: &str,
    unknown: &mut Vec<String>,
) {
    if let Some(value) = map.get_mut(key) {
        prune_node(value, s, false, path, unknown);
    }
}

/// Under `x-kubernetes-preserve-unknown-fields` unknown fields stay, declared ones are pruned.
fn keep_unknown(
    x: &mut Value,
    s: Option<&Value>,
    root: bool,
    path: &str,
    unknown: &mut Vec<String>,
) {
    let Some(s) = s else {
        return;
    };
    match x {
        Value::Object(map) => {
            let embedded = root || is_embedded(s);
            for (key, value) in map.iter_mut() {
                if embedded && TYPE_META.contains(&key.as_str()) {
                    continue;
                }
                let child = child_path(path, key);
                match (property(s, key), Additional::of(s)) {
                    (Some(prop), _) => prune_node(value, Some(prop), false, &child, unknown),
                    (None, Some(additional)) => {
                        prune_node(value, additional.schema(), false, &child, unknown);
                    }
                    (None, None) => {}
                }
            }
        }
        Value::Array(items) => {
            let item_schema = s.get("items");
            for (i, item) in items.iter_mut().enumerate() {
                keep_unknown(item, item_schema, false, &index_path(path, i), unknown);
            }
        }
        _ => {}
    }
}

fn preserves_unknown(s: &Value) -> bool {
    s.get("x-kubernetes-preserve-unknown-fields")
        .and_then(Value::as_bool)
        == Some(true)
}

fn is_embedded(s: &Value) -> bool {
    s.get("x-kubernetes-embedded-resource")
        .and_then(Value::as_bool)
        == Some(true)
}

fn property<'a>(s: &'a Value, key: &str) -> Option<&'a Value> {
    s.get("properties").and_then(|p| p.get(key))
}

/// The schema of a field: a declared property, else `additionalProperties`' schema.
fn field_schema<'a>(s: Option<&'a Value>, key: &str) -> Option<&'a Value> {
    let s = s?;
    property(s, key).or_else(|| Additional::of(s).and_then(|a| a.schema()))
}

fn nullable(s: &Value) -> bool {
    s.get("nullable").and_then(Value::as_bool) == Some(true)
}

/// A null where the schema allows none and has no default to put instead is dropped
/// (`PruneNonNullableNullsWithoutDefaults`).
pub fn prune_nulls(x: &mut Value, s: Option<&Value>) {
    match x {
        Value::Object(map) => {
            map.retain(|key, value| {
                let schema = field_schema(s, key);
                !(value.is_null()
                    && schema.is_some_and(|s| !nullable(s) && s.get("default").is_none()))
            });
            for (key, value) in map.iter_mut() {
                prune_nulls(value, field_schema(s, key));
            }
        }
        Value::Array(items) => {
            let item_schema = s.and_then(|s| s.get("items"));
            for item in items {
                prune_nulls(item, item_schema);
            }
        }
        _ => {}
    }
}

fn non_nullable_null(x: &Value, s: Option<&Value>) -> bool {
    x.is_null() && s.is_some_and(|s| !nullable(s))
}

/// Fills `default:` values for absent fields (and nulls the schema does not allow), then
/// defaults inside every value, defaulted ones included.
pub fn apply_defaults(x: &mut Value, s: &Value) {
    match x {
        Value::Object(map) => {
            if let Some(properties) = s.get("properties").and_then(Value::as_object) {
                for (key, prop) in properties {
                    let Some(default) = prop.get("default") else {
                        continue;
                    };
                    let missing = map
                        .get(key)
                        .is_none_or(|v| non_nullable_null(v, Some(prop)));
                    if missing {
                        map.insert(key.clone(), default.clone());
                    }
                }
            }
            let additional = Additional::of(s).and_then(|a| a.schema());
            for (key, value) in map.iter_mut() {
                if let Some(prop) = property(s, key) {
                    apply_defaults(value, prop);
                } else if let Some(additional) = additional {
                    if non_nullable_null(value, Some(additional))
                        && let Some(default) = additional.get("default")
                    {
                        *value = default.clone();
                    }
                    apply_defaults(value, additional);
                }
            }
        }
        Value::Array(items) => {
            let Some(item_schema) = s.get("items") else {
                return;
            };
            for item in items {
                if non_nullable_null(item, Some(item_schema))
                    && let Some(default) = item_schema.get("default")
                {
                    *item = default.clone();
                }
                apply_defaults(item, item_schema);
            }
        }
        _ => {}
    }
}
