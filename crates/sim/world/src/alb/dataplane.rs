//! The request path through a simulated application load balancer to a pod's application.
//!
//! How a forwarded request ends, from the ALB user guide's HTTP error table and the
//! [`AppRegistry`] semantics:
//!
//! | situation | answer |
//! |---|---|
//! | the app accepts (`Serving`, or `ShuttingDown`, which still accepts) and stays up | 200 |
//! | nothing listens: no app at the IP, another port, `Starting` or `Gone` | 502 (connection refused) |
//! | the chosen group has no target to send to | 503 |
//! | the app vanishes (`Gone` or removed) while the request is in flight | 504 |
//!
//! A vanished pod answers nothing (its address is gone, no reset arrives), so the load balancer
//! gives up on its idle timeout: 504, not 502. The outcome records the instant the failure became
//! certain rather than waiting out the idle timeout, which only shifts when it is reported.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use lbgate_sim_clock::Clock;
use lbgate_sim_elbv2::{Elbv2Sim, SimState, TargetState};

use super::matching::HttpRequest;
use super::router::{Arrival, Route, Router, RouterConfig, TargetRef};
use super::simtime::{Polling, WaitEnd, wait_until};
use crate::controllers::{AppPhase, AppRegistry};

/// Data plane knobs.
#[derive(Debug, Clone)]
pub struct DataPlaneConfig {
    pub router: RouterConfig,
    /// Simulated time an answered request takes.
    pub request_duration: Duration,
    /// How requests wait for simulated time (real-time poll interval and give-up cap).
    pub polling: Polling,
}

impl Default for DataPlaneConfig {
    fn default() -> Self {
        Self {
            router: RouterConfig::default(),
            request_duration: Duration::from_millis(50),
            polling: Polling::default(),
        }
    }
}

/// How one request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OutcomeKind {
    /// The application answered (200).
    Ok,
    /// A fixed-response or redirect action answered with this status.
    Fixed(u16),
    BadGateway,
    ServiceUnavailable,
    GatewayTimeout,
    /// The connection to the load balancer itself failed (no such LB, not active, no listener).
    Unreachable,
    /// The simulated clock did not reach the end of the request within the wall-clock cap.
    Abandoned,
}

impl OutcomeKind {
    /// The HTTP status the client saw, if it saw one.
    pub fn status(self) -> Option<u16> {
        match self {
            Self::Ok => Some(200),
            Self::Fixed(status) => Some(status),
            Self::BadGateway => Some(502),
            Self::ServiceUnavailable => Some(503),
            Self::GatewayTimeout => Some(504),
            Self::Unreachable | Self::Abandoned => None,
        }
    }

    /// A 5xx or no answer at all.
    pub fn is_failure(self) -> bool {
        self.status().is_none_or(|s| s >= 500)
    }

    /// `200`, `502`, …, `unreachable`, `abandoned`: the key reports count by.
    pub fn label(self) -> String {
        match (self, self.status()) {
            (_, Some(status)) => status.to_string(),
            (Self::Abandoned, None) => "abandoned".to_owned(),
            _ => "unreachable".to_owned(),
        }
    }
}

/// One request and how it ended, in simulated time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub started: Duration,
    pub finished: Duration,
    pub kind: OutcomeKind,
    /// The target chosen, when the request was forwarded.
    pub target: Option<TargetRef>,
    /// The target's health state when it was chosen.
    pub target_state: Option<TargetState>,
    /// The route was a fail-open choice (no healthy target in the group).
    pub fail_open: bool,
    /// `namespace/name` of the pod whose application was reached.
    pub pod: Option<String>,
    /// The rule that matched.
    pub rule_arn: Option<String>,
    /// Why it ended this way, for reports.
    pub detail: &'static str,
}

impl Outcome {
    pub fn status(&self) -> Option<u16> {
        self.kind.status()
    }
}

/// Sends requests through the ELBv2 model to the applications of an [`AppRegistry`].
#[derive(Debug)]
pub struct DataPlane {
    state: Arc<SimState>,
    clock: Arc<dyn Clock>,
    apps: Arc<AppRegistry>,
    router: Mutex<Router>,
    in_flight: Arc<Mutex<HashMap<TargetRef, usize>>>,
    config: DataPlaneConfig,
}

impl DataPlane {
    pub fn new(elbv2: &Elbv2Sim, apps: Arc<AppRegistry>, config: DataPlaneConfig) -> Self {
        Self::with_state(elbv2.state(), apps, config)
    }

    /// A data plane over a model without its HTTP server.
    pub fn with_state(
        state: Arc<SimState>,
        apps: Arc<AppRegistry>,
        config: DataPlaneConfig,
    ) -> Self {
        Self {
            clock: state.clock(),
            state,
            apps,
            router: Mutex::new(Router::new(config.router.clone())),
            in_flight: Arc::default(),
            config,
        }
    }

