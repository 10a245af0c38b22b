//! The JSONPath subset CRD printer columns use: `.a.b`, `.a[0].b`, `.a[*].b`, `.a['b.c']` and
//! the filter `.a[?(@.type=="Ready")].status`. Like kube-apiserver's table convertor, a column
//! shows the first match, and missing keys are no match rather than an error.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Field(String),
    Index(usize),
    All,
    Filter { field: String, equals: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct JsonPath {
    steps: Vec<Step>,
}

impl JsonPath {
    /// Parses `path` (with or without the `{…}` template braces); `None` when unsupported.
    pub(super) fn parse(path: &str) -> Option<Self> {
        let path = path.trim();
        let path = path
            .strip_prefix('{')
            .and_then(|p| p.strip_suffix('}'))
            .unwrap_or(path);
        let mut rest = path.strip_prefix('$').unwrap_or(path);
        let mut steps = Vec::new();
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('.') {
                let end = after.find(['.', '[']).unwrap_or(after.len());
                let (name, tail) = after.split_at(end);
                if !name.is_empty() {
                    steps.push(Step::Field(name.to_owned()));
                }
                rest = tail;
            } else if let Some(after) = rest.strip_prefix('[') {
                let end = bracket_end(after)?;
                let inner = after.get(..end)?.trim();
                steps.push(bracket_step(inner)?);
                rest = after.get(end + 1..)?;
            } else {
                return None;
            }
        }
        Some(Self { steps })
    }

    /// The first value the path selects in `root`.
    pub(super) fn first<'a>(&self, root: &'a Value) -> Option<&'a Value> {
        let mut current = vec![root];
        for step in &self.steps {
            current = current
                .into_iter()
                .flat_map(|value| apply(step, value))
                .collect();
        }
        current.into_iter().next()
    }
}

/// The index of the `]` closing a bracket, skipping quoted text.
fn bracket_end(text: &str) -> Option<usize> {
    let mut quote = None;
    for (index, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, ']') => return Some(index),
            (None, _) => {}
        }
    }
    None
}

fn unquote(text: &str) -> &str {
    let text = text.trim();
    text.strip_prefix('\'')
        .and_then(|t| t.strip_suffix('\''))
        .or_else(|| text.strip_prefix('"').and_then(|t| t.strip_suffix('"')))
        .unwrap_or(text)
}

fn bracket_step(inner: &str) -> Option<Step> {
    if inner == "*" {
        return Some(Step::All);
    }
    if let Some(filter) = inner.strip_prefix("?(").and_then(|f| f.strip_suffix(')')) {
        let (left, right) = filter.split_once("==")?;
        let field = left.trim().strip_prefix("@.")?.to_owned();
        return Some(Step::Filter {
            field,
            equals: unquote(right).to_owned(),
        });
    }
    if let Ok(index) = inner.parse::<usize>() {
        return Some(Step::Index(index));
    }
    let name = unquote(inner);
    (!name.is_empty()).then(|| Step::Field(name.to_owned()))
}

fn apply<'a>(step: &Step, value: &'a Value) -> Vec<&'a Value> {
    match step {
        Step::Field(name) => value.get(name.as_str()).into_iter().collect(),
        Step::Index(index) => value.get(*index).into_iter().collect(),
        Step::All => match value {
            Value::Array(items) => items.iter().collect(),
            Value::Object(map) => map.values().collect(),
            _ => Vec::new(),
        },
        Step::Filter { field, equals } => value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter(|item| {
                        item.get(field.as_str()).is_some_and(|v| match v {
                            Value::String(s) => s == equals,
                            Value::Number(n) => n.as_f64() == equals.parse::<f64>().ok(),
                            Value::Bool(b) => equals.parse::<bool>().ok() == Some(*b),
                            _ => false,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}
