//! What every world controller shares: the client, simulated time, bounded API calls, and the
//! level-triggered loop that runs a controller after each watch event or when a timer it asked
//! for is due.

use std::fmt::Debug;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::StreamExt;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use kube::runtime::watcher;
use kube::{Api, Client, Resource};
use lbgate_sim_clock::Clock;
use serde::de::DeserializeOwned;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::apps::AppRegistry;

/// Bound of every API call a controller makes.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// Even without events, a controller looks again this often (wall time): watches may lag and a
/// manual clock may have moved.
const RESYNC: Duration = Duration::from_millis(250);
/// Pause after a failed reconcile or a broken watch, so that an unreachable server is not hammered.
const ERROR_PAUSE: Duration = Duration::from_millis(100);

/// The shared context of the world's controllers.
#[derive(Clone)]
pub struct Ctx {
    pub client: Client,
    pub clock: Arc<dyn Clock>,
    /// Real seconds per simulated second, to turn simulated waits into wall sleeps.
    pub time_scale: f64,
    /// The wall time that simulated time zero stands for: timestamps the controllers write
    /// (condition transitions) are in simulated time so that `minReadySeconds` and progress
    /// deadlines run on the simulated clock.
    pub wall_origin: SystemTime,
    pub apps: Arc<AppRegistry>,
}

impl Ctx {
    pub fn now(&self) -> Duration {
        self.clock.now()
    }

    /// The current simulated time as a Kubernetes timestamp.
    pub fn timestamp(&self) -> Time {
        self.timestamp_at(self.now())
    }

    /// Simulated time `sim` as a Kubernetes timestamp.
    pub fn timestamp_at(&self, sim: Duration) -> Time {
        let wall = self.wall_origin + sim;
        let millis = wall
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        // Kubernetes timestamps have second resolution.
        let seconds = millis.div_euclid(1000);
        Time(Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH))
    }

    /// The simulated time a timestamp written by [`Self::timestamp`] stands for.
    pub fn sim_time_of(&self, time: &Time) -> Duration {
        let origin_ms = self
            .wall_origin
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        let ms = time.0.as_millisecond().saturating_sub(origin_ms);
        Duration::from_millis(u64::try_from(ms).unwrap_or(0))
    }

    /// The wall time that `sim` simulated time takes to pass.
    pub fn real(&self, sim: Duration) -> Duration {
        Duration::try_from_secs_f64(sim.as_secs_f64() * self.time_scale).unwrap_or(Duration::MAX)
    }
}

/// Runs an API call with [`CALL_TIMEOUT`].
pub async fn call<T>(
    future: impl Future<Output = Result<T, kube::Error>>,
) -> Result<T, kube::Error> {
    match tokio::time::timeout(CALL_TIMEOUT, future).await {
        Ok(result) => result,
        Err(_) => Err(kube::Error::Service(Box::new(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "API call timed out",
        )))),
    }
}

/// Whether an API error is a 404 or 409: another writer won the race; the next pass sees it.
pub fn is_race(error: &kube::Error) -> bool {
    matches!(error, kube::Error::Api(status) if status.code == 404 || status.code == 409)
}

/// One controller: a pass over everything it owns.
pub trait Reconciler: Send + 'static {
    /// Brings the world one step closer to what it should be; answers the simulated time from
    /// now after which it wants another pass even without events.
    fn reconcile(&mut self) -> impl Future<Output = Result<Option<Duration>, kube::Error>> + Send;
}

/// Runs `reconciler` after every notification and every timer it asks for.
pub fn spawn_loop<R: Reconciler>(
    name: &'static str,
    ctx: Ctx,
    notify: Arc<Notify>,
    mut reconciler: R,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let wait = match reconciler.reconcile().await {
                Ok(next) => next.map_or(RESYNC, |sim| ctx.real(sim).min(RESYNC)),
                Err(error) => {
                    tracing::debug!(controller = name, %error, "reconcile failed; retrying");
                    ERROR_PAUSE
                }
            };
            tokio::select! {
                () = notify.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    })
}

/// Notifies `notify` on every change of `K` anywhere in the cluster.
pub fn spawn_trigger<K>(api: Api<K>, notify: Arc<Notify>) -> JoinHandle<()>
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
{
    tokio::spawn(async move {
        let mut events = watcher(api, watcher::Config::default()).boxed();
        while let Some(event) = events.next().await {
            match event {
                Ok(_) => notify.notify_one(),
                Err(error) => {
                    tracing::debug!(%error, "world watch failed; re-watching");
                    tokio::time::sleep(ERROR_PAUSE).await;
                }
            }
        }
    })
}
