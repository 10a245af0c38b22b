//! TLS serving for the simulated API server: the real kube-rs client, configured through a
//! kubeconfig's `certificate-authority-data`, talks to an axum router behind `serve_tls`; a
//! client trusting another CA fails the handshake and the server keeps serving.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use base64::Engine as _;
use lbgate_sim_apiserver::KubeSimError;
use lbgate_sim_apiserver::tls::{self, ServingCert};
use lbgate_testkit::eventually;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const GIT_VERSION: &str = "v1.33.0-lbgate-sim-tls-test";

struct Server {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), KubeSimError>>,
}

impl Server {
    async fn start(cert: &ServingCert) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let config = cert.server_config().unwrap();
        let task = tokio::spawn(tls::serve_tls(listener, config, router(), async move {
            let _ = stopped.await;
        }));
        Self { addr, stop, task }
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .expect("serve_tls stops within 5 s")
            .expect("the server task does not panic")
            .expect("serve_tls ends without error");
    }
}

fn router() -> Router {
    Router::new().route(
        "/version",
        get(|| async {
            axum::Json(json!({
                "major": "1", "minor": "33", "gitVersion": GIT_VERSION,
                "gitCommit": "0000000", "gitTreeState": "clean",
                "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.24",
                "compiler": "gc", "platform": "linux/amd64"
            }))
        }),
    )
}

async fn kube_client(server: &str, ca_pem: &str) -> kube::Client {
    let ca_data = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    let yaml = format!(
        "apiVersion: v1
kind: Config
clusters:
- name: sim
  cluster:
    server: {server}
    certificate-authority-data: {ca_data}
users:
- name: sim
  user: {{}}
contexts:
- name: sim
  context:
    cluster: sim
    user: sim
current-context: sim
"
    );
    let kubeconfig = kube::config::Kubeconfig::from_yaml(&yaml).unwrap();
    let config = kube::Config::from_custom_kubeconfig(
        kubeconfig,
        &kube::config::KubeConfigOptions::default(),
    )
    .await
    .unwrap();
    kube::Client::try_from(config).unwrap()
}

#[tokio::test]
async fn kube_client_trusting_the_ca_talks_to_the_router() {
    let cert = ServingCert::self_signed(&[]).unwrap();
    let server = Server::start(&cert).await;
    let port = server.addr.port();

    for host in ["127.0.0.1", "localhost"] {
        let client = kube_client(&format!("https://{host}:{port}"), cert.ca_pem()).await;
        let info = client.apiserver_version().await.unwrap();
        assert_eq!(info.git_version, GIT_VERSION, "via {host}");
    }
    server.stop().await;
}

#[tokio::test]
async fn another_ca_fails_the_handshake_and_the_server_keeps_serving() {
    let cert = ServingCert::self_signed(&[]).unwrap();
    let stranger = ServingCert::self_signed(&[]).unwrap();
    assert_ne!(cert.ca_pem(), stranger.ca_pem());
    let server = Server::start(&cert).await;
    let url = format!("https://{}", server.addr);

    let wrong = kube_client(&url, stranger.ca_pem()).await;
    let error = wrong.apiserver_version().await.unwrap_err();
    let chain = error_chain(&error);
    assert!(
        chain.contains("UnknownIssuer") || chain.contains("unknown issuer"),
        "unexpected error: {chain}"
    );

    // Plain HTTP on the TLS port is another failed handshake.
    let mut plain = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    plain
        .write_all(b"GET /version HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), plain.read_to_end(&mut buf)).await;
    assert!(!String::from_utf8_lossy(&buf).contains(GIT_VERSION));

    let right = kube_client(&url, cert.ca_pem()).await;
    assert_eq!(
        right.apiserver_version().await.unwrap().git_version,
        GIT_VERSION
    );
    server.stop().await;
}

#[tokio::test]
async fn client_config_trusts_only_the_given_ca_and_the_cert_carries_the_sans() {
    let service_name = "lbc-webhook.kube-system.svc".to_owned();
    let cert = ServingCert::self_signed(std::slice::from_ref(&service_name)).unwrap();
    assert!(cert.cert_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(cert.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(cert.key_pem().starts_with("-----BEGIN PRIVATE KEY-----"));
    assert_ne!(cert.ca_pem(), cert.cert_pem());
    assert!(tls::client_config_trusting("not a certificate").is_err());

    let server = Server::start(&cert).await;
    let get = |trust: &str, host: &str| {
        let config = tls::client_config_trusting(trust).unwrap();
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(config)
            .no_proxy()
            .resolve(host, server.addr)
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        let url = format!("https://{host}/version");
        async move { client.get(url).send().await }
    };
    // The service DNS name verifies even though the socket is 127.0.0.1.
    let answer = get(cert.ca_pem(), &service_name).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert!(answer.text().await.unwrap().contains(GIT_VERSION));
    // A name the certificate does not carry fails, and so does another CA.
    assert!(get(cert.ca_pem(), "other.kube-system.svc").await.is_err());
    let stranger = ServingCert::self_signed(&[]).unwrap();
    assert!(get(stranger.ca_pem(), &service_name).await.is_err());
    server.stop().await;
}

#[tokio::test]
async fn tls13_is_preferred_tls12_accepted_and_alpn_is_http11() {
    use rustls::pki_types::ServerName;
    use rustls::pki_types::pem::PemObject as _;
    use rustls::version::{TLS12, TLS13};

    let cert = ServingCert::self_signed(&[]).unwrap();
    let server = Server::start(&cert).await;
    let cases: [(
        &[&rustls::SupportedProtocolVersion],
        rustls::ProtocolVersion,
    ); 2] = [
        (&[&TLS13, &TLS12], rustls::ProtocolVersion::TLSv1_3),
        (&[&TLS12], rustls::ProtocolVersion::TLSv1_2),
    ];
    for (versions, expected) in cases {
        let mut roots = rustls::RootCertStore::empty();
        for ca in rustls::pki_types::CertificateDer::pem_slice_iter(cert.ca_pem().as_bytes()) {
            roots.add(ca.unwrap()).unwrap();
        }
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
        let tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
        let name = ServerName::try_from("localhost").unwrap();
        let stream = connector.connect(name, tcp).await.unwrap();
        let (_, session) = stream.get_ref();
        assert_eq!(session.protocol_version(), Some(expected));
        assert_eq!(session.alpn_protocol(), Some(&b"http/1.1"[..]));
    }
    server.stop().await;
}

#[tokio::test]
async fn shutdown_stops_accepting() {
    let cert = ServingCert::self_signed(&[]).unwrap();
    let server = Server::start(&cert).await;
    let addr = server.addr;
    server.stop().await;
    let refused = eventually(
        "the port to refuse connections",
        Duration::from_secs(2),
        Duration::from_millis(20),
        async || tokio::net::TcpStream::connect(addr).await.err(),
    )
    .await;
    assert!(
        refused.is_ok(),
        "the port still accepts connections after shutdown"
    );
}

fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = format!("{error:?}");
    let mut current = error.source();
    while let Some(cause) = current {
        text.push_str(&format!(" / {cause}"));
        current = cause.source();
    }
    text
}
