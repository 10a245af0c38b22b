//! Simulated nodes: EC2 instances in the ELBv2 simulator's default VPC, each with a `/24` of pod
//! addresses, registered as Node objects the way the kubelet and the AWS cloud provider leave them.
//!
//! Addressing: the default VPC's subnets are 10.0.0.0/18 (zone a), 10.0.64.0/18 (b) and
//! 10.0.128.0/18 (c). Node `k` of zone `z` has the address 10.0.(64z).(10+k) and the pod range
//! 10.0.(64z+1+k).0/24, so every pod address lies in its node's subnet, as with the AWS VPC CNI.

use std::net::Ipv4Addr;

use k8s_openapi::api::core::v1::Node;
use kube::Api;
use kube::api::{Patch, PatchParams, PostParams};
use serde_json::json;

use super::runtime::{Ctx, call};

/// Nodes per zone at most: the pod ranges of one zone must stay inside its /18.
const MAX_NODES_PER_ZONE: usize = 62;

/// A node to simulate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeSpec {
    pub name: String,
    /// Availability Zone, e.g. `us-west-2a`.
    pub zone: String,
}

impl NodeSpec {
    /// `count` nodes spread over the region's zones a, b and c, named as EC2 names them.
    pub fn spread(count: usize, region: &str) -> Vec<Self> {
        (0..count)
            .map(|index| {
                let zone = ["a", "b", "c"].get(index % 3).copied().unwrap_or("a");
                let ip = node_address(index % 3, index / 3);
                Self {
                    name: format!(
                        "ip-{}.{region}.compute.internal",
                        ip.to_string().replace('.', "-")
                    ),
                    zone: format!("{region}{zone}"),
                }
            })
            .collect()
    }
}

/// A node as the world runs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimNode {
    pub name: String,
    pub zone: String,
    pub instance_id: String,
    pub address: Ipv4Addr,
    /// First three octets of the node's pod range (a /24).
    pub pod_prefix: [u8; 3],
}

impl SimNode {
    /// `aws:///<zone>/<instance id>`, what the AWS cloud provider writes and LBC parses.
    pub fn provider_id(&self) -> String {
        format!("aws:///{}/{}", self.zone, self.instance_id)
    }

    pub fn pod_cidr(&self) -> String {
        let [a, b, c] = self.pod_prefix;
        format!("{a}.{b}.{c}.0/24")
    }
}

/// Lays out `specs` in the VPC; zones are numbered in order of first appearance.
pub fn layout(specs: &[NodeSpec]) -> Result<Vec<SimNode>, String> {
    let mut zones: Vec<&str> = Vec::new();
    let mut per_zone: Vec<usize> = Vec::new();
    let mut nodes = Vec::new();
    for spec in specs {
        let zone_index = match zones.iter().position(|z| *z == spec.zone) {
            Some(index) => index,
            None => {
                zones.push(&spec.zone);
                per_zone.push(0);
                zones.len() - 1
            }
        };
        if zone_index >= 3 {
            return Err(format!("at most three zones, got {}", spec.zone));
        }
        let Some(count) = per_zone.get_mut(zone_index) else {
            return Err("zone bookkeeping".to_owned());
        };
        let k = *count;
        *count += 1;
        if k >= MAX_NODES_PER_ZONE {
            return Err(format!("at most {MAX_NODES_PER_ZONE} nodes per zone"));
        }
        let address = node_address(zone_index, k);
        let third = u8::try_from(64 * zone_index + 1 + k).map_err(|e| e.to_string())?;
        nodes.push(SimNode {
            name: spec.name.clone(),
            zone: spec.zone.clone(),
            instance_id: instance_id(&spec.name),
            address,
            pod_prefix: [10, 0, third],
        });
    }
    Ok(nodes)
}

fn node_address(zone_index: usize, k: usize) -> Ipv4Addr {
    let third = u8::try_from(64 * zone_index).unwrap_or(0);
    let fourth = u8::try_from(10 + k).unwrap_or(255);
    Ipv4Addr::new(10, 0, third, fourth)
}

/// `i-` and 17 hex digits, stable per node name.
fn instance_id(name: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in name.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("i-0{hash:016x}")
}

/// Creates (or takes over) the Node object of `node` and reports it Ready.
pub async fn register(ctx: &Ctx, node: &SimNode, region: &str) -> Result<(), kube::Error> {
    let api: Api<Node> = Api::all(ctx.client.clone());
    let hostname = format!(
        "ip-{}.{region}.compute.internal",
        node.address.to_string().replace('.', "-")
    );
    let object: Node = serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": node.name,
            "labels": {
                "kubernetes.io/hostname": node.name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux",
                "beta.kubernetes.io/arch": "amd64",
                "node.kubernetes.io/instance-type": "m5.large",
                "topology.kubernetes.io/region": region,
                "topology.kubernetes.io/zone": node.zone,
                "failure-domain.beta.kubernetes.io/region": region,
                "failure-domain.beta.kubernetes.io/zone": node.zone,
            },
        },
        "spec": {
            "providerID": node.provider_id(),
            "podCIDR": node.pod_cidr(),
            "podCIDRs": [node.pod_cidr()],
        },
    }))
    .map_err(kube::Error::SerdeError)?;
    match call(api.create(&PostParams::default(), &object)).await {
        Ok(_) => {}
        Err(kube::Error::Api(status)) if status.code == 409 => {
            let spec = json!({"spec": object.spec, "metadata": {"labels": object.metadata.labels}});
            call(api.patch(&node.name, &PatchParams::default(), &Patch::Merge(&spec))).await?;
        }
        Err(error) => return Err(error),
    }
    let now = ctx.timestamp();
    let condition = |kind: &str, status: &str, reason: &str, message: &str| {
        json!({"type": kind, "status": status, "reason": reason, "message": message,
               "lastHeartbeatTime": now, "lastTransitionTime": now})
    };
    let status = json!({"status": {
        "conditions": [
            condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
        ],
        "addresses": [
            {"type": "InternalIP", "address": node.address.to_string()},
            {"type": "InternalDNS", "address": hostname},
            {"type": "Hostname", "address": hostname},
        ],
        "capacity": {"cpu": "2", "memory": "7934828Ki", "pods": "29"},
        "allocatable": {"cpu": "1930m", "memory": "7244652Ki", "pods": "29"},
        "nodeInfo": {
            "machineID": node.instance_id, "systemUUID": node.instance_id, "bootID": node.instance_id,
            "kernelVersion": "6.1.0", "osImage": "Amazon Linux 2023", "containerRuntimeVersion": "containerd://1.7.27",
            "kubeletVersion": "v1.33.0", "kubeProxyVersion": "v1.33.0", "operatingSystem": "linux", "architecture": "amd64",
        },
    }});
    call(api.patch_status(&node.name, &PatchParams::default(), &Patch::Merge(&status))).await?;
    Ok(())
}

#[cfg(test)]
mod tests;
