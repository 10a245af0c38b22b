//! Self-managed webhook certificates: a CA of our own and a serving certificate for
//! `<service>.<namespace>.svc`, kept in one Secret so every replica serves the same pair, and
//! the CA bundle written into our webhook configurations.
//!
//! Rotation never lets the API server meet an unknown authority: a new CA is first added to the
//! bundle next to the current one and published to the webhook configurations; only after
//! `overlap` has passed does the serving certificate switch to one the new CA signed. The old CA
//! stays in the bundle until the next rotation replaces it.
//!
//! Replicas race safely: every write of the Secret carries the resourceVersion it was computed
//! from, and a conflict means another replica moved first, so this one re-reads.
//!
//! RBAC: `get`, `create`, `update` on Secrets in the webhook Service's namespace (a Role, not a
//! ClusterRole), and `get`, `update` on our Mutating/ValidatingWebhookConfigurations.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::ByteString;
use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, ValidatingWebhookConfiguration, WebhookClientConfig,
};
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::jiff::Timestamp;
use kube::api::{ObjectMeta, PostParams};
use kube::{Api, Client};

use super::ca::{Ca, issue, new_ca};
use super::tls::CertSlot;
use crate::error::{Error, is_not_found, kube_call};

use lbgate_api::consts::{
    MUTATING_WEBHOOK_CONFIGURATION_NAME, SECRET_KEY_BUNDLE as BUNDLE,
    SECRET_KEY_CA_CERT as CA_CERT, SECRET_KEY_CA_KEY as CA_KEY, SECRET_KEY_CA_NAME as CA_NAME,
    SECRET_KEY_ISSUED_AT as ISSUED_AT, SECRET_KEY_NEXT_CA_CERT as NEXT_CA_CERT,
    SECRET_KEY_NEXT_CA_KEY as NEXT_CA_KEY, SECRET_KEY_NEXT_CA_NAME as NEXT_CA_NAME,
    SECRET_KEY_NEXT_PUBLISHED_AT as NEXT_PUBLISHED_AT, SECRET_KEY_TLS_CERT as TLS_CERT,
    SECRET_KEY_TLS_KEY as TLS_KEY, VALIDATING_WEBHOOK_CONFIGURATION_NAME,
};

/// Settings of the self-managed mode.
#[derive(Clone, Debug)]
pub struct SelfManagedConfig {
    pub service_name: String,
    pub service_namespace: String,
    /// The Secret that holds everything.
    pub secret_name: String,
    pub mutating_configurations: Vec<String>,
    pub validating_configurations: Vec<String>,
    /// Start a rotation when the serving certificate is this old.
    pub rotate_after: Duration,
    /// Time for the API servers to pick up a new bundle before the certificate switches.
    pub overlap: Duration,
    /// Validity of CAs and serving certificates (longer than two rotations).
    pub validity: Duration,
    /// Extra subject names (tests add `127.0.0.1`).
    pub extra_names: Vec<String>,
    pub kube_timeout: Duration,
}

impl SelfManagedConfig {
    /// The defaults: rotation every 30 days, one hour of overlap, one year of validity.
    pub fn new(service_name: &str, service_namespace: &str) -> Self {
        Self {
            service_name: service_name.to_owned(),
            service_namespace: service_namespace.to_owned(),
            secret_name: format!("{service_name}-tls"),
            mutating_configurations: vec![MUTATING_WEBHOOK_CONFIGURATION_NAME.to_owned()],
            validating_configurations: vec![VALIDATING_WEBHOOK_CONFIGURATION_NAME.to_owned()],
            rotate_after: crate::config::DEFAULT_CERT_ROTATE_AFTER,
            overlap: crate::config::DEFAULT_CERT_OVERLAP,
            validity: crate::config::CERT_VALIDITY,
            extra_names: Vec::new(),
            kube_timeout: Duration::from_secs(15),
        }
    }

