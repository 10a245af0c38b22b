//! A client that sends requests through the data plane at a fixed rate in simulated time and
//! records every one of them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::task::{JoinHandle, JoinSet};

use super::dataplane::{DataPlane, Outcome};
use super::report::TrafficReport;
use super::simtime::{WaitEnd, wait_until};
use crate::SimError;

/// What to send, how fast and for how long.
#[derive(Debug, Clone)]
pub struct TrafficConfig {
    /// Load balancer ARN or name.
    pub load_balancer: String,
    pub port: u16,
    pub host: String,
    /// Paths sent in turn.
    pub paths: Vec<String>,
    /// Requests per simulated second.
    pub rate: f64,
    /// Stop after this many requests.
    pub max_requests: Option<u64>,
    /// Stop sending after this much simulated time.
    pub duration: Option<Duration>,
    /// Window size of the failure timeline.
    pub window: Duration,
    /// Simulated instant of the first request; the clock's reading at start when `None`.
    pub start_at: Option<Duration>,
}

impl TrafficConfig {
    /// `rate` requests per simulated second of `GET /` to `load_balancer:port`, for `duration`.
    pub fn new(load_balancer: &str, port: u16, rate: f64, duration: Duration) -> Self {
        Self {
            load_balancer: load_balancer.to_owned(),
            port,
            host: "app.example.com".to_owned(),
            paths: vec!["/".to_owned()],
            rate,
            max_requests: None,
            duration: Some(duration),
            window: Duration::from_secs(1),
            start_at: None,
        }
    }

    fn check(&self) -> Result<(), SimError> {
        let problem = if !(self.rate.is_finite() && self.rate > 0.0) {
            Some(format!("traffic rate must be positive, got {}", self.rate))
        } else if self.max_requests.is_none() && self.duration.is_none() {
            Some("traffic needs max_requests or duration to stop by itself".to_owned())
        } else if self.paths.is_empty() {
            Some("traffic needs at least one path".to_owned())
        } else {
            None
        };
        problem.map_or(Ok(()), |message| Err(SimError::Config { message }))
    }
}

/// A running traffic generator.
#[derive(Debug)]
pub struct Traffic {
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
    task: JoinHandle<Vec<Outcome>>,
    window: Duration,
}

impl Traffic {
    /// Starts sending; requests run concurrently, each as its own task.
    pub fn start(data_plane: Arc<DataPlane>, config: TrafficConfig) -> Result<Self, SimError> {
        config.check()?;
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicU64::new(0));
        let window = config.window;
        let task = tokio::spawn(generate(
            data_plane,
            config,
            Arc::clone(&stop),
            Arc::clone(&sent),
        ));
        Ok(Self {
            stop,
            sent,
            task,
            window,
        })
    }

    /// Whether the run has ended (every request sent and answered).
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Requests sent so far.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::SeqCst)
    }

    /// Stops sending new requests; those in flight still finish.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Waits (at most `wall_timeout` of real time) for the run to end and reports it.
    pub async fn finish(self, wall_timeout: Duration) -> Result<TrafficReport, SimError> {
        let abort = self.task.abort_handle();
        match tokio::time::timeout(wall_timeout, self.task).await {
            Ok(Ok(outcomes)) => Ok(TrafficReport::new(outcomes, self.window)),
            Ok(Err(source)) => Err(SimError::Traffic { source }),
            Err(_) => {
                abort.abort();
                Err(SimError::Config {
                    message: format!(
                        "traffic did not finish within {:.1} s of real time",
                        wall_timeout.as_secs_f64()
                    ),
                })
            }
        }
    }

    /// Starts a run and waits for it to end by itself.
    pub async fn run(
        data_plane: Arc<DataPlane>,
        config: TrafficConfig,
        wall_timeout: Duration,
    ) -> Result<TrafficReport, SimError> {
        Self::start(data_plane, config)?.finish(wall_timeout).await
    }
}

async fn generate(
    data_plane: Arc<DataPlane>,
    config: TrafficConfig,
    stop: Arc<AtomicBool>,
    progress: Arc<AtomicU64>,
) -> Vec<Outcome> {
    let clock = data_plane.clock();
    let polling = data_plane.config().polling;
    let start = config.start_at.unwrap_or_else(|| clock.now());
    let end = config.duration.map(|d| start.saturating_add(d));
    let gap = 1.0 / config.rate;
    let mut requests = JoinSet::new();
    let mut outcomes = Vec::new();
    let mut sent: u64 = 0;
    while config.max_requests.is_none_or(|max| sent < max) {
        // Each send time is computed from the start, so late wake-ups do not accumulate drift.
        let due = start.saturating_add(
            Duration::try_from_secs_f64(gap * sent as f64).unwrap_or(Duration::MAX),
        );
        if end.is_some_and(|end| due >= end) {
            break;
        }
        let waited = wait_until(clock.as_ref(), due, polling, || stop.load(Ordering::SeqCst)).await;
        if waited != WaitEnd::Reached || stop.load(Ordering::SeqCst) {
            break;
        }
        let path = config
            .paths
            .get(usize::try_from(sent).unwrap_or(0) % config.paths.len())
            .cloned()
            .unwrap_or_default();
        let (dp, lb, host, port) = (
            Arc::clone(&data_plane),
            config.load_balancer.clone(),
            config.host.clone(),
            config.port,
        );
        requests.spawn(async move { dp.request(&lb, port, &host, &path).await });
        sent += 1;
        progress.store(sent, Ordering::SeqCst);
        while let Some(done) = requests.try_join_next() {
            outcomes.extend(done.ok());
        }
    }
    while let Some(done) = requests.join_next().await {
        outcomes.extend(done.ok());
    }
    outcomes
}
