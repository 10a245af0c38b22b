//! WATCH: in-process watches over the store's event log ([`StoreWatch`]) and the HTTP watch
//! stream (newline-delimited JSON events, BOOKMARKs, `timeoutSeconds`, streaming lists with
//! `sendInitialEvents`, and 410 Expired as an ERROR event, as kube-apiserver's watch cache does).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::meta;
use super::resources::ResourceInfo;
use super::selectors::{FieldSelector, LabelSelector};
use super::status::ApiError;
use super::store::{EventType, Store, StoreEvent, as_version};
use super::table::{IncludeObject, TableOptions, render_table};

/// Which objects a list or watch sees.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// `None`: every namespace.
    pub namespace: Option<String>,
    pub labels: LabelSelector,
    pub fields: FieldSelector,
}

impl Filter {
    pub fn matches(&self, object: &Value) -> bool {
        let namespace_ok = self
            .namespace
            .as_deref()
            .is_none_or(|ns| meta::meta_str(object, "namespace") == ns);
        namespace_ok && self.labels.matches(&meta::labels(object)) && self.fields.matches(object)
    }

    /// How a store event looks through this filter: an object entering the selection is ADDED,
    /// one leaving it DELETED with its previous content at the event's version (as the watch
    /// cache reports it).
    pub fn translate(&self, event: &StoreEvent) -> Option<(EventType, Value)> {
        let now = self.matches(&event.object);
        match event.event_type {
            EventType::Added | EventType::Deleted => {
                now.then(|| (event.event_type, event.object.clone()))
            }
            EventType::Modified => {
                let old = event.old_object.as_ref().filter(|o| self.matches(o));
                match (old, now) {
                    (Some(_), true) => Some((EventType::Modified, event.object.clone())),
                    (None, true) => Some((EventType::Added, event.object.clone())),
                    (Some(old), false) => {
                        let mut old = old.clone();
                        meta::set_meta(
                            &mut old,
                            "resourceVersion",
                            json!(event.resource_version.to_string()),
                        );
                        Some((EventType::Deleted, old))
                    }
                    (None, false) => None,
                }
            }
        }
    }
}

/// A watch from Rust, without HTTP.
pub struct StoreWatch {
    store: Arc<Store>,
    res: ResourceInfo,
    filter: Filter,
    after: u64,
    pending: VecDeque<(EventType, Value)>,
    changed: watch::Receiver<u64>,
}

impl Store {
    /// Watches `res` through `filter`: from `after` (exclusive), or — when `None` — starting with
    /// an ADDED event for every current object.
    pub fn watch(
        self: &Arc<Self>,
        res: &ResourceInfo,
        filter: Filter,
        after: Option<u64>,
    ) -> Result<StoreWatch, ApiError> {
        let changed = self.subscribe();
        let mut pending = VecDeque::new();
        let after = match after {
            Some(version) => {
                self.events_after(&res.key(), version)?;
                version
            }
            None => {
                let (items, version) = self.list(res, filter.namespace.as_deref());
                pending.extend(
                    items
                        .into_iter()
                        .map(|(_, o)| o)
                        .filter(|o| filter.matches(o))
                        .map(|o| (EventType::Added, o)),
                );
                version
            }
        };
        Ok(StoreWatch {
            store: Arc::clone(self),
            res: res.clone(),
            filter,
            after,
            pending,
            changed,
        })
    }
}

impl StoreWatch {
    /// The next event, waiting for one; 410 Expired when the watch fell out of the event window.
    pub async fn next(&mut self) -> Result<(EventType, Value), ApiError> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Ok(event);
            }
            let (events, current) = self.store.events_after(&self.res.key(), self.after)?;
            for event in events {
                if let Some((kind, object)) = self.filter.translate(&event) {
                    self.pending.push_back((kind, self.present(&object)));
                }
            }
            self.after = current;
            if self.pending.is_empty() && self.changed.changed().await.is_err() {
                return Err(ApiError::internal("the store is gone"));
            }
        }
    }

    /// The version this watch has seen everything up to.
    pub fn resource_version(&self) -> u64 {
        self.after
    }

    fn present(&self, object: &Value) -> Value {
        as_version(&self.res, object)
    }
}

/// Where an HTTP watch starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// `resourceVersion` unset or `0`: synthetic ADDED events for the current objects first.
    Now,
    /// From a resourceVersion, exclusive.
    After(u64),
    /// `sendInitialEvents=true`: ADDED events, then a BOOKMARK marking their end.
    InitialEvents,
}

