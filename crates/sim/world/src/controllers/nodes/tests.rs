use super::*;

#[test]
fn nodes_get_disjoint_pod_ranges_in_their_zone_subnet() {
    let nodes = layout(&NodeSpec::spread(4, "us-west-2")).unwrap();
    let cidrs: Vec<String> = nodes.iter().map(SimNode::pod_cidr).collect();
    assert_eq!(
        cidrs,
        [
            "10.0.1.0/24",
            "10.0.65.0/24",
            "10.0.129.0/24",
            "10.0.2.0/24"
        ]
    );
    assert_eq!(nodes[1].zone, "us-west-2b");
    assert_eq!(nodes[1].address, Ipv4Addr::new(10, 0, 64, 10));
    let id = &nodes[0].instance_id;
    assert_eq!(id.len(), 19);
    assert!(id[2..].chars().all(|c| c.is_ascii_hexdigit()));
    assert!(nodes[0].provider_id().starts_with("aws:///us-west-2a/i-"));
}

#[test]
fn a_fourth_zone_is_refused() {
    let specs: Vec<NodeSpec> = ["a", "b", "c", "d"]
        .iter()
        .map(|z| NodeSpec {
            name: format!("n-{z}"),
            zone: format!("us-west-2{z}"),
        })
        .collect();
    assert!(layout(&specs).is_err());
}
