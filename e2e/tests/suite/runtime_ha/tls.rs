//! Talking to one webhook replica directly, as the API server does: HTTPS to its address with
//! the Service's DNS name, trusting only a given caBundle. Shows which certificate a replica
//! serves and whether that bundle verifies it.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::{Value, json};

/// The answer of one call.
#[derive(Debug)]
pub struct Answer {
    /// DER of the certificate the replica served.
    pub certificate: Vec<u8>,
    pub status: u16,
    pub body: Value,
}

/// POSTs `body` to `path` of the replica at `addr`, verifying its certificate for `host` against
/// the PEM certificates of `bundle` only.
pub async fn post(
    addr: SocketAddr,
    host: &str,
    bundle: &[u8],
    path: &str,
    body: &Value,
) -> anyhow::Result<Answer> {
    let host = host.to_owned();
    let bundle = bundle.to_vec();
    let path = path.to_owned();
    let body = body.to_string();
    tokio::task::spawn_blocking(move || post_blocking(addr, &host, &bundle, &path, &body))
        .await
        .context("the TLS call panicked")?
}

fn post_blocking(
    addr: SocketAddr,
    host: &str,
    bundle: &[u8],
    path: &str,
    body: &str,
) -> anyhow::Result<Answer> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(bundle) {
        roots
            .add(cert.context("caBundle holds a bad PEM block")?)
            .context("caBundle certificate refused as a root")?;
    }
    if roots.is_empty() {
        bail!("caBundle holds no certificate");
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = ServerName::try_from(host.to_owned())?;
    let connection = rustls::ClientConnection::new(Arc::new(config), name)?;
    let socket = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    socket.set_read_timeout(Some(Duration::from_secs(5)))?;
    socket.set_write_timeout(Some(Duration::from_secs(5)))?;
    let mut tls = rustls::StreamOwned::new(connection, socket);
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    tls.write_all(request.as_bytes())
        .with_context(|| format!("TLS to {addr} as {host}"))?;
    let mut raw = Vec::new();
    match tls.read_to_end(&mut raw) {
        Ok(_) => {}
        // A server that closes without close_notify still sent the whole answer.
        Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => {}
        Err(error) => return Err(error).with_context(|| format!("reading from {addr}")),
    }
    let certificate = tls
        .conn
        .peer_certificates()
        .and_then(|certs| certs.first())
        .map(|cert| cert.as_ref().to_vec())
        .context("no server certificate")?;
    let text = String::from_utf8_lossy(&raw);
    let (head, payload) = text.split_once("\r\n\r\n").context("no HTTP head")?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .context("no HTTP status")?;
    let body = serde_json::from_str(payload.trim()).unwrap_or(Value::String(payload.to_owned()));
    Ok(Answer {
        certificate,
        status,
        body,
    })
}

/// An AdmissionReview of a pod CREATE in `namespace`, as the API server sends it.
pub fn pod_review(uid: &str, namespace: &str, labels: &Value) -> Value {
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": namespace,
            "operation": "CREATE",
            "userInfo": {"username": "e2e"},
            "dryRun": true,
            "object": {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"generateName": "probe-", "namespace": namespace, "labels": labels},
                "spec": {"containers": [{"name": "app", "image": "web:v1"}]},
            },
        },
    })
}

/// The JSONPatch of an AdmissionReview answer, decoded.
pub fn patch_of(review: &Value) -> Vec<Value> {
    // k8s-openapi's ByteString reads base64, as the API server's patch field is.
    review
        .pointer("/response/patch")
        .cloned()
        .and_then(|b64| serde_json::from_value::<k8s_openapi::ByteString>(b64).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes.0).ok())
        .unwrap_or_default()
}
