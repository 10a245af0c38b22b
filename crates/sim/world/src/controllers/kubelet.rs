//! The kubelet of every simulated node: pod addresses, container and readiness timing, the
//! `Ready` condition (containers ready AND every readiness gate True), graceful termination, and
//! the application's phase in the [`AppRegistry`](super::apps::AppRegistry).
//!
//! Status goes through `pods/status` as a strategic merge patch that names only the kubelet's own
//! conditions, so conditions others own (readiness gates, `PodScheduled`) are never overwritten.
//! When the containers are gone the kubelet reports their termination and deletes the pod with
//! `gracePeriodSeconds=0` and a UID precondition, as the real kubelet's status manager does.

mod status;
pub mod timeline;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, Preconditions};

use super::apps::{AppPhase, AppState};
use super::nodes::SimNode;
use super::runtime::{Ctx, Reconciler, call, is_race};
use timeline::{Lifecycle, Timing};

const FIRST_HOST: u8 = 2;
const LAST_HOST: u8 = 254;

/// A pod the kubelet runs.
#[derive(Debug)]
struct Running {
    namespace: String,
    name: String,
    ip: Ipv4Addr,
    life: Lifecycle,
    /// Set once the final DELETE succeeded.
    deleted: bool,
}

pub struct Kubelet {
    ctx: Ctx,
    timing: Timing,
    nodes: BTreeMap<String, SimNode>,
    pods: HashMap<String, Running>,
    used: BTreeSet<Ipv4Addr>,
    /// Per node, the host part to try next: addresses go round the range before one is reused,
    /// so a load balancer does not meet a new pod on an address it still drains.
    cursor: BTreeMap<String, u8>,
}

impl Kubelet {
    pub fn new(ctx: Ctx, nodes: &[SimNode], timing: Timing) -> Self {
        Self {
            ctx,
            timing,
            nodes: nodes.iter().map(|n| (n.name.clone(), n.clone())).collect(),
            pods: HashMap::new(),
            used: BTreeSet::new(),
            cursor: BTreeMap::new(),
        }
    }

    /// A free address in `node`'s pod range; the one the pod already reports if it has one.
    fn allocate(&mut self, node: &SimNode, current: Option<&str>) -> Option<Ipv4Addr> {
        let [a, b, c] = node.pod_prefix;
        let reported = current.and_then(|ip| ip.parse::<Ipv4Addr>().ok());
        if let Some(ip) = reported
            && ip.octets()[..3] == node.pod_prefix
            && !self.used.contains(&ip)
        {
            self.used.insert(ip);
            return Some(ip);
        }
        // .0 is the network, .1 the gateway of the range in many CNIs, .255 broadcast.
        let start = self.cursor.get(&node.name).copied().unwrap_or(FIRST_HOST);
        let hosts = (start..=LAST_HOST).chain(FIRST_HOST..start);
        let free = hosts
            .map(|d| Ipv4Addr::new(a, b, c, d))
            .find(|ip| !self.used.contains(ip))?;
        self.used.insert(free);
        let after = free.octets()[3].checked_add(1).filter(|d| *d <= LAST_HOST);
        self.cursor
            .insert(node.name.clone(), after.unwrap_or(FIRST_HOST));
        Some(free)
    }

    fn sync_app(&self, uid: &str, now: Duration, port: u16) {
        let Some(run) = self.pods.get(uid) else {
            return;
        };
        let ip = IpAddr::V4(run.ip);
        let phase = run.life.app_phase(now);
        let pod = format!("{}/{}", run.namespace, run.name);
        match self.ctx.apps.get(ip) {
            Some(current) if current.pod == pod && current.phase == phase => {}
            Some(current) if current.pod == pod => {
                self.ctx.apps.set_phase(ip, phase);
            }
            // New, or an address reused after an earlier pod was gone.
            _ => self.ctx.apps.set(ip, AppState { pod, port, phase }),
        }
    }

