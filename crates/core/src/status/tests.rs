use super::*;
use crate::fixtures::time;
use crate::target::{REASON_TARGET_NOT_REGISTERED, TargetKey};
use crate::validate::{
    REASON_CONFLICTING_BINDING, REASON_PORT_NOT_FOUND, REASON_TARGET_GROUP_NOT_FOUND,
};

fn problem(condition_type: &'static str, reason: &'static str) -> Problem {
    Problem {
        condition_type,
        reason,
        message: format!("{reason} happened"),
    }
}

fn trip() -> BreakerTrip {
    BreakerTrip {
        healthy_total: 4,
        max_share: 0.5,
        allowed: 2,
        wanted: 3,
        held_back: vec![TargetKey::new("10.0.0.3", 80)],
    }
}

fn summary(conditions: &[Condition]) -> Vec<(&str, &str, &str)> {
    conditions
        .iter()
        .map(|c| (c.type_.as_str(), c.status.as_str(), c.reason.as_str()))
        .collect()
}

#[test]
fn conditions_table() {
    type Case<'a> = (
        &'a str,
        Vec<Problem>,
        Option<BreakerTrip>,
        Vec<(&'a str, &'a str, &'a str)>,
    );
    let cases: Vec<Case<'_>> = vec![
        (
            "all good",
            vec![],
            None,
            vec![
                ("Ready", "True", REASON_SYNCED),
                ("TargetGroupFound", "True", REASON_FOUND),
                ("ServiceFound", "True", REASON_FOUND),
                ("PortResolved", "True", REASON_RESOLVED),
                ("Conflict", "False", REASON_NO_CONFLICT),
                ("CircuitBreakerTripped", "False", REASON_NOT_TRIPPED),
            ],
        ),
        (
            "breaker tripped",
            vec![],
            Some(trip()),
            vec![
                ("Ready", "False", REASON_HEALTHY_SHARE_EXCEEDED),
                ("TargetGroupFound", "True", REASON_FOUND),
                ("ServiceFound", "True", REASON_FOUND),
                ("PortResolved", "True", REASON_RESOLVED),
                ("Conflict", "False", REASON_NO_CONFLICT),
                (
                    "CircuitBreakerTripped",
                    "True",
                    REASON_HEALTHY_SHARE_EXCEEDED,
                ),
            ],
        ),
        (
            "unknown ARN",
            vec![problem(
                CONDITION_TARGET_GROUP_FOUND,
                REASON_TARGET_GROUP_NOT_FOUND,
            )],
            None,
            vec![
                ("Ready", "False", REASON_TARGET_GROUP_NOT_FOUND),
                ("TargetGroupFound", "False", REASON_TARGET_GROUP_NOT_FOUND),
                ("ServiceFound", "True", REASON_FOUND),
                ("PortResolved", "True", REASON_RESOLVED),
                ("Conflict", "False", REASON_NO_CONFLICT),
                ("CircuitBreakerTripped", "False", REASON_NOT_TRIPPED),
            ],
        ),
        (
            "Service missing leaves the port unknown",
            vec![problem(CONDITION_SERVICE_FOUND, REASON_SERVICE_NOT_FOUND)],
            None,
            vec![
                ("Ready", "False", REASON_SERVICE_NOT_FOUND),
                ("TargetGroupFound", "True", REASON_FOUND),
                ("ServiceFound", "False", REASON_SERVICE_NOT_FOUND),
                ("PortResolved", "Unknown", REASON_SERVICE_NOT_FOUND),
                ("Conflict", "False", REASON_NO_CONFLICT),
                ("CircuitBreakerTripped", "False", REASON_NOT_TRIPPED),
            ],
        ),
        (
            "conflict and a missing port, breaker too",
            vec![
                problem(CONDITION_PORT_RESOLVED, REASON_PORT_NOT_FOUND),
                problem(CONDITION_CONFLICT, REASON_CONFLICTING_BINDING),
            ],
            Some(trip()),
            vec![
                ("Ready", "False", REASON_PORT_NOT_FOUND),
                ("TargetGroupFound", "True", REASON_FOUND),
                ("ServiceFound", "True", REASON_FOUND),
                ("PortResolved", "False", REASON_PORT_NOT_FOUND),
                ("Conflict", "True", REASON_CONFLICTING_BINDING),
                (
                    "CircuitBreakerTripped",
                    "True",
                    REASON_HEALTHY_SHARE_EXCEEDED,
                ),
            ],
        ),
        (
            "a Ready-typed problem",
            vec![problem(CONDITION_READY, "InvalidBindingName")],
            None,
            vec![
                ("Ready", "False", "InvalidBindingName"),
                ("TargetGroupFound", "True", REASON_FOUND),
                ("ServiceFound", "True", REASON_FOUND),
                ("PortResolved", "True", REASON_RESOLVED),
                ("Conflict", "False", REASON_NO_CONFLICT),
                ("CircuitBreakerTripped", "False", REASON_NOT_TRIPPED),
            ],
        ),
    ];
    for (name, problems, breaker, expected) in cases {
        let conditions = binding_conditions(&[], &problems, breaker.as_ref(), Some(3), &time(0));
        assert_eq!(summary(&conditions), expected, "{name}");
        for condition in &conditions {
            assert_eq!(condition.observed_generation, Some(3), "{name}");
            assert_eq!(condition.last_transition_time, time(0), "{name}");
            assert!(!condition.message.is_empty(), "{name}");
        }
    }
}

