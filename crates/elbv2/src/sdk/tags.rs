//! Tags: add / remove (one resource per call) and describe (up to 20 per call).

use std::collections::BTreeMap;

use aws_sdk_elasticloadbalancingv2::types as sdk;

use crate::batch::{TAG_ARNS_PER_CALL, TAG_MUTATION_ARNS_PER_CALL};
use crate::error::Elbv2Error;
use crate::operation::Operation;
use crate::sdk::SdkElbv2;
use crate::sdk::errors::map_sdk_error;
use crate::types::Tag;

fn tag_from_sdk(tag: &sdk::Tag) -> Option<Tag> {
    Some(Tag {
        key: tag.key()?.to_owned(),
        value: tag.value().unwrap_or_default().to_owned(),
    })
}

impl SdkElbv2 {
    pub(crate) async fn sdk_add_tags(
        &self,
        resource_arns: Vec<String>,
        tags: Vec<Tag>,
    ) -> Result<(), Elbv2Error> {
        const OP: Operation = Operation::AddTags;
        if tags.is_empty() {
            return Ok(());
        }
        let tags: Vec<sdk::Tag> = tags
            .iter()
            .map(|t| sdk::Tag::builder().key(&t.key).value(&t.value).build())
            .collect();
        for group in resource_arns.chunks(TAG_MUTATION_ARNS_PER_CALL) {
            self.client
                .add_tags()
                .set_resource_arns(Some(group.to_vec()))
                .set_tags(Some(tags.clone()))
                .send()
                .await
                .map_err(|e| map_sdk_error(OP, e))?;
        }
        Ok(())
    }

    pub(crate) async fn sdk_remove_tags(
        &self,
        resource_arns: Vec<String>,
        tag_keys: Vec<String>,
    ) -> Result<(), Elbv2Error> {
        const OP: Operation = Operation::RemoveTags;
        if tag_keys.is_empty() {
            return Ok(());
        }
        for group in resource_arns.chunks(TAG_MUTATION_ARNS_PER_CALL) {
            self.client
                .remove_tags()
                .set_resource_arns(Some(group.to_vec()))
                .set_tag_keys(Some(tag_keys.clone()))
                .send()
                .await
                .map_err(|e| map_sdk_error(OP, e))?;
        }
        Ok(())
    }

    pub(crate) async fn sdk_describe_tags(
        &self,
        resource_arns: Vec<String>,
    ) -> Result<BTreeMap<String, Vec<Tag>>, Elbv2Error> {
        const OP: Operation = Operation::DescribeTags;
        let mut all = BTreeMap::new();
        for group in resource_arns.chunks(TAG_ARNS_PER_CALL) {
            let output = self
                .client
                .describe_tags()
                .set_resource_arns(Some(group.to_vec()))
                .send()
                .await
                .map_err(|e| map_sdk_error(OP, e))?;
            for description in output.tag_descriptions() {
                if let Some(arn) = description.resource_arn() {
                    let tags = description.tags().iter().filter_map(tag_from_sdk).collect();
                    all.insert(arn.to_owned(), tags);
                }
            }
        }
        Ok(all)
    }
}
