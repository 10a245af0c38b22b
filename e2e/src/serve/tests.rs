use super::*;

#[test]
fn the_banner_is_read_line_by_line() {
    let text = "Kubernetes API server listening on http://127.0.0.1:40001\n\
        ELBv2 simulator listening on http://127.0.0.1:40002\n\
        World: 3 nodes, controllers: nodes,deployments\n\
        export KUBECONFIG=/tmp/x/kubeconfig\n\
        export AWS_ENDPOINT_URL=http://127.0.0.1:40002\n\
        export AWS_REGION=us-west-2\n\
        # try: kubectl get namespaces\n\
        # webhook service kube-system/hook: 127.0.0.1:9443\n\
        # nodes: ip-10-0-0-10.us-west-2.compute.internal,ip-10-0-0-11.us-west-2.compute.internal\n\
        # default VPC: vpc-0123456789abcdef0\n\
        # subnets: subnet-a,subnet-b\n";
    let mut banner = Banner::default();
    let ends: Vec<bool> = text.lines().map(|l| banner.read_line(l)).collect();
    assert_eq!(ends.iter().filter(|e| **e).count(), 1);
    assert_eq!(ends.last(), Some(&true));
    assert_eq!(banner.kube_url, "http://127.0.0.1:40001");
    assert_eq!(banner.elbv2_url, "http://127.0.0.1:40002");
    assert_eq!(banner.kubeconfig, PathBuf::from("/tmp/x/kubeconfig"));
    assert_eq!(banner.region, "us-west-2");
    assert_eq!(banner.nodes.len(), 2);
    assert_eq!(banner.default_vpc, "vpc-0123456789abcdef0");
    assert_eq!(banner.subnets, ["subnet-a", "subnet-b"]);
    assert_eq!(banner.missing(), None);
    assert_eq!(Banner::default().missing(), Some("the API server URL"));
}

#[test]
fn the_control_address_comes_from_the_elbv2_url() {
    let banner = Banner {
        elbv2_url: "http://127.0.0.1:40002".to_owned(),
        region: "us-west-2".to_owned(),
        ..Banner::default()
    };
    let elbv2 = SimElbv2::new(&banner).unwrap();
    assert_eq!(elbv2.control.to_string(), "127.0.0.1:40002");
    assert!(
        SimElbv2::new(&Banner {
            elbv2_url: "https://elb".to_owned(),
            ..banner
        })
        .is_err()
    );
}
