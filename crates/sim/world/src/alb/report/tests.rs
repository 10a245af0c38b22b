use super::super::dataplane::OutcomeKind;
use super::super::router::TargetRef;
use super::*;

fn outcome(at_ms: u64, kind: OutcomeKind, ip: &str) -> Outcome {
    Outcome {
        started: Duration::from_millis(at_ms),
        finished: Duration::from_millis(at_ms),
        kind,
        target: Some(TargetRef {
            target_group_arn: "tg".into(),
            id: ip.into(),
            port: 8080,
        }),
        target_state: None,
        fail_open: false,
        pod: None,
        rule_arn: None,
        detail: "",
    }
}

#[test]
fn groups_failures_into_windows_and_counts_per_target() {
    let report = TrafficReport::new(
        vec![
            outcome(2_500, OutcomeKind::BadGateway, "10.0.0.1"),
            outcome(100, OutcomeKind::Ok, "10.0.0.1"),
            outcome(1_100, OutcomeKind::BadGateway, "10.0.0.1"),
            outcome(1_200, OutcomeKind::Ok, "10.0.0.2"),
            outcome(1_300, OutcomeKind::GatewayTimeout, "10.0.0.2"),
        ],
        Duration::from_secs(1),
    );
    assert_eq!(report.total(), 5);
    assert_eq!(report.count("200"), 2);
    assert_eq!(report.count("502"), 2);
    assert_eq!(report.failures(), 3);
    assert_eq!(report.failure_windows.len(), 2);
    let first = &report.failure_windows[0];
    assert_eq!(first.start, Duration::from_secs(1));
    assert_eq!((first.requests, first.failed()), (3, 2));
    assert_eq!(report.per_target["10.0.0.1:8080"]["502"], 2);
    assert_eq!(
        report.failure_span(),
        Some((Duration::from_millis(1_100), Duration::from_millis(2_500)))
    );
    let text = report.to_string();
    assert!(text.contains("5 requests"), "{text}");
    assert!(text.contains("502: 2"), "{text}");
    assert!(text.contains("10.0.0.2:8080"), "{text}");
}
