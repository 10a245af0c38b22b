//! The target lifecycle: health checks evaluated lazily from timestamps.
//!
//! A target never needs a background ticker. Each one remembers when its next health check is
//! due; whenever anyone looks at it, [`Lifecycle::advance`] replays every check that has happened
//! since, using the health mode its address had at each check instant (from the [`HealthBook`]
//! history), and applies the target group's thresholds. Runs of checks with the same outcome are
//! applied in one step, so a target left alone for a simulated week costs no more than one
//! looked at every second.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How a target's address answers health checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthMode {
    /// Accepts connections and answers HTTP 200.
    Answering,
    /// Refuses connections.
    Refusing,
    /// Accepts connections but never answers within the timeout.
    Timeout,
    /// Answers HTTP checks with this status code (TCP checks succeed: the connection opens).
    ResponseCode(u16),
}

/// The health states DescribeTargetHealth reports (`TargetHealthStateEnum`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetState {
    Initial,
    Healthy,
    Unhealthy,
    Unused,
    Draining,
    Unavailable,
}

impl TargetState {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Initial => "initial",
            Self::Healthy => "healthy",
            Self::Unhealthy => "unhealthy",
            Self::Unused => "unused",
            Self::Draining => "draining",
            Self::Unavailable => "unavailable",
        }
    }
}

/// Reason codes and descriptions exactly as the ELB user guide's reason-code table lists them.
pub mod reason {
    pub const REGISTRATION_IN_PROGRESS: (&str, &str) = (
        "Elb.RegistrationInProgress",
        "Target registration is in progress",
    );
    pub const INITIAL_HEALTH_CHECKING: (&str, &str) = (
        "Elb.InitialHealthChecking",
        "Initial health checks in progress",
    );
    pub const FAILED_HEALTH_CHECKS: (&str, &str) =
        ("Target.FailedHealthChecks", "Health checks failed");
    pub const TIMEOUT: (&str, &str) = ("Target.Timeout", "Request timed out");
    pub const RESPONSE_CODE_MISMATCH: &str = "Target.ResponseCodeMismatch";
    pub const NOT_IN_USE: (&str, &str) = (
        "Target.NotInUse",
        "Target group is not configured to receive traffic from the load balancer",
    );
    pub const NOT_REGISTERED: (&str, &str) = (
        "Target.NotRegistered",
        "Target is not registered to the target group",
    );
    pub const DEREGISTRATION_IN_PROGRESS: (&str, &str) = (
        "Target.DeregistrationInProgress",
        "Target deregistration is in progress",
    );
    pub const HEALTH_CHECK_DISABLED: (&str, &str) =
        ("Target.HealthCheckDisabled", "Health checks are disabled");
}

/// One target's health as DescribeTargetHealth reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetHealthView {
    pub state: TargetState,
    pub reason: Option<&'static str>,
    pub description: Option<String>,
}

impl TargetHealthView {
    fn with(state: TargetState, (reason, description): (&'static str, &str)) -> Self {
        Self {
            state,
            reason: Some(reason),
            description: Some(description.to_owned()),
        }
    }

    /// The answer for targets of a group whose health checks are disabled (Lambda).
    pub fn health_check_disabled() -> Self {
        Self::with(TargetState::Unavailable, reason::HEALTH_CHECK_DISABLED)
    }

    /// The answer for a target that is not registered (or no longer draining).
    pub fn not_registered() -> Self {
        Self::with(TargetState::Unused, reason::NOT_REGISTERED)
    }
}

/// Which success codes an HTTP health check accepts (`Matcher.HttpCode`: "200", "200,202",
/// "200-299").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeMatcher {
    ranges: Vec<(u16, u16)>,
}

impl CodeMatcher {
    /// Parses a matcher; `None` when the text is not a list of codes and ranges.
    pub fn parse(text: &str) -> Option<Self> {
        let mut ranges = Vec::new();
        for part in text.split(',') {
            let part = part.trim();
            let (low, high) = match part.split_once('-') {
                Some((low, high)) => (low.trim().parse().ok()?, high.trim().parse().ok()?),
                None => {
                    let code = part.parse().ok()?;
                    (code, code)
                }
            };
            if low > high {
                return None;
            }
            ranges.push((low, high));
        }
        if ranges.is_empty() {
            None
        } else {
            Some(Self { ranges })
        }
    }

