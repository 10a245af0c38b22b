//! What each pod's application is doing, by pod IP.
//!
//! The simulated kubelet writes it; the ALB data plane reads it to decide how a request to a
//! target is answered, and (optionally) every change is mirrored into the ELBv2 simulator so that
//! its health checks see the same application.
//!
//! # Phases and what they mean to a client
//!
//! | phase | new connections | requests in flight | health check | ELBv2 mirror |
//! |---|---|---|---|---|
//! | [`AppPhase::Starting`] | refused (the ALB answers 502) | — | refused | `Refusing` |
//! | [`AppPhase::Serving`] | accepted, served | served | passes (200) | `Answering` |
//! | [`AppPhase::ShuttingDown`] | accepted, served | finished | fails with 503 | `ResponseCode(503)` |
//! | [`AppPhase::Gone`] | refused (502) | cut | refused | `Refusing` |
//!
//! `ShuttingDown` models the common HTTP server after SIGTERM: its health endpoint turns to 503 at
//! once so that load balancers drain it, but it keeps accepting and serving requests until the
//! process exits (the shutdown time, `sim.lbgate.io/shutdown-seconds`). An application that stops
//! accepting immediately is modelled with a shutdown time of zero, which goes straight to `Gone`.
//!
//! The kubelet leaves a `Gone` entry behind when a pod is removed (pod addresses are only reused
//! once the range is exhausted), so that the data plane can tell "this pod is gone" (502) from an
//! address nobody ever used; [`AppRegistry::remove`] forgets an address altogether.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use lbgate_sim_elbv2::{Elbv2Sim, HealthMode, SimState};

/// The life stage of one pod's application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppPhase {
    /// The container runs but the application does not listen yet.
    Starting,
    /// Listening and healthy.
    Serving,
    /// SIGTERM received: health checks answer 503, requests are still served until exit.
    ShuttingDown,
    /// The process exited (or was killed); nothing listens on the address.
    Gone,
}

impl AppPhase {
    /// Whether a new connection to the application is accepted and its request answered.
    pub fn accepts_requests(self) -> bool {
        matches!(self, Self::Serving | Self::ShuttingDown)
    }

    /// How the application answers a load balancer's health check.
    pub fn health_mode(self) -> HealthMode {
        match self {
            Self::Serving => HealthMode::Answering,
            Self::ShuttingDown => HealthMode::ResponseCode(503),
            Self::Starting | Self::Gone => HealthMode::Refusing,
        }
    }
}

/// One pod's application.
#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    /// `namespace/name` of the pod.
    pub pod: String,
    /// The port the application listens on (the first container port, 80 when none is declared).
    pub port: u16,
    pub phase: AppPhase,
}

/// Applications by pod IP, shared between the kubelet, the data plane and the ELBv2 mirror.
#[derive(Debug, Default)]
pub struct AppRegistry {
    apps: Mutex<BTreeMap<IpAddr, AppState>>,
    mirror: Option<Arc<SimState>>,
}

impl AppRegistry {
    /// A registry that mirrors nowhere.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// A registry whose every change also sets the health mode of the address in `sim`.
    pub fn with_elbv2_mirror(sim: &Elbv2Sim) -> Arc<Self> {
        Arc::new(Self {
            apps: Mutex::default(),
            mirror: Some(sim.state()),
        })
    }

    /// Records (or replaces) the application at `ip`.
    pub fn set(&self, ip: IpAddr, state: AppState) {
        let (port, mode) = (state.port, state.phase.health_mode());
        self.lock().insert(ip, state);
        self.mirror_health(ip, port, mode);
    }

    /// Moves the application at `ip` to `phase`; returns false when no application is there.
    pub fn set_phase(&self, ip: IpAddr, phase: AppPhase) -> bool {
        let port = {
            let mut apps = self.lock();
            let Some(app) = apps.get_mut(&ip) else {
                return false;
            };
            app.phase = phase;
            app.port
        };
        self.mirror_health(ip, port, phase.health_mode());
        true
    }

    pub fn phase(&self, ip: IpAddr) -> Option<AppPhase> {
        self.lock().get(&ip).map(|app| app.phase)
    }

    pub fn get(&self, ip: IpAddr) -> Option<AppState> {
        self.lock().get(&ip).cloned()
    }

    /// Every application, by address.
    pub fn snapshot(&self) -> BTreeMap<IpAddr, AppState> {
        self.lock().clone()
    }

    /// Forgets the application at `ip`; the address then refuses connections.
    pub fn remove(&self, ip: IpAddr) {
        let removed = self.lock().remove(&ip);
        if let Some(app) = removed {
            self.mirror_health(ip, app.port, AppPhase::Gone.health_mode());
        }
    }

    fn mirror_health(&self, ip: IpAddr, port: u16, mode: HealthMode) {
        if let Some(sim) = &self.mirror {
            sim.set_health(&ip.to_string(), Some(port), mode);
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<IpAddr, AppState>> {
        // A panic while holding the lock cannot leave the map half-updated: every critical
        // section is a single map operation.
        self.apps
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests;