    fn dns_names(&self) -> Vec<String> {
        let (svc, ns) = (&self.service_name, &self.service_namespace);
        let mut names = vec![
            format!("{svc}.{ns}.svc"),
            format!("{svc}.{ns}.svc.cluster.local"),
            format!("{svc}.{ns}"),
            svc.clone(),
        ];
        names.extend(self.extra_names.iter().cloned());
        names
    }
}

/// Puts `bundle` in every client config that lacks it; whether anything changed.
fn set_bundle<'a>(
    configs: impl Iterator<Item = &'a mut WebhookClientConfig>,
    bundle: &ByteString,
) -> bool {
    let mut changed = false;
    for config in configs {
        if config.ca_bundle.as_ref() != Some(bundle) {
            config.ca_bundle = Some(bundle.clone());
            changed = true;
        }
    }
    changed
}

fn text(data: &BTreeMap<String, ByteString>, key: &str) -> Option<String> {
    data.get(key)
        .and_then(|bytes| String::from_utf8(bytes.0.clone()).ok())
}

fn put(data: &mut BTreeMap<String, ByteString>, key: &str, value: &str) {
    data.insert(key.to_owned(), ByteString(value.as_bytes().to_vec()));
}

fn ca_from(data: &BTreeMap<String, ByteString>, cert: &str, key: &str, name: &str) -> Option<Ca> {
    Some(Ca {
        name: text(data, name)?,
        cert_pem: text(data, cert)?,
        key_pem: text(data, key)?,
    })
}

fn stamp(data: &BTreeMap<String, ByteString>, key: &str) -> Option<Timestamp> {
    text(data, key)?.parse().ok()
}

/// Attempts of one [`SelfManaged::sync`] when replicas collide.
const SYNC_ATTEMPTS: u32 = 4;

/// Another writer changed the Secret or a webhook configuration since it was read.
fn is_conflict(error: &Error) -> bool {
    matches!(
        error,
        Error::CertificateStore { source: kube::Error::Api(status), .. } if status.code == 409
    )
}

/// The self-managed certificate authority of one replica.
pub struct SelfManaged {
    client: Client,
    config: SelfManagedConfig,
    slot: CertSlot,
}

impl SelfManaged {
    pub fn new(client: Client, config: SelfManagedConfig, slot: CertSlot) -> Self {
        Self {
            client,
            config,
            slot,
        }
    }

    fn secrets(&self) -> Api<Secret> {
        Api::namespaced(self.client.clone(), &self.config.service_namespace)
    }

    fn store_err(&self, source: kube::Error) -> Error {
        Error::CertificateStore {
            object: format!(
                "Secret {}/{}",
                self.config.service_namespace, self.config.secret_name
            ),
            source,
        }
    }

    fn fresh_data(&self, now: Timestamp) -> Result<BTreeMap<String, ByteString>, Error> {
        let ca = new_ca(now, self.config.validity)?;
        let (cert, key) = issue(&ca, self.config.dns_names(), now, self.config.validity)?;
        let mut data = BTreeMap::new();
        put(&mut data, CA_CERT, &ca.cert_pem);
        put(&mut data, CA_KEY, &ca.key_pem);
        put(&mut data, CA_NAME, &ca.name);
        put(&mut data, BUNDLE, &ca.cert_pem);
        put(&mut data, TLS_CERT, &cert);
        put(&mut data, TLS_KEY, &key);
        put(&mut data, ISSUED_AT, &now.to_string());
        Ok(data)
    }

