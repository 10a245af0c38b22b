//! Field errors worded as apimachinery's `field.Error` (`ErrorBody`: the type's phrase, the bad
//! value printed as Go's `fmt` prints it, then the detail) and the `422 Invalid` Status that
//! `errors.NewInvalid` builds from them.

use serde_json::{Value, json};

use crate::status::ApiError;

/// `field.ErrorType`: the cause's `reason` and the phrase that starts its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorType {
    Required,
    Invalid,
    TypeInvalid,
    NotSupported,
    TooLong,
    TooMany,
}

impl ErrorType {
    /// The `StatusCause` type.
    pub fn cause(self) -> &'static str {
        match self {
            Self::Required => "FieldValueRequired",
            Self::Invalid => "FieldValueInvalid",
            Self::TypeInvalid => "FieldValueTypeInvalid",
            Self::NotSupported => "FieldValueNotSupported",
            Self::TooLong => "FieldValueTooLong",
            Self::TooMany => "FieldValueTooMany",
        }
    }

    fn phrase(self) -> &'static str {
        match self {
            Self::Required => "Required value",
            Self::Invalid | Self::TypeInvalid => "Invalid value",
            Self::NotSupported => "Unsupported value",
            Self::TooLong => "Too long",
            Self::TooMany => "Too many",
        }
    }
}

/// One field's problem.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub error_type: ErrorType,
    /// `spec.serviceRef.name`, `status.conditions[0].reason`.
    pub field: String,
    /// `None` where apimachinery omits the value (required, too long).
    pub bad_value: Option<Value>,
    pub detail: String,
}

impl FieldError {
    pub fn new(
        error_type: ErrorType,
        field: &str,
        bad_value: Option<Value>,
        detail: String,
    ) -> Self {
        Self {
            error_type,
            field: field.to_owned(),
            bad_value,
            detail,
        }
    }

    /// The message without the field (`ErrorBody`), as a cause's `message`.
    pub fn body(&self) -> String {
        let phrase = self.error_type.phrase();
        let mut text = match (&self.bad_value, self.error_type) {
            (None, _) | (_, ErrorType::Required | ErrorType::TooLong) => phrase.to_owned(),
            (Some(value), _) => format!("{phrase}: {}", go_value(value)),
        };
        if !self.detail.is_empty() {
            text.push_str(": ");
            text.push_str(&self.detail);
        }
        text
    }

    /// `field: body`, as the Status message lists it.
    pub fn message(&self) -> String {
        format!("{}: {}", self.field, self.body())
    }
}

/// `422 Invalid` for `errors`, as `errors.NewInvalid(kind.group, name, errs)` words it: every
/// error a cause, the message listing each distinct one (bracketed when more than one).
pub fn invalid(kind: &str, group: &str, name: &str, errors: &[FieldError]) -> ApiError {
    let mut distinct: Vec<String> = Vec::new();
    for error in errors {
        let message = error.message();
        if !distinct.contains(&message) {
            distinct.push(message);
        }
    }
    let summary = match distinct.as_slice() {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    };
    let qualified = if group.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}.{group}")
    };
    let causes: Vec<Value> = errors
        .iter()
        .map(|e| json!({"reason": e.error_type.cause(), "message": e.body(), "field": e.field}))
        .collect();
    let mut details = json!({"name": name, "kind": kind, "causes": causes});
    if !group.is_empty() {
        crate::meta::set_field(&mut details, "group", json!(group));
    }
    ApiError {
        code: 422,
        reason: "Invalid".to_owned(),
        message: format!("{qualified} \"{name}\" is invalid: {summary}"),
        details: Some(details),
    }
}

/// A bad value as `field.Error` prints it: strings quoted (`%q`), numbers and booleans plain,
/// null as `"null"`, objects and arrays in Go syntax (`%#v`).
pub fn go_value(value: &Value) -> String {
    match value {
        Value::Null => go_quote("null"),
        Value::String(s) => go_quote(s),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => go_number(n),
        Value::Array(_) | Value::Object(_) => go_syntax(value),
    }
}

fn go_number(n: &serde_json::Number) -> String {
    match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), _, _) => i.to_string(),
        (None, Some(u), _) => u.to_string(),
        (None, None, Some(f)) => go_float(f),
        _ => n.to_string(),
    }
}

/// `%#v` of a decoded JSON value (`map[string]interface {}{"a":1}`).
fn go_syntax(value: &Value) -> String {
    match value {
        Value::Null => "interface {}(nil)".to_owned(),
        Value::Array(items) => format!(
            "[]interface {{}}{{{}}}",
            items.iter().map(go_syntax).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let entries: Vec<String> = keys
                .into_iter()
                .filter_map(|k| {
                    map.get(k)
                        .map(|v| format!("{}:{}", go_quote(k), go_syntax(v)))
                })
                .collect();
            format!("map[string]interface {{}}{{{}}}", entries.join(", "))
        }
        other => go_value(other),
    }
}

/// Go's `%v` of a float64: the shortest digits, in exponent form below 1e-4 or from 1e6 on.
pub fn go_float(f: f64) -> String {
    if f == 0.0 || !f.is_finite() {
        return if f.is_nan() {
            "NaN".to_owned()
        } else if f.is_infinite() {
            if f > 0.0 { "+Inf" } else { "-Inf" }.to_owned()
        } else {
            "0".to_owned()
        };
    }
    let scientific = format!("{f:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if (-4..6).contains(&exponent) {
        return format!("{f}");
    }
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.abs())
}

/// Go's `strconv.Quote`.
pub fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
