use std::sync::Arc;
use std::time::Duration;

use kube::runtime::reflector;
use lbgate_elbv2::testing::{FakeConfig, FakeElbv2};

use super::error_delay;
use crate::context::{Context, ControllerConfig};
use crate::metrics::Metrics;
use crate::stores::Stores;

fn context() -> Context {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let client =
        kube::Client::try_from(kube::Config::new("http://127.0.0.1:9".parse().unwrap())).unwrap();
    let stores = Stores {
        bindings: reflector::store().0,
        services: reflector::store().0,
        slices: reflector::store().0,
        pods: reflector::store().0,
        nodes: reflector::store().0,
    };
    let metrics = Metrics::register(&prometheus::Registry::new()).unwrap();
    let config = ControllerConfig {
        error_backoff_base: Duration::from_millis(100),
        error_backoff_cap: Duration::from_secs(10),
        ..ControllerConfig::default()
    };
    Context::new(
        client,
        Arc::new(FakeElbv2::new(FakeConfig::default())),
        stores,
        config,
        metrics,
    )
}

#[tokio::test]
async fn errors_back_off_one_binding_only_and_never_past_its_health_poll() {
    let ctx = context();
    let mut ceilings = Vec::new();
    for _ in 0..8 {
        let delay = error_delay(&ctx, "ns/failing");
        let ceiling = ctx.state("ns/failing").backoff.ceiling();
        assert!(delay <= ceiling, "{delay:?} within {ceiling:?}");
        ceilings.push(ceiling);
    }
    assert_eq!(ceilings.first(), Some(&Duration::from_millis(100)));
    assert_eq!(ceilings.last(), Some(&Duration::from_secs(10)), "capped");
    assert_eq!(ctx.state("ns/failing").backoff.failures(), 8);
    assert_eq!(
        ctx.state("ns/healthy").backoff.failures(),
        0,
        "other bindings unaffected"
    );

    // A binding waiting 200 ms for a health verdict is retried no later than that.
    ctx.update_state("ns/waiting", |state| {
        state.health_wait = Some(Duration::from_millis(200));
    });
    for _ in 0..8 {
        assert!(error_delay(&ctx, "ns/waiting") <= Duration::from_millis(200));
    }
}
