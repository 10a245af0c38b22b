//! GET, LIST (paging, selectors, resourceVersion semantics, `Table` answers) and WATCH.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::{Params, Shared, Target, ok};
use crate::selectors::{FieldSelector, LabelSelector};
use crate::status::ApiError;
use crate::table::{IncludeObject, TableOptions, render_table};
use crate::watch::{self, Filter, Start, WatchRequest};

/// Whether the client asked for a server-side `Table` (`as=Table` in `Accept`).
fn wants_table(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next()
        .is_some_and(|first| first.split(';').any(|p| p.trim() == "as=Table"))
}

fn include_object(params: &Params) -> IncludeObject {
    match params.get("includeObject") {
        Some("None") => IncludeObject::None,
        Some("Object") => IncludeObject::Object,
        _ => IncludeObject::Metadata,
    }
}

fn table_response(target: &Target, objects: &[Value], version: &str, params: &Params) -> Response {
    let custom = target
        .res
        .custom
        .then_some(target.res.printer_columns.as_slice());
    let table = render_table(
        &target.res.kind,
        objects,
        custom,
        TableOptions {
            include: include_object(params),
            list_resource_version: version,
        },
    );
    let mut response = ok(&table);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;as=Table;v=v1;g=meta.k8s.io"),
    );
    response
}

pub fn get(
    shared: &Arc<Shared>,
    target: &Target,
    params: &Params,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let name = target.name.as_deref().unwrap_or_default();
    let object = shared
        .store
        .get(&target.res, target.namespace(), name)
        .ok_or_else(|| ApiError::not_found(&target.res.group, &target.res.plural, name))?;
    if wants_table(headers) {
        let version = crate::meta::meta_str(&object, "resourceVersion").to_owned();
        return Ok(table_response(target, &[object], &version, params));
    }
    Ok(ok(&object))
}

/// The selectors of a list or watch request, as a filter.
pub(super) fn filter(target: &Target, params: &Params) -> Result<Filter, ApiError> {
    let labels = LabelSelector::parse(params.get("labelSelector").unwrap_or_default())
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let mut field_text = params.get("fieldSelector").unwrap_or_default().to_owned();
    if target.watch_path {
        // `/watch/.../<name>` watches one object.
        if let Some(name) = &target.name {
            if !field_text.is_empty() {
                field_text.push(',');
            }
            field_text.push_str(&format!("metadata.name={name}"));
        }
    }
    let fields = FieldSelector::parse(&target.res.kind, &field_text)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok(Filter {
        namespace: target.namespace.clone(),
        labels,
        fields,
    })
}

/// A continue token: the list's version and the last key returned, as kube-apiserver encodes
/// them (base64 of a small JSON document).
fn encode_continue(version: u64, namespace: &str, name: &str) -> String {
    let start = format!("{namespace}/{name}\u{0}");
    STANDARD.encode(json!({"v": "meta.k8s.io/v1", "rv": version, "start": start}).to_string())
}

