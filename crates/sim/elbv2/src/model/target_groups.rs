//! Target group operations on the model: create (idempotent), describe (filters, pages),
//! modify, delete, attributes.

use std::time::Duration;

use super::super::errors::ApiError;
use super::Model;
use super::attributes;
use super::target_group::{TargetGroup, TargetGroupChanges, TargetGroupInput, TargetGroupSpec};

/// Which target groups DescribeTargetGroups asks for.
#[derive(Debug, Clone, Default)]
pub struct TargetGroupFilter {
    pub arns: Vec<String>,
    pub names: Vec<String>,
    pub load_balancer_arn: Option<String>,
}

/// One page of results and the marker of the next one.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_marker: Option<String>,
}

/// Most ARNs or names one DescribeTargetGroups call may name.
pub const DESCRIBE_LIMIT: usize = 20;

impl Model {
    /// CreateTargetGroup. Creating again with identical settings returns the existing group.
    pub fn create_target_group(
        &mut self,
        input: &TargetGroupInput,
        tags: &[(String, Option<String>)],
        now: Duration,
    ) -> Result<TargetGroup, ApiError> {
        let spec = TargetGroupSpec::resolve(input)?;
        if let Some(vpc_id) = &spec.vpc_id
            && !self.vpcs.iter().any(|v| &v.id == vpc_id)
        {
            return Err(ApiError::validation(format!(
                "The VPC ID '{vpc_id}' is not found"
            )));
        }
        if let Some(existing) = self.target_groups.iter().find(|tg| tg.name == input.name) {
            return if existing.spec == spec {
                Ok(existing.clone())
            } else {
                Err(ApiError::duplicate_target_group_name(&input.name))
            };
        }
        super::tags::validate_new(tags)?;
        if tags.len() > self.limits.tags_per_resource {
            return Err(ApiError::too_many_tags());
        }
        let arn = self.arns.target_group(&input.name, &self.ids.hex16());
        let tg = TargetGroup {
            arn,
            name: input.name.clone(),
            attributes: attributes::defaults(&spec),
            spec,
            tags: tags
                .iter()
                .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
                .collect(),
            targets: Default::default(),
            usage: None,
            created_at: now,
            visible_at: now.saturating_add(self.timing.eventual_consistency),
        };
        self.target_groups.push(tg.clone());
        Ok(tg)
    }

    /// DescribeTargetGroups: by ARNs, by names, by load balancer, or all; paged.
    pub fn describe_target_groups(
        &self,
        filter: &TargetGroupFilter,
        marker: Option<&str>,
        page_size: Option<usize>,
        now: Duration,
    ) -> Result<Page<&TargetGroup>, ApiError> {
        if filter.arns.len() > DESCRIBE_LIMIT || filter.names.len() > DESCRIBE_LIMIT {
            return Err(ApiError::validation(format!(
                "You cannot describe more than '{DESCRIBE_LIMIT}' target groups at a time"
            )));
        }
        let visible = |tg: &&TargetGroup| tg.visible_at <= now;
        let selected: Vec<&TargetGroup> = if !filter.arns.is_empty() {
            for arn in &filter.arns {
                self.check_arn(arn, super::arn::ResourceKind::TargetGroup, "target group")?;
            }
            let found: Vec<&TargetGroup> = self
                .target_groups
                .iter()
                .filter(visible)
                .filter(|tg| filter.arns.contains(&tg.arn))
                .collect();
            if filter
                .arns
                .iter()
                .any(|arn| !found.iter().any(|tg| &tg.arn == arn))
            {
                return Err(ApiError::target_group_not_found());
            }
            found
        } else if !filter.names.is_empty() {
            let found: Vec<&TargetGroup> = self
                .target_groups
                .iter()
                .filter(visible)
                .filter(|tg| filter.names.contains(&tg.name))
                .collect();
            if filter
                .names
                .iter()
                .any(|name| !found.iter().any(|tg| &tg.name == name))
            {
                return Err(ApiError::target_group_not_found());
            }
            found
        } else if let Some(lb_arn) = &filter.load_balancer_arn {
            self.check_arn(
                lb_arn,
                super::arn::ResourceKind::LoadBalancer,
                "load balancer",
            )?;
            if !self.load_balancers.iter().any(|lb| &lb.arn == lb_arn) {
                return Err(ApiError::load_balancer_not_found());
            }
            self.target_groups
                .iter()
                .filter(visible)
                .filter(|tg| self.load_balancers_using(&tg.arn).contains(lb_arn))
                .collect()
        } else {
            self.target_groups.iter().filter(visible).collect()
        };
        paginate(selected, marker, page_size)
    }

