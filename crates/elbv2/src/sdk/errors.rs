//! SDK errors → [`Elbv2Error`]. Service errors map by their error code string (so codes the SDK
//! does not model still land in the right category); everything else by what failed.

use std::error::Error as StdError;
use std::sync::Arc;

use aws_sdk_elasticloadbalancingv2::config::http::HttpResponse;
use aws_sdk_elasticloadbalancingv2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::error::Elbv2Error;
use crate::operation::Operation;

/// Maps one failed SDK call.
pub(crate) fn map_sdk_error<E>(operation: Operation, err: SdkError<E, HttpResponse>) -> Elbv2Error
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let detail = DisplayErrorContext(&err).to_string();
    match &err {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let code = err.code().unwrap_or("Unknown").to_owned();
            let message = err.message().unwrap_or(detail.as_str()).to_owned();
            Elbv2Error::from_aws_code(operation, &code, message, Some(status), Some(Arc::new(err)))
        }
        SdkError::TimeoutError(_) => Elbv2Error::Timeout {
            operation,
            message: detail,
            source: Some(Arc::new(err)),
        },
        SdkError::DispatchFailure(failure) if failure.is_timeout() => Elbv2Error::Timeout {
            operation,
            message: detail,
            source: Some(Arc::new(err)),
        },
        SdkError::DispatchFailure(_) => Elbv2Error::Transport {
            operation,
            message: detail,
            source: Some(Arc::new(err)),
        },
        SdkError::ResponseError(response) if response.raw().status().is_server_error() => {
            let code = format!("Http{}", response.raw().status().as_u16());
            Elbv2Error::ServiceUnavailable {
                operation,
                code,
                message: detail,
                source: Some(Arc::new(err)),
            }
        }
        SdkError::ResponseError(_) => Elbv2Error::Transport {
            operation,
            message: detail,
            source: Some(Arc::new(err)),
        },
        SdkError::ConstructionFailure(_) => Elbv2Error::Other {
            operation,
            code: "RequestConstruction".into(),
            message: detail,
            source: Some(Arc::new(err)),
        },
        _ => Elbv2Error::Other {
            operation,
            code: "Unknown".into(),
            message: detail,
            source: Some(Arc::new(err)),
        },
    }
}