    /// The clock requests are timed on (the ELBv2 simulator's).
    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    pub fn config(&self) -> &DataPlaneConfig {
        &self.config
    }

    /// Requests in flight, over all targets.
    pub fn in_flight(&self) -> usize {
        lock(&self.in_flight).values().sum()
    }

    /// Where a request would go now, without sending it (moves the round-robin cursor).
    pub fn route(&self, lb: &str, port: u16, request: &HttpRequest) -> Route {
        let counts = lock(&self.in_flight).clone();
        let outstanding = |t: &TargetRef| counts.get(t).copied().unwrap_or(0);
        let mut router = lock(&self.router);
        let arrival = Arrival { lb, port, request };
        self.state
            .with_model(|model, now| router.route(model, now, arrival, &outstanding))
    }

    /// A `GET` of `path` with `Host: host` to listener `port` of load balancer `lb` (ARN or name).
    pub async fn request(&self, lb: &str, port: u16, host: &str, path: &str) -> Outcome {
        self.send(lb, port, &HttpRequest::get(host, path)).await
    }

    /// Sends any request.
    pub async fn send(&self, lb: &str, port: u16, request: &HttpRequest) -> Outcome {
        let started = self.clock.now();
        let route = self.route(lb, port, request);
        let mut outcome = Outcome {
            started,
            finished: started,
            kind: OutcomeKind::Unreachable,
            target: None,
            target_state: None,
            fail_open: false,
            pod: None,
            rule_arn: None,
            detail: "",
        };
        match route {
            Route::Unreachable { reason } => outcome.detail = reason,
            Route::Fixed { rule_arn, status } => {
                outcome.rule_arn = Some(rule_arn);
                outcome.kind = OutcomeKind::Fixed(status);
                outcome.detail = "fixed response";
            }
            Route::NoTarget { rule_arn, .. } => {
                outcome.rule_arn = Some(rule_arn);
                outcome.kind = OutcomeKind::ServiceUnavailable;
                outcome.detail = "no target to route to";
            }
            Route::Target {
                rule_arn,
                target,
                state,
                fail_open,
            } => {
                outcome.rule_arn = Some(rule_arn);
                outcome.target_state = Some(state);
                outcome.fail_open = fail_open;
                self.forward(&target, started, &mut outcome).await;
                outcome.target = Some(target);
            }
        }
        outcome
    }

    async fn forward(&self, target: &TargetRef, started: Duration, outcome: &mut Outcome) {
        let app = target
            .id
            .parse::<IpAddr>()
            .ok()
            .and_then(|ip| self.apps.get(ip).map(|app| (ip, app)));
        let Some((ip, app)) = app else {
            outcome.kind = OutcomeKind::BadGateway;
            outcome.detail = "nothing listens at the target address";
            return;
        };
        outcome.pod = Some(app.pod.clone());
        if app.port != target.port || !app.phase.accepts_requests() {
            outcome.kind = OutcomeKind::BadGateway;
            outcome.detail = match app.phase {
                _ if app.port != target.port => "connection refused: app listens on another port",
                AppPhase::Gone => "connection refused: app gone",
                _ => "connection refused: app not listening yet",
            };
            return;
        }
        let _guard = InFlight::enter(&self.in_flight, target);
        let apps = &self.apps;
        let vanished = || {
            apps.get(ip)
                .is_none_or(|now| now.pod != app.pod || now.phase == AppPhase::Gone)
        };
        let end = started.saturating_add(self.config.request_duration);
        let waited = wait_until(self.clock.as_ref(), end, self.config.polling, vanished).await;
        outcome.finished = self.clock.now();
        (outcome.kind, outcome.detail) = match waited {
            WaitEnd::Reached => (OutcomeKind::Ok, "served"),
            WaitEnd::Interrupted => (OutcomeKind::GatewayTimeout, "app vanished mid-request"),
            WaitEnd::TimedOut => (OutcomeKind::Abandoned, "simulated clock stalled"),
        };
    }
}

/// Counts a request in flight for as long as it lives, even if its future is dropped.
struct InFlight {
    map: Arc<Mutex<HashMap<TargetRef, usize>>>,
    target: TargetRef,
}

impl InFlight {
    fn enter(map: &Arc<Mutex<HashMap<TargetRef, usize>>>, target: &TargetRef) -> Self {
        *lock(map).entry(target.clone()).or_insert(0) += 1;
        Self {
            map: Arc::clone(map),
            target: target.clone(),
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut map = lock(&self.map);
        if let Some(count) = map.get_mut(&self.target) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                map.remove(&self.target);
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section is a single map or cursor update; a panic cannot leave it torn.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
