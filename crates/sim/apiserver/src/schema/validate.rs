//! Validation of a value against a structural schema, keyword by keyword in the order of
//! kube-openapi's `SchemaValidator` (type, allOf, string, format, number, array, enum, object),
//! with its messages turned into field errors as apiextensions' `kubeOpenAPIResultToFieldErrors`
//! does. Errors in a value equal to its correlated old value are dropped (CRD validation
//! ratcheting, on by default since v1.30): object fields correlate by key, items of
//! `x-kubernetes-list-type: map` lists by their keys, other list items not at all.

use serde_json::{Value, json};

use super::errors::{ErrorType, FieldError, go_float, go_quote};
use super::format;
use super::node::{
    Additional, allowed_types, child_path, correlated_item, count, flag, index_path, json_type,
    number,
};
use regex::Regex;

/// Validates `value` against `schema`; `old` is the previous value on an update. Field paths
/// start with `prefix` (`status` when only the status is validated) while the messages name
/// the path relative to the schema, as kube-apiserver's do.
pub fn validate(
    value: &Value,
    schema: &Value,
    old: Option<&Value>,
    prefix: &str,
) -> Vec<FieldError> {
    let mut walker = Walker {
        prefix,
        errors: Vec::new(),
    };
    walker.node(value, schema, old, "");
    walker.errors
}

struct Walker<'p> {
    prefix: &'p str,
    errors: Vec<FieldError>,
}

