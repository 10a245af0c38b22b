use super::*;

fn moment(sim: f64) -> Option<Moment> {
    Some(Moment { sim, wall: sim })
}

#[test]
fn gate_lags_are_derived_per_pod_and_shown() {
    let gated = PodTimeline {
        namespace: "default".into(),
        name: "web-1".into(),
        ready: moment(12.0),
        healthy: moment(10.0),
        gate_true: moment(11.5),
        ..PodTimeline::default()
    };
    let plain = PodTimeline {
        namespace: "default".into(),
        name: "web-2".into(),
        ready: moment(3.0),
        healthy: moment(9.0),
        ..PodTimeline::default()
    };
    let report = ScenarioReport {
        name: "t".into(),
        started: 0.0,
        ended: 20.0,
        wall_seconds: 1.0,
        steps: vec![StepRecord {
            index: 0,
            step: "wait 20s".into(),
            started: 0.0,
            ended: 20.0,
        }],
        traffic: None,
        traffic_report: None,
        pods: vec![gated, plain],
        api_calls: BTreeMap::from([("RegisterTargets".to_owned(), 2)]),
        gate_lags: BTreeMap::new(),
        max_gate_lag: None,
    }
    .derive();
    assert_eq!(report.gate_lags.len(), 1);
    assert_eq!(report.max_gate_lag, Some(1.5));
    let text = report.to_string();
    assert!(text.contains("max gate lag: 1.5s"), "{text}");
    assert!(text.contains("RegisterTargets 2"), "{text}");
    assert!(text.contains("+6.0"), "Ready 6 s before healthy: {text}");
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["pods"][1]["healthy"]["sim"], 9.0);
    assert_eq!(json["max_gate_lag"], 1.5);
    assert_eq!(report.step("wait").unwrap().ended, 20.0);
}
