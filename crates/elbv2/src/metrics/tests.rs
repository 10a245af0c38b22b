use super::*;

#[test]
fn registers_every_metric_once() {
    let registry = Registry::new();
    let metrics = Elbv2Metrics::register(&registry).unwrap();
    metrics.call(Operation::RegisterTargets);
    let err = Elbv2Error::from_aws_code(
        Operation::RegisterTargets,
        "Throttling",
        "Rate exceeded",
        Some(400),
        None,
    );
    metrics.error(Operation::RegisterTargets, &err);
    metrics.duration(Operation::RegisterTargets, Duration::from_millis(5));
    metrics.retry(Operation::RegisterTargets);
    metrics.budget_wait(ApiClass::Targets, Priority::Register, Duration::ZERO);
    metrics.budget_rate(ApiClass::Targets, 2.0);
    let names: Vec<String> = registry
        .gather()
        .iter()
        .map(|family| family.name().to_owned())
        .collect();
    for expected in [
        "lbgate_aws_api_calls_total",
        "lbgate_aws_api_errors_total",
        "lbgate_aws_api_call_duration_seconds",
        "lbgate_aws_api_throttles_total",
        "lbgate_aws_api_retries_total",
        "lbgate_aws_api_budget_wait_seconds",
        "lbgate_aws_api_budget_rate",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    assert!(
        Elbv2Metrics::register(&registry).is_err(),
        "a second registration clashes and says so"
    );
}
