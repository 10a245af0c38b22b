//! Request routing: discovery paths and every resource path (`/api/v1/...`,
//! `/apis/<group>/<version>/...`, namespaced or not, with `watch/` prefixes and subresources)
//! are parsed here and dispatched to the read and write handlers.

mod read;
mod write;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::sync::watch;

use super::discovery::{self, VersionInfo};
use super::resources::ResourceInfo;
use super::status::{ApiError, json_response};
use super::store::Store;

/// What every handler needs.
#[derive(Debug)]
pub struct Shared {
    pub store: Arc<Store>,
    pub bookmark_interval: Duration,
    pub version: VersionInfo,
    /// `127.0.0.1:PORT`, for `serverAddressByClientCIDRs`.
    pub address: String,
    pub stopping: watch::Receiver<bool>,
    /// WATCH requests served so far (tests observe reconnects with it).
    pub watch_requests: std::sync::atomic::AtomicU64,
}

/// A resource path, parsed.
#[derive(Debug, Clone)]
pub struct Target {
    pub res: ResourceInfo,
    /// From the URL; `None` for cluster-scoped resources and lists across namespaces.
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub subresource: Option<String>,
    /// A `/watch/` path.
    pub watch_path: bool,
}

impl Target {
    fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or_default()
    }
}

/// Query parameters (the last value of a repeated key wins).
#[derive(Debug, Clone, Default)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    pub fn parse(query: Option<&str>) -> Self {
        Self(
            form_urlencoded::parse(query.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("true" | "1"))
    }

    pub fn dry_run(&self) -> bool {
        self.get("dryRun") == Some("All")
    }
}

/// Entry point of every request the fixed routes do not take.
pub async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = Params::parse(uri.query());
    let segments: Vec<&str> = uri.path().split('/').filter(|s| !s.is_empty()).collect();
    let request = Request {
        method: &method,
        params: &params,
        headers: &headers,
        body,
    };
    match route(&shared, &segments, request).await {
        Ok(response) => response,
        Err(error) => {
            tracing::debug!(%method, path = uri.path(), code = error.code, reason = %error.reason, message = %error.message, "error answer");
            error.into_response()
        }
    }
}

/// What a request carries besides its path.
struct Request<'a> {
    method: &'a Method,
    params: &'a Params,
    headers: &'a HeaderMap,
    body: Bytes,
}

async fn route(
    shared: &Arc<Shared>,
    segments: &[&str],
    request: Request<'_>,
) -> Result<Response, ApiError> {
    let method = request.method;
    let registry = shared.store.registry();
    let (group, version, rest) = match segments {
        ["version"] => return Ok(ok(&discovery::version(&shared.version))),
        ["api"] => return Ok(ok(&discovery::api_versions(&shared.address))),
        ["apis"] => return Ok(ok(&discovery::api_group_list(&registry))),
        ["apis", group] => {
            return discovery::api_group(&registry, group)
                .map(|d| ok(&d))
                .ok_or_else(ApiError::no_route);
        }
        ["api", version, rest @ ..] => ("", *version, rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return Err(ApiError::no_route()),
    };
    if rest.is_empty() {
        if method != Method::GET {
            return Err(ApiError::method_not_allowed());
        }
        return discovery::api_resource_list(&registry, group, version)
            .map(|d| ok(&d))
            .ok_or_else(ApiError::no_route);
    }
    let (watch_path, rest) = match rest {
        ["watch", rest @ ..] => (true, rest),
        _ => (false, rest),
    };
    let (namespace, rest) = match rest {
        ["namespaces", ns, plural, rest @ ..]
            if !(rest.is_empty() && matches!(*plural, "status" | "finalize")) =>
        {
            (Some((*ns).to_owned()), rest_with(plural, rest))
        }
        _ => (
            None,
            rest.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
        ),
    };
    let (plural, name, subresource) = match rest.as_slice() {
        [plural] => (plural, None, None),
        [plural, name] => (plural, Some(name.clone()), None),
        [plural, name, sub] => (plural, Some(name.clone()), Some(sub.clone())),
        _ => return Err(ApiError::no_route()),
    };
    let res = registry
        .find(group, version, plural)
        .cloned()
        .ok_or_else(ApiError::no_route)?;
    if namespace.is_some() && !res.namespaced {
        return Err(ApiError::no_route());
    }
    if res.namespaced && namespace.is_none() && name.is_some() {
        return Err(ApiError::no_route());
    }
    if subresource
        .as_ref()
        .is_some_and(|sub| sub != "status" || !res.status_subresource)
    {
        return Err(ApiError::no_route());
    }
    let target = Target {
        res,
        namespace,
        name,
        subresource,
        watch_path,
    };
    dispatch(shared, target, request).await
}

fn rest_with(plural: &str, rest: &[&str]) -> Vec<String> {
    std::iter::once(plural)
        .chain(rest.iter().copied())
        .map(str::to_owned)
        .collect()
}

async fn dispatch(
    shared: &Arc<Shared>,
    target: Target,
    request: Request<'_>,
) -> Result<Response, ApiError> {
    let Request {
        method,
        params,
        headers,
        body,
    } = request;
    let watching = target.watch_path || params.flag("watch");
    match (method.as_str(), target.name.is_some()) {
        ("GET", _) if watching => read::watch(shared, &target, params, headers),
        ("GET", false) => read::list(shared, &target, params, headers),
        ("GET", true) => read::get(shared, &target, params, headers),
        ("POST", false) if target.namespace.is_some() || !target.res.namespaced => {
            write::create(shared, &target, params, headers, &body).await
        }
        ("PUT", true) => write::replace(shared, &target, params, headers, &body).await,
        ("PATCH", true) => write::patch(shared, &target, params, headers, &body).await,
        ("DELETE", true) => write::delete(shared, &target, params, &body).await,
        ("DELETE", false) if target.namespace.is_some() || !target.res.namespaced => {
            write::delete_collection(shared, &target, params, &body).await
        }
        _ => Err(ApiError::method_not_allowed()),
    }
}

pub fn ok(body: &Value) -> Response {
    json_response(StatusCode::OK, body)
}

/// Adds the admission webhooks' warnings as `Warning: 299 - "text"` headers.
pub fn with_warnings(mut response: Response, warnings: &[String]) -> Response {
    for warning in warnings {
        let text = format!("299 - \"{}\"", warning.replace('"', "\\\""));
        if let Ok(value) = HeaderValue::from_str(&text) {
            response.headers_mut().append("Warning", value);
        }
    }
    response
}