    async fn finish(&mut self, uid: &str) -> Result<(), kube::Error> {
        let Some(run) = self.pods.get_mut(uid) else {
            return Ok(());
        };
        if run.deleted {
            return Ok(());
        }
        let api: Api<Pod> = Api::namespaced(self.ctx.client.clone(), &run.namespace);
        let params = DeleteParams {
            grace_period_seconds: Some(0),
            preconditions: Some(Preconditions {
                uid: Some(uid.to_owned()),
                resource_version: None,
            }),
            ..DeleteParams::default()
        };
        match call(api.delete(&run.name, &params)).await {
            Ok(_) => run.deleted = true,
            Err(error) if is_race(&error) => run.deleted = true,
            Err(error) => return Err(error),
        }
        Ok(())
    }
}

fn grace_of(pod: &Pod) -> Duration {
    let seconds = pod
        .metadata
        .deletion_grace_period_seconds
        .or_else(|| {
            pod.spec
                .as_ref()
                .and_then(|s| s.termination_grace_period_seconds)
        })
        .unwrap_or(30);
    Duration::from_secs(u64::try_from(seconds).unwrap_or(0))
}

/// The application's port: the first declared container port, else 80.
fn app_port(pod: &Pod) -> u16 {
    pod.spec
        .as_ref()
        .and_then(|s| {
            s.containers
                .iter()
                .flat_map(|c| c.ports.iter().flatten())
                .next()
        })
        .and_then(|p| u16::try_from(p.container_port).ok())
        .unwrap_or(80)
}

impl Reconciler for Kubelet {
    async fn reconcile(&mut self) -> Result<Option<Duration>, kube::Error> {
        let api: Api<Pod> = Api::all(self.ctx.client.clone());
        let list = call(api.list(&ListParams::default())).await?;
        let now = self.ctx.now();
        let mut next: Option<Duration> = None;
        let mut seen = BTreeSet::new();
        for pod in &list.items {
            let Some(node) = pod
                .spec
                .as_ref()
                .and_then(|s| s.node_name.as_deref())
                .and_then(|n| self.nodes.get(n))
                .cloned()
            else {
                continue;
            };
            let (Some(uid), Some(namespace), Some(name)) = (
                pod.metadata.uid.clone(),
                pod.metadata.namespace.clone(),
                pod.metadata.name.clone(),
            ) else {
                continue;
            };
            seen.insert(uid.clone());
            if !self.pods.contains_key(&uid) {
                let current = pod.status.as_ref().and_then(|s| s.pod_ip.as_deref());
                let Some(ip) = self.allocate(&node, current) else {
                    tracing::warn!(node = %node.name, "pod range exhausted");
                    continue;
                };
                let life = Lifecycle::new(pod, now, &self.timing);
                let run = Running {
                    namespace,
                    name,
                    ip,
                    life,
                    deleted: false,
                };
                self.pods.insert(uid.clone(), run);
            }
            if pod.metadata.deletion_timestamp.is_some()
                && let Some(run) = self.pods.get_mut(&uid)
            {
                run.life.delete(now, grace_of(pod));
            }
            self.sync_app(&uid, now, app_port(pod));
            let Some(run) = self.pods.get(&uid) else {
                continue;
            };
            let placement = status::Placement {
                node: &node,
                ip: run.ip,
            };
            let patch = status::desired(&self.ctx, pod, placement, &run.life, now);
            let exited = run.life.exited(now);
            let pods_in: Api<Pod> = Api::namespaced(self.ctx.client.clone(), &run.namespace);
            if let Some(patch) = patch {
                let params = PatchParams::default();
                match call(pods_in.patch_status(&run.name, &params, &Patch::Strategic(&patch)))
                    .await
                {
                    Ok(_) => {}
                    Err(error) if is_race(&error) => continue,
                    Err(error) => return Err(error),
                }
            }
            if exited {
                self.finish(&uid).await?;
            }
            if let Some(run) = self.pods.get(&uid)
                && let Some(at) = run.life.next_event(now)
            {
                next = Some(next.map_or(at, |n| n.min(at)));
            }
        }
        // Pods removed behind the kubelet's back (force deletion) lose their process at once.
        let gone: Vec<String> = self
            .pods
            .keys()
            .filter(|uid| !seen.contains(*uid))
            .cloned()
            .collect();
        for uid in gone {
            if let Some(run) = self.pods.remove(&uid) {
                self.ctx.apps.set_phase(IpAddr::V4(run.ip), AppPhase::Gone);
                self.used.remove(&run.ip);
            }
        }
        Ok(next.map(|at| at.saturating_sub(now)))
    }
}