    /// ModifyTargetGroup: new health-check settings apply from the next check on.
    pub fn modify_target_group(
        &mut self,
        arn: &str,
        changes: &TargetGroupChanges,
        now: Duration,
    ) -> Result<TargetGroup, ApiError> {
        let index = self.target_group_index(arn, now)?;
        let next = self
            .target_groups
            .get(index)
            .ok_or_else(ApiError::target_group_not_found)?
            .spec
            .modified(changes)?;
        self.advance_target_group(index, now);
        let tg = self
            .target_groups
            .get_mut(index)
            .ok_or_else(ApiError::target_group_not_found)?;
        tg.spec = next;
        Ok(tg.clone())
    }

    /// DeleteTargetGroup. Deleting a group that does not exist succeeds (the API lists no
    /// not-found error for this action); one that a listener or rule uses is refused.
    pub fn delete_target_group(&mut self, arn: &str, now: Duration) -> Result<(), ApiError> {
        self.check_arn(arn, super::arn::ResourceKind::TargetGroup, "target group")?;
        let Some(index) = self
            .target_groups
            .iter()
            .position(|tg| tg.arn == arn && tg.visible_at <= now)
        else {
            return Ok(());
        };
        if !self.load_balancers_using(arn).is_empty() {
            return Err(ApiError::resource_in_use(format!(
                "Target group '{arn}' is currently in use by a listener or a rule"
            )));
        }
        self.target_groups.remove(index);
        Ok(())
    }

    /// DescribeTargetGroupAttributes.
    pub fn target_group_attributes(
        &self,
        arn: &str,
        now: Duration,
    ) -> Result<Vec<(String, String)>, ApiError> {
        let index = self.target_group_index(arn, now)?;
        let tg = self
            .target_groups
            .get(index)
            .ok_or_else(ApiError::target_group_not_found)?;
        Ok(tg
            .attributes
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    /// ModifyTargetGroupAttributes; returns every attribute afterwards, as AWS does.
    pub fn modify_target_group_attributes(
        &mut self,
        arn: &str,
        changes: &[(String, String)],
        now: Duration,
    ) -> Result<Vec<(String, String)>, ApiError> {
        let index = self.target_group_index(arn, now)?;
        let tg = self
            .target_groups
            .get_mut(index)
            .ok_or_else(ApiError::target_group_not_found)?;
        let mut next = tg.attributes.clone();
        attributes::apply(&tg.spec, &mut next, changes)?;
        tg.attributes = next;
        Ok(tg
            .attributes
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }
}

/// Cuts one page out of `items`. The marker is an opaque token holding the offset.
pub fn paginate<T>(
    items: Vec<T>,
    marker: Option<&str>,
    page_size: Option<usize>,
) -> Result<Page<T>, ApiError> {
    let start = match marker {
        None => 0,
        Some(token) => {
            decode_marker(token).ok_or_else(|| ApiError::validation("The marker is not valid"))?
        }
    };
    let size = page_size.unwrap_or(400);
    let total = items.len();
    let items: Vec<T> = items.into_iter().skip(start).take(size).collect();
    let end = start.saturating_add(items.len());
    Ok(Page {
        items,
        next_marker: (end < total).then(|| encode_marker(end)),
    })
}

fn encode_marker(offset: usize) -> String {
    format!("{:x}", (offset as u64) ^ 0x5eed_0000_0000_0000)
}

fn decode_marker(token: &str) -> Option<usize> {
    let raw = u64::from_str_radix(token, 16).ok()? ^ 0x5eed_0000_0000_0000;
    usize::try_from(raw).ok()
}