    /// Whether `code` is a success.
    pub fn accepts(&self, code: u16) -> bool {
        self.ranges
            .iter()
            .any(|&(low, high)| (low..=high).contains(&code))
    }

    /// Lowest and highest code named.
    pub fn bounds(&self) -> (u16, u16) {
        let low = self.ranges.iter().map(|r| r.0).min().unwrap_or(0);
        let high = self.ranges.iter().map(|r| r.1).max().unwrap_or(0);
        (low, high)
    }
}

/// How a target group checks its targets, as far as the lifecycle needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSettings {
    pub interval: Duration,
    pub healthy_threshold: u32,
    pub unhealthy_threshold: u32,
    /// `Some` for HTTP/HTTPS checks (codes matter), `None` for TCP checks.
    pub http_matcher: Option<CodeMatcher>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Failure {
    reason: &'static str,
    description: String,
}

enum Outcome {
    Success,
    Fail(Failure),
}

fn outcome(mode: HealthMode, settings: &CheckSettings) -> Outcome {
    let code = match mode {
        HealthMode::Refusing => return fail(reason::FAILED_HEALTH_CHECKS),
        HealthMode::Timeout => return fail(reason::TIMEOUT),
        HealthMode::Answering => 200,
        HealthMode::ResponseCode(code) => code,
    };
    match &settings.http_matcher {
        Some(matcher) if !matcher.accepts(code) => Outcome::Fail(Failure {
            reason: reason::RESPONSE_CODE_MISMATCH,
            description: format!("Health checks failed with these codes: [{code}]"),
        }),
        _ => Outcome::Success,
    }
}

