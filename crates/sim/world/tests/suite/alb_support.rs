//! A small ALB world for the data-plane tests: an ELBv2 simulator on a manual clock, one
//! application load balancer with an HTTP listener on port 80, target groups built through the
//! model, and an application registry mirrored into the simulator's health checks.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use lbgate_sim::alb::{DataPlane, DataPlaneConfig, Outcome};
use lbgate_sim::controllers::{AppPhase, AppRegistry, AppState};
use lbgate_sim_clock::{Clock, ManualClock};
use lbgate_sim_elbv2::model::actions::{Action, WeightedTargetGroup};
use lbgate_sim_elbv2::model::listeners::ListenerInput;
use lbgate_sim_elbv2::model::load_balancers::LoadBalancerInput;
use lbgate_sim_elbv2::model::rules::{Condition, RuleInput};
use lbgate_sim_elbv2::model::target_group::TargetGroupInput;
use lbgate_sim_elbv2::model::targets::TargetInput;
use lbgate_sim_elbv2::{Elbv2Sim, SimConfig};

pub const APP_PORT: u16 = 8080;
/// Health checks every 5 s; 2 successes make a target healthy, 2 failures unhealthy.
pub const INTERVAL: u64 = 5;

pub struct AlbWorld {
    pub sim: Elbv2Sim,
    pub clock: Arc<ManualClock>,
    pub apps: Arc<AppRegistry>,
    pub plane: Arc<DataPlane>,
    /// The load balancer's name.
    pub lb: String,
    pub lb_arn: String,
    pub listener: String,
    /// The target group of the listener's default action.
    pub tg: String,
}

impl AlbWorld {
    pub async fn start(config: DataPlaneConfig) -> Self {
        let clock = Arc::new(ManualClock::new());
        let sim = Elbv2Sim::start(SimConfig {
            clock: Some(Arc::clone(&clock) as Arc<dyn Clock>),
            load_balancer_provisioning: Duration::ZERO,
            ..SimConfig::default()
        })
        .await
        .unwrap();
        let apps = AppRegistry::with_elbv2_mirror(&sim);
        let plane = Arc::new(DataPlane::new(&sim, Arc::clone(&apps), config));
        let mut world = Self {
            sim,
            clock,
            apps,
            plane,
            lb: "web-alb".to_owned(),
            lb_arn: String::new(),
            listener: String::new(),
            tg: String::new(),
        };
        world.tg = world.target_group("web");
        world.lb_arn = world.load_balancer("web-alb");
        world.listener =
            world.listener(&world.lb_arn.clone(), 80, vec![forward(&world.tg.clone())]);
        world
    }

    pub async fn shutdown(self) {
        self.sim.shutdown().await.unwrap();
    }

    pub fn target_group(&self, name: &str) -> String {
        let vpc = self.sim.default_vpc_id();
        let input = TargetGroupInput {
            name: name.into(),
            protocol: Some("HTTP".into()),
            port: Some(i64::from(APP_PORT)),
            vpc_id: Some(vpc),
            target_type: Some("ip".into()),
            health_check_protocol: Some("HTTP".into()),
            health_check_interval_seconds: Some(INTERVAL as i64),
            health_check_timeout_seconds: Some(2),
            healthy_threshold_count: Some(2),
            unhealthy_threshold_count: Some(2),
            ..Default::default()
        };
        self.sim
            .state()
            .with_model(|m, now| m.create_target_group(&input, &[], now))
            .unwrap()
            .arn
    }

    pub fn load_balancer(&self, name: &str) -> String {
        let input = LoadBalancerInput {
            name: name.into(),
            kind: Some("application".into()),
            subnets: self.sim.default_subnet_ids(),
            ..Default::default()
        };
        self.sim
            .state()
            .with_model(|m, now| m.create_load_balancer(&input, &[], now))
            .unwrap()
            .arn
    }

    pub fn listener(&self, lb_arn: &str, port: i64, actions: Vec<Action>) -> String {
        let input = ListenerInput {
            port: Some(port),
            protocol: Some("HTTP".into()),
            default_actions: Some(actions),
            ..Default::default()
        };
        self.sim
            .state()
            .with_model(|m, now| m.create_listener(lb_arn, &input, &[], now))
            .unwrap()
            .arn
    }

