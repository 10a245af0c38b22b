//! AWS error responses: codes, messages and HTTP statuses as ELBv2 sends them.
//!
//! Codes and statuses come from botocore's `elbv2/2015-12-01/service-2.json` (`error.code`,
//! `httpStatusCode`); messages from real AWS answers users pasted into issues (see FIDELITY.md).

use super::xml::{NAMESPACE, escape};

/// One AWS error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    fn sender(code: &str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    /// `ValidationError` with a free-form message.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::sender("ValidationError", message)
    }

    /// A required member is absent (AWS's model-validation wording).
    pub fn missing(member: &str) -> Self {
        Self::validation(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: \
             Member must not be null"
        ))
    }

    /// A number below the model's minimum.
    pub fn below_min(member: &str, value: i64, min: i64) -> Self {
        Self::validation(format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy \
             constraint: Member must have value greater than or equal to {min}"
        ))
    }

    /// A number above the model's maximum.
    pub fn above_max(member: &str, value: i64, max: i64) -> Self {
        Self::validation(format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy \
             constraint: Member must have value less than or equal to {max}"
        ))
    }

    /// A value outside the model's enum.
    pub fn not_in_enum(member: &str, value: &str, allowed: &[&str]) -> Self {
        Self::validation(format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy \
             constraint: Member must satisfy enum value set: [{}]",
            allowed.join(", ")
        ))
    }

    /// A list longer than the model allows.
    pub fn too_long_list(member: &str, max: usize) -> Self {
        Self::validation(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: \
             Member must have length less than or equal to {max}"
        ))
    }

    pub fn target_group_not_found() -> Self {
        Self::sender("TargetGroupNotFound", "One or more target groups not found")
    }

    pub fn load_balancer_not_found() -> Self {
        Self::sender(
            "LoadBalancerNotFound",
            "One or more load balancers not found",
        )
    }

    pub fn listener_not_found() -> Self {
        Self::sender("ListenerNotFound", "One or more listeners not found")
    }

    pub fn rule_not_found() -> Self {
        Self::sender("RuleNotFound", "One or more rules not found")
    }

    pub fn invalid_target(message: impl Into<String>) -> Self {
        Self::sender("InvalidTarget", message)
    }

    pub fn duplicate_target_group_name(name: &str) -> Self {
        Self::sender(
            "DuplicateTargetGroupName",
            format!(
                "A target group with the same name '{name}' exists, but with different settings"
            ),
        )
    }

    pub fn duplicate_load_balancer_name(name: &str) -> Self {
        Self::sender(
            "DuplicateLoadBalancerName",
            format!(
                "A load balancer with the same name '{name}' exists, but with different settings"
            ),
        )
    }

    pub fn duplicate_listener() -> Self {
        Self::sender(
            "DuplicateListener",
            "A listener already exists on this port for this load balancer",
        )
    }

    pub fn resource_in_use(message: impl Into<String>) -> Self {
        Self::sender("ResourceInUse", message)
    }

    pub fn priority_in_use(priority: &str) -> Self {
        Self::sender(
            "PriorityInUse",
            format!("Priority '{priority}' is currently in use"),
        )
    }

    pub fn too_many_targets(message: impl Into<String>) -> Self {
        Self::sender("TooManyTargets", message)
    }

    pub fn too_many_tags() -> Self {
        Self::sender(
            "TooManyTags",
            "The quota for the number of tags that can be assigned to a load balancer has been reached",
        )
    }

    pub fn duplicate_tag_keys(key: &str) -> Self {
        Self::sender("DuplicateTagKeys", format!("Tag key '{key}' is duplicated"))
    }

    pub fn invalid_configuration(message: impl Into<String>) -> Self {
        Self::sender("InvalidConfigurationRequest", message)
    }

    pub fn operation_not_permitted(message: impl Into<String>) -> Self {
        Self::sender("OperationNotPermitted", message)
    }

    pub fn throttling() -> Self {
        Self::sender("Throttling", "Rate exceeded")
    }

    pub fn invalid_action(action: &str) -> Self {
        Self::sender(
            "InvalidAction",
            format!("The action {action} is not valid for this web service."),
        )
    }

    pub fn missing_action() -> Self {
        Self::sender(
            "MissingAction",
            "The request must contain the parameter Action",
        )
    }

    /// `Sender` for client errors, `Receiver` for server errors (the `Type` element).
    pub fn fault_type(&self) -> &'static str {
        if self.status >= 500 {
            "Receiver"
        } else {
            "Sender"
        }
    }

    /// The `ErrorResponse` document.
    pub fn to_xml(&self, request_id: &str) -> String {
        format!(
            "<ErrorResponse xmlns=\"{NAMESPACE}\"><Error><Type>{}</Type><Code>{}</Code>\
             <Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
            self.fault_type(),
            escape(&self.code),
            escape(&self.message),
            escape(request_id)
        )
    }
}

#[cfg(test)]
mod tests;