fn fail((reason, description): (&'static str, &str)) -> Outcome {
    Outcome::Fail(Failure {
        reason,
        description: description.to_owned(),
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Pending,
    Healthy,
    Unhealthy(Failure),
}

/// The health-check state of one registered target.
#[derive(Debug, Clone)]
pub struct Lifecycle {
    registered_at: Duration,
    /// When the next check runs; `None` while the target group receives no traffic.
    next_check: Option<Duration>,
    checks_done: u64,
    ok_streak: u64,
    fail_streak: u64,
    verdict: Verdict,
    /// The check instant the current healthy verdict began at (for scenario timelines).
    healthy_since: Option<Duration>,
    draining_until: Option<Duration>,
}

impl Lifecycle {
    /// A target registered at `at`, with no checks scheduled yet.
    pub fn registered(at: Duration) -> Self {
        Self {
            registered_at: at,
            next_check: None,
            checks_done: 0,
            ok_streak: 0,
            fail_streak: 0,
            verdict: Verdict::Pending,
            healthy_since: None,
            draining_until: None,
        }
    }

    /// The instant of the health check that made the target healthy, while it is healthy.
    pub fn healthy_since(&self) -> Option<Duration> {
        self.healthy_since
    }

    pub fn registered_at(&self) -> Duration {
        self.registered_at
    }

    /// When the deregistration delay of a draining target ends.
    pub fn draining_until(&self) -> Option<Duration> {
        self.draining_until
    }

    /// When the next health check runs, if checks are running.
    pub fn next_check(&self) -> Option<Duration> {
        self.next_check
    }

    /// Starts health checking from scratch; the first check runs at `first_check`.
    pub fn start_checks(&mut self, first_check: Duration) {
        *self = Self {
            next_check: Some(first_check),
            ..Self::registered(self.registered_at)
        };
    }

    /// Stops health checking (the target group no longer receives traffic).
    pub fn stop_checks(&mut self) {
        *self = Self::registered(self.registered_at);
    }

    /// Starts draining until `until`.
    pub fn start_draining(&mut self, until: Duration) {
        self.draining_until = Some(until);
    }

    /// Whether a draining target's delay is over at `now`.
    pub fn drained(&self, now: Duration) -> bool {
        self.draining_until.is_some_and(|until| until <= now)
    }

    /// Replays every health check due at or before `now`.
    pub fn advance(&mut self, now: Duration, settings: &CheckSettings, modes: &Timeline<'_>) {
        let Some(mut next) = self.next_check else {
            return;
        };
        let interval = settings.interval.max(Duration::from_millis(1));
        let changes = modes.change_points(next, now);
        let mut changes = changes.iter().peekable();
        while next <= now {
            while changes.next_if(|&&point| point <= next).is_some() {}
            // The mode holds from `next` until the next change (or through `now`).
            let segment_end = changes
                .peek()
                .map_or(now.saturating_add(Duration::from_nanos(1)), |&&point| point);
            let checks = checks_before(next, segment_end, interval);
            if checks == 0 {
                break;
            }
            let result = outcome(modes.mode_at(next), settings);
            self.apply(result, checks, settings, (next, interval));
            next = add_intervals(next, interval, checks);
        }
        self.next_check = Some(next);
    }

    /// Applies `checks` checks with the same result, the first at `first` and then one every
    /// `interval` (`grid`).
    fn apply(
        &mut self,
        result: Outcome,
        checks: u64,
        settings: &CheckSettings,
        grid: (Duration, Duration),
    ) {
        self.checks_done = self.checks_done.saturating_add(checks);
        match result {
            Outcome::Success => {
                self.fail_streak = 0;
                let before = self.ok_streak;
                self.ok_streak = self.ok_streak.saturating_add(checks);
                let threshold = u64::from(settings.healthy_threshold);
                if self.ok_streak >= threshold {
                    if self.verdict != Verdict::Healthy {
                        // The check that reached the threshold: the (threshold - before)-th.
                        let nth = threshold.saturating_sub(before).max(1);
                        let (first, interval) = grid;
                        self.healthy_since = Some(add_intervals(first, interval, nth - 1));
                    }
                    self.verdict = Verdict::Healthy;
                }
            }
            Outcome::Fail(failure) => {
                self.ok_streak = 0;
                self.fail_streak = self.fail_streak.saturating_add(checks);
                let enough = self.fail_streak >= u64::from(settings.unhealthy_threshold);
                if enough || matches!(self.verdict, Verdict::Unhealthy(_)) {
                    self.verdict = Verdict::Unhealthy(failure);
                    self.healthy_since = None;
                }
            }
        }
    }

    /// The state DescribeTargetHealth reports for this target.
    pub fn view(&self) -> TargetHealthView {
        if self.draining_until.is_some() {
            return TargetHealthView::with(
                TargetState::Draining,
                reason::DEREGISTRATION_IN_PROGRESS,
            );
        }
        if self.next_check.is_none() {
            return TargetHealthView::with(TargetState::Unused, reason::NOT_IN_USE);
        }
        match &self.verdict {
            Verdict::Pending if self.checks_done == 0 => {
                TargetHealthView::with(TargetState::Initial, reason::REGISTRATION_IN_PROGRESS)
            }
            Verdict::Pending => {
                TargetHealthView::with(TargetState::Initial, reason::INITIAL_HEALTH_CHECKING)
            }
            Verdict::Healthy => TargetHealthView {
                state: TargetState::Healthy,
                reason: None,
                description: None,
            },
            Verdict::Unhealthy(failure) => TargetHealthView {
                state: TargetState::Unhealthy,
                reason: Some(failure.reason),
                description: Some(failure.description.clone()),
            },
        }
    }
}

/// How many checks at `first, first + interval, …` fall before `end`.
fn checks_before(first: Duration, end: Duration, interval: Duration) -> u64 {
    if end <= first {
        return 0;
    }
    let span = (end - first).as_nanos();
    let step = interval.as_nanos().max(1);
    u64::try_from(span.div_ceil(step)).unwrap_or(u64::MAX)
}

fn add_intervals(start: Duration, interval: Duration, count: u64) -> Duration {
    let nanos = start
        .as_nanos()
        .saturating_add(interval.as_nanos().saturating_mul(u128::from(count)));
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// Most `set_health` changes kept per address (the oldest are dropped).
const HISTORY_LIMIT: usize = 1024;

type History = Vec<(Duration, HealthMode)>;

/// Health-mode changes over time: the default, per address, and per address and port.
#[derive(Debug, Clone)]
pub struct HealthBook {
    default: History,
    by_address: HashMap<String, History>,
    by_endpoint: HashMap<(String, u16), History>,
}

impl HealthBook {
    /// A book whose default mode is `default` from time zero.
    pub fn new(default: HealthMode) -> Self {
        Self {
            default: vec![(Duration::ZERO, default)],
            by_address: HashMap::new(),
            by_endpoint: HashMap::new(),
        }
    }

    /// From `at` on, targets with no mode of their own answer as `mode`.
    pub fn set_default(&mut self, at: Duration, mode: HealthMode) {
        push(&mut self.default, at, mode);
    }

    /// From `at` on, target `id` answers as `mode` on `port`, or on every port when `None`.
    pub fn set(&mut self, at: Duration, id: &str, port: Option<u16>, mode: HealthMode) {
        let id = normalize_id(id);
        let history = match port {
            Some(port) => self.by_endpoint.entry((id, port)).or_default(),
            None => self.by_address.entry(id).or_default(),
        };
        push(history, at, mode);
    }

    /// The mode history that applies to target `id` on `port`.
    pub fn timeline(&self, id: &str, port: u16) -> Timeline<'_> {
        let id = normalize_id(id);
        Timeline {
            default: &self.default,
            address: self.by_address.get(&id).map(Vec::as_slice),
            endpoint: self.by_endpoint.get(&(id, port)).map(Vec::as_slice),
        }
    }

    /// The mode target `id` answers with on `port` at `at`.
    pub fn mode_at(&self, id: &str, port: u16, at: Duration) -> HealthMode {
        self.timeline(id, port).mode_at(at)
    }
}

fn push(history: &mut History, at: Duration, mode: HealthMode) {
    // Keep the history sorted even if a caller goes back in time (manual clocks can).
    history.retain(|&(when, _)| when <= at);
    history.push((at, mode));
    if history.len() > HISTORY_LIMIT {
        let excess = history.len() - HISTORY_LIMIT;
        history.drain(..excess);
    }
}

/// IP addresses compare by value ("::1" and "0:0::1" are one target); other IDs verbatim.
pub fn normalize_id(id: &str) -> String {
    id.parse::<IpAddr>()
        .map_or_else(|_| id.to_owned(), |ip| ip.to_string())
}

/// The mode histories that apply to one target endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Timeline<'a> {
    default: &'a [(Duration, HealthMode)],
    address: Option<&'a [(Duration, HealthMode)]>,
    endpoint: Option<&'a [(Duration, HealthMode)]>,
}

impl Timeline<'_> {
    /// The mode in force at `at`: the latest per-endpoint or per-address setting (the later of
    /// the two wins), else the latest default.
    pub fn mode_at(&self, at: Duration) -> HealthMode {
        let endpoint = self.endpoint.and_then(|h| latest(h, at));
        let address = self.address.and_then(|h| latest(h, at));
        let specific = match (endpoint, address) {
            (Some(e), Some(a)) => Some(if a.0 > e.0 { a } else { e }),
            (e, a) => e.or(a),
        };
        specific
            .or_else(|| latest(self.default, at))
            .map_or(HealthMode::Answering, |(_, mode)| mode)
    }

    /// Instants in (`after`, `until`] at which the mode may change, sorted.
    fn change_points(&self, after: Duration, until: Duration) -> Vec<Duration> {
        let mut points: Vec<Duration> = [Some(self.default), self.address, self.endpoint]
            .into_iter()
            .flatten()
            .flat_map(|history| history.iter().map(|&(when, _)| when))
            .filter(|&when| when > after && when <= until)
            .collect();
        points.sort_unstable();
        points.dedup();
        points
    }
}

fn latest(history: &[(Duration, HealthMode)], at: Duration) -> Option<(Duration, HealthMode)> {
    history.iter().rev().find(|&&(when, _)| when <= at).copied()
}

#[cfg(test)]
mod tests;
