//! The one error type of the crate. Variant names are stable PascalCase categories (the
//! `category()` metric label); context sits in fields and the underlying cause is kept as the
//! error source.

use std::error::Error as StdError;
use std::sync::Arc;

use crate::operation::Operation;

/// The underlying cause of an error (shared so that `Elbv2Error` stays `Clone`: batch outcomes
/// and coalesced callers hand the same error to several owners).
pub type ErrorSource = Arc<dyn StdError + Send + Sync + 'static>;

#[derive(Debug, Clone, thiserror::Error)]
pub enum Elbv2Error {
    #[error("{operation}: target group not found: {message}")]
    TargetGroupNotFound {
        operation: Operation,
        message: String,
        #[source]
        source: Option<ErrorSource>,
    },
    #[error("{operation}: load balancer not found: {message}")]
    LoadBalancerNotFound {
        operation: Operation,
        message: String,
        #[source]
        source: Option<ErrorSource>,
    },
    #[error("{operation}: listener not found: {message}")]
    ListenerNotFound {
        operation: Operation,
        message: String,
        #[source]
        source: Option<ErrorSource>,
    },
    #[error("{operation}: rule not found: {message}")]
    RuleNotFound {
        operation: Operation,
        message: String,
        #[source]
        source: Option<ErrorSource>,
    },
    #[error("{operation}: invalid target: {message}")]
    InvalidTarget {
        operation: Operation,
        message: String,
        #[source]
        source: Option<ErrorSource>,
    },
    #[error("{operation}: too many targets: {message}")]
    TooManyTargets {
        operation: Operation,
        message: String,
        #[source]
        source: Option<ErrorSource>,
    },
    #[error("{operation}: too many tags: {message}")]
    TooManyTags {
        operation: Operation,
        message: String,
        #[source]
        source: Option<ErrorSource>,
    },
    #[error("{operation}: duplicate target group name: {message}")]
    DuplicateTargetGroupName {
        operation: Operation,
        message: String,
        #[source]
        source: Option<ErrorSource>,
    },
    #[error("{operation}: resource in use: {message}")]
    ResourceInUse {
        operation: Operation,
        message: String,
        #[source]
        source: Option<ErrorSource>,
    },
    #[error("{operation}: throttled: {message}")]
    Throttling {
        operation: Operation,
        message: String,
        #[source]
        source: Option<ErrorSource>,
    },
    #[error("{operation}: validation error ({code}): {message}")]
    ValidationError {
        operation: Operation,
        code: String,
        message: String,
        #[source]
        source: Option<ErrorSource>,
    },
    #[error("{operation}: access denied ({code}): {message}")]
    AccessDenied {
        operation: Operation,
        code: String,
        message: String,
        #[source]
        source: Option<ErrorSource>,
    },
    /// The SDK gave up on a connect, attempt or operation timeout.
    #[error("{operation}: timed out: {message}")]
    Timeout {
        operation: Operation,
        message: String,
        #[source]
        source: Option<ErrorSource>,
    },
    /// No usable HTTP answer (connection refused or reset, unparseable response, …).
    #[error("{operation}: transport error: {message}")]
    Transport {
        operation: Operation,
        message: String,
        #[source]
        source: Option<ErrorSource>,
    },
    /// A 5xx answer or `InternalFailure`-style code.
    #[error("{operation}: service unavailable ({code}): {message}")]
    ServiceUnavailable {
        operation: Operation,
        code: String,
        message: String,
        #[source]
        source: Option<ErrorSource>,
    },
    /// The caller's deadline passed while waiting for API budget, a retry, or the call itself.
    #[error("{operation}: deadline exceeded: {message}")]
    DeadlineExceeded {
        operation: Operation,
        message: String,
    },
    /// The caller's cancellation signal fired.
    #[error("{operation}: cancelled")]
    Cancelled { operation: Operation },
    /// AWS answered without a field lbgate relies on, or pagination did not terminate.
    #[error("{operation}: malformed response: {message}")]
    MalformedResponse {
        operation: Operation,
        message: String,
    },
    /// The metrics could not be registered (usually a name clash in the caller's registry).
    #[error("cannot register ELBv2 metrics: {message}")]
    MetricsRegistration {
        message: String,
        #[source]
        source: Option<ErrorSource>,
    },
    /// Any other AWS error code, kept verbatim.
    #[error("{operation}: {code}: {message}")]
    Other {
        operation: Operation,
        code: String,
        message: String,
        #[source]
        source: Option<ErrorSource>,
    },
}

