//! Leadership: wait for the Lease, run the controllers while holding it, and supervise the
//! replica's tasks. Stopping on request drains the controllers (bounded) and releases the Lease;
//! losing the Lease or a critical task stops the controllers first and reports the cause.

use std::sync::Arc;
use std::time::Duration;

use kube::Client;
use kube::runtime::events::Recorder;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::fanout::Fanout;
use super::lease::LeaderElector;
use super::metrics::RuntimeMetrics;
use crate::context::Context;
use crate::controller::TgbController;
use crate::error::Error;
use crate::webhook::WebhookState;

/// What the leader runs.
pub(super) struct Leader {
    pub(super) elector: Option<LeaderElector>,
    pub(super) fanout: Fanout,
    pub(super) ctx: Arc<Context>,
    pub(super) state: WebhookState,
    pub(super) client: Client,
    pub(super) recorder: Recorder,
    pub(super) metrics: RuntimeMetrics,
    pub(super) escape_scan: Duration,
    pub(super) kube_timeout: Duration,
    pub(super) shutdown_grace: Duration,
}

pub(super) async fn supervise(
    leader: Leader,
    mut critical: JoinSet<(&'static str, Result<(), Error>)>,
    mut store_tasks: JoinSet<()>,
    shutdown: CancellationToken,
    stop: CancellationToken,
) -> Result<(), Error> {
    let grace = leader.shutdown_grace;
    let leading = lead(leader, shutdown.clone());
    tokio::pin!(leading);
    let mut leading_done = false;
    let result = tokio::select! {
        result = &mut leading => {
            leading_done = true;
            result
        }
        Some(joined) = critical.join_next() => match joined {
            Ok((task, result)) => Err(ended(task, result)),
            Err(error) => Err(Error::TaskEnded {
                task: "background task",
                message: error.to_string(),
            }),
        },
        Some(_) = store_tasks.join_next() => Err(Error::TaskEnded {
            task: "watch",
            message: "a watch stream ended".to_owned(),
        }),
    };
    if !leading_done {
        // Stop the controller's writes before anything else goes.
        shutdown.cancel();
        let bound = grace.saturating_add(Duration::from_secs(5));
        let _ = tokio::time::timeout(bound, &mut leading).await;
    }
    stop.cancel();
    store_tasks.abort_all();
    let drained = tokio::time::timeout(Duration::from_secs(5), async {
        while critical.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        critical.abort_all();
    }
    result
}

/// Waits for leadership, runs the controllers while leading, and returns when asked to stop
/// (`Ok`, Lease released) or when the Lease is lost (`Err`, controllers stopped first).
async fn lead(leader: Leader, shutdown: CancellationToken) -> Result<(), Error> {
    let Leader {
        elector,
        fanout,
        ctx,
        state,
        client,
        recorder,
        metrics,
        escape_scan,
        kube_timeout,
        shutdown_grace,
    } = leader;
    if let Some(elector) = &elector {
        tracing::info!(identity = %elector.config().identity, "waiting for the leader Lease");
        if !elector.acquire(&shutdown).await {
            return Ok(());
        }
        tracing::info!("leading");
    }
    metrics.set_leader(true);
    let work = shutdown.child_token();
    let controller = TgbController::from_parts(ctx, fanout.activate());
    let controller_stop = work.clone();
    // JoinSets, not bare handles: if this future is dropped (the process is torn down), the
    // controller and the scan go with it instead of running on without a Lease.
    let mut controller_task = JoinSet::new();
    controller_task.spawn(controller.run(async move { controller_stop.cancelled().await }));
    let mut escape = JoinSet::new();
    let scan = crate::webhook::escape::EscapeScan {
        state,
        client,
        recorder,
        interval: escape_scan,
        timeout: kube_timeout,
    };
    escape.spawn(scan.run(work.clone()));
    // The controller also stops when `work` is cancelled (shutdown): that is not a failure.
    let controller_ended = |work: &CancellationToken| {
        if work.is_cancelled() {
            Ok(())
        } else {
            Err(Error::TaskEnded {
                task: "TargetGroupBinding controller",
                message: "stopped without being asked to".to_owned(),
            })
        }
    };
    let held = match &elector {
        Some(elector) => tokio::select! {
            held = elector.hold(&work) => held,
            _ = controller_task.join_next() => controller_ended(&work),
        },
        None => tokio::select! {
            () = work.cancelled() => Ok(()),
            _ = controller_task.join_next() => controller_ended(&work),
        },
    };
    work.cancel();
    if held.is_err() {
        // Another replica may already lead: cut in-flight passes off now rather than let them
        // write beside it. Their AWS batches are idempotent; the new leader re-reads the state.
        controller_task.abort_all();
        while controller_task.join_next().await.is_some() {}
    } else {
        // Stopping on request: no new passes; in-flight ones get `shutdown_grace` to finish
        // their AWS calls, then are cut off. (kube-runtime waits for the bindings store's
        // first list before it stops, so without the CRD the bound is what ends the wait.)
        let drained = tokio::time::timeout(shutdown_grace, async {
            while controller_task.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::warn!(
                ?shutdown_grace,
                "controller did not stop in time; aborting in-flight passes"
            );
            controller_task.abort_all();
        }
    }
    escape.abort_all();
    metrics.set_leader(false);
    if held.is_ok()
        && let Some(elector) = &elector
        && let Err(error) = elector.release().await
    {
        tracing::warn!(%error, "releasing the leader Lease failed; it expires on its own");
    }
    held
}

fn ended(task: &'static str, result: Result<(), Error>) -> Error {
    Error::TaskEnded {
        task,
        message: match result {
            Ok(()) => "stopped without being asked to".to_owned(),
            Err(error) => error.to_string(),
        },
    }
}
