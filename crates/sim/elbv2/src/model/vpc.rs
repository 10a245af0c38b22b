//! The VPCs and subnets the simulator knows, for target address validation.

use std::net::IpAddr;

use serde::Serialize;

/// An IPv4 or IPv6 CIDR block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl Cidr {
    /// Parses `10.0.0.0/16` or `2600:1f14::/56`.
    pub fn parse(text: &str) -> Option<Self> {
        let (addr, prefix) = text.trim().split_once('/')?;
        let addr: IpAddr = addr.parse().ok()?;
        let prefix: u8 = prefix.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        (prefix <= max).then_some(Self { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl Serialize for Cidr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A subnet: one CIDR in one Availability Zone.
#[derive(Debug, Clone, Serialize)]
pub struct Subnet {
    pub id: String,
    pub availability_zone: String,
    pub cidr: Cidr,
}

/// A VPC with its CIDR blocks and subnets.
#[derive(Debug, Clone, Serialize)]
pub struct Vpc {
    pub id: String,
    pub cidrs: Vec<Cidr>,
    pub subnets: Vec<Subnet>,
}

impl Vpc {
    /// The subnet holding `ip`, if any. AWS decides "in the VPC" by subnets, not by the VPC's
    /// CIDR blocks (an address in a CIDR block with no subnet counts as outside).
    pub fn subnet_for(&self, ip: IpAddr) -> Option<&Subnet> {
        self.subnets.iter().find(|subnet| subnet.cidr.contains(ip))
    }

    /// The first IPv4 subnet of each Availability Zone, in zone order: what a load balancer
    /// spanning every zone is created with.
    pub fn subnet_per_zone(&self) -> Vec<&Subnet> {
        let mut chosen: Vec<&Subnet> = Vec::new();
        for subnet in self.subnets.iter().filter(|s| s.cidr.addr.is_ipv4()) {
            if !chosen
                .iter()
                .any(|c| c.availability_zone == subnet.availability_zone)
            {
                chosen.push(subnet);
            }
        }
        chosen.sort_by(|a, b| a.availability_zone.cmp(&b.availability_zone));
        chosen
    }

    /// The Availability Zones of its subnets, sorted and deduplicated.
    pub fn availability_zones(&self) -> Vec<String> {
        let mut zones: Vec<String> = self
            .subnets
            .iter()
            .map(|s| s.availability_zone.clone())
            .collect();
        zones.sort();
        zones.dedup();
        zones
    }
}

/// Block sizes of the default VPC's subnets: four /18 subnets (and four /64s) so that every
/// address of 10.0.0.0/16 lies in a subnet.
pub fn default_vpc(region: &str, vpc_id: String, subnet_ids: [String; 8]) -> Vpc {
    let zones = [
        format!("{region}a"),
        format!("{region}b"),
        format!("{region}c"),
        format!("{region}a"),
    ];
    let v4 = [
        "10.0.0.0/18",
        "10.0.64.0/18",
        "10.0.128.0/18",
        "10.0.192.0/18",
    ];
    let v6 = [
        "2600:1f14:a0b:c000::/64",
        "2600:1f14:a0b:c001::/64",
        "2600:1f14:a0b:c002::/64",
        "2600:1f14:a0b:c003::/64",
    ];
    let mut subnets = Vec::new();
    let blocks = v4.iter().chain(v6.iter());
    let zone_of = zones.iter().chain(zones.iter());
    for ((block, zone), id) in blocks.zip(zone_of).zip(subnet_ids) {
        if let Some(cidr) = Cidr::parse(block) {
            subnets.push(Subnet {
                id,
                availability_zone: zone.clone(),
                cidr,
            });
        }
    }
    Vpc {
        id: vpc_id,
        cidrs: ["10.0.0.0/16", "2600:1f14:a0b:c000::/56"]
            .iter()
            .filter_map(|c| Cidr::parse(c))
            .collect(),
        subnets,
    }
}

#[cfg(test)]
mod tests;
