//! `lbgate-api`: the `TargetGroupBinding` custom resource (`elbv2.k8s.aws`, field-for-field
//! compatible with the AWS Load Balancer Controller), every string lbgate shows the cluster,
//! the naming rules of readiness gates, and generation of the CRD manifest.
//!
//! No async and no clients live here, so every other crate can depend on it.

pub mod conditions;
pub mod consts;
pub mod crd;
mod error;
mod schema;
mod shared;
pub mod v1alpha1;
pub mod v1beta1;

pub use error::ApiError;
pub use v1beta1::{TargetGroupBinding, TargetGroupBindingSpec, TargetGroupBindingStatus};