    /// The next state of the Secret's data, or `None` when nothing is due. `bundle_published`
    /// says the current bundle is in every webhook configuration.
    fn advance(
        &self,
        data: &BTreeMap<String, ByteString>,
        now: Timestamp,
    ) -> Result<Option<BTreeMap<String, ByteString>>, Error> {
        let Some(current) = ca_from(data, CA_CERT, CA_KEY, CA_NAME) else {
            return self.fresh_data(now).map(Some);
        };
        if text(data, TLS_CERT).is_none() || text(data, TLS_KEY).is_none() {
            return self.fresh_data(now).map(Some);
        }
        let since = |at: Option<Timestamp>| {
            at.map_or(Duration::MAX, |at| {
                Duration::from_millis(
                    u64::try_from(now.as_millisecond().saturating_sub(at.as_millisecond()))
                        .unwrap_or(0),
                )
            })
        };
        let mut next = data.clone();
        if let Some(next_ca) = ca_from(data, NEXT_CA_CERT, NEXT_CA_KEY, NEXT_CA_NAME) {
            if since(stamp(data, NEXT_PUBLISHED_AT)) < self.config.overlap {
                return Ok(None);
            }
            // The bundle with the new CA has been out for `overlap`: switch.
            let (cert, key) = issue(&next_ca, self.config.dns_names(), now, self.config.validity)?;
            put(&mut next, CA_CERT, &next_ca.cert_pem);
            put(&mut next, CA_KEY, &next_ca.key_pem);
            put(&mut next, CA_NAME, &next_ca.name);
            put(&mut next, TLS_CERT, &cert);
            put(&mut next, TLS_KEY, &key);
            put(&mut next, ISSUED_AT, &now.to_string());
            for key in [NEXT_CA_CERT, NEXT_CA_KEY, NEXT_CA_NAME, NEXT_PUBLISHED_AT] {
                next.remove(key);
            }
            return Ok(Some(next));
        }
        if since(stamp(data, ISSUED_AT)) < self.config.rotate_after {
            return Ok(None);
        }
        let fresh = new_ca(now, self.config.validity)?;
        put(&mut next, NEXT_CA_CERT, &fresh.cert_pem);
        put(&mut next, NEXT_CA_KEY, &fresh.key_pem);
        put(&mut next, NEXT_CA_NAME, &fresh.name);
        put(
            &mut next,
            BUNDLE,
            &format!("{}{}", fresh.cert_pem, current.cert_pem),
        );
        put(&mut next, NEXT_PUBLISHED_AT, &now.to_string());
        Ok(Some(next))
    }

    /// One step: read (or create) the Secret, publish its bundle, advance a due rotation,
    /// publish again, and serve the Secret's certificate.
    ///
    /// Replicas starting or rotating together write the same objects; a conflict means another
    /// one moved first, so the step starts over from the Secret as it now is (a few times)
    /// rather than leave this replica unready, or on its old certificate, for a whole refresh
    /// interval. Starting over, not re-applying, so a bundle older than the Secret's is never
    /// written back.
    pub async fn sync(&self, now: Timestamp) -> Result<(), Error> {
        let mut attempt = 1;
        loop {
            match self.sync_once(now).await {
                Err(error) if attempt < SYNC_ATTEMPTS && is_conflict(&error) => {
                    tracing::debug!(attempt, "certificate objects changed under us; re-reading");
                    attempt += 1;
                }
                outcome => return outcome,
            }
        }
    }

    async fn sync_once(&self, now: Timestamp) -> Result<(), Error> {
        let timeout = self.config.kube_timeout;
        let api = self.secrets();
        let name = &self.config.secret_name;
        let mut secret = match kube_call("get Secret", timeout, api.get(name)).await? {
            Ok(secret) => secret,
            Err(error) if is_not_found(&error) => {
                let secret = Secret {
                    metadata: ObjectMeta {
                        name: Some(name.clone()),
                        namespace: Some(self.config.service_namespace.clone()),
                        labels: Some(BTreeMap::from([(
                            lbgate_api::consts::MANAGED_BY_LABEL.to_owned(),
                            lbgate_api::consts::MANAGED_BY_VALUE.to_owned(),
                        )])),
                        ..ObjectMeta::default()
                    },
                    type_: Some("kubernetes.io/tls".to_owned()),
                    data: Some(self.fresh_data(now)?),
                    ..Secret::default()
                };
                let created = kube_call(
                    "create Secret",
                    timeout,
                    api.create(&PostParams::default(), &secret),
                )
                .await?;
                match created {
                    Ok(secret) => secret,
                    // Another replica created it first: use theirs.
                    Err(kube::Error::Api(status)) if status.code == 409 => {
                        kube_call("get Secret", timeout, api.get(name))
                            .await?
                            .map_err(|e| self.store_err(e))?
                    }
                    Err(error) => return Err(self.store_err(error)),
                }
            }
            Err(error) => return Err(self.store_err(error)),
        };
        let data = secret.data.clone().unwrap_or_default();
        if text(&data, BUNDLE).is_some() {
            self.publish_bundle(&data).await?;
        }
        if let Some(next) = self.advance(&data, now)? {
            secret.data = Some(next);
            let replaced = kube_call(
                "replace Secret",
                timeout,
                api.replace(name, &PostParams::default(), &secret),
            )
            .await?;
            secret = replaced.map_err(|e| self.store_err(e))?;
            self.publish_bundle(&secret.data.clone().unwrap_or_default())
                .await?;
        }
        let data = secret.data.unwrap_or_default();
        match (data.get(TLS_CERT), data.get(TLS_KEY)) {
            (Some(cert), Some(key)) => self.slot.install_pem(&cert.0, &key.0),
            _ => Err(Error::CertificateMissing {
                what: "the certificate Secret lacks tls.crt or tls.key".to_owned(),
            }),
        }
    }

