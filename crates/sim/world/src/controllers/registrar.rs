//! The baseline target registrar: what a load balancer controller does without readiness gates.
//!
//! For each binding (a Service port and a target group) it keeps the target group equal to the
//! Service's *ready* endpoints: an endpoint that turns ready is registered, one that stops being
//! ready or disappears (terminating pods first) is deregistered and drains. Nothing waits for
//! health checks, so users see what the readiness-gate feature exists to prevent: pods Ready (and
//! old pods deleted) long before their replacements are healthy targets, and pods stopping while
//! the load balancer still sends them requests.
//!
//! It writes the simulator's model directly rather than calling the ELBv2 API, so that it never
//! spends the API's request budget that the controller under test shares. Only `ip` targets.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::Api;
use kube::api::ListParams;
use lbgate_sim_elbv2::SimState;
use lbgate_sim_elbv2::model::targets::TargetInput;

use super::endpointslices::SERVICE_NAME_LABEL;
use super::runtime::{Ctx, Reconciler, call};

/// One Service port whose ready endpoints belong in one target group.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RegistrarBinding {
    pub namespace: String,
    pub service: String,
    /// The Service port (its `port` number).
    pub port: i32,
    pub target_group_arn: String,
}

/// The bindings the registrar serves; shared, so that they can be added while the world runs.
#[derive(Debug, Clone, Default)]
pub struct RegistrarBindings {
    inner: Arc<Mutex<BTreeSet<RegistrarBinding>>>,
}

impl RegistrarBindings {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, BTreeSet<RegistrarBinding>> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn add(&self, binding: RegistrarBinding) {
        self.lock().insert(binding);
    }

    pub fn remove(&self, binding: &RegistrarBinding) {
        self.lock().remove(binding);
    }

    pub fn list(&self) -> Vec<RegistrarBinding> {
        self.lock().iter().cloned().collect()
    }
}

pub struct Registrar {
    pub ctx: Ctx,
    pub elbv2: Arc<SimState>,
    pub bindings: RegistrarBindings,
}

/// `ip:port` targets.
type Targets = BTreeSet<(String, u16)>;

impl Registrar {
    async fn desired(&self, binding: &RegistrarBinding) -> Result<Option<Targets>, kube::Error> {
        let services: Api<Service> = Api::namespaced(self.ctx.client.clone(), &binding.namespace);
        let Some(service) = call(services.get_opt(&binding.service)).await? else {
            return Ok(None);
        };
        let Some(port_name) = service
            .spec
            .as_ref()
            .and_then(|s| s.ports.as_ref())
            .and_then(|ports| ports.iter().find(|p| p.port == binding.port))
            .map(|p| p.name.clone().unwrap_or_default())
        else {
            return Ok(None);
        };
        let slices: Api<EndpointSlice> =
            Api::namespaced(self.ctx.client.clone(), &binding.namespace);
        let selector = format!("{SERVICE_NAME_LABEL}={}", binding.service);
        let list = call(slices.list(&ListParams::default().labels(&selector))).await?;
        Ok(Some(ready_targets(&list.items, &port_name)))
    }

    /// Registered targets of the group that are not draining.
    fn current(&self, arn: &str) -> Option<Targets> {
        self.elbv2.with_model(|model, _| {
            let tg = model.target_groups.iter().find(|tg| tg.arn == arn)?;
            Some(
                tg.targets
                    .values()
                    .filter(|t| t.lifecycle.draining_until().is_none())
                    .map(|t| (t.key.id.clone(), t.key.port))
                    .collect(),
            )
        })
    }

    fn apply(&self, binding: &RegistrarBinding, desired: &Targets) {
        let Some(current) = self.current(&binding.target_group_arn) else {
            return;
        };
        let inputs = |targets: Vec<&(String, u16)>| -> Vec<TargetInput> {
            targets
                .into_iter()
                .map(|(ip, port)| TargetInput {
                    id: Some(ip.clone()),
                    port: Some(i64::from(*port)),
                    availability_zone: None,
                })
                .collect()
        };
        let add = inputs(desired.difference(&current).collect());
        let remove = inputs(current.difference(desired).collect());
        let arn = &binding.target_group_arn;
        // Make before break, as the load balancer controller orders its calls.
        if !add.is_empty()
            && let Err(error) = self
                .elbv2
                .with_model(|model, now| model.register_targets(arn, &add, now))
        {
            tracing::debug!(%arn, code = %error.code, "registrar: registering failed");
        }
        if !remove.is_empty()
            && let Err(error) = self
                .elbv2
                .with_model(|model, now| model.deregister_targets(arn, &remove, now))
        {
            tracing::debug!(%arn, code = %error.code, "registrar: deregistering failed");
        }
    }
}

/// Ready endpoints of `slices` on the port named `port_name`.
pub fn ready_targets(slices: &[EndpointSlice], port_name: &str) -> Targets {
    let mut targets = BTreeSet::new();
    for slice in slices {
        let Some(port) = slice
            .ports
            .iter()
            .flatten()
            .find(|p| p.name.as_deref().unwrap_or_default() == port_name)
            .and_then(|p| p.port)
            .and_then(|p| u16::try_from(p).ok())
        else {
            continue;
        };
        for endpoint in &slice.endpoints {
            let ready = endpoint
                .conditions
                .as_ref()
                .and_then(|c| c.ready)
                .unwrap_or(false);
            if ready {
                targets.extend(endpoint.addresses.iter().map(|ip| (ip.clone(), port)));
            }
        }
    }
    targets
}

impl Reconciler for Registrar {
    async fn reconcile(&mut self) -> Result<Option<std::time::Duration>, kube::Error> {
        let mut wanted: BTreeMap<RegistrarBinding, Targets> = BTreeMap::new();
        for binding in self.bindings.list() {
            // A missing Service or port leaves the group alone, as a controller that cannot
            // resolve its binding does.
            if let Some(desired) = self.desired(&binding).await? {
                wanted.insert(binding, desired);
            }
        }
        for (binding, desired) in &wanted {
            self.apply(binding, desired);
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests;
