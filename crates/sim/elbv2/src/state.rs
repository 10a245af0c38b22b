//! The shared handle to the model, usable without HTTP (the ALB data plane and tests ask it
//! which targets are healthy or draining right now).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lbgate_sim_clock::Clock;
use serde_json::{Value, json};

use super::errors::ApiError;
use super::health::HealthMode;
use super::model::targets::{TargetHealthRow, TargetInput};
use super::model::{Model, ModelConfig};

/// The simulated ELBv2 state and its clock.
#[derive(Debug)]
pub struct SimState {
    model: Mutex<Model>,
    clock: Arc<dyn Clock>,
}

impl SimState {
    pub fn new(config: &ModelConfig, clock: Arc<dyn Clock>) -> Self {
        Self {
            model: Mutex::new(Model::new(config)),
            clock,
        }
    }

    /// Simulated time now.
    pub fn now(&self) -> Duration {
        self.clock.now()
    }

    /// The clock the model runs on.
    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    /// Runs `f` with the model locked and the current simulated time.
    pub fn with_model<R>(&self, f: impl FnOnce(&mut Model, Duration) -> R) -> R {
        let mut model = self
            .model
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = self.clock.now();
        f(&mut model, now)
    }

    /// Every registered and draining target of a target group with its health right now.
    pub fn target_health(&self, target_group_arn: &str) -> Result<Vec<TargetHealthRow>, ApiError> {
        self.with_model(|model, now| model.describe_target_health(target_group_arn, &[], now))
    }

    /// Registers target `id` (on `port`, else the group's port) in a target group as a tool
    /// other than the one under test would: straight into the model, so the call is not counted,
    /// journaled, throttled or subject to injected faults. Validation and the target's lifecycle
    /// are the same as for RegisterTargets.
    pub fn register_target(
        &self,
        target_group_arn: &str,
        id: &str,
        port: Option<u16>,
    ) -> Result<(), ApiError> {
        let input = TargetInput {
            id: Some(id.to_owned()),
            port: port.map(i64::from),
            availability_zone: None,
        };
        self.with_model(|model, now| model.register_targets(target_group_arn, &[input], now))
    }

    /// ARNs of every target group.
    pub fn target_group_arns(&self) -> Vec<String> {
        self.with_model(|model, _| {
            model
                .target_groups
                .iter()
                .map(|tg| tg.arn.clone())
                .collect()
        })
    }

    /// From now on, target `id` answers as `mode` on `port` (every port when `None`).
    pub fn set_health(&self, id: &str, port: Option<u16>, mode: HealthMode) {
        self.with_model(|model, now| model.set_health(id, port, mode, now));
    }

    /// From now on, targets with no mode of their own answer as `mode`.
    pub fn set_default_health(&self, mode: HealthMode) {
        self.with_model(|model, now| model.health.set_default(now, mode));
    }

    /// The whole model as JSON (target health evaluated now).
    pub fn snapshot(&self) -> Value {
        self.with_model(|model, now| {
            let arns: Vec<String> = model
                .target_groups
                .iter()
                .map(|tg| tg.arn.clone())
                .collect();
            let mut target_groups = Vec::with_capacity(arns.len());
            for arn in arns {
                let rows = model
                    .describe_target_health(&arn, &[], now)
                    .unwrap_or_default();
                let Some(tg) = model.target_groups.iter().find(|tg| tg.arn == arn) else {
                    continue;
                };
                let mut value = serde_json::to_value(tg).unwrap_or(Value::Null);
                if let Some(object) = value.as_object_mut() {
                    object.insert(
                        "targets".into(),
                        serde_json::to_value(rows).unwrap_or(Value::Null),
                    );
                    object.insert(
                        "load_balancer_arns".into(),
                        json!(model.load_balancers_using(&arn)),
                    );
                }
                target_groups.push(value);
            }
            json!({
                "now_seconds": now.as_secs_f64(),
                "region": model.region,
                "account_id": model.account_id,
                "vpcs": model.vpcs,
                "target_groups": target_groups,
                "load_balancers": model.load_balancers,
                "listeners": model.listeners,
                "rules": model.rules,
            })
        })
    }
}
