//! The HTTPS POST of an AdmissionReview to a webhook: endpoint from `clientConfig.url` or
//! `clientConfig.service` (resolved to one local address per call by a [`ServiceResolver`], the
//! certificate still verified for `<name>.<namespace>.svc`), trust from `caBundle` only, and the
//! webhook's timeout.
//!
//! Failures come back as the reason text kube-apiserver puts after `failed calling webhook
//! "<name>": `, with Go's wording for the common cases (unknown authority, deadline, refused).

use std::net::SocketAddr;
use std::time::Duration;

use base64::Engine as _;
use rustls::RootCertStore;

use super::config::{ClientConfig, Webhook};
use super::services::ServiceResolver;
use crate::tls;

/// Where a call goes.
struct Endpoint {
    /// The URL reqwest requests (a service URL without its port: the mapped address has it).
    request_url: String,
    /// The URL as kube-apiserver prints it in errors.
    shown_url: String,
    /// `(service DNS name, local address)` for a resolved service.
    resolve: Option<(String, SocketAddr)>,
    /// Why the service could not be resolved: the dial fails with this.
    unresolved: Option<String>,
}

/// Posts `body` to the webhook and returns the answer's body (2xx only).
pub(super) async fn post(
    hook: &Webhook,
    body: Vec<u8>,
    timeout: Duration,
    services: &dyn ServiceResolver,
) -> Result<Vec<u8>, String> {
    let endpoint = endpoint(&hook.client_config, timeout, services)?;
    let failed = |reason: String| {
        format!(
            "failed to call webhook: Post {:?}: {reason}",
            endpoint.shown_url
        )
    };
    if let Some(reason) = &endpoint.unresolved {
        return Err(failed(reason.clone()));
    }
    let roots = trust_roots(&hook.client_config)?;
    let tls_config = tls::client_config_with_roots(roots)
        .map_err(|e| format!("could not get REST client: {e}"))?;
    let mut builder = reqwest::Client::builder()
        .use_preconfigured_tls(tls_config)
        .no_proxy()
        .timeout(timeout)
        .connect_timeout(timeout);
    if let Some((host, addr)) = &endpoint.resolve {
        builder = builder.resolve(host, *addr);
    }
    let client = builder
        .build()
        .map_err(|e| format!("could not get REST client: {e}"))?;
    let exchange = async {
        let response = client
            .post(&endpoint.request_url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT, "application/json, */*")
            .body(body)
            .send()
            .await?;
        let status = response.status();
        let bytes = response.bytes().await?;
        Ok::<_, reqwest::Error>((status, bytes))
    };
    let (status, bytes) = match tokio::time::timeout(timeout, exchange).await {
        Err(_) => return Err(failed("context deadline exceeded".to_owned())),
        Ok(Err(error)) if error.is_timeout() => {
            return Err(failed("context deadline exceeded".to_owned()));
        }
        Ok(Err(error)) => return Err(failed(describe(&error, &endpoint))),
        Ok(Ok(answer)) => answer,
    };
    if !status.is_success() {
        return Err(format!(
            "failed to call webhook: {}",
            status_error(status.as_u16(), &bytes)
        ));
    }
    Ok(bytes.to_vec())
}

fn endpoint(
    config: &ClientConfig,
    timeout: Duration,
    services: &dyn ServiceResolver,
) -> Result<Endpoint, String> {
    let query = format!("?timeout={}s", timeout.as_secs());
    if let Some(url) = config.url.as_deref().filter(|u| !u.is_empty()) {
        let parsed =
            reqwest::Url::parse(url).map_err(|e| format!("could not get REST client: {e}"))?;
        if parsed.scheme() != "https" {
            return Err(format!(
                "could not get REST client: webhook URL {url:?} must use https"
            ));
        }
        let full = format!("{url}{query}");
        return Ok(Endpoint {
            request_url: full.clone(),
            shown_url: full,
            resolve: None,
            unresolved: None,
        });
    }
    let Some(service) = &config.service else {
        return Err("could not get REST client: webhook has no url or service".to_owned());
    };
    let host = format!("{}.{}.svc", service.name, service.namespace);
    let port = service.port.unwrap_or(443);
    let path = service.path.clone().unwrap_or_default();
    let shown_url = format!("https://{host}:{port}{path}{query}");
    let request_path = if path.is_empty() { "/" } else { path.as_str() };
    // No port in the request URL: reqwest then connects to the mapped address's own port.
    let request_url = format!("https://{host}{request_path}{query}");
    // Resolved for every call, as kube-apiserver's dialer does: replicas share the calls.
    let (resolve, unresolved) = match services.candidates(&service.namespace, &service.name, port) {
        Ok(candidates) => {
            let index = services.pick(candidates.len());
            match candidates.get(index).or(candidates.first()) {
                Some(addr) => (Some((host, *addr)), None),
                None => (None, Some(super::services::not_found(&service.name))),
            }
        }
        Err(reason) => (None, Some(reason)),
    };
    Ok(Endpoint {
        request_url,
        shown_url,
        resolve,
        unresolved,
    })
}

