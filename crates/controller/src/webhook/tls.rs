//! The webhook's serving certificate: a slot the TLS server reads on every handshake, so a new
//! certificate takes effect without a restart, and the directory mode that fills it from
//! `tls.crt`/`tls.key` (cert-manager or a mounted Secret), re-read when either file changes.
//! TLS 1.3 is preferred, 1.2 accepted; aws-lc-rs is pinned so no process default is needed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use crate::error::Error;

pub const CERT_FILE: &str = "tls.crt";
pub const KEY_FILE: &str = "tls.key";

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn cert_error(
    what: impl Into<String>,
    source: impl std::error::Error + Send + Sync + 'static,
) -> Error {
    Error::Certificate {
        what: what.into(),
        source: Box::new(source),
    }
}

/// The current serving certificate, shared by the TLS server and whoever renews it.
#[derive(Clone, Debug, Default)]
pub struct CertSlot {
    current: Arc<RwLock<Option<Arc<CertifiedKey>>>>,
}

impl CertSlot {
    /// Whether a certificate is loaded (readiness).
    pub fn loaded(&self) -> bool {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// Loads a PEM certificate chain and its private key; the old one stays on error.
    pub fn install_pem(&self, cert_pem: &[u8], key_pem: &[u8]) -> Result<(), Error> {
        let key = certified_key(cert_pem, key_pem)?;
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(key));
        Ok(())
    }
}

impl ResolvesServerCert for CertSlot {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Parses a chain and key, and checks that they belong together.
pub fn certified_key(cert_pem: &[u8], key_pem: &[u8]) -> Result<CertifiedKey, Error> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| cert_error(CERT_FILE, e))?;
    if chain.is_empty() {
        return Err(Error::CertificateMissing {
            what: format!("{CERT_FILE}: no certificate"),
        });
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| cert_error(KEY_FILE, e))?;
    let certified = CertifiedKey::from_der(chain, key, &provider())
        .map_err(|e| cert_error(format!("{CERT_FILE}/{KEY_FILE}"), e))?;
    Ok(certified)
}

/// A server configuration that asks `slot` for the certificate on every handshake.
pub fn server_config(slot: &CertSlot) -> Result<Arc<ServerConfig>, Error> {
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| cert_error("TLS versions", e))?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(slot.clone()));
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// `tls.crt`/`tls.key` in a directory, reloaded when their content changes. Content, not
/// modification time: kubelet updates a mounted Secret by swapping a symlink, which keeps
/// the times of the files it points to, and two writes within the clock's granularity look
/// the same.
#[derive(Debug)]
pub struct CertDir {
    dir: PathBuf,
    slot: CertSlot,
    seen: Option<(Vec<u8>, Vec<u8>)>,
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| cert_error(path.display().to_string(), e))
}

impl CertDir {
    pub fn new(dir: PathBuf, slot: CertSlot) -> Self {
        Self {
            dir,
            slot,
            seen: None,
        }
    }

    /// Loads the files when they changed since the last load; `Ok(true)` when reloaded.
    pub fn refresh(&mut self) -> Result<bool, Error> {
        let (cert_path, key_path) = (self.dir.join(CERT_FILE), self.dir.join(KEY_FILE));
        let pair = (read(&cert_path)?, read(&key_path)?);
        if self.seen.as_ref() == Some(&pair) {
            return Ok(false);
        }
        // A user may write the two files one after the other: a mismatched pair fails here
        // and is retried on the next poll.
        self.slot.install_pem(&pair.0, &pair.1)?;
        self.seen = Some(pair);
        tracing::info!(dir = %self.dir.display(), "loaded the webhook certificate");
        Ok(true)
    }

    /// Polls every `interval` until `shutdown`; a bad pair keeps the last good certificate.
    pub async fn watch(
        mut self,
        interval: Duration,
        shutdown: tokio_util::sync::CancellationToken,
    ) {
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(interval) => {}
            }
            if let Err(error) = self.refresh() {
                tracing::warn!(%error, "webhook certificate not reloaded; keeping the current one");
            }
        }
    }
}