impl Elbv2Error {
    /// Stable category name, used as a metric label and event reason.
    pub fn category(&self) -> &'static str {
        match self {
            Self::TargetGroupNotFound { .. } => "TargetGroupNotFound",
            Self::LoadBalancerNotFound { .. } => "LoadBalancerNotFound",
            Self::ListenerNotFound { .. } => "ListenerNotFound",
            Self::RuleNotFound { .. } => "RuleNotFound",
            Self::InvalidTarget { .. } => "InvalidTarget",
            Self::TooManyTargets { .. } => "TooManyTargets",
            Self::TooManyTags { .. } => "TooManyTags",
            Self::DuplicateTargetGroupName { .. } => "DuplicateTargetGroupName",
            Self::ResourceInUse { .. } => "ResourceInUse",
            Self::Throttling { .. } => "Throttling",
            Self::ValidationError { .. } => "ValidationError",
            Self::AccessDenied { .. } => "AccessDenied",
            Self::Timeout { .. } => "Timeout",
            Self::Transport { .. } => "Transport",
            Self::ServiceUnavailable { .. } => "ServiceUnavailable",
            Self::DeadlineExceeded { .. } => "DeadlineExceeded",
            Self::Cancelled { .. } => "Cancelled",
            Self::MalformedResponse { .. } => "MalformedResponse",
            Self::MetricsRegistration { .. } => "MetricsRegistration",
            Self::Other { .. } => "Other",
        }
    }

    /// The AWS error code when AWS sent one, else the category. This is the `code` label of
    /// `lbgate_aws_api_errors_total`.
    pub fn code(&self) -> &str {
        match self {
            Self::ValidationError { code, .. }
            | Self::AccessDenied { code, .. }
            | Self::ServiceUnavailable { code, .. }
            | Self::Other { code, .. } => code,
            other => other.category(),
        }
    }

    /// The operation the error belongs to, when there is one.
    pub fn operation(&self) -> Option<Operation> {
        match self {
            Self::TargetGroupNotFound { operation, .. }
            | Self::LoadBalancerNotFound { operation, .. }
            | Self::ListenerNotFound { operation, .. }
            | Self::RuleNotFound { operation, .. }
            | Self::InvalidTarget { operation, .. }
            | Self::TooManyTargets { operation, .. }
            | Self::TooManyTags { operation, .. }
            | Self::DuplicateTargetGroupName { operation, .. }
            | Self::ResourceInUse { operation, .. }
            | Self::Throttling { operation, .. }
            | Self::ValidationError { operation, .. }
            | Self::AccessDenied { operation, .. }
            | Self::Timeout { operation, .. }
            | Self::Transport { operation, .. }
            | Self::ServiceUnavailable { operation, .. }
            | Self::DeadlineExceeded { operation, .. }
            | Self::Cancelled { operation }
            | Self::MalformedResponse { operation, .. }
            | Self::Other { operation, .. } => Some(*operation),
            Self::MetricsRegistration { .. } => None,
        }
    }

    /// True when AWS refused the call for rate reasons: back off and slow down.
    pub fn is_throttle(&self) -> bool {
        matches!(self, Self::Throttling { .. })
    }

    /// True when the same call may succeed if sent again (throttles and transient failures).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Throttling { .. }
                | Self::Timeout { .. }
                | Self::Transport { .. }
                | Self::ServiceUnavailable { .. }
        )
    }

    /// Builds the variant for an AWS error code. Mapping is by code string so codes the SDK
    /// does not model (and fakes that only know strings) still land in the right category.
    pub fn from_aws_code(
        operation: Operation,
        code: &str,
        message: impl Into<String>,
        http_status: Option<u16>,
        source: Option<ErrorSource>,
    ) -> Self {
        let message = message.into();
        let code_owned = code.to_owned();
        match code {
            "TargetGroupNotFound" => Self::TargetGroupNotFound {
                operation,
                message,
                source,
            },
            "LoadBalancerNotFound" => Self::LoadBalancerNotFound {
                operation,
                message,
                source,
            },
            "ListenerNotFound" => Self::ListenerNotFound {
                operation,
                message,
                source,
            },
            "RuleNotFound" => Self::RuleNotFound {
                operation,
                message,
                source,
            },
            "InvalidTarget" => Self::InvalidTarget {
                operation,
                message,
                source,
            },
            "TooManyTargets" => Self::TooManyTargets {
                operation,
                message,
                source,
            },
            "TooManyTags" => Self::TooManyTags {
                operation,
                message,
                source,
            },
            "DuplicateTargetGroupName" => Self::DuplicateTargetGroupName {
                operation,
                message,
                source,
            },
            "ResourceInUse" => Self::ResourceInUse {
                operation,
                message,
                source,
            },
            "Throttling"
            | "ThrottlingException"
            | "ThrottledException"
            | "RequestLimitExceeded"
            | "RequestThrottled"
            | "RequestThrottledException"
            | "TooManyRequestsException"
            | "SlowDown" => Self::Throttling {
                operation,
                message,
                source,
            },
            "ValidationError"
            | "InvalidParameterValue"
            | "InvalidParameterCombination"
            | "InvalidQueryParameter"
            | "MissingParameter"
            | "MalformedQueryString" => Self::ValidationError {
                operation,
                code: code_owned,
                message,
                source,
            },
            "AccessDenied"
            | "AccessDeniedException"
            | "UnauthorizedOperation"
            | "AuthFailure"
            | "InvalidClientTokenId"
            | "SignatureDoesNotMatch"
            | "ExpiredToken"
            | "ExpiredTokenException"
            | "UnrecognizedClientException"
            | "MissingAuthenticationToken"
            | "IncompleteSignature" => Self::AccessDenied {
                operation,
                code: code_owned,
                message,
                source,
            },
            "InternalFailure"
            | "InternalError"
            | "InternalServerError"
            | "ServiceUnavailable"
            | "ServiceUnavailableException"
            | "HealthUnavailable" => Self::ServiceUnavailable {
                operation,
                code: code_owned,
                message,
                source,
            },
            _ if http_status.is_some_and(|status| status >= 500) => Self::ServiceUnavailable {
                operation,
                code: code_owned,
                message,
                source,
            },
            _ => Self::Other {
                operation,
                code: code_owned,
                message,
                source,
            },
        }
    }
}

#[cfg(test)]
mod tests;
