//! The TargetGroupBinding controller: kube-runtime's `Controller` over the bindings store, woken
//! by events on Services, EndpointSlices, pods and nodes through the mappers, with explicit
//! concurrency and a graceful shutdown.

use std::future::Future;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use futures::stream::{self, BoxStream};
use futures::{StreamExt, future};
use kube::runtime::controller::{Config, Controller};
use kube::runtime::reflector::ObjectRef;
use kube::runtime::{PredicateConfig, WatchStreamExt, watcher};
use lbgate_api::TargetGroupBinding;

use crate::context::Context;
use crate::mappers::{self, PodChangeFilter};
use crate::stores::{StoreStreams, Stores};
use crate::tgb::{error_policy, reconcile};

/// A controller ready to run: its context and its watch streams.
pub struct TgbController {
    ctx: Arc<Context>,
    streams: StoreStreams,
}

impl TgbController {
    /// A controller over stores and streams built elsewhere: the runtime builds the reflectors
    /// on every replica and hands the leader's controller their streams, so followers keep their
    /// stores warm. This is the only way to build one; tests start the runtime as the binary
    /// does.
    pub fn from_parts(ctx: Arc<Context>, streams: StoreStreams) -> Self {
        Self { ctx, streams }
    }

    /// Runs until `shutdown` resolves; in-flight passes finish first.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + Sync + 'static) {
        let Self { ctx, streams } = self;
        let stores = ctx.stores.clone();
        // Status writes must not wake the binding (each pass would write `lastSyncTime` and
        // poll AWS again); spec, finalizer and deletion changes must, or a finalizer added by
        // us would never be followed by the pass that needs it.
        let StoreStreams {
            bindings,
            services,
            slices,
            pods,
            nodes,
        } = streams;
        let bindings = bindings.predicate_filter(binding_predicate, PredicateConfig::default());
        let triggers = triggers(
            &stores,
            StoreStreams {
                bindings: stream::empty().boxed(),
                services,
                slices,
                pods,
                nodes,
            },
        );
        let config = Config::default().concurrency(ctx.config.concurrency);
        Controller::for_stream(bindings, stores.bindings.clone())
            .with_config(config)
            .reconcile_on(triggers)
            .graceful_shutdown_on(shutdown)
            .run(reconcile, error_policy, ctx)
            .for_each(|result| {
                if let Err(error) = result {
                    tracing::debug!(%error, "controller stream item failed");
                }
                future::ready(())
            })
            .await;
        tracing::info!("TargetGroupBinding controller stopped");
    }
}

/// What wakes a binding on its own object: generation, finalizers, deletion, annotations.
fn binding_predicate(binding: &TargetGroupBinding) -> Option<u64> {
    let mut hasher = DefaultHasher::new();
    binding.metadata.generation.hash(&mut hasher);
    binding.metadata.finalizers.hash(&mut hasher);
    binding
        .metadata
        .deletion_timestamp
        .is_some()
        .hash(&mut hasher);
    binding.metadata.annotations.hash(&mut hasher);
    Some(hasher.finish())
}

type Refs = BoxStream<'static, Vec<ObjectRef<TargetGroupBinding>>>;

fn mapped<K: Send + 'static>(
    stream: BoxStream<'static, Result<K, watcher::Error>>,
    kind: &'static str,
    map: impl Fn(&K) -> Vec<ObjectRef<TargetGroupBinding>> + Send + 'static,
) -> Refs {
    stream
        .filter_map(move |item| {
            future::ready(match item {
                Ok(object) => Some(map(&object)),
                Err(error) => {
                    tracing::warn!(kind, %error, "watch error");
                    None
                }
            })
        })
        .boxed()
}

fn triggers(
    stores: &Stores,
    streams: StoreStreams,
) -> BoxStream<'static, ObjectRef<TargetGroupBinding>> {
    let (s1, s2, s3, s4) = (
        stores.clone(),
        stores.clone(),
        stores.clone(),
        stores.clone(),
    );
    let pod_filter = PodChangeFilter::default();
    let all = vec![
        mapped(streams.services, "Service", move |o| {
            mappers::service(&s1, o)
        }),
        mapped(streams.slices, "EndpointSlice", move |o| {
            mappers::endpoint_slice(&s2, o)
        }),
        mapped(streams.pods, "Pod", move |o| {
            if pod_filter.changed(o, &s3.pods) {
                mappers::pod(&s3, o)
            } else {
                Vec::new()
            }
        }),
        mapped(streams.nodes, "Node", move |o| mappers::node(&s4, o)),
    ];
    stream::select_all(all).flat_map(stream::iter).boxed()
}
