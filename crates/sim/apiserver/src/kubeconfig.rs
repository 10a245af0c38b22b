//! A kubeconfig for the simulated API server, in the YAML subset kubectl and kube-rs read
//! (written by hand: every value is a plain scalar we control, quoted where YAML could misread it).

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The names used inside the kubeconfig.
pub const CLUSTER_NAME: &str = "lbgate-sim";

/// A bearer token the server accepts without checking: with no credentials at all, kubectl asks
/// for a username on HTTPS.
pub const TOKEN: &str = "lbgate-sim";

/// A kubeconfig pointing at `server`; `ca_pem` is the server certificate's CA for HTTPS.
pub fn render(server: &str, ca_pem: Option<&str>) -> String {
    let cluster_auth = match ca_pem {
        Some(pem) => format!(
            "    certificate-authority-data: {}\n",
            STANDARD.encode(pem.as_bytes())
        ),
        None => String::new(),
    };
    format!(
        "apiVersion: v1\n\
         kind: Config\n\
         clusters:\n\
         - name: {CLUSTER_NAME}\n  cluster:\n    server: \"{server}\"\n{cluster_auth}\
         users:\n\
         - name: {CLUSTER_NAME}\n  user:\n    token: {TOKEN}\n\
         contexts:\n\
         - name: {CLUSTER_NAME}\n  context:\n    cluster: {CLUSTER_NAME}\n    user: {CLUSTER_NAME}\n    namespace: default\n\
         current-context: {CLUSTER_NAME}\n\
         preferences: {{}}\n"
    )
}

/// Writes the kubeconfig to `path`, creating its directory.
pub fn write(path: &Path, server: &str, ca_pem: Option<&str>) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, render(server, ca_pem))
}

#[cfg(test)]
mod tests;