fn decode_continue(token: &str) -> Result<(u64, String, String), ApiError> {
    let invalid = |why: &str| ApiError::bad_request(format!("continue key is not valid: {why}"));
    let bytes = STANDARD
        .decode(token)
        .map_err(|_| invalid("incorrect encoded start resourceVersion (version meta.k8s.io/v1)"))?;
    let doc: Value = serde_json::from_slice(&bytes)
        .map_err(|_| invalid("incorrect encoded start resourceVersion (version meta.k8s.io/v1)"))?;
    let version = doc.get("rv").and_then(Value::as_u64).ok_or_else(|| {
        invalid("incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
    })?;
    let start = doc
        .get("start")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim_end_matches('\u{0}');
    let (namespace, name) = start.split_once('/').unwrap_or(("", start));
    Ok((version, namespace.to_owned(), name.to_owned()))
}

pub fn list(
    shared: &Arc<Shared>,
    target: &Target,
    params: &Params,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let filter = filter(target, params)?;
    let (items, current) = shared.store.list(&target.res, target.namespace.as_deref());
    let continued = params.get("continue").map(decode_continue).transpose()?;
    if continued
        .as_ref()
        .is_some_and(|(version, _, _)| shared.store.is_compacted(*version))
    {
        return Err(ApiError::expired(
            "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.",
        ));
    }
    if continued.is_none() {
        check_list_version(params, current)?;
    }
    // Paged lists keep reporting the version of their first page.
    let list_version = continued.as_ref().map_or(current, |(v, _, _)| *v);
    let matching: Vec<_> = items
        .into_iter()
        .filter(|((_, ns, name), _)| {
            continued
                .as_ref()
                .is_none_or(|(_, after_ns, after_name)| (ns, name) > (after_ns, after_name))
        })
        .filter(|(_, o)| filter.matches(o))
        .collect();
    let limit = params
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0);
    let mut metadata = json!({"resourceVersion": list_version.to_string()});
    let page: Vec<_> = match limit {
        Some(limit) if matching.len() > limit => {
            let page: Vec<_> = matching.iter().take(limit).cloned().collect();
            if let Some(((_, ns, name), _)) = page.last() {
                crate::meta::set_field(
                    &mut metadata,
                    "continue",
                    json!(encode_continue(list_version, ns, name)),
                );
                crate::meta::set_field(
                    &mut metadata,
                    "remainingItemCount",
                    json!(matching.len() - limit),
                );
            }
            page
        }
        _ => matching,
    };
    let objects: Vec<Value> = page.into_iter().map(|(_, o)| o).collect();
    if wants_table(headers) {
        let mut response_table = render_table(
            &target.res.kind,
            &objects,
            target
                .res
                .custom
                .then_some(target.res.printer_columns.as_slice()),
            TableOptions {
                include: include_object(params),
                list_resource_version: &list_version.to_string(),
            },
        );
        if let (Some(token), Some(meta)) =
            (metadata.get("continue"), response_table.get_mut("metadata"))
        {
            crate::meta::set_field(meta, "continue", token.clone());
        }
        let mut response = ok(&response_table);
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json;as=Table;v=v1;g=meta.k8s.io"),
        );
        return Ok(response);
    }
    Ok(ok(&json!({
        "kind": target.res.list_kind(),
        "apiVersion": target.res.api_version(),
        "metadata": metadata,
        "items": objects,
    })))
}

/// `resourceVersion` + `resourceVersionMatch` of a list: the store only has its newest state,
/// so an `Exact` read of an older version is answered 410 as after a compaction.
fn check_list_version(params: &Params, current: u64) -> Result<(), ApiError> {
    let requested = params.get("resourceVersion");
    let matching = params.get("resourceVersionMatch");
    let Some(requested) = requested else {
        if matching.is_some() {
            return Err(ApiError::invalid("ListOptions", "meta.k8s.io", "", &[(
                "resourceVersionMatch".to_owned(),
                "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided".to_owned(),
            )]));
        }
        return Ok(());
    };
    let version: u64 = requested.parse().map_err(|_| {
        ApiError::bad_request(format!(
            "resourceVersion: Invalid value: \"{requested}\": must be a non-negative integer"
        ))
    })?;
    match matching {
        Some("Exact") if version != current => Err(ApiError::expired(
            "The resourceVersion for the provided list is too old.",
        )),
        Some("NotOlderThan") | None if version > current => Err(ApiError::new(
            504,
            "Timeout",
            format!("Too large resource version: {version}, current: {current}"),
        )),
        _ => Ok(()),
    }
}

pub fn watch(
    shared: &Arc<Shared>,
    target: &Target,
    params: &Params,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let filter = filter(target, params)?;
    shared
        .watch_requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let requested = params.get("resourceVersion");
    let start = if params.flag("sendInitialEvents") {
        if params.get("resourceVersionMatch") != Some("NotOlderThan")
            || !params.flag("allowWatchBookmarks")
        {
            return Err(ApiError::invalid("ListOptions", "meta.k8s.io", "", &[(
                "sendInitialEvents".to_owned(),
                "Forbidden: sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan and allowWatchBookmarks is true".to_owned(),
            )]));
        }
        Start::InitialEvents
    } else {
        match requested {
            None | Some("0") => Start::Now,
            Some(text) => Start::After(text.parse().map_err(|_| {
                ApiError::bad_request(format!(
                    "resourceVersion: Invalid value: \"{text}\": must be a non-negative integer"
                ))
            })?),
        }
    };
    let timeout = params
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        // 0 means "the server's default", which here is no timeout.
        .filter(|t| *t > 0)
        .map(Duration::from_secs);
    let request = WatchRequest {
        res: target.res.clone(),
        filter,
        start,
        bookmarks: params.flag("allowWatchBookmarks"),
        bookmark_interval: shared.bookmark_interval,
        timeout,
        stopping: shared.stopping.clone(),
        table: wants_table(headers).then(|| include_object(params)),
    };
    Ok(watch::serve(Arc::clone(&shared.store), request))
}