    /// Writes `bundle.crt` as the `caBundle` of every webhook of our configurations.
    async fn publish_bundle(&self, data: &BTreeMap<String, ByteString>) -> Result<(), Error> {
        let Some(bundle) = data.get(BUNDLE) else {
            return Ok(());
        };
        let bytes = ByteString(bundle.0.clone());
        for name in &self.config.mutating_configurations {
            let api: Api<MutatingWebhookConfiguration> = Api::all(self.client.clone());
            self.update_configuration(&api, name, |config: &mut MutatingWebhookConfiguration| {
                set_bundle(
                    config
                        .webhooks
                        .iter_mut()
                        .flatten()
                        .map(|h| &mut h.client_config),
                    &bytes,
                )
            })
            .await?;
        }
        for name in &self.config.validating_configurations {
            let api: Api<ValidatingWebhookConfiguration> = Api::all(self.client.clone());
            self.update_configuration(&api, name, |config: &mut ValidatingWebhookConfiguration| {
                set_bundle(
                    config
                        .webhooks
                        .iter_mut()
                        .flatten()
                        .map(|h| &mut h.client_config),
                    &bytes,
                )
            })
            .await?;
        }
        Ok(())
    }

    async fn update_configuration<K>(
        &self,
        api: &Api<K>,
        name: &str,
        change: impl Fn(&mut K) -> bool,
    ) -> Result<(), Error>
    where
        K: kube::Resource
            + Clone
            + serde::de::DeserializeOwned
            + serde::Serialize
            + std::fmt::Debug,
    {
        let timeout = self.config.kube_timeout;
        let store_err = |source| Error::CertificateStore {
            object: format!("webhook configuration {name}"),
            source,
        };
        // A configuration that is not installed (yet) is not an error: the manifests may come
        // after the controller; the next sync publishes.
        let mut object =
            match kube_call("get webhook configuration", timeout, api.get(name)).await? {
                Ok(object) => object,
                Err(error) if is_not_found(&error) => {
                    tracing::debug!(configuration = name, "webhook configuration not installed");
                    return Ok(());
                }
                Err(error) => return Err(store_err(error)),
            };
        if !change(&mut object) {
            return Ok(());
        }
        kube_call(
            "replace webhook configuration",
            timeout,
            api.replace(name, &PostParams::default(), &object),
        )
        .await?
        .map_err(store_err)?;
        Ok(())
    }

    /// Syncs every `interval` until `shutdown`; errors are logged and retried.
    pub async fn run(self, interval: Duration, shutdown: tokio_util::sync::CancellationToken) {
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(interval) => {}
            }
            if let Err(error) = self.sync(Timestamp::now()).await {
                tracing::warn!(%error, "self-managed certificate sync failed");
            }
        }
    }
}

#[cfg(test)]
mod tests;