    pub fn rule(&self, priority: i64, conditions: Vec<Condition>, action: Action) -> String {
        let listener = self.listener.clone();
        self.sim
            .state()
            .with_model(|m, now| {
                let input = RuleInput {
                    priority,
                    conditions,
                    actions: vec![action],
                };
                m.create_rule(&listener, input, &[], now)
            })
            .unwrap()
            .arn
    }

    pub fn register(&self, tg: &str, ip: &str) {
        self.sim
            .state()
            .with_model(|m, now| m.register_targets(tg, &[target(ip)], now))
            .unwrap();
    }

    pub fn deregister(&self, tg: &str, ip: &str) {
        self.sim
            .state()
            .with_model(|m, now| m.deregister_targets(tg, &[target(ip)], now))
            .unwrap();
    }

    /// The application at `ip` (port 8080) is in `phase` from now on.
    pub fn app(&self, ip: &str, phase: AppPhase) {
        let ip: IpAddr = ip.parse().unwrap();
        self.apps.set(
            ip,
            AppState {
                pod: format!("default/pod-{ip}"),
                port: APP_PORT,
                phase,
            },
        );
    }

    pub fn advance(&self, seconds: f64) {
        self.clock.advance(Duration::from_secs_f64(seconds));
    }

    pub fn now(&self) -> Duration {
        self.clock.now()
    }

    /// The DescribeTargetHealth state of `ip` in `tg`, or `None` when it is not listed.
    pub fn state(&self, tg: &str, ip: &str) -> Option<&'static str> {
        self.sim
            .state()
            .target_health(tg)
            .unwrap()
            .into_iter()
            .find(|row| row.id == ip)
            .map(|row| row.health.state.as_str())
    }

    /// Sends `n` requests one after the other.
    pub async fn send(&self, n: usize, host: &str, path: &str) -> Vec<Outcome> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(self.plane.request(&self.lb, 80, host, path).await);
        }
        out
    }

    /// Registers serving apps at `ips` in the default group and advances until all are healthy.
    pub fn healthy_targets(&self, ips: &[&str]) {
        for ip in ips {
            self.app(ip, AppPhase::Serving);
            self.register(&self.tg, ip);
        }
        self.advance((2 * INTERVAL) as f64);
        for ip in ips {
            assert_eq!(self.state(&self.tg, ip), Some("healthy"), "{ip}");
        }
    }
}

pub fn target(ip: &str) -> TargetInput {
    TargetInput {
        id: Some(ip.into()),
        port: None,
        availability_zone: None,
    }
}

pub fn forward(tg: &str) -> Action {
    weighted(&[(tg, 1)])
}

pub fn weighted(groups: &[(&str, i64)]) -> Action {
    Action {
        kind: "forward".into(),
        order: None,
        target_group_arn: None,
        forward_target_groups: groups
            .iter()
            .map(|(arn, weight)| WeightedTargetGroup {
                arn: (*arn).to_owned(),
                weight: Some(*weight),
            })
            .collect(),
        stickiness_enabled: Some(false),
        stickiness_duration_seconds: None,
        config: Default::default(),
    }
}

pub fn fixed(status: u16) -> Action {
    Action {
        kind: "fixed-response".into(),
        order: None,
        target_group_arn: None,
        forward_target_groups: Vec::new(),
        stickiness_enabled: None,
        stickiness_duration_seconds: None,
        config: [
            ("StatusCode".to_owned(), status.to_string()),
            ("ContentType".to_owned(), "text/plain".to_owned()),
        ]
        .into_iter()
        .collect(),
    }
}

pub fn condition(field: &str, values: &[&str]) -> Condition {
    Condition {
        field: field.into(),
        values: values.iter().map(|v| (*v).to_owned()).collect(),
        http_header_name: None,
    }
}

/// How many of `outcomes` went to `ip` with `status`.
pub fn count(outcomes: &[Outcome], ip: &str, status: u16) -> usize {
    outcomes
        .iter()
        .filter(|o| o.target.as_ref().is_some_and(|t| t.id == ip) && o.status() == Some(status))
        .count()
}

/// How many of `outcomes` went to `ip`.
pub fn to(outcomes: &[Outcome], ip: &str) -> usize {
    outcomes
        .iter()
        .filter(|o| o.target.as_ref().is_some_and(|t| t.id == ip))
        .count()
}
