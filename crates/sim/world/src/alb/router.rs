//! Which rule, target group and target an application load balancer picks for one request.
//!
//! Rules are tried in ascending priority, the default rule last ([`super::matching`]). A forward
//! action with several target groups picks one by weight with a seeded generator, so a run is
//! reproducible. Within the group:
//!
//! - `healthy` targets get requests; `initial` and `unhealthy` ones do not while any is healthy;
//! - when none is healthy the load balancer fails open to every registered target that is not
//!   draining (ALB user guide, "Health checks for Application Load Balancer target groups");
//! - a `draining` target keeps getting new requests for [`RouterConfig::propagation_lag`] after its
//!   deregistration, as if still healthy, because load balancer nodes learn of the
//!   deregistration late (users measured seconds: aws-load-balancer-controller #2366, #3270);
//!   after the lag it gets none. This is the window in which rollouts see 502s.
//!
//! The deregistration instant is derived as `draining_until - deregistration delay` with the
//! target group's current delay attribute, so changing that attribute while a target drains
//! shifts the window (a simplification; the model keeps only the end of draining).

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use lbgate_sim_elbv2::TargetState;
use lbgate_sim_elbv2::model::Model;
use lbgate_sim_elbv2::model::actions::Action;
use lbgate_sim_elbv2::model::rules::Rule;

use super::matching::{HttpRequest, rule_matches};

/// How targets of one group share requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Balancing {
    /// ALB's default `round_robin`.
    #[default]
    RoundRobin,
    /// `least_outstanding_requests`: the target with the fewest requests in flight, ties in
    /// round-robin order.
    LeastOutstandingRequests,
}

/// Routing knobs.
#[derive(Debug, Clone)]
pub struct RouterConfig {
    /// How long after deregistration a draining target still receives new requests.
    pub propagation_lag: Duration,
    pub balancing: Balancing,
    /// Seed of the weighted target group choice.
    pub seed: u64,
}

impl Default for RouterConfig {
    fn default() -> Self {
        Self {
            propagation_lag: Duration::from_secs(5),
            balancing: Balancing::RoundRobin,
            seed: 1,
        }
    }
}

/// One target of one target group.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TargetRef {
    pub target_group_arn: String,
    pub id: String,
    pub port: u16,
}

impl fmt::Display for TargetRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.id, self.port)
    }
}

/// The routing decision for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Forward to `target`, which was in `state` (`fail_open`: no target of the group was healthy).
    Target {
        rule_arn: String,
        target: TargetRef,
        state: TargetState,
        fail_open: bool,
    },
    /// The chosen target group has no target to send to: the load balancer answers 503.
    NoTarget {
        rule_arn: String,
        target_group_arn: String,
    },
    /// A fixed-response or redirect action answered with `status`.
    Fixed { rule_arn: String, status: u16 },
    /// Nothing accepts the connection: no such load balancer, not active yet, or no listener on
    /// the port.
    Unreachable { reason: &'static str },
}

/// A request as it reaches a load balancer: which one (ARN or name), on which listener port.
#[derive(Clone, Copy, Debug)]
pub struct Arrival<'a> {
    pub lb: &'a str,
    pub port: u16,
    pub request: &'a HttpRequest,
}

/// Picks rules and targets; keeps the round-robin cursors and the weighted-choice generator.
#[derive(Debug)]
pub struct Router {
    config: RouterConfig,
    rng: u64,
    cursors: BTreeMap<String, u64>,
}

/// How a target can be used right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Eligibility {
    Preferred,
    FailOpenOnly,
}

impl Router {
    pub fn new(config: RouterConfig) -> Self {
        let rng = config.seed ^ 0x9e37_79b9_7f4a_7c15;
        Self {
            config,
            rng,
            cursors: BTreeMap::new(),
        }
    }

    pub fn config(&self) -> &RouterConfig {
        &self.config
    }

    /// Routes a request arriving at `now` (see [`Arrival`]). `outstanding` tells how many
    /// requests each target has in flight.
    pub fn route(
        &mut self,
        model: &mut Model,
        now: Duration,
        arrival: Arrival<'_>,
        outstanding: &dyn Fn(&TargetRef) -> usize,
    ) -> Route {
        let Arrival { lb, port, request } = arrival;
        let Some(balancer) = model
            .load_balancers
            .iter()
            .find(|b| b.arn == lb || b.name == lb)
        else {
            return Route::Unreachable {
                reason: "no such load balancer",
            };
        };
        if balancer.state(now) != "active" {
            return Route::Unreachable {
                reason: "load balancer not active",
            };
        }
        let lb_arn = balancer.arn.clone();
        let Some(listener) = model
            .listeners
            .iter()
            .find(|l| l.load_balancer_arn == lb_arn && l.port == Some(port))
        else {
            return Route::Unreachable {
                reason: "no listener on that port",
            };
        };
        // Every listener has a default rule; its own default actions stand in should it be missing.
        let (rule_arn, actions) = pick_rule(&model.rules, &listener.arn, request)
            .unwrap_or_else(|| (listener.arn.clone(), listener.default_actions.clone()));
        let Some(action) = terminal_action(&actions) else {
            return Route::Fixed {
                rule_arn,
                status: 500,
            };
        };
        match action.kind.as_str() {
            "forward" => {}
            "redirect" => {
                let status = match action.config.get("StatusCode").map(String::as_str) {
                    Some("HTTP_301") => 301,
                    _ => 302,
                };
                return Route::Fixed { rule_arn, status };
            }
            _ => {
                let status = action
                    .config
                    .get("StatusCode")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(200);
                return Route::Fixed { rule_arn, status };
            }
        }
        let Some(tg_arn) = self.pick_target_group(action) else {
            return Route::NoTarget {
                rule_arn,
                target_group_arn: action.target_group_arn.clone().unwrap_or_default(),
            };
        };
        let candidates = self.candidates(model, &tg_arn, now);
        let preferred: Vec<&(TargetRef, TargetState, Eligibility)> = candidates
            .iter()
            .filter(|c| c.2 == Eligibility::Preferred)
            .collect();
        let (pool, fail_open) = if preferred.is_empty() {
            (candidates.iter().collect::<Vec<_>>(), true)
        } else {
            (preferred, false)
        };
        match self.pick_target(&tg_arn, &pool, outstanding) {
            Some((target, state)) => Route::Target {
                rule_arn,
                target,
                state,
                fail_open,
            },
            None => Route::NoTarget {
                rule_arn,
                target_group_arn: tg_arn,
            },
        }
    }

