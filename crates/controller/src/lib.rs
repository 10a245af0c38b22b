//! The lbgate controller: kube-runtime wiring of the TargetGroupBinding controller (issue 4) and
//! the process around it (issue 5). Decisions live in `lbgate-core`; AWS access goes through
//! `lbgate-elbv2`. The IngressGroup controller arrives with its own issue.
//!
//! - [`stores`]: lean, guarded reflectors; [`mappers`]: events → binding keys;
//! - [`tgb`]: `reconcile` / `error_policy`; [`context`]: what passes share;
//! - [`controller`]: the runnable controller; [`metrics`]: `lbgate_` metrics;
//! - [`config`]: flags, environment and the YAML file;
//! - [`webhook`]: the pod and TargetGroupBinding admission webhooks and their TLS;
//! - [`runtime`]: leader election, warm standby, supervision and shutdown;
//! - [`health`]: `/healthz` and `/readyz`; [`serve`]: the `/metrics` endpoint.

pub mod config;
pub mod context;
pub mod controller;
mod error;
pub mod health;
pub mod mappers;
pub mod metrics;
pub mod runtime;
pub mod serve;
pub mod stores;
pub mod tgb;
pub mod webhook;

pub use context::{Context, ControllerConfig};
pub use controller::TgbController;
pub use error::Error;
pub use metrics::Metrics;
pub use stores::WatchScope;
