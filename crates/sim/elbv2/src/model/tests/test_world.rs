//! Shared fixtures of the model tests: a model, and builders for groups, load balancers,
//! listeners and targets on explicit simulated instants.

use crate::model::actions::{Action, WeightedTargetGroup};
use crate::model::listeners::ListenerInput;
use crate::model::load_balancers::LoadBalancerInput;
use crate::model::target_group::TargetGroupInput;
use crate::model::targets::TargetInput;
use crate::model::*;

pub use std::time::Duration;

pub fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

pub fn config(nlb_lag: u64, eventual_consistency: u64) -> ModelConfig {
    ModelConfig {
        region: "us-west-2".into(),
        account_id: "123456789012".into(),
        timing: Timing {
            nlb_registration_lag: secs(nlb_lag),
            alb_registration_lag: Duration::ZERO,
            eventual_consistency: secs(eventual_consistency),
            load_balancer_provisioning: secs(5),
        },
        limits: Limits::default(),
        default_health: HealthMode::Answering,
        seed: 7,
    }
}

pub struct World {
    pub model: Model,
}

impl World {
    pub fn new() -> Self {
        Self {
            model: Model::new(&config(30, 0)),
        }
    }

    pub fn vpc(&self) -> String {
        self.model.default_vpc().unwrap().id.clone()
    }

    pub fn subnets(&self) -> Vec<String> {
        self.model
            .default_vpc()
            .unwrap()
            .subnet_per_zone()
            .iter()
            .map(|s| s.id.clone())
            .collect()
    }

    /// An ip target group: HTTP with interval 5 s, timeout 2 s, healthy 3, unhealthy 2.
    pub fn http_tg(&mut self, name: &str, now: Duration) -> String {
        let input = TargetGroupInput {
            name: name.into(),
            protocol: Some("HTTP".into()),
            port: Some(8080),
            vpc_id: Some(self.vpc()),
            target_type: Some("ip".into()),
            health_check_interval_seconds: Some(5),
            health_check_timeout_seconds: Some(2),
            healthy_threshold_count: Some(3),
            ..Default::default()
        };
        self.model
            .create_target_group(&input, &[], now)
            .unwrap()
            .arn
    }

    pub fn tcp_tg(&mut self, name: &str, now: Duration) -> String {
        let input = TargetGroupInput {
            name: name.into(),
            protocol: Some("TCP".into()),
            port: Some(443),
            vpc_id: Some(self.vpc()),
            target_type: Some("ip".into()),
            health_check_interval_seconds: Some(10),
            healthy_threshold_count: Some(2),
            ..Default::default()
        };
        self.model
            .create_target_group(&input, &[], now)
            .unwrap()
            .arn
    }

    pub fn load_balancer(&mut self, name: &str, kind: &str, now: Duration) -> String {
        let input = LoadBalancerInput {
            name: name.into(),
            kind: Some(kind.into()),
            subnets: self.subnets(),
            ..Default::default()
        };
        self.model
            .create_load_balancer(&input, &[], now)
            .unwrap()
            .arn
    }

    /// A listener of `lb` on `(protocol, port)` forwarding to `tg`.
    pub fn listener(
        &mut self,
        lb: &str,
        (protocol, port): (&str, i64),
        tg: &str,
        now: Duration,
    ) -> String {
        let input = ListenerInput {
            port: Some(port),
            protocol: Some(protocol.into()),
            default_actions: Some(vec![forward(tg)]),
            ..Default::default()
        };
        self.model
            .create_listener(lb, &input, &[], now)
            .unwrap()
            .arn
    }

    pub fn register(&mut self, tg: &str, ip: &str, now: Duration) {
        self.model
            .register_targets(tg, &[target(ip, None)], now)
            .unwrap();
    }

    pub fn health(
        &mut self,
        tg: &str,
        now: Duration,
    ) -> Vec<(String, &'static str, Option<&'static str>)> {
        self.model
            .describe_target_health(tg, &[], now)
            .unwrap()
            .into_iter()
            .map(|row| (row.id, row.health.state.as_str(), row.health.reason))
            .collect()
    }

    pub fn one(&mut self, tg: &str, now: Duration) -> (&'static str, Option<&'static str>) {
        let rows = self.health(tg, now);
        assert_eq!(rows.len(), 1, "one target expected at {now:?}: {rows:?}");
        (rows[0].1, rows[0].2)
    }
}

pub fn forward(tg: &str) -> Action {
    Action {
        kind: "forward".into(),
        order: None,
        target_group_arn: Some(tg.into()),
        forward_target_groups: vec![WeightedTargetGroup {
            arn: tg.into(),
            weight: Some(1),
        }],
        stickiness_enabled: Some(false),
        stickiness_duration_seconds: None,
        config: Default::default(),
    }
}

pub fn target(id: &str, zone: Option<&str>) -> TargetInput {
    TargetInput {
        id: Some(id.into()),
        port: None,
        availability_zone: zone.map(str::to_owned),
    }
}

pub const REGISTRATION: Option<&str> = Some("Elb.RegistrationInProgress");
pub const INITIAL_CHECKS: Option<&str> = Some("Elb.InitialHealthChecking");