    /// The weighted choice among a forward action's groups; `None` when every weight is zero.
    fn pick_target_group(&mut self, action: &Action) -> Option<String> {
        let groups: Vec<(&str, u64)> = if action.forward_target_groups.is_empty() {
            action
                .target_group_arn
                .as_deref()
                .map(|arn| (arn, 1))
                .into_iter()
                .collect()
        } else {
            action
                .forward_target_groups
                .iter()
                .map(|g| {
                    let weight = g.weight.map_or(1, |w| u64::try_from(w).unwrap_or(0));
                    (g.arn.as_str(), weight)
                })
                .collect()
        };
        let total: u64 = groups.iter().map(|g| g.1).sum();
        if total == 0 {
            return None;
        }
        let mut ticket = self.next_random() % total;
        for (arn, weight) in groups {
            if ticket < weight {
                return Some(arn.to_owned());
            }
            ticket -= weight;
        }
        None
    }

    /// Targets that may get a request now, with their state and how they may be used.
    fn candidates(
        &self,
        model: &mut Model,
        tg_arn: &str,
        now: Duration,
    ) -> Vec<(TargetRef, TargetState, Eligibility)> {
        let Ok(index) = model.target_group_index(tg_arn, now) else {
            return Vec::new();
        };
        model.advance_target_group(index, now);
        let Some(tg) = model.target_groups.get(index) else {
            return Vec::new();
        };
        let delay = tg.deregistration_delay();
        let checks_enabled = tg.spec.health_check_enabled;
        let mut out = Vec::new();
        for target in tg.targets.values().filter(|t| t.visible_at <= now) {
            let state = target.lifecycle.view().state;
            let eligibility = if let Some(until) = target.lifecycle.draining_until() {
                let deregistered_at = until.saturating_sub(delay);
                if now >= deregistered_at.saturating_add(self.config.propagation_lag) {
                    continue;
                }
                Eligibility::Preferred
            } else {
                match state {
                    TargetState::Healthy => Eligibility::Preferred,
                    // Without health checks (only possible for some target types) AWS reports
                    // `unavailable` and routes to the target anyway.
                    _ if !checks_enabled => Eligibility::Preferred,
                    TargetState::Unavailable => Eligibility::Preferred,
                    _ => Eligibility::FailOpenOnly,
                }
            };
            let target_ref = TargetRef {
                target_group_arn: tg_arn.to_owned(),
                id: target.key.id.clone(),
                port: target.key.port,
            };
            out.push((target_ref, state, eligibility));
        }
        out
    }

    fn pick_target(
        &mut self,
        tg_arn: &str,
        pool: &[&(TargetRef, TargetState, Eligibility)],
        outstanding: &dyn Fn(&TargetRef) -> usize,
    ) -> Option<(TargetRef, TargetState)> {
        let len = u64::try_from(pool.len()).ok().filter(|&n| n > 0)?;
        let cursor = self.cursors.entry(tg_arn.to_owned()).or_insert(0);
        let start = *cursor % len;
        let order = (0..len).map(|i| usize::try_from((start + i) % len).unwrap_or(0));
        let chosen = match self.config.balancing {
            Balancing::RoundRobin => order.take(1).next(),
            Balancing::LeastOutstandingRequests => order.min_by_key(|&i| {
                pool.get(i)
                    .map_or(usize::MAX, |candidate| outstanding(&candidate.0))
            }),
        }?;
        *cursor = cursor.wrapping_add(1);
        pool.get(chosen).map(|c| (c.0.clone(), c.1))
    }

    /// splitmix64: small, seedable and good enough to split traffic by weight.
    fn next_random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The first non-default rule of `listener_arn` (lowest priority first) whose conditions hold,
/// else the default rule.
fn pick_rule(
    rules: &[Rule],
    listener_arn: &str,
    request: &HttpRequest,
) -> Option<(String, Vec<Action>)> {
    let mut ordered: Vec<&Rule> = rules
        .iter()
        .filter(|r| r.listener_arn == listener_arn && !r.is_default)
        .collect();
    ordered.sort_by_key(|r| r.priority);
    ordered
        .into_iter()
        .find(|r| rule_matches(&r.conditions, request))
        .or_else(|| {
            rules
                .iter()
                .find(|r| r.listener_arn == listener_arn && r.is_default)
        })
        .map(|r| (r.arn.clone(), r.actions.clone()))
}

/// The action that answers the request: authentication actions run first and pass through (the
/// simulated client is always authenticated), then the first forward, redirect or fixed response
/// in `Order`.
fn terminal_action(actions: &[Action]) -> Option<&Action> {
    let mut ordered: Vec<&Action> = actions.iter().collect();
    ordered.sort_by_key(|a| a.order.unwrap_or(i64::MAX));
    ordered
        .into_iter()
        .find(|a| matches!(a.kind.as_str(), "forward" | "redirect" | "fixed-response"))
}
