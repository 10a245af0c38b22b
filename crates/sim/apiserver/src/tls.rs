//! TLS for the simulated API server: a self-signed serving certificate (rcgen, aws-lc-rs) and an
//! axum listener that terminates TLS (tokio-rustls).
//!
//! Everything here pins the aws-lc-rs provider explicitly instead of relying on the process-wide
//! default, so the simulator works whether or not another crate (kube-rs, the AWS SDK) installed
//! one first.

mod serve;

use std::sync::Arc;

use base64::Engine as _;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ClientConfig, RootCertStore, ServerConfig};

pub use serve::serve_tls;

/// The ALPN protocol both sides speak: axum is built with HTTP/1 only, and kube-rs and kubectl
/// fall back to it when the server does not offer `h2`.
const HTTP11: &[u8] = b"http/1.1";

/// Names every serving certificate carries, so that local clients can reach it by address or name.
const LOCAL_NAMES: [&str; 2] = ["127.0.0.1", "localhost"];

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// rcgen could not build or sign a certificate (e.g. an invalid DNS name).
    #[error("generating a certificate: {source}")]
    CertGeneration {
        #[source]
        source: rcgen::Error,
    },
    /// The PEM text held no certificate, or a block did not parse.
    #[error("reading PEM certificates: {message}")]
    InvalidPem { message: String },
    /// rustls refused the configuration (e.g. a key that does not match the certificate).
    #[error("building the TLS configuration: {source}")]
    Config {
        #[source]
        source: rustls::Error,
    },
}

/// A CA and a serving certificate it signed, valid for `127.0.0.1`, `localhost` and the DNS names
/// given to [`ServingCert::self_signed`].
#[derive(Clone)]
pub struct ServingCert {
    ca_pem: String,
    cert_pem: String,
    key_pem: String,
    cert_der: CertificateDer<'static>,
    key_der: Vec<u8>,
}

impl std::fmt::Debug for ServingCert {
    // The private key stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServingCert")
            .field("ca_pem", &self.ca_pem)
            .field("cert_pem", &self.cert_pem)
            .finish_non_exhaustive()
    }
}

impl ServingCert {
    /// Generates a fresh CA and a leaf certificate for `127.0.0.1`, `localhost` and `sans` (DNS
    /// names or IP addresses, e.g. `webhook.kube-system.svc`).
    pub fn self_signed(sans: &[String]) -> Result<Self, TlsError> {
        let gen_err = |source| TlsError::CertGeneration { source };

        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(gen_err)?;
        // A CA name of its own: with a shared name, a client trusting another simulator's CA
        // would see a bad signature instead of an unknown issuer.
        ca_params.distinguished_name.push(
            DnType::CommonName,
            format!("lbgate-sim CA {:016x}", unique_suffix()),
        );
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_key = KeyPair::generate().map_err(gen_err)?;
        let ca = CertifiedIssuer::self_signed(ca_params, ca_key).map_err(gen_err)?;

        let mut names: Vec<String> = LOCAL_NAMES.iter().map(|n| (*n).to_owned()).collect();
        for san in sans {
            if !names.contains(san) {
                names.push(san.clone());
            }
        }
        let common_name = sans.first().map_or("localhost", String::as_str).to_owned();
        let mut leaf_params = CertificateParams::new(names).map_err(gen_err)?;
        leaf_params.distinguished_name = rcgen::DistinguishedName::new();
        leaf_params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        leaf_params.is_ca = IsCa::ExplicitNoCa;
        leaf_params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        leaf_params.use_authority_key_identifier_extension = true;
        let leaf_key = KeyPair::generate().map_err(gen_err)?;
        let leaf = leaf_params.signed_by(&leaf_key, &*ca).map_err(gen_err)?;

        Ok(Self {
            ca_pem: ca.pem(),
            cert_pem: leaf.pem(),
            key_pem: leaf_key.serialize_pem(),
            cert_der: leaf.der().clone(),
            key_der: leaf_key.serialize_der(),
        })
    }

    /// The CA certificate (PEM): what clients trust (`certificate-authority-data`, `caBundle`).
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The CA certificate as base64 of its PEM text, the encoding of a kubeconfig's
    /// `certificate-authority-data` and a webhook's `caBundle`.
    pub fn ca_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.ca_pem.as_bytes())
    }

    /// The serving (leaf) certificate (PEM).
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The serving certificate's private key (PKCS#8 PEM).
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// A rustls server configuration presenting this certificate.
    pub fn server_config(&self) -> Result<Arc<ServerConfig>, TlsError> {
        let key = PrivateKeyDer::Pkcs8(self.key_der.clone().into());
        server_config(vec![self.cert_der.clone()], key).map(Arc::new)
    }

    /// A rustls client configuration trusting only this certificate's CA.
    pub fn client_config(&self) -> Result<ClientConfig, TlsError> {
        client_config_trusting(&self.ca_pem)
    }
}

fn unique_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u8(0);
    hasher.finish()
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A server configuration: TLS 1.3 preferred, TLS 1.2 accepted, no client certificates, ALPN
/// `http/1.1`.
pub fn server_config(
    cert_chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<ServerConfig, TlsError> {
    let config_err = |source| TlsError::Config { source };
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(config_err)?
        .with_no_client_auth()
        .with_single_cert(cert_chain, key)
        .map_err(config_err)?;
    config.alpn_protocols = vec![HTTP11.to_vec()];
    Ok(config)
}

/// A client configuration whose only trust anchors are the certificates in `ca_pem`.
pub fn client_config_trusting(ca_pem: &str) -> Result<ClientConfig, TlsError> {
    client_config_with_roots(root_store(ca_pem)?)
}

/// A client configuration trusting `roots` (possibly none: every handshake then fails with an
/// unknown issuer, as Go does for a webhook without a usable `caBundle` and an unknown CA).
pub(crate) fn client_config_with_roots(roots: RootCertStore) -> Result<ClientConfig, TlsError> {
    let mut config = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|source| TlsError::Config { source })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![HTTP11.to_vec()];
    Ok(config)
}

/// Parses every certificate of `pem` into a root store; at least one is required.
pub(crate) fn root_store(pem: &str) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        let cert = cert.map_err(|e| TlsError::InvalidPem {
            message: e.to_string(),
        })?;
        roots
            .add(cert)
            .map_err(|source| TlsError::Config { source })?;
    }
    if roots.is_empty() {
        return Err(TlsError::InvalidPem {
            message: "no certificate found".to_owned(),
        });
    }
    Ok(roots)
}
