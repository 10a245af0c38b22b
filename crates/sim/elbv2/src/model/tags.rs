//! Tags on any ELBv2 resource, with AWS's limits.

use std::collections::BTreeMap;

use super::super::errors::ApiError;
use super::Model;
use super::arn::{self, ResourceKind};

pub type Tags = BTreeMap<String, String>;

/// Checks a tag list from a request: keys 1–128 characters, values ≤ 256, no `aws:` prefix, no
/// key twice.
pub fn validate_new(tags: &[(String, Option<String>)]) -> Result<(), ApiError> {
    let mut seen = std::collections::BTreeSet::new();
    for (index, (key, value)) in tags.iter().enumerate() {
        let position = index + 1;
        if key.is_empty() || key.chars().count() > 128 {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{key}' at 'tags.{position}.member.key' failed to satisfy \
                 constraint: Member must have length between 1 and 128"
            )));
        }
        if value.as_deref().is_some_and(|v| v.chars().count() > 256) {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value at 'tags.{position}.member.value' failed to satisfy \
                 constraint: Member must have length less than or equal to 256"
            )));
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(ApiError::validation(format!(
                "Tag key '{key}' cannot start with 'aws:'"
            )));
        }
        if !seen.insert(key.as_str()) {
            return Err(ApiError::duplicate_tag_keys(key));
        }
    }
    Ok(())
}

impl Model {
    /// The tags of any resource, or the not-found error of its kind.
    pub fn tags_of(&mut self, resource_arn: &str) -> Result<&mut Tags, ApiError> {
        let kind = arn::kind_of(resource_arn).ok_or_else(|| {
            ApiError::validation(format!("'{resource_arn}' is not a valid resource ARN"))
        })?;
        let found = match kind {
            ResourceKind::TargetGroup => self
                .target_groups
                .iter_mut()
                .find(|r| r.arn == resource_arn)
                .map(|r| &mut r.tags),
            ResourceKind::LoadBalancer => self
                .load_balancers
                .iter_mut()
                .find(|r| r.arn == resource_arn)
                .map(|r| &mut r.tags),
            ResourceKind::Listener => self
                .listeners
                .iter_mut()
                .find(|r| r.arn == resource_arn)
                .map(|r| &mut r.tags),
            ResourceKind::Rule => self
                .rules
                .iter_mut()
                .find(|r| r.arn == resource_arn)
                .map(|r| &mut r.tags),
        };
        found.ok_or_else(|| match kind {
            ResourceKind::TargetGroup => ApiError::target_group_not_found(),
            ResourceKind::LoadBalancer => ApiError::load_balancer_not_found(),
            ResourceKind::Listener => ApiError::listener_not_found(),
            ResourceKind::Rule => ApiError::rule_not_found(),
        })
    }

    /// AddTags on one resource: adds or overwrites, within the per-resource limit.
    pub fn add_tags(
        &mut self,
        resource_arn: &str,
        tags: &[(String, Option<String>)],
    ) -> Result<(), ApiError> {
        validate_new(tags)?;
        let limit = self.limits.tags_per_resource;
        let current = self.tags_of(resource_arn)?;
        let added = tags
            .iter()
            .filter(|(k, _)| !current.contains_key(k))
            .count();
        if current.len() + added > limit {
            return Err(ApiError::too_many_tags());
        }
        for (key, value) in tags {
            current.insert(key.clone(), value.clone().unwrap_or_default());
        }
        Ok(())
    }

    /// RemoveTags on one resource; keys it does not carry are ignored.
    pub fn remove_tags(&mut self, resource_arn: &str, keys: &[String]) -> Result<(), ApiError> {
        let current = self.tags_of(resource_arn)?;
        for key in keys {
            current.remove(key);
        }
        Ok(())
    }
}
