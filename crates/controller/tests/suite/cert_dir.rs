//! `--webhook-cert-dir`: the webhook serves `tls.crt`/`tls.key` from a directory and picks up a
//! replaced pair without a restart; a broken pair keeps the last good certificate.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lbgate_controller::webhook::serve::WebhookServer;
use lbgate_controller::webhook::tls::{CertDir, CertSlot, server_config};
use lbgate_sim_apiserver::tls::{ServingCert, client_config_trusting};
use lbgate_testkit::eventually;
use rustls::pki_types::ServerName;
use tokio_util::sync::CancellationToken;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lbgate-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &std::path::Path, cert: &ServingCert) {
    std::fs::write(dir.join("tls.crt"), cert.cert_pem()).unwrap();
    std::fs::write(dir.join("tls.key"), cert.key_pem()).unwrap();
}

/// Whether a client trusting only `ca` completes a handshake (TLS 1.3 expected).
async fn handshake(addr: SocketAddr, ca: &ServingCert) -> bool {
    let config = client_config_trusting(ca.ca_pem()).unwrap();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let Ok(tcp) = tokio::net::TcpStream::connect(addr).await else {
        return false;
    };
    match connector
        .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp)
        .await
    {
        Ok(stream) => {
            assert_eq!(
                stream.get_ref().1.protocol_version(),
                Some(rustls::ProtocolVersion::TLSv1_3)
            );
            true
        }
        Err(_) => false,
    }
}

#[tokio::test]
async fn a_replaced_certificate_is_served_without_a_restart() {
    let dir = temp_dir("certdir");
    let first = ServingCert::self_signed(&[]).unwrap();
    let second = ServingCert::self_signed(&[]).unwrap();
    write(&dir, &first);
    let slot = CertSlot::default();
    let mut watcher = CertDir::new(dir.clone(), slot.clone());
    assert!(watcher.refresh().unwrap());
    assert!(
        !watcher.refresh().unwrap(),
        "unchanged files reload nothing"
    );
    let stop = CancellationToken::new();
    tokio::spawn(watcher.watch(Duration::from_millis(50), stop.clone()));

    let server = WebhookServer::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = server.local_addr();
    let server_stop = stop.clone();
    let served = tokio::spawn(server.serve(
        server_config(&slot).unwrap(),
        axum::Router::new(),
        async move { server_stop.cancelled().await },
    ));
    assert!(handshake(addr, &first).await);
    assert!(!handshake(addr, &second).await);

    // A key that does not match the certificate: the good pair stays.
    std::fs::write(dir.join("tls.crt"), second.cert_pem()).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        handshake(addr, &first).await,
        "a broken pair replaced the good one"
    );

    write(&dir, &second);
    let served_new = || async { handshake(addr, &second).await.then_some(()) };
    let (deadline, poll) = (Duration::from_secs(10), Duration::from_millis(50));
    eventually("the new certificate served", deadline, poll, served_new)
        .await
        .unwrap();
    assert!(!handshake(addr, &first).await);
    stop.cancel();
    served.await.unwrap().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn tls_1_2_is_still_accepted() {
    let cert = ServingCert::self_signed(&[]).unwrap();
    let slot = CertSlot::default();
    slot.install_pem(cert.cert_pem().as_bytes(), cert.key_pem().as_bytes())
        .unwrap();
    let server = WebhookServer::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = server.local_addr();
    let stop = CancellationToken::new();
    let server_stop = stop.clone();
    let served = tokio::spawn(server.serve(
        server_config(&slot).unwrap(),
        axum::Router::new(),
        async move { server_stop.cancelled().await },
    ));
    let mut roots = rustls::RootCertStore::empty();
    for der in rustls::pki_types::pem::PemObject::pem_slice_iter(cert.ca_pem().as_bytes()) {
        roots.add(der.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS12])
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let stream = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp)
        .await
        .unwrap();
    assert_eq!(
        stream.get_ref().1.protocol_version(),
        Some(rustls::ProtocolVersion::TLSv1_2)
    );
    stop.cancel();
    served.await.unwrap().unwrap();
}
