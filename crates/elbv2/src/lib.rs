//! `lbgate-elbv2`: the ELBv2 port of lbgate.
//!
//! - the port ([`port`]), the operations lbgate uses over our own domain [`types`], split by
//!   what callers need: [`TargetsApi`] (describe target groups and health, register and
//!   deregister targets: all the TargetGroupBinding controller holds), [`TargetGroupsApi`]
//!   (target groups' life, attributes, tags), [`LoadBalancersApi`] (load balancers, listeners,
//!   rules), and [`Elbv2Api`], the three together for callers that need them all;
//! - [`SdkElbv2`]: the aws-sdk adapter (credential chain, timeouts, pagination, chunking,
//!   typed errors, SDK retries off);
//! - [`Governor`] / [`Governed`]: the API budget governor (token buckets per ELB throttling
//!   class, priorities with reserves, AIMD on throttling, bounded jittered retries);
//! - [`Elbv2Metrics`]: `lbgate_aws_api_*` Prometheus metrics.
//!
//! Tests substitute `lbgate_testkit::FakeElbv2` (a dev-only crate) for [`TargetsApi`], and the
//! ELBv2 simulator (`lbgate-sim-elbv2`), through [`SdkElbv2`], for everything.

pub mod batch;
pub mod error;
pub mod governor;
pub mod metrics;
pub mod operation;
pub mod port;
pub mod requests;
pub mod sdk;
pub mod types;

pub use batch::{
    ChunkOutcome, ChunkStatus, TAG_ARNS_PER_CALL, TAG_MUTATION_ARNS_PER_CALL, TARGETS_PER_CALL,
    TargetBatchOutcome,
};
pub use error::Elbv2Error;
pub use governor::{Governed, Governor, GovernorConfig};
pub use metrics::Elbv2Metrics;
pub use operation::{ApiClass, Operation, Priority};
pub use port::{ApiFuture, Elbv2Api, LoadBalancersApi, TargetGroupsApi, TargetsApi};
pub use requests::{
    CallOptions, CreateListenerSpec, CreateRuleSpec, CreateTargetGroupSpec, ListenerQuery,
    LoadBalancerQuery, ModifyListenerSpec, ModifyRuleSpec, RuleQuery, TargetGroupQuery,
};
pub use sdk::{AwsClientConfig, SdkElbv2};
pub use types::{
    Action, HealthCheck, IpAddressType, Listener, LoadBalancer, LoadBalancerState,
    LoadBalancerType, Matcher, Protocol, Rule, RuleCondition, Tag, Target, TargetGroup,
    TargetHealth, TargetHealthState, TargetType, WeightedTargetGroup,
};