/// An HTTP watch request.
#[derive(Debug, Clone)]
pub struct WatchRequest {
    pub res: ResourceInfo,
    pub filter: Filter,
    pub start: Start,
    pub bookmarks: bool,
    pub bookmark_interval: Duration,
    pub timeout: Option<Duration>,
    /// Flips to `true` when the server stops; open watches end then.
    pub stopping: watch::Receiver<bool>,
    /// `Some` when the client asked for `Table` objects (kubectl `get -w`).
    pub table: Option<IncludeObject>,
}

/// What a watch event carries: the object, or a one-row `Table` of it; only the first table
/// of a stream has column definitions (kube-apiserver sends the headers once).
struct Presenter {
    table: Option<IncludeObject>,
    headers_sent: bool,
}

impl Presenter {
    fn present(&mut self, res: &ResourceInfo, object: &Value) -> Value {
        let Some(include) = self.table else {
            return object.clone();
        };
        let custom = res.custom.then_some(res.printer_columns.as_slice());
        let version = meta::meta_str(object, "resourceVersion").to_owned();
        let mut table = render_table(
            &res.kind,
            std::slice::from_ref(object),
            custom,
            TableOptions {
                include,
                list_resource_version: &version,
            },
        );
        if self.headers_sent {
            meta::set_field(&mut table, "columnDefinitions", json!([]));
        }
        self.headers_sent = true;
        table
    }
}

fn line(kind: &str, object: &Value) -> Bytes {
    let mut text =
        serde_json::to_string(&json!({"type": kind, "object": object})).unwrap_or_default();
    text.push('\n');
    Bytes::from(text)
}

fn bookmark(res: &ResourceInfo, version: u64, initial_end: bool) -> Bytes {
    let mut metadata = json!({"resourceVersion": version.to_string(), "creationTimestamp": null});
    if initial_end {
        crate::meta::set_field(
            &mut metadata,
            "annotations",
            json!({"k8s.io/initial-events-end": "true"}),
        );
    }
    line(
        "BOOKMARK",
        &json!({"kind": res.kind, "apiVersion": res.api_version(), "metadata": metadata}),
    )
}

/// Starts the watch and answers with its stream.
pub fn serve(store: Arc<Store>, request: WatchRequest) -> Response {
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    tokio::spawn(run(store, request, tx));
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, Infallible>(chunk), rx))
    });
    let mut response = (StatusCode::OK, Body::from_stream(stream)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    response
}

async fn run(store: Arc<Store>, mut request: WatchRequest, tx: mpsc::Sender<Bytes>) {
    let mut changed = store.subscribe();
    let resource = request.res.key();
    let deadline = request.timeout.map(|t| Instant::now() + t);
    let mut presenter = Presenter {
        table: request.table,
        headers_sent: false,
    };
    let mut after = match request.start {
        Start::After(version) => version,
        Start::Now | Start::InitialEvents => {
            let (items, version) = store.list(&request.res, request.filter.namespace.as_deref());
            for (_, object) in items.iter().filter(|(_, o)| request.filter.matches(o)) {
                if tx
                    .send(line("ADDED", &presenter.present(&request.res, object)))
                    .await
                    .is_err()
                {
                    return;
                }
            }
            if request.start == Start::InitialEvents
                && tx
                    .send(bookmark(&request.res, version, true))
                    .await
                    .is_err()
            {
                return;
            }
            version
        }
    };
    let mut next_bookmark = Instant::now() + request.bookmark_interval;
    loop {
        match store.events_after(&resource, after) {
            Err(error) => {
                let _ = tx.send(line("ERROR", &error.to_status())).await;
                return;
            }
            Ok((events, current)) => {
                for event in events {
                    let Some((kind, object)) = request.filter.translate(&event) else {
                        continue;
                    };
                    let object = as_version(&request.res, &object);
                    if tx
                        .send(line(
                            kind.as_str(),
                            &presenter.present(&request.res, &object),
                        ))
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
                after = current;
            }
        }
        let far = Instant::now() + Duration::from_secs(86_400);
        tokio::select! {
            result = changed.changed() => {
                if result.is_err() {
                    return;
                }
            }
            () = tokio::time::sleep_until(next_bookmark), if request.bookmarks => {
                if tx.send(bookmark(&request.res, after, false)).await.is_err() {
                    return;
                }
                next_bookmark = Instant::now() + request.bookmark_interval;
            }
            () = tokio::time::sleep_until(deadline.unwrap_or(far)), if deadline.is_some() => return,
            result = request.stopping.changed() => {
                if result.is_err() || *request.stopping.borrow() {
                    return;
                }
            }
            () = tx.closed() => return,
        }
    }
}

#[cfg(test)]
mod tests;
