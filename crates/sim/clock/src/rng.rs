//! Seeded randomness for the simulated world: ELBv2 resource ID suffixes, request IDs and fault
//! decisions, Kubernetes UIDs and `generateName` suffixes are all drawn from here, so that a run
//! is reproducible from its seed.

/// A small deterministic generator (SplitMix64). Not cryptographic; it only needs to be
/// reproducible and well spread.
#[derive(Debug, Clone)]
pub struct SimRng {
    state: u64,
}

impl SimRng {
    /// A generator for one purpose; `stream` separates purposes that share one seed.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut rng = Self {
            state: seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F),
        };
        // Discard one output so that nearby seeds do not start with related values.
        rng.next_u64();
        rng
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform float in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        // 53 random mantissa bits.
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p` (clamped to [0, 1]).
    pub fn chance(&mut self, p: f64) -> bool {
        if p <= 0.0 || p.is_nan() {
            return false;
        }
        if p >= 1.0 {
            return true;
        }
        self.next_f64() < p
    }

    /// 16 lowercase hex digits, the suffix AWS puts on target group, load balancer, listener and
    /// rule ARNs.
    pub fn hex16(&mut self) -> String {
        format!("{:016x}", self.next_u64())
    }

    /// 17 lowercase hex digits, as in VPC, subnet and security-group IDs.
    pub fn hex17(&mut self) -> String {
        let full = format!("{:016x}{:01x}", self.next_u64(), self.next_u64() & 0xf);
        full
    }

    /// A version-4 UUID string, the shape of AWS request IDs.
    pub fn uuid(&mut self) -> String {
        let hi = self.next_u64();
        let lo = self.next_u64();
        let hi = (hi & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
        let lo = (lo & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xFFFF,
            hi & 0xFFFF,
            lo >> 48,
            lo & 0xFFFF_FFFF_FFFF
        )
    }

    /// The 5-character suffix of `generateName` from the alphabet kube-apiserver uses (no
    /// vowels, no look-alike digits).
    pub fn name_suffix(&mut self) -> String {
        const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        (0..5)
            .map(|_| {
                let index = usize::try_from(self.next_u64() % ALPHABET.len() as u64).unwrap_or(0);
                char::from(ALPHABET.get(index).copied().unwrap_or(b'x'))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
