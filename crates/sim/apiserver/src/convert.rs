//! `events.k8s.io/v1` Events share the storage of core `v1` Events, as in kube-apiserver: an
//! event a controller records through one API (kube-rs' `Recorder` uses events.k8s.io) shows in
//! the other (`kubectl describe` reads core events). Field renames follow
//! `pkg/apis/events/v1` conversion.

use serde_json::{Map, Value};

/// (events.k8s.io/v1 field, core/v1 field)
const RENAMES: [(&str, &str); 7] = [
    ("regarding", "involvedObject"),
    ("note", "message"),
    ("reportingController", "reportingComponent"),
    ("deprecatedSource", "source"),
    ("deprecatedFirstTimestamp", "firstTimestamp"),
    ("deprecatedLastTimestamp", "lastTimestamp"),
    ("deprecatedCount", "count"),
];

fn rename(object: &Value, api_version: &str, to_core: bool) -> Value {
    let Some(map) = object.as_object() else {
        return object.clone();
    };
    let mut out = Map::new();
    for (field, value) in map {
        let renamed = RENAMES.iter().find_map(|(new, core)| {
            let (from, to) = if to_core { (new, core) } else { (core, new) };
            (*from == field.as_str()).then_some(*to)
        });
        out.insert(renamed.unwrap_or(field).to_owned(), value.clone());
    }
    out.insert("apiVersion".to_owned(), Value::from(api_version));
    out.insert("kind".to_owned(), Value::from("Event"));
    Value::Object(out)
}

/// An events.k8s.io/v1 Event as the core/v1 Event it is stored as.
pub fn event_to_core(object: &Value) -> Value {
    rename(object, "v1", true)
}

/// A stored core/v1 Event as events.k8s.io/v1 shows it.
pub fn event_from_core(object: &Value) -> Value {
    rename(object, "events.k8s.io/v1", false)
}

#[cfg(test)]
mod tests;
