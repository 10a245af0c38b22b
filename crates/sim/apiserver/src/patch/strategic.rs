//! Strategic merge patch, following `k8s.io/apimachinery/pkg/util/strategicpatch` as the server
//! applies it (`MergeParallelList` and `IgnoreUnmatchedNulls` both on): maps merge, `null`
//! deletes, lists merge by the merge key of [`super::rules`] (or as a set of scalars) or are
//! replaced, and the directives `$patch` (`replace`/`delete` on maps, `delete`/`replace` items in
//! lists), `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`.
//! List order follows kube-apiserver: items named by the patch keep the patch's order and
//! server-only items are interleaved by their position in the live list.

use serde_json::{Map, Value};

use super::PatchFailure;
use super::rules::list_rule;

const DIRECTIVE: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList";
const SET_ELEMENT_ORDER: &str = "$setElementOrder";

/// Applies `patch` to `current` (an object) for an object of `kind`.
pub(super) fn strategic_merge(
    kind: &str,
    current: Value,
    patch: Map<String, Value>,
) -> Result<Value, PatchFailure> {
    let original = match current {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    merge_map(kind, original, patch, "").map(Value::Object)
}

pub(super) fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn merge_map(
    kind: &str,
    mut original: Map<String, Value>,
    mut patch: Map<String, Value>,
    path: &str,
) -> Result<Map<String, Value>, PatchFailure> {
    if let Some(directive) = patch.remove(DIRECTIVE) {
        return match directive.as_str() {
            Some("replace") => Ok(strip_map(patch)),
            Some("delete") => Ok(Map::new()),
            _ => Err(bad_patch_type(&directive, &patch)),
        };
    }
    apply_retain_keys(&mut original, &mut patch)?;
    apply_set_element_order(kind, &mut original, &mut patch, path)?;

    let mut deletions = Vec::new();
    for (key, patch_value) in patch {
        if let Some(suffix) = key.strip_prefix(DELETE_FROM_PRIMITIVE_LIST) {
            let field = suffix.strip_prefix('/').ok_or_else(|| {
                PatchFailure::bad_request("invalid patch format of primitive list".to_owned())
            })?;
            deletions.push((field.to_owned(), patch_value));
            continue;
        }
        if patch_value.is_null() {
            original.remove(&key);
            continue;
        }
        let field_path = child(path, &key);
        let merged = match (original.remove(&key), patch_value) {
            (Some(Value::Object(orig)), Value::Object(patch_map)) => Some(Value::Object(
                merge_map(kind, orig, patch_map, &field_path)?,
            )),
            (Some(Value::Array(orig)), Value::Array(patch_list)) => Some(Value::Array(
                merge_list_field(kind, orig, patch_list, &field_path)?,
            )),
            (_, patch_value) => strip_new(patch_value),
        };
        if let Some(value) = merged {
            original.insert(key, value);
        }
    }
    // Deletion lists only remove; a list the live object lacks is not created.
    for (field, to_delete) in deletions {
        if let (Some(Value::Array(list)), Value::Array(to_delete)) =
            (original.get_mut(&field), to_delete)
        {
            list.retain(|item| !to_delete.contains(item));
        }
    }
    Ok(original)
}

fn merge_list_field(
    kind: &str,
    original: Vec<Value>,
    patch: Vec<Value>,
    path: &str,
) -> Result<Vec<Value>, PatchFailure> {
    match list_rule(kind, path) {
        Some(rule) => merge_list(kind, original, patch, rule.smp_key, path),
        None => Ok(strip_list(patch)),
    }
}

fn merge_list(
    kind: &str,
    original: Vec<Value>,
    patch: Vec<Value>,
    merge_key: Option<&str>,
    path: &str,
) -> Result<Vec<Value>, PatchFailure> {
    if original.is_empty() && patch.is_empty() {
        return Ok(original);
    }
    if !elements_are_maps(&original, &patch)? {
        let mut merged = original.clone();
        for item in &patch {
            if !merged.contains(item) {
                merged.push(item.clone());
            }
        }
        return Ok(normalize_order(merged, &patch, &original, None));
    }
    let key = merge_key.ok_or_else(|| {
        PatchFailure::internal(format!("cannot merge lists without merge key for {path}"))
    })?;

    let mut server = original;
    let mut plain = Vec::new();
    let mut replace = false;
    for item in patch {
        let Value::Object(map) = item else {
            return Err(bad_arg_type(&item));
        };
        match map.get(DIRECTIVE) {
            None => plain.push(map),
            Some(Value::String(directive)) if directive == "delete" => {
                let value = map.get(key).ok_or_else(|| no_merge_key(&map, key))?;
                server.retain(|existing| existing.get(key) != Some(value));
            }
            Some(Value::String(directive)) if directive == "replace" => replace = true,
            Some(Value::String(directive)) if directive == "merge" => {
                return Err(PatchFailure::internal(
                    "merging lists cannot yet be specified in the patch".to_owned(),
                ));
            }
            Some(other) => return Err(bad_patch_type(other, &map)),
        }
    }
    if replace {
        server = strip_list(plain.into_iter().map(Value::Object).collect());
        plain = Vec::new();
    }

    let server_order = server.clone();
    let mut merged = server;
    let mut patch_order = Vec::with_capacity(plain.len());
    for item in plain {
        let value = item
            .get(key)
            .ok_or_else(|| no_merge_key(&item, key))?
            .clone();
        patch_order.push(Value::Object(Map::from_iter([(
            key.to_owned(),
            value.clone(),
        )])));
        match merged
            .iter_mut()
            .find(|existing| existing.get(key) == Some(&value))
        {
            Some(existing) => {
                let orig = match existing.take() {
                    Value::Object(map) => map,
                    _ => Map::new(),
                };
                *existing = Value::Object(merge_map(kind, orig, item, path)?);
            }
            None => {
                if let Some(stripped) = strip_new(Value::Object(item)) {
                    merged.push(stripped);
                }
            }
        }
    }
    Ok(normalize_order(
        merged,
        &patch_order,
        &server_order,
        Some(key),
    ))
}

/// Whether the lists hold maps (`true`) or scalars (`false`); kube-apiserver refuses lists of
/// lists and lists mixing element types.
fn elements_are_maps(original: &[Value], patch: &[Value]) -> Result<bool, PatchFailure> {
    let mut kind = None;
    for item in original.iter().chain(patch) {
        let this = json_kind(item);
        if this == "array" {
            return Err(PatchFailure::invalid(
                "lists of lists are not supported".to_owned(),
            ));
        }
        match kind {
            None => kind = Some(this),
            Some(previous) if previous != this => {
                return Err(PatchFailure::internal(
                    "list element types are not identical".to_owned(),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(kind == Some("object"))
}

/// Orders `merged`: the items present in `patch_order` in that order, the others in their
/// live order, interleaved as kube-apiserver's `mergeSortedSlice` does.
fn normalize_order(
    merged: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    key: Option<&str>,
) -> Vec<Value> {
    let (mut from_patch, mut server_only): (Vec<Value>, Vec<Value>) = merged
        .into_iter()
        .partition(|item| position(patch_order, item, key).is_some());
    from_patch.sort_by_key(|item| position(patch_order, item, key).unwrap_or(usize::MAX));
    server_only.sort_by_key(|item| position(server_order, item, key).unwrap_or(usize::MAX));

    let mut out = Vec::with_capacity(from_patch.len() + server_only.len());
    let mut left = server_only.into_iter().peekable();
    let mut right = from_patch.into_iter().peekable();
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(l), Some(r)) => matches!(
                (position(server_order, l, key), position(server_order, r, key)),
                (Some(li), Some(ri)) if li < ri
            ),
        };
        let next = if take_left { left.next() } else { right.next() };
        out.extend(next);
    }
    out
}

fn position(list: &[Value], item: &Value, key: Option<&str>) -> Option<usize> {
    match key {
        Some(key) => {
            let wanted = item.get(key)?;
            list.iter().position(|entry| entry.get(key) == Some(wanted))
        }
        None => list.iter().position(|entry| entry == item),
    }
}

fn apply_retain_keys(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
) -> Result<(), PatchFailure> {
    let Some(retain) = patch.remove(RETAIN_KEYS) else {
        return Ok(());
    };
    let bad = || PatchFailure::bad_request("invalid patch format of retainKeys".to_owned());
    let Value::Array(retain) = retain else {
        return Err(bad());
    };
    let keep: Vec<&str> = retain.iter().filter_map(Value::as_str).collect();
    for (key, value) in patch.iter() {
        let directive =
            key.starts_with(DELETE_FROM_PRIMITIVE_LIST) || key.starts_with(SET_ELEMENT_ORDER);
        if !value.is_null() && !directive && !keep.contains(&key.as_str()) {
            return Err(bad());
        }
    }
    original.retain(|key, _| keep.contains(&key.as_str()));
    Ok(())
}

fn apply_set_element_order(
    kind: &str,
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
    path: &str,
) -> Result<(), PatchFailure> {
    let order_keys: Vec<String> = patch
        .keys()
        .filter(|key| key.starts_with(SET_ELEMENT_ORDER))
        .cloned()
        .collect();
    for order_key in order_keys {
        let bad =
            || PatchFailure::bad_request("invalid patch format of setElementOrder list".to_owned());
        let field = order_key
            .strip_prefix(SET_ELEMENT_ORDER)
            .and_then(|rest| rest.strip_prefix('/'))
            .ok_or_else(bad)?
            .to_owned();
        let Some(Value::Array(order)) = patch.remove(&order_key) else {
            return Err(bad());
        };
        if patch.get(&field).is_some_and(Value::is_null) {
            continue;
        }
        let field_path = child(path, &field);
        let key = list_rule(kind, &field_path).and_then(|rule| rule.smp_key);
        let live = match original.get(&field) {
            Some(Value::Array(list)) => Some(list.clone()),
            _ => None,
        };
        let patch_list = match patch.remove(&field) {
            Some(Value::Array(list)) => Some(list),
            Some(other) => {
                patch.insert(field.clone(), other);
                continue;
            }
            None => None,
        };
        let merged = match (live.clone(), patch_list) {
            (Some(live), None) => live,
            (None, Some(list)) => strip_list(list),
            (Some(live), Some(list)) => merge_list_field(kind, live, list, &field_path)?,
            (None, None) => continue,
        };
        let live = live.unwrap_or_default();
        original.insert(
            field,
            Value::Array(normalize_order(merged, &order, &live, key)),
        );
    }
    Ok(())
}

/// A value the live object lacks: drop `null`s and directive keys (kube-apiserver drops them
/// when it decodes into the typed object) and items that are themselves directives.
fn strip_new(value: Value) -> Option<Value> {
    match value {
        Value::Null => None,
        Value::Object(map) => {
            if map.contains_key(DIRECTIVE) {
                return None;
            }
            Some(Value::Object(strip_map(map)))
        }
        Value::Array(list) => Some(Value::Array(strip_list(list))),
        scalar => Some(scalar),
    }
}

fn strip_map(map: Map<String, Value>) -> Map<String, Value> {
    map.into_iter()
        .filter(|(key, _)| !key.starts_with('$'))
        .filter_map(|(key, value)| strip_new(value).map(|value| (key, value)))
        .collect()
}

fn strip_list(list: Vec<Value>) -> Vec<Value> {
    list.into_iter().filter_map(strip_new).collect()
}

pub(super) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn bad_patch_type(directive: &Value, map: &Map<String, Value>) -> PatchFailure {
    let directive = directive
        .as_str()
        .map_or_else(|| directive.to_string(), str::to_owned);
    PatchFailure::internal(format!(
        "unknown patch type: {directive} in map: {}",
        Value::Object(map.clone())
    ))
}

fn bad_arg_type(actual: &Value) -> PatchFailure {
    PatchFailure::internal(format!(
        "expected a map, but received a {}",
        json_kind(actual)
    ))
}

fn no_merge_key(map: &Map<String, Value>, key: &str) -> PatchFailure {
    PatchFailure::internal(format!(
        "map: {} does not contain declared merge key: {key}",
        Value::Object(map.clone())
    ))
}
