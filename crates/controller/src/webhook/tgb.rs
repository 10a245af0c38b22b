//! TargetGroupBinding webhooks: `mtargetgroupbinding.elbv2.k8s.aws` fills the target group's
//! ARN from its name and defaults `targetType`, `ipAddressType`, `vpcID` and
//! `targetGroupProtocol` from `DescribeTargetGroups` (CREATE only); `vtargetgroupbinding…`
//! refuses invalid specs and changes of immutable fields. Messages are LBC's where users script
//! on them. Both are registered with failurePolicy Fail: a binding admitted without its
//! defaults would be bound with guessed settings.

use lbgate_api::TargetGroupBinding;
use lbgate_elbv2::{CallOptions, Elbv2Error, Priority, TargetGroup, TargetGroupQuery};
use serde_json::{Value, json};

use super::WebhookState;
use super::review::{AdmissionRequest, Verdict};

fn decode(object: &Value) -> Result<TargetGroupBinding, String> {
    serde_json::from_value(object.clone())
        .map_err(|error| format!("TargetGroupBinding does not decode: {error}"))
}

async fn describe(
    state: &WebhookState,
    query: TargetGroupQuery,
) -> Result<Vec<TargetGroup>, String> {
    let options = CallOptions::new(Priority::Mutate).with_timeout(state.aws_timeout);
    match state.elbv2.describe_target_groups(query, options).await {
        Ok(groups) => Ok(groups),
        Err(Elbv2Error::TargetGroupNotFound { .. }) => Ok(Vec::new()),
        Err(error) => Err(error.to_string()),
    }
}

/// Mutating webhook: the JSONPatch that fills the spec from the target group.
pub async fn mutate(state: &WebhookState, request: &AdmissionRequest) -> Verdict {
    if request.operation != "CREATE" {
        return Verdict::allow();
    }
    let binding = match decode(&request.object) {
        Ok(binding) => binding,
        Err(message) => return Verdict::deny(message),
    };
    let spec = &binding.spec;
    let mut patch = Vec::new();
    let mut arn = spec.target_group_arn.clone();
    if arn.is_empty() {
        if spec.target_group_name.is_empty() {
            return Verdict::deny("must provide either TargetGroupARN or TargetGroupName");
        }
        let name = spec.target_group_name.clone();
        let groups = match describe(state, TargetGroupQuery::Names(vec![name.clone()])).await {
            Ok(groups) => groups,
            Err(message) => return Verdict::deny(message),
        };
        let [group] = groups.as_slice() else {
            return Verdict::deny(format!(
                "expecting a single targetGroup with query [{name}] but got {}",
                groups.len()
            ));
        };
        arn.clone_from(&group.arn);
        patch.push(json!({"op": "add", "path": "/spec/targetGroupARN", "value": arn}));
    }
    let needs_group = spec.target_type.is_none()
        || spec.ip_address_type.is_none()
        || spec.vpc_id.is_empty()
        || spec.target_group_protocol.is_none();
    if !needs_group {
        return Verdict::allow().with_patch(patch);
    }
    let groups = match describe(state, TargetGroupQuery::Arns(vec![arn.clone()])).await {
        Ok(groups) => groups,
        Err(message) => return Verdict::deny(message),
    };
    let Some(group) = groups.iter().find(|group| group.arn == arn) else {
        return Verdict::deny(format!("couldn't find targetGroup with ARN {arn}"));
    };
    let mut set = |field: &str, value: Option<&str>| {
        if let Some(value) = value {
            patch.push(json!({"op": "add", "path": format!("/spec/{field}"), "value": value}));
        }
    };
    if spec.target_type.is_none() {
        // lambda and alb groups cannot be bound; leave the field for validation to refuse.
        let kind = group
            .target_type
            .as_ref()
            .map(|t| t.as_str())
            .filter(|t| matches!(*t, "ip" | "instance"));
        set("targetType", kind);
    }
    if spec.ip_address_type.is_none() {
        let family = group
            .ip_address_type
            .as_ref()
            .and_then(|t| lbgate_api::v1beta1::IpAddressType::from_aws(t.as_str()))
            .map(|t| t.as_str());
        set("ipAddressType", family);
    }
    if spec.vpc_id.is_empty() {
        set("vpcID", group.vpc_id.as_deref());
    }
    if spec.target_group_protocol.is_none() {
        let protocol = group
            .protocol
            .as_ref()
            .and_then(|p| lbgate_api::v1beta1::TargetGroupProtocol::from_aws(p.as_str()))
            .map(|p| p.as_str());
        set("targetGroupProtocol", protocol);
    }
    Verdict::allow().with_patch(patch)
}

