//! Leader election over a `coordination.k8s.io/v1` Lease: acquire when the Lease is free or
//! expired, renew every `retry_period`, and report loss when renewal has not succeeded within
//! `renew_deadline` or someone else holds the Lease. Every write carries the resourceVersion it
//! was computed from, so two candidates never both win.

use std::time::Duration;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use k8s_openapi::jiff::Timestamp;
use kube::api::{ObjectMeta, PostParams};
use kube::{Api, Client};
use tokio_util::sync::CancellationToken;

use crate::error::{Error, is_not_found, kube_call};

/// Timings of the election (client-go's defaults: 15 s, 10 s, 2 s).
#[derive(Clone, Debug)]
pub struct LeaseConfig {
    pub name: String,
    pub namespace: String,
    /// Unique per replica (the pod name).
    pub identity: String,
    pub lease_duration: Duration,
    pub renew_deadline: Duration,
    pub retry_period: Duration,
    pub kube_timeout: Duration,
}

impl LeaseConfig {
    pub fn new(name: &str, namespace: &str, identity: &str) -> Self {
        Self {
            name: name.to_owned(),
            namespace: namespace.to_owned(),
            identity: identity.to_owned(),
            lease_duration: crate::config::DEFAULT_LEASE_DURATION,
            renew_deadline: crate::config::DEFAULT_RENEW_DEADLINE,
            retry_period: crate::config::DEFAULT_RETRY_PERIOD,
            kube_timeout: Duration::from_secs(5),
        }
    }
}

/// One candidate.
pub struct LeaderElector {
    api: Api<Lease>,
    config: LeaseConfig,
}

fn expired(spec: &LeaseSpec, now: Timestamp) -> bool {
    let Some(renewed) = spec.renew_time.as_ref().or(spec.acquire_time.as_ref()) else {
        return true;
    };
    let millis = i64::from(spec.lease_duration_seconds.unwrap_or(0)).saturating_mul(1000);
    renewed.0.as_millisecond().saturating_add(millis) < now.as_millisecond()
}

impl LeaderElector {
    pub fn new(client: Client, config: LeaseConfig) -> Self {
        Self {
            api: Api::namespaced(client, &config.namespace),
            config,
        }
    }

    pub fn config(&self) -> &LeaseConfig {
        &self.config
    }

    fn lease_err(&self, source: kube::Error) -> Error {
        Error::Lease {
            lease: format!("{}/{}", self.config.namespace, self.config.name),
            source,
        }
    }

    fn spec(&self, now: Timestamp, acquired: Option<MicroTime>, transitions: i32) -> LeaseSpec {
        LeaseSpec {
            holder_identity: Some(self.config.identity.clone()),
            lease_duration_seconds: Some(
                i32::try_from(self.config.lease_duration.as_secs()).unwrap_or(i32::MAX),
            ),
            acquire_time: Some(acquired.unwrap_or(MicroTime(now))),
            renew_time: Some(MicroTime(now)),
            lease_transitions: Some(transitions),
            ..LeaseSpec::default()
        }
    }

    /// One attempt; `Ok(true)` when this candidate holds the Lease afterwards.
    pub async fn try_acquire_or_renew(&self, now: Timestamp) -> Result<bool, Error> {
        let timeout = self.config.kube_timeout;
        let current = match kube_call("get Lease", timeout, self.api.get(&self.config.name)).await?
        {
            Ok(lease) => lease,
            Err(error) if is_not_found(&error) => {
                let lease = Lease {
                    metadata: ObjectMeta {
                        name: Some(self.config.name.clone()),
                        namespace: Some(self.config.namespace.clone()),
                        ..ObjectMeta::default()
                    },
                    spec: Some(self.spec(now, None, 0)),
                };
                let created = kube_call(
                    "create Lease",
                    timeout,
                    self.api.create(&PostParams::default(), &lease),
                )
                .await?;
                return match created {
                    Ok(_) => Ok(true),
                    Err(kube::Error::Api(status)) if status.code == 409 => Ok(false),
                    Err(error) => Err(self.lease_err(error)),
                };
            }
            Err(error) => return Err(self.lease_err(error)),
        };
        let spec = current.spec.clone().unwrap_or_default();
        let holder = spec.holder_identity.clone().unwrap_or_default();
        let mine = holder == self.config.identity;
        if !mine && !holder.is_empty() && !expired(&spec, now) {
            return Ok(false);
        }
        let transitions = spec.lease_transitions.unwrap_or(0);
        let next = if mine {
            self.spec(now, spec.acquire_time.clone(), transitions)
        } else {
            self.spec(now, None, transitions.saturating_add(1))
        };
        let mut lease = current;
        lease.spec = Some(next);
        let replaced = kube_call(
            "replace Lease",
            timeout,
            self.api
                .replace(&self.config.name, &PostParams::default(), &lease),
        )
        .await?;
        match replaced {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(status)) if status.code == 409 => Ok(false),
            Err(error) => Err(self.lease_err(error)),
        }
    }

    /// Waits until this candidate leads (`true`) or `shutdown` (`false`).
    pub async fn acquire(&self, shutdown: &CancellationToken) -> bool {
        loop {
            match self.try_acquire_or_renew(Timestamp::now()).await {
                Ok(true) => return true,
                Ok(false) => {}
                Err(error) => tracing::warn!(%error, "leader election attempt failed"),
            }
            tokio::select! {
                () = shutdown.cancelled() => return false,
                () = tokio::time::sleep(self.config.retry_period) => {}
            }
        }
    }

    /// Renews until `shutdown` (`Ok`) or until the Lease is lost (`Err(LeaseLost)`).
    pub async fn hold(&self, shutdown: &CancellationToken) -> Result<(), Error> {
        let mut last_renewal = tokio::time::Instant::now();
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return Ok(()),
                () = tokio::time::sleep(self.config.retry_period) => {}
            }
            match self.try_acquire_or_renew(Timestamp::now()).await {
                Ok(true) => last_renewal = tokio::time::Instant::now(),
                Ok(false) => return Err(self.lost()),
                Err(error) => tracing::warn!(%error, "renewing the leader Lease failed"),
            }
            if last_renewal.elapsed() > self.config.renew_deadline {
                return Err(self.lost());
            }
        }
    }

    fn lost(&self) -> Error {
        Error::LeaseLost {
            lease: format!("{}/{}", self.config.namespace, self.config.name),
        }
    }

    /// Gives the Lease up so a follower takes over at once instead of after its expiry.
    pub async fn release(&self) -> Result<(), Error> {
        let timeout = self.config.kube_timeout;
        let mut lease = kube_call("get Lease", timeout, self.api.get(&self.config.name))
            .await?
            .map_err(|e| self.lease_err(e))?;
        let Some(spec) = lease.spec.as_mut() else {
            return Ok(());
        };
        if spec.holder_identity.as_deref() != Some(self.config.identity.as_str()) {
            return Ok(());
        }
        spec.holder_identity = None;
        spec.lease_duration_seconds = Some(1);
        kube_call(
            "release Lease",
            timeout,
            self.api
                .replace(&self.config.name, &PostParams::default(), &lease),
        )
        .await?
        .map_err(|e| self.lease_err(e))?;
        Ok(())
    }
}
