//! Warm standby: the reflectors run on every replica (the webhooks read their stores), but only
//! the leader's controller consumes their events. Each watch stream is driven by its own task;
//! until [`Fanout::activate`] the events only update the stores, afterwards they are also
//! forwarded to the controller through bounded channels.

use std::sync::{Arc, Mutex, PoisonError};

use futures::StreamExt;
use futures::stream::{self, BoxStream};
use kube::runtime::watcher;
use lbgate_api::TargetGroupBinding;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::stores::{StoreStreams, Stores, Touched};

/// Events queued for the controller per kind; a full queue slows the watch, never drops.
const QUEUE: usize = 1024;

type Item<K> = Result<K, watcher::Error>;
type Slot<K> = Arc<Mutex<Option<mpsc::Sender<Item<K>>>>>;

fn drive<K: Send + 'static>(tasks: &mut JoinSet<()>, mut stream: Touched<K>) -> Slot<K> {
    let slot: Slot<K> = Arc::new(Mutex::new(None));
    let forward = Arc::clone(&slot);
    tasks.spawn(async move {
        while let Some(item) = stream.next().await {
            let sender = forward
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            if let Some(sender) = sender {
                // The controller has gone (shutdown): keep the stores fed regardless.
                let _ = sender.send(item).await;
            }
        }
    });
    slot
}

fn attach<K: Send + 'static>(slot: &Slot<K>) -> BoxStream<'static, Item<K>> {
    let (tx, mut rx) = mpsc::channel(QUEUE);
    *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(tx);
    stream::poll_fn(move |cx| rx.poll_recv(cx)).boxed()
}

/// The switch between standby and active.
pub struct Fanout {
    stores: Stores,
    bindings: Slot<TargetGroupBinding>,
    services: Slot<k8s_openapi::api::core::v1::Service>,
    slices: Slot<k8s_openapi::api::discovery::v1::EndpointSlice>,
    pods: Slot<k8s_openapi::api::core::v1::Pod>,
    nodes: Slot<k8s_openapi::api::core::v1::Node>,
}

impl Fanout {
    /// Starts driving every stream; the tasks end when their watch does (never, normally).
    pub fn start(stores: Stores, streams: StoreStreams) -> (Self, JoinSet<()>) {
        let mut tasks = JoinSet::new();
        let fanout = Self {
            stores,
            bindings: drive(&mut tasks, streams.bindings),
            services: drive(&mut tasks, streams.services),
            slices: drive(&mut tasks, streams.slices),
            pods: drive(&mut tasks, streams.pods),
            nodes: drive(&mut tasks, streams.nodes),
        };
        (fanout, tasks)
    }

    /// Streams for the controller from now on. Events seen while standing by were not queued,
    /// so the bindings stream starts with every binding already in the store: each gets a pass.
    pub fn activate(&self) -> StoreStreams {
        // Attach first: an event between the snapshot and the attach is then seen twice
        // (harmless, passes are idempotent) instead of never.
        let live = attach(&self.bindings);
        let known: Vec<Item<TargetGroupBinding>> = self
            .stores
            .bindings
            .state()
            .into_iter()
            .map(|binding| Ok((*binding).clone()))
            .collect();
        StoreStreams {
            bindings: stream::iter(known).chain(live).boxed(),
            services: attach(&self.services),
            slices: attach(&self.slices),
            pods: attach(&self.pods),
            nodes: attach(&self.nodes),
        }
    }
}