impl Walker<'_> {
    fn field(&self, path: &str) -> String {
        match (self.prefix.is_empty(), path.is_empty()) {
            (true, _) => path.to_owned(),
            (false, true) => self.prefix.to_owned(),
            (false, false) => format!("{}.{path}", self.prefix),
        }
    }

    fn push(&mut self, error_type: ErrorType, path: &str, bad: Option<Value>, detail: String) {
        let field = self.field(path);
        self.errors
            .push(FieldError::new(error_type, &field, bad, detail));
    }

    fn node(&mut self, value: &Value, schema: &Value, old: Option<&Value>, path: &str) {
        if old == Some(value) {
            // Ratcheting: an unchanged value keeps whatever it was stored with.
            return;
        }
        let types = allowed_types(schema);
        if value.is_null() {
            if !types.is_empty() && !flag(schema, "nullable") {
                let expected = types.join(",");
                self.push(
                    ErrorType::TypeInvalid,
                    path,
                    Some(json!("null")),
                    format!("{path} in body must be of type {expected}: \"null\""),
                );
            }
            self.check_enum(value, schema, path);
            return;
        }
        self.check_type(value, &types, path);
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for sub in all {
                self.node(value, sub, old, path);
            }
        }
        match value {
            Value::String(text) => {
                self.check_string(text, schema, path);
                self.check_format(text, schema, path);
            }
            Value::Number(_) => self.check_number(value, schema, path),
            Value::Array(items) => self.check_array(items, schema, old, path),
            _ => {}
        }
        self.check_enum(value, schema, path);
        if let Value::Object(map) = value {
            self.check_object(map, schema, old, path);
        }
    }

    fn check_type(&mut self, value: &Value, types: &[&str], path: &str) {
        if types.is_empty() {
            return;
        }
        let actual = json_type(value);
        let integral_float = actual == "number"
            && value.as_f64().is_some_and(|f| f.fract() == 0.0)
            && types.contains(&"integer");
        let integer_as_number = actual == "integer" && types.contains(&"number");
        if !(types.contains(&actual) || integral_float || integer_as_number) {
            let expected = types.join(",");
            self.push(
                ErrorType::TypeInvalid,
                path,
                Some(json!(actual)),
                format!("{path} in body must be of type {expected}: \"{actual}\""),
            );
        }
    }

    /// Only the first failing keyword of a string is reported, as kube-openapi does.
    fn check_string(&mut self, text: &str, schema: &Value, path: &str) {
        let length = text.chars().count() as u64;
        if let Some(max) = count(schema, "maxLength").filter(|max| length > *max) {
            self.push(
                ErrorType::TooLong,
                path,
                None,
                format!("may not be more than {max} bytes"),
            );
        } else if let Some(min) = count(schema, "minLength").filter(|min| length < *min) {
            self.push(
                ErrorType::Invalid,
                path,
                Some(json!(text)),
                format!("{path} in body should be at least {min} chars long"),
            );
        } else if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
            // A pattern this matcher cannot read is not checked (never a false rejection).
            if Regex::new(pattern).is_ok_and(|re| !re.is_match(text)) {
                self.push(
                    ErrorType::Invalid,
                    path,
                    Some(json!(text)),
                    format!("{path} in body should match '{pattern}'"),
                );
            }
        }
    }

    fn check_format(&mut self, text: &str, schema: &Value, path: &str) {
        let Some(name) = schema.get("format").and_then(Value::as_str) else {
            return;
        };
        if format::check(name, text) == Some(false) {
            self.push(
                ErrorType::TypeInvalid,
                path,
                Some(json!(text)),
                format!("{path} in body must be of type {name}: {}", go_quote(text)),
            );
        }
    }

    fn check_number(&mut self, value: &Value, schema: &Value, path: &str) {
        let integer = value.as_i64();
        let float = value.as_f64().unwrap_or_default();
        let bad = Some(value.clone());
        if let Some(factor) = number(schema, "multipleOf") {
            let (ok, shown) = match integer {
                Some(i) => {
                    let f = factor as i64;
                    (f > 0 && i % f == 0, f.to_string())
                }
                None => {
                    let multiple = if factor < 1.0 {
                        1.0 / factor * float
                    } else {
                        float / factor
                    };
                    (factor > 0.0 && multiple.fract() == 0.0, go_float(factor))
                }
            };
            if !ok {
                self.push(
                    ErrorType::Invalid,
                    path,
                    bad.clone(),
                    format!("{path} in body should be a multiple of {shown}"),
                );
            }
        }
        for (key, exclusive_key, lower) in [
            ("minimum", "exclusiveMinimum", true),
            ("maximum", "exclusiveMaximum", false),
        ] {
            let Some(bound) = number(schema, key) else {
                continue;
            };
            let exclusive = flag(schema, exclusive_key);
            // Integers are compared with the bound truncated to an integer, as Go does.
            let (beyond, shown) = match integer {
                Some(i) => {
                    let b = bound as i64;
                    (compare(i as f64, b as f64, lower, exclusive), b.to_string())
                }
                None => (compare(float, bound, lower, exclusive), go_float(bound)),
            };
            if beyond {
                let relation = match (lower, exclusive) {
                    (true, false) => "greater than or equal to",
                    (true, true) => "greater than",
                    (false, false) => "less than or equal to",
                    (false, true) => "less than",
                };
                self.push(
                    ErrorType::Invalid,
                    path,
                    bad.clone(),
                    format!("{path} in body should be {relation} {shown}"),
                );
            }
        }
    }

    fn check_array(&mut self, items: &[Value], schema: &Value, old: Option<&Value>, path: &str) {
        if let Some(item_schema) = schema.get("items").filter(|s| s.is_object()) {
            for (i, item) in items.iter().enumerate() {
                let old_item = correlated_item(schema, old, item);
                self.node(item, item_schema, old_item, &index_path(path, i));
            }
        }
        let size = items.len() as u64;
        if let Some(min) = count(schema, "minItems").filter(|min| size < *min) {
            self.push(
                ErrorType::Invalid,
                path,
                Some(json!(size)),
                format!("{path} in body should have at least {min} items"),
            );
        }
        if let Some(max) = count(schema, "maxItems").filter(|max| size > *max) {
            self.push(
                ErrorType::TooMany,
                path,
                Some(json!(size)),
                format!("must have at most {max} items"),
            );
        }
    }

    fn check_enum(&mut self, value: &Value, schema: &Value, path: &str) {
        let Some(allowed) = schema
            .get("enum")
            .and_then(Value::as_array)
            .filter(|e| !e.is_empty())
        else {
            return;
        };
        let same = |candidate: &Value| match (candidate, value) {
            (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
            (a, b) => a == b,
        };
        if allowed.iter().any(same) {
            return;
        }
        let listed: Vec<String> = allowed
            .iter()
            .map(|v| match v {
                Value::String(s) => go_quote(s),
                other => go_quote(&other.to_string()),
            })
            .collect();
        self.push(
            ErrorType::NotSupported,
            path,
            Some(value.clone()),
            format!("supported values: {}", listed.join(", ")),
        );
    }

    fn check_object(
        &mut self,
        map: &serde_json::Map<String, Value>,
        schema: &Value,
        old: Option<&Value>,
        path: &str,
    ) {
        let size = map.len() as u64;
        if let Some(min) = count(schema, "minProperties").filter(|min| size < *min) {
            self.push(
                ErrorType::Invalid,
                path,
                Some(json!(size)),
                format!("{path} in body should have at least {min} properties"),
            );
        }
        if let Some(max) = count(schema, "maxProperties").filter(|max| size > *max) {
            self.push(
                ErrorType::TooMany,
                path,
                Some(json!(size)),
                format!("must have at most {max} items"),
            );
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        let declared = |key: &str| properties.is_some_and(|p| p.contains_key(key));
        let old_field = |key: &str| old.and_then(|o| o.get(key));
        // Go walks maps in random order; sorted keys keep answers reproducible.
        let mut keys: Vec<&String> = map.keys().collect();
        keys.sort();
        if let Some(additional) = Additional::of(schema).and_then(Additional::schema) {
            for key in keys.iter().filter(|k| !declared(k)) {
                if let Some(value) = map.get(*key) {
                    self.node(value, additional, old_field(key), &child_path(path, key));
                }
            }
        }
        if let Some(properties) = properties {
            for key in keys.iter().filter(|k| declared(k)) {
                if let (Some(value), Some(prop)) = (map.get(*key), properties.get(*key)) {
                    self.node(value, prop, old_field(key), &child_path(path, key));
                }
            }
        }
        let required = schema.get("required").and_then(Value::as_array);
        for key in required.into_iter().flatten().filter_map(Value::as_str) {
            if !map.contains_key(key) {
                self.push(
                    ErrorType::Required,
                    &child_path(path, key),
                    None,
                    String::new(),
                );
            }
        }
    }
}

fn compare(value: f64, bound: f64, lower: bool, exclusive: bool) -> bool {
    match (lower, exclusive) {
        (true, false) => value < bound,
        (true, true) => value <= bound,
        (false, false) => value > bound,
        (false, true) => value >= bound,
    }
}