#[test]
fn transition_time_moves_only_on_a_flip_and_foreign_conditions_stay() {
    let first = binding_conditions(&[], &[], None, Some(1), &time(0));
    let mut existing = first.clone();
    existing.push(Condition {
        type_: "example.com/Audited".into(),
        status: "True".into(),
        reason: "Audited".into(),
        message: "ok".into(),
        observed_generation: None,
        last_transition_time: time(-50),
    });
    let second = binding_conditions(&existing, &[], Some(&trip()), Some(2), &time(60));
    let ltt = |conditions: &[Condition], t: &str| {
        conditions
            .iter()
            .find(|c| c.type_ == t)
            .map(|c| c.last_transition_time.clone())
    };
    assert_eq!(
        ltt(&second, "Ready"),
        Some(time(60)),
        "Ready flipped to False"
    );
    assert_eq!(
        ltt(&second, "CircuitBreakerTripped"),
        Some(time(60)),
        "breaker flipped"
    );
    assert_eq!(ltt(&second, "TargetGroupFound"), Some(time(0)), "unchanged");
    assert_eq!(ltt(&second, "Conflict"), Some(time(0)), "unchanged");
    assert_eq!(ltt(&second, "example.com/Audited"), Some(time(-50)));
    assert_eq!(second.len(), 7);
    assert!(
        second[0].message.contains("3 of 4 healthy"),
        "{}",
        second[0].message
    );

    let third = binding_conditions(&second, &[], None, Some(2), &time(120));
    assert_eq!(ltt(&third, "Ready"), Some(time(120)));
    assert_eq!(ltt(&third, "TargetGroupFound"), Some(time(0)));
}

#[test]
fn target_counts_by_state() {
    let target = |id: &str, state: &str, reason: Option<&str>| ObservedTarget {
        key: TargetKey::new(id, 80),
        state: TargetState::from_aws(state),
        reason: reason.map(str::to_owned),
        description: None,
    };
    let observed = [
        target("a", "healthy", None),
        target("b", "healthy", None),
        target("c", "initial", Some("Elb.InitialHealthChecking")),
        target("d", "unhealthy", Some("Target.Timeout")),
        target("e", "draining", None),
        target("f", "unhealthy.draining", None),
        target("g", "unused", Some("Target.NotInUse")),
        target("h", "unused", Some(REASON_TARGET_NOT_REGISTERED)),
        target("i", "unavailable", None),
        target("j", "warming", None),
    ];
    assert_eq!(
        target_counts(5, &observed),
        TargetCounts {
            desired: Some(5),
            registered: Some(7),
            healthy: Some(2),
            initial: Some(1),
            unhealthy: Some(1),
            draining: Some(2),
            unused: Some(1),
            unavailable: Some(1),
        }
    );
    assert_eq!(
        target_counts(0, []),
        TargetCounts {
            desired: Some(0),
            registered: Some(0),
            healthy: Some(0),
            initial: Some(0),
            unhealthy: Some(0),
            draining: Some(0),
            unused: Some(0),
            unavailable: Some(0),
        }
    );
}

fn binding() -> TargetGroupBinding {
    serde_json::from_value(serde_json::json!({
        "apiVersion": "elbv2.k8s.aws/v1beta1",
        "kind": "TargetGroupBinding",
        "metadata": {"name": "web", "namespace": "ns", "generation": 3},
        "spec": {"targetGroupARN": "arn:tg", "serviceRef": {"name": "web", "port": 80}},
    }))
    .unwrap()
}

#[test]
fn only_real_changes_are_written() {
    let mut binding = binding();
    let counts = TargetCounts {
        desired: Some(2),
        healthy: Some(1),
        ..TargetCounts::default()
    };
    let first = binding_status(&binding, &[], None, Some(counts), &time(100));
    assert!(status_changed(&binding, &first), "no status yet");
    assert_eq!(first.observed_generation, Some(3));
    binding.status = Some(first.clone());

    // A later pass that finds the same: only lastSyncTime differs, so nothing is written.
    let same = binding_status(&binding, &[], None, Some(counts), &time(200));
    assert_eq!(same.last_sync_time, Some(time(200)));
    assert!(!status_changed(&binding, &same));
    assert_eq!(same.conditions, first.conditions, "transition times kept");

    let healthier = TargetCounts {
        healthy: Some(2),
        ..counts
    };
    assert!(status_changed(
        &binding,
        &binding_status(&binding, &[], None, Some(healthier), &time(300))
    ));

    let problem = problem(
        lbgate_api::consts::CONDITION_SERVICE_FOUND,
        REASON_SERVICE_NOT_FOUND,
    );
    let broken = binding_status(&binding, &[problem], None, None, &time(400));
    assert!(status_changed(&binding, &broken));
    assert_eq!(
        broken.targets,
        Some(counts),
        "counts kept when targets were not looked at"
    );
    let ready = broken.condition("Ready").unwrap();
    assert_eq!(
        (ready.status.as_str(), ready.reason.as_str()),
        ("False", REASON_SERVICE_NOT_FOUND)
    );
    assert_eq!(ready.last_transition_time, time(400));
}
