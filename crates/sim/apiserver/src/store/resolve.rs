//! The API server's own resolution of webhook Services: the static map first, then the Service
//! and its EndpointSlices in the store; one candidate picked per call from a seeded stream.

use serde_json::Value;

use super::Store;
use crate::admission::{SERVICE_NAME_LABEL, ServiceResolver, endpoints_of};

impl ServiceResolver for Store {
    fn candidates(
        &self,
        namespace: &str,
        name: &str,
        port: i64,
    ) -> Result<Vec<std::net::SocketAddr>, String> {
        if let Some(addrs) = self
            .services
            .get(&format!("{namespace}/{name}"))
            .filter(|a| !a.is_empty())
        {
            return Ok(addrs.to_vec());
        }
        let service = self
            .resource("", "v1", "services")
            .and_then(|res| self.get(&res, namespace, name));
        let slices: Vec<Value> = match self.resource("discovery.k8s.io", "v1", "endpointslices") {
            Some(res) => self
                .list(&res, Some(namespace))
                .0
                .into_iter()
                .map(|(_, slice)| slice)
                .filter(|slice| {
                    slice
                        .pointer("/metadata/labels")
                        .and_then(|l| l.get(SERVICE_NAME_LABEL))
                        .and_then(Value::as_str)
                        == Some(name)
                })
                .collect(),
            None => Vec::new(),
        };
        endpoints_of(name, service.as_ref(), &slices, port)
    }

    fn pick(&self, count: usize) -> usize {
        let Ok(count_u64) = u64::try_from(count) else {
            return 0;
        };
        if count_u64 <= 1 {
            return 0;
        }
        let mut rng = self
            .webhook_picks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        usize::try_from(rng.next_u64() % count_u64).unwrap_or(0)
    }
}
