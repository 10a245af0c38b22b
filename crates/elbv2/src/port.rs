//! The ELBv2 port, split by what callers need so that each holds only the operations it uses:
//!
//! - [`TargetsApi`] ([`targets`]): describe target groups and target health, register and
//!   deregister targets — all the TargetGroupBinding controller and its webhook call;
//! - [`TargetGroupsApi`] ([`target_groups`]): create, modify and delete target groups, their
//!   attributes and tags;
//! - [`LoadBalancersApi`] ([`load_balancers`]): describe load balancers, listeners and rules;
//!   create, modify and delete listeners and rules (for the IngressGroup controller);
//! - [`Elbv2Api`]: the three together, for callers that really need all of them (the demo, the
//!   bench and tests that build AWS objects). Every type that implements the three implements
//!   it; nothing implements it by hand.
//!
//! Each trait is object-safe, so a caller holds an `Arc<dyn TargetsApi>` (say) and tests can
//! substitute a fake. Implementations: the AWS SDK adapter ([`crate::SdkElbv2`], all three) and
//! the budget governor wrapper ([`crate::Governed`], each trait its inner port implements).
//!
//! Describe operations fetch every page; register and deregister accept any number of targets
//! and send them in chunks of [`crate::batch::TARGETS_PER_CALL`], reporting per chunk what
//! landed (their `Err` is reserved for failures before anything was sent); `describe_tags`
//! accepts any number of ARNs and sends them in groups of [`crate::batch::TAG_ARNS_PER_CALL`],
//! the tag mutations one ARN per call ([`crate::batch::TAG_MUTATION_ARNS_PER_CALL`]).

pub mod load_balancers;
pub mod target_groups;
pub mod targets;

use futures::future::BoxFuture;

pub use load_balancers::LoadBalancersApi;
pub use target_groups::TargetGroupsApi;
pub use targets::TargetsApi;

use crate::error::Elbv2Error;

/// The future every port operation returns.
pub type ApiFuture<'a, T> = BoxFuture<'a, Result<T, Elbv2Error>>;

/// Every ELBv2 operation lbgate uses: the three families together.
pub trait Elbv2Api: TargetsApi + TargetGroupsApi + LoadBalancersApi {}

impl<T: TargetsApi + TargetGroupsApi + LoadBalancersApi + ?Sized> Elbv2Api for T {}