/// The `caBundle` certificates; without one nothing is trusted (the simulator has no system
/// roots a real webhook certificate could chain to).
fn trust_roots(config: &ClientConfig) -> Result<RootCertStore, String> {
    let Some(bundle) = config.ca_bundle.as_deref().filter(|b| !b.is_empty()) else {
        return Ok(RootCertStore::empty());
    };
    let pem = base64::engine::general_purpose::STANDARD
        .decode(bundle.trim())
        .map_err(|e| format!("could not get REST client: caBundle is not base64: {e}"))?;
    let pem = String::from_utf8_lossy(&pem);
    tls::root_store(&pem).map_err(|_| {
        "could not get REST client: unable to load root certificates: unable to parse bytes as PEM block"
            .to_owned()
    })
}

/// Go's text for the innermost cause of a failed request.
fn describe(error: &reqwest::Error, endpoint: &Endpoint) -> String {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    let mut innermost = error.to_string();
    while let Some(cause) = current {
        if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
            return tls_text(tls);
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            let target = match &endpoint.resolve {
                Some((_, addr)) => addr.to_string(),
                None => error
                    .url()
                    .and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?)))
                    .unwrap_or_default(),
            };
            return format!("dial tcp {target}: connect: connection refused");
        }
        innermost = cause.to_string();
        current = next_cause(cause);
    }
    innermost
}

/// The next error down the chain. An `io::Error` wrapping another error reports that error's
/// source, skipping the wrapped error itself (where hyper keeps rustls's), so look inside.
fn next_cause<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a (dyn std::error::Error + 'static)> {
    if let Some(inner) = error
        .downcast_ref::<std::io::Error>()
        .and_then(std::io::Error::get_ref)
    {
        return Some(inner);
    }
    error.source()
}

fn tls_text(error: &rustls::Error) -> String {
    use rustls::CertificateError;
    let verify = "tls: failed to verify certificate: x509:";
    match error {
        // A bad signature means a trusted CA shares the issuer's name but did not sign it.
        rustls::Error::InvalidCertificate(
            CertificateError::UnknownIssuer | CertificateError::BadSignature,
        ) => {
            format!("{verify} certificate signed by unknown authority")
        }
        rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
            expected,
            ..
        }) => format!(
            "{verify} certificate is not valid for {}",
            expected.to_str()
        ),
        rustls::Error::InvalidCertificate(CertificateError::NotValidForName) => {
            format!("{verify} certificate is not valid for the requested name")
        }
        rustls::Error::InvalidCertificate(
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. },
        ) => format!("{verify} certificate has expired or is not yet valid"),
        rustls::Error::AlertReceived(alert) => format!("remote error: tls: {alert:?}"),
        other => format!("tls: {other}"),
    }
}

/// What client-go reports for a non-2xx answer that is not a `Status`.
fn status_error(code: u16, body: &[u8]) -> String {
    if let Ok(status) = serde_json::from_slice::<serde_json::Value>(body)
        && status.get("kind").and_then(|k| k.as_str()) == Some("Status")
        && let Some(message) = status.get("message").and_then(|m| m.as_str())
    {
        return message.to_owned();
    }
    let text = String::from_utf8_lossy(body);
    match code {
        404 => "the server could not find the requested resource".to_owned(),
        500 => format!(
            "an error on the server ({:?}) has prevented the request from succeeding",
            text.trim()
        ),
        503 => "the server is currently unable to handle the request".to_owned(),
        504 => "the server was unable to return a response in the time allotted, but may still be processing the request".to_owned(),
        _ => format!(
            "the server responded with the status code {code} but did not return more information"
        ),
    }
}
