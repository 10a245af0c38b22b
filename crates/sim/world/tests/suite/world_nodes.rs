//! Simulated nodes: what the TargetGroupBinding controller's instance mode reads from them, and
//! pod addresses inside the ELBv2 simulator's default VPC.

use std::net::Ipv4Addr;

use k8s_openapi::api::core::v1::{Node, Pod};
use kube::Api;
use kube::api::{ListParams, PostParams};
use lbgate_testkit::objects;

use crate::world_support::{PATIENCE, TestWorld};

/// `aws:///<zone>/<instance id>` split as the AWS Load Balancer Controller does.
fn parse_provider_id(id: &str) -> Option<(&str, &str)> {
    let rest = id.strip_prefix("aws:///")?;
    let (zone, instance) = rest.split_once('/')?;
    (instance.starts_with("i-") && !instance.contains('/')).then_some((zone, instance))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_are_ready_ec2_instances_and_pods_get_vpc_addresses() {
    let world = TestWorld::start().await;
    let nodes: Api<Node> = Api::all(world.client.clone());
    let listed = nodes.list(&ListParams::default()).await.unwrap().items;
    assert_eq!(listed.len(), 3);
    let mut zones = Vec::new();
    for node in &listed {
        let spec = node.spec.as_ref().unwrap();
        let (zone, instance) = parse_provider_id(spec.provider_id.as_deref().unwrap()).unwrap();
        assert_eq!(instance.len(), 19, "i- and 17 hex digits: {instance}");
        assert!(instance[2..].chars().all(|c| c.is_ascii_hexdigit()));
        let labels = node.metadata.labels.as_ref().unwrap();
        assert_eq!(labels["topology.kubernetes.io/zone"], zone);
        zones.push(zone.to_owned());
        let status = node.status.as_ref().unwrap();
        let ready = status
            .conditions
            .as_ref()
            .unwrap()
            .iter()
            .find(|c| c.type_ == "Ready")
            .unwrap();
        assert_eq!(ready.status, "True");
        let internal = status
            .addresses
            .as_ref()
            .unwrap()
            .iter()
            .find(|a| a.type_ == "InternalIP")
            .unwrap();
        let ip: Ipv4Addr = internal.address.parse().unwrap();
        assert_eq!(ip.octets()[..2], [10, 0]);
    }
    zones.sort();
    assert_eq!(zones, ["us-west-2a", "us-west-2b", "us-west-2c"]);

    let pods: Api<Pod> = Api::namespaced(world.client.clone(), "default");
    for i in 0..6 {
        let pod = objects::pod(&format!("p{i}")).image("x").build();
        pods.create(&PostParams::default(), &pod).await.unwrap();
    }
    let placed = PATIENCE
        .eventually("six running pods", || async {
            let items = pods.list(&ListParams::default()).await.ok()?.items;
            let running = items
                .iter()
                .all(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"));
            (items.len() == 6 && running).then_some(items)
        })
        .await;
    let mut addresses = Vec::new();
    for pod in &placed {
        let node_name = pod.spec.as_ref().unwrap().node_name.clone().unwrap();
        let node = listed
            .iter()
            .find(|n| n.metadata.name.as_ref() == Some(&node_name))
            .unwrap();
        let cidr = node.spec.as_ref().unwrap().pod_cidr.clone().unwrap();
        let ip: Ipv4Addr = pod
            .status
            .as_ref()
            .unwrap()
            .pod_ip
            .as_ref()
            .unwrap()
            .parse()
            .unwrap();
        let prefix: Vec<&str> = cidr.split('.').take(3).collect();
        assert_eq!(
            ip.octets()[..3]
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>(),
            prefix,
            "{ip} in {cidr}"
        );
        assert_eq!(
            ip.octets()[..2],
            [10, 0],
            "inside the default VPC 10.0.0.0/16"
        );
        addresses.push(ip);
    }
    addresses.sort();
    addresses.dedup();
    assert_eq!(addresses.len(), 6, "unique pod addresses");
    // The scheduler spreads: two pods per node.
    for node in &listed {
        let name = node.metadata.name.clone();
        let count = placed
            .iter()
            .filter(|p| p.spec.as_ref().unwrap().node_name == name)
            .count();
        assert_eq!(count, 2);
    }
    world.stop().await;
}