/// Validating webhook, in LBC's order of checks; the first failure is the answer. CREATE also
/// checks the spec against the target group (one `DescribeTargetGroups`); UPDATE makes no AWS
/// call.
pub async fn validate(state: &WebhookState, request: &AdmissionRequest) -> Verdict {
    if request.operation == "DELETE" {
        return Verdict::allow();
    }
    let binding = match decode(&request.object) {
        Ok(binding) => binding,
        Err(message) => return Verdict::deny(message),
    };
    match checks(state, request, &binding).await {
        Ok(()) => Verdict::allow(),
        Err(message) => Verdict::deny(message),
    }
}

async fn checks(
    state: &WebhookState,
    request: &AdmissionRequest,
    binding: &TargetGroupBinding,
) -> Result<(), String> {
    use lbgate_api::v1beta1::TargetType;
    let spec = &binding.spec;
    required_fields(binding).map_or(Ok(()), Err)?;
    if request.operation == "UPDATE" {
        let old = decode(&request.old_object)?;
        immutable_fields(&old, binding).map_or(Ok(()), Err)?;
    }
    if spec.target_type == Some(TargetType::Ip) && spec.node_selector.is_some() {
        return Err("TargetGroupBinding cannot set NodeSelector when TargetType is ip".to_owned());
    }
    shared_target_group(state, binding).map_or(Ok(()), Err)?;
    let create = request.operation == "CREATE";
    let group = if create && !spec.target_group_arn.is_empty() {
        let arn = &spec.target_group_arn;
        let groups = describe(state, TargetGroupQuery::Arns(vec![arn.clone()])).await?;
        let [group] = groups.as_slice() else {
            return Err(format!(
                "expecting a single targetGroup with query [{arn}] but got {}",
                groups.len()
            ));
        };
        Some(group.clone())
    } else {
        None
    };
    if let Some(group) = &group {
        against_target_group(binding, group)?;
    }
    if spec.target_type == Some(TargetType::Instance) && !spec.iam_role_arn_to_assume.is_empty() {
        return Err("Unable to use instance target type while using assume role".to_owned());
    }
    if create && let Some(protocol) = spec.target_group_protocol {
        if let Some(group) = &group {
            let actual = group
                .protocol
                .as_ref()
                .map(|p| p.as_str())
                .unwrap_or_default();
            if actual != protocol.as_str() {
                return Err(format!(
                    "TargetGroup {} protocol differs (got {}, expected {actual})",
                    spec.target_group_arn,
                    protocol.as_str()
                ));
            }
        }
        if protocol.uses_quic_server_id() && spec.target_type == Some(TargetType::Instance) {
            return Err("QUIC protocol is not supported for Instance target types.".to_owned());
        }
    }
    Ok(())
}

