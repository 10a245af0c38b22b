//! AddTags, RemoveTags, DescribeTags.

use std::time::Duration;

use super::super::errors::ApiError;
use super::super::model::Model;
use super::super::query::Params;
use super::super::xml::Xml;
use super::tag_inputs;

/// Most resources one DescribeTags call may name.
const DESCRIBE_LIMIT: usize = 20;

fn one_resource(params: &Params, verb: &str) -> Result<String, ApiError> {
    let arns = params.list("ResourceArns");
    match arns.as_slice() {
        [] => Err(ApiError::missing("resourceArns")),
        [arn] => Ok(arn.clone()),
        _ => Err(ApiError::validation(format!(
            "Only one resource can be {verb} at a time"
        ))),
    }
}

pub fn add(params: &Params, model: &mut Model, _now: Duration) -> Result<String, ApiError> {
    let arn = one_resource(params, "tagged")?;
    let tags = tag_inputs(params);
    if tags.is_empty() {
        return Err(ApiError::missing("tags"));
    }
    model.add_tags(&arn, &tags)?;
    Ok(String::new())
}

pub fn remove(params: &Params, model: &mut Model, _now: Duration) -> Result<String, ApiError> {
    let arn = one_resource(params, "untagged")?;
    if !params.has_prefix("TagKeys") {
        return Err(ApiError::missing("tagKeys"));
    }
    model.remove_tags(&arn, &params.list("TagKeys"))?;
    Ok(String::new())
}

pub fn describe(params: &Params, model: &mut Model, _now: Duration) -> Result<String, ApiError> {
    let arns = params.list("ResourceArns");
    if arns.is_empty() {
        return Err(ApiError::missing("resourceArns"));
    }
    if arns.len() > DESCRIBE_LIMIT {
        return Err(ApiError::too_long_list("resourceArns", DESCRIBE_LIMIT));
    }
    let mut found = Vec::with_capacity(arns.len());
    for arn in &arns {
        let tags = model.tags_of(arn)?.clone();
        found.push((arn.clone(), tags));
    }
    let mut xml = Xml::new();
    xml.members("TagDescriptions", &found, |x, (arn, tags)| {
        x.leaf("ResourceArn", arn);
        x.members("Tags", tags, |x, (key, value)| {
            x.leaf("Key", key).leaf("Value", value);
        });
    });
    Ok(xml.finish())
}
