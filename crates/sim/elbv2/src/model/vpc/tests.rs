use super::*;

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[test]
fn cidr_membership() {
    let v4 = Cidr::parse("10.0.0.0/16").unwrap();
    assert!(v4.contains(ip("10.0.255.1")));
    assert!(!v4.contains(ip("10.1.0.1")));
    assert!(!v4.contains(ip("::1")));
    let v6 = Cidr::parse("2600:1f14:a0b:c000::/56").unwrap();
    assert!(v6.contains(ip("2600:1f14:a0b:c0ff::5")));
    assert!(!v6.contains(ip("2600:1f14:a0b:c100::5")));
    assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
    assert!(Cidr::parse("10.0.0.0/33").is_none());
}

#[test]
fn default_vpc_covers_its_ipv4_block_with_subnets_in_three_zones() {
    let ids = std::array::from_fn(|i| format!("subnet-{i}"));
    let vpc = default_vpc("us-west-2", "vpc-1".into(), ids);
    assert_eq!(
        vpc.availability_zones(),
        ["us-west-2a", "us-west-2b", "us-west-2c"]
    );
    assert_eq!(
        vpc.subnet_for(ip("10.0.1.5"))
            .map(|s| s.availability_zone.as_str()),
        Some("us-west-2a")
    );
    assert_eq!(
        vpc.subnet_for(ip("10.0.100.5"))
            .map(|s| s.availability_zone.as_str()),
        Some("us-west-2b")
    );
    assert!(vpc.subnet_for(ip("10.0.250.5")).is_some());
    assert!(vpc.subnet_for(ip("10.1.0.5")).is_none());
    assert!(vpc.subnet_for(ip("2600:1f14:a0b:c001::10")).is_some());
    assert!(vpc.subnet_for(ip("2600:1f14:a0b:c0ff::10")).is_none());
}
