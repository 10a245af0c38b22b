//! Decoding of AWS Query requests: `Action=…&Version=…&Targets.member.1.Id=…`.

use std::collections::BTreeMap;

use super::errors::ApiError;

/// The parameters of one Query request (or one structure inside it), keyed by their dotted names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    /// Decodes an `application/x-www-form-urlencoded` body (or query string). A repeated key keeps
    /// its last value.
    pub fn parse(form: &[u8]) -> Self {
        Self {
            values: form_urlencoded::parse(form).into_owned().collect(),
        }
    }

    /// Adds the pairs of `other` that are not already present.
    pub fn merge_missing(&mut self, other: Params) {
        for (key, value) in other.values {
            self.values.entry(key).or_insert(value);
        }
    }

    /// A plain parameter.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// A parameter AWS requires; its absence is reported under the camelCase member name, as
    /// AWS's validation messages do.
    pub fn required(&self, key: &str) -> Result<&str, ApiError> {
        self.get(key)
            .ok_or_else(|| ApiError::missing(&lower_first(key)))
    }

    /// An integer parameter; `None` when absent.
    pub fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        self.get(key)
            .map(|text| {
                text.trim()
                    .parse::<i64>()
                    .map_err(|_| ApiError::validation(format!("Invalid value '{text}' for {key}")))
            })
            .transpose()
    }

    /// A boolean parameter; `None` when absent.
    pub fn bool(&self, key: &str) -> Result<Option<bool>, ApiError> {
        self.get(key)
            .map(|text| match text.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(ApiError::validation(format!(
                    "Invalid value '{text}' for {key}"
                ))),
            })
            .transpose()
    }

    /// Whether any parameter starts with `prefix.` (a structure or list was sent).
    pub fn has_prefix(&self, prefix: &str) -> bool {
        let dotted = format!("{prefix}.");
        self.values.keys().any(|key| key.starts_with(&dotted))
    }

    /// A list of strings: `prefix.member.1`, `prefix.member.2`, … in index order.
    pub fn list(&self, prefix: &str) -> Vec<String> {
        let head = format!("{prefix}.member.");
        let mut items: Vec<(u64, String)> = self
            .values
            .iter()
            .filter_map(|(key, value)| {
                let index = key.strip_prefix(&head)?.parse().ok()?;
                Some((index, value.clone()))
            })
            .collect();
        items.sort_by_key(|(index, _)| *index);
        items.into_iter().map(|(_, value)| value).collect()
    }

    /// A list of structures: `prefix.member.N.Field` grouped by N, in index order, each with
    /// its fields relative to the member.
    pub fn members(&self, prefix: &str) -> Vec<Params> {
        let head = format!("{prefix}.member.");
        let mut groups: BTreeMap<u64, Params> = BTreeMap::new();
        for (key, value) in &self.values {
            let Some(rest) = key.strip_prefix(&head) else {
                continue;
            };
            let Some((index, field)) = rest.split_once('.') else {
                continue;
            };
            let Ok(index) = index.parse::<u64>() else {
                continue;
            };
            groups
                .entry(index)
                .or_default()
                .values
                .insert(field.to_owned(), value.clone());
        }
        groups.into_values().collect()
    }

    /// The fields of the structure `prefix`, relative to it (`prefix.Field` → `Field`).
    pub fn nested(&self, prefix: &str) -> Params {
        let head = format!("{prefix}.");
        Params {
            values: self
                .values
                .iter()
                .filter_map(|(key, value)| {
                    Some((key.strip_prefix(&head)?.to_owned(), value.clone()))
                })
                .collect(),
        }
    }
}

/// `TargetGroupArn` → `targetGroupArn`: how AWS names members in validation messages.
pub fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests;
