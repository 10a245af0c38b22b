//! The ELBv2 side of a [`ControllerWorld`]: target groups behind a load balancer's listener,
//! their targets, targets registered by someone else, and the calls the simulator received.

use std::collections::BTreeMap;
use std::time::Duration;

use lbgate_elbv2::{
    Action, CallOptions, CreateListenerSpec, CreateTargetGroupSpec, HealthCheck, LoadBalancersApi,
    Priority, Protocol, Target, TargetGroupsApi, TargetType, TargetsApi,
};

use super::ControllerWorld;

/// Options of the tests' own ELBv2 calls: mutate priority, 10 s.
pub fn opts() -> CallOptions {
    CallOptions::new(Priority::Mutate).with_timeout(Duration::from_secs(10))
}

impl ControllerWorld {
    /// An HTTP ip target group (interval 5 s, healthy threshold 2) behind an ALB listener.
    pub async fn attached_group(&self, name: &str) -> String {
        self.attached_group_of(name, TargetType::Ip).await
    }

    /// Like [`Self::attached_group`] with another target type.
    pub async fn attached_group_of(&self, name: &str, target_type: TargetType) -> String {
        let group = self
            .sdk
            .create_target_group(
                CreateTargetGroupSpec {
                    name: name.to_owned(),
                    protocol: Some(Protocol::Http),
                    port: Some(8080),
                    vpc_id: Some(self.elb.default_vpc_id()),
                    target_type: Some(target_type),
                    health_check: HealthCheck {
                        interval_seconds: Some(5),
                        timeout_seconds: Some(2),
                        healthy_threshold: Some(2),
                        ..HealthCheck::default()
                    },
                    ..CreateTargetGroupSpec::default()
                },
                opts(),
            )
            .await
            .unwrap();
        let lb = self
            .sdk
            .client()
            .create_load_balancer()
            .name(format!("{name}-lb"))
            .set_subnets(Some(self.elb.default_subnet_ids()))
            .send()
            .await
            .unwrap();
        let lb_arn = lb.load_balancers()[0]
            .load_balancer_arn()
            .unwrap()
            .to_owned();
        self.sdk
            .create_listener(
                CreateListenerSpec {
                    load_balancer_arn: lb_arn,
                    protocol: Some(Protocol::Http),
                    port: Some(80),
                    default_actions: vec![Action::forward_to(&group.arn)],
                    certificate_arns: vec![],
                    ssl_policy: None,
                },
                opts(),
            )
            .await
            .unwrap();
        group.arn
    }

    /// `(id, port, state)` of every target, sorted.
    pub async fn targets(&self, arn: &str) -> Vec<(String, u16, String)> {
        let mut rows: Vec<_> = self
            .sdk
            .describe_target_health(arn.to_owned(), None, opts())
            .await
            .unwrap()
            .into_iter()
            .map(|h| {
                (
                    h.target.id,
                    h.target.port.unwrap_or(0),
                    h.state.as_str().to_owned(),
                )
            })
            .collect();
        rows.sort();
        rows
    }

    /// Registers `ip:port` as another tool would: the controller must never touch it.
    pub async fn register_foreign(&self, arn: &str, ip: &str, port: u16) {
        self.sdk
            .register_targets(arn.to_owned(), vec![Target::new(ip, port)], opts())
            .await
            .unwrap()
            .into_result()
            .unwrap();
    }

    /// ELBv2 calls received so far, by action.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.elb.call_counts()
    }

    /// RegisterTargets and DeregisterTargets calls received so far.
    pub fn mutations(&self) -> u64 {
        let calls = self.calls();
        ["RegisterTargets", "DeregisterTargets"]
            .iter()
            .map(|a| calls.get(*a).copied().unwrap_or(0))
            .sum()
    }
}
