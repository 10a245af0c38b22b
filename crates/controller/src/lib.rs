//! The lbgate controller: kube-runtime wiring of the TargetGroupBinding controller and the
//! process around it. Decisions live in `lbgate-core` (a pass is planned by
//! `lbgate_core::binding::plan_pass`); AWS access goes through `lbgate-elbv2`.
//!
//! - [`stores`]: lean, guarded reflectors; [`mappers`]: events → binding keys;
//! - [`tgb`]: `reconcile` / `error_policy` — gather, plan, execute; [`context`]: what passes
//!   share; [`events`]: the bounded queue Events go through;
//! - [`controller`]: the runnable controller; [`metrics`]: `lbgate_` metrics;
//! - [`config`]: flags, environment and the YAML file;
//! - [`webhook`]: the pod and TargetGroupBinding admission webhooks and their TLS;
//! - [`runtime`]: leader election, warm standby, supervision and shutdown;
//! - [`health`]: `/healthz` and `/readyz`; [`serve`]: the `/metrics` endpoint.

pub mod config;
pub mod context;
pub mod controller;
mod error;
pub mod events;
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
pub use error::{Error, ReconcileError};
pub use metrics::Metrics;
pub use stores::WatchScope;