/// AWS's VPC id shapes: `vpc-` and 8, 17 or 32 lowercase hex digits.
fn valid_vpc_id(vpc: &str) -> bool {
    vpc.strip_prefix("vpc-").is_some_and(|hex| {
        matches!(hex.len(), 8 | 17 | 32)
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// CREATE-time agreement of the spec with the target group: address family and VPC.
fn against_target_group(binding: &TargetGroupBinding, group: &TargetGroup) -> Result<(), String> {
    let spec = &binding.spec;
    let arn = &spec.target_group_arn;
    let actual = group
        .ip_address_type
        .as_ref()
        .map(|t| t.as_str().to_owned())
        .unwrap_or_default();
    let expected = spec.ip_address_type.map_or("ipv4", |t| t.as_str());
    if !actual.is_empty() && actual != expected {
        return Err(format!(
            "invalid IP address type {actual} for TargetGroup {arn}"
        ));
    }
    if !spec.vpc_id.is_empty() {
        if !valid_vpc_id(&spec.vpc_id) {
            return Err(format!(
                "ValidationError: vpcID {} failed to satisfy constraint: VPC Id must begin with 'vpc-' followed by 8, 17 or 32 lowercase letters (a-f) or numbers.",
                spec.vpc_id
            ));
        }
        if group.vpc_id.as_deref() != Some(spec.vpc_id.as_str()) {
            return Err(format!(
                "invalid VpcID {} doesnt match VpcID from TargetGroup {arn}",
                spec.vpc_id
            ));
        }
    }
    Ok(())
}

fn required_fields(binding: &TargetGroupBinding) -> Option<String> {
    let spec = &binding.spec;
    let mut missing = Vec::new();
    if spec.target_group_arn.is_empty() && spec.target_group_name.is_empty() {
        missing.push("either TargetGroupARN or TargetGroupName");
    }
    if spec.target_type.is_none() {
        missing.push("spec.targetType");
    }
    (!missing.is_empty()).then(|| {
        format!(
            "TargetGroupBinding must specify these fields: {}",
            missing.join(",")
        )
    })
}

/// LBC's immutability rules; the message lists every changed field.
pub fn immutable_fields(old: &TargetGroupBinding, new: &TargetGroupBinding) -> Option<String> {
    use lbgate_api::v1beta1::IpAddressType;
    let (old, new) = (&old.spec, &new.spec);
    let mut changed = Vec::new();
    if old.target_group_arn != new.target_group_arn {
        changed.push("spec.targetGroupARN");
    }
    if old.target_type != new.target_type {
        changed.push("spec.targetType");
    }
    let ip_changed = match (old.ip_address_type, new.ip_address_type) {
        (None, None) => false,
        (None, Some(new)) => new != IpAddressType::Ipv4,
        (Some(_), None) => true,
        (Some(old), Some(new)) => old != new,
    };
    if ip_changed {
        changed.push("spec.ipAddressType");
    }
    // LBC also refuses an empty → set change to a VPC other than the cluster's; lbgate has no
    // cluster VPC setting, so that change is allowed.
    if !old.vpc_id.is_empty() && old.vpc_id != new.vpc_id {
        changed.push("spec.vpcID");
    }
    (!changed.is_empty()).then(|| {
        format!(
            "TargetGroupBinding update may not change these immutable fields: {}",
            changed.join(",")
        )
    })
}

fn shared_target_group(state: &WebhookState, binding: &TargetGroupBinding) -> Option<String> {
    let arn = &binding.spec.target_group_arn;
    if arn.is_empty() {
        return None;
    }
    let others: Vec<TargetGroupBinding> = state
        .stores
        .bindings
        .state()
        .iter()
        .filter(|other| other.spec.target_group_arn == *arn)
        .filter(|other| {
            other.metadata.uid != binding.metadata.uid || binding.metadata.uid.is_none()
        })
        .filter(|other| {
            other.metadata.namespace != binding.metadata.namespace
                || other.metadata.name != binding.metadata.name
        })
        .map(|other| (**other).clone())
        .collect();
    if others.is_empty()
        || (binding.spec.multi_cluster_target_group
            && others
                .iter()
                .all(|other| other.spec.multi_cluster_target_group))
    {
        return None;
    }
    let names: Vec<String> = others
        .iter()
        .map(|other| {
            format!(
                "{}/{}",
                other.metadata.namespace.as_deref().unwrap_or_default(),
                other.metadata.name.as_deref().unwrap_or_default()
            )
        })
        .collect();
    Some(format!(
        "TargetGroup {arn} is already bound to following TargetGroupBindings [{}]. Please enable MultiCluster mode on all TargetGroupBindings referencing {arn} or choose a different Target Group ARN.",
        names.join(" ")
    ))
}

#[cfg(test)]
mod tests;
