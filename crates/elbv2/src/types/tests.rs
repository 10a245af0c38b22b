use super::*;
use std::collections::HashSet;

#[test]
fn target_identity_is_id_and_port() {
    let a = Target::new("10.0.0.1", 80);
    let mut b = Target::new("10.0.0.1", 80);
    b.availability_zone = Some("all".into());
    let c = Target::new("10.0.0.1", 81);
    assert_eq!(a, b);
    assert_ne!(a, c);
    let set: HashSet<Target> = [a.clone(), b, c.clone()].into_iter().collect();
    assert_eq!(set.len(), 2);
    assert!(a < c);
    assert_eq!(a.to_string(), "10.0.0.1:80");
}

#[test]
fn health_states_round_trip_and_keep_unknown_values() {
    for state in [
        TargetHealthState::Initial,
        TargetHealthState::Healthy,
        TargetHealthState::Unhealthy,
        TargetHealthState::UnhealthyDraining,
        TargetHealthState::Unused,
        TargetHealthState::Draining,
        TargetHealthState::Unavailable,
    ] {
        assert_eq!(TargetHealthState::from_wire(state.as_str()), state);
    }
    assert_eq!(
        TargetHealthState::from_wire("warming"),
        TargetHealthState::Unknown("warming".into())
    );
    assert_eq!(
        TargetHealthState::UnhealthyDraining.as_str(),
        "unhealthy.draining"
    );
}

#[test]
fn rule_priority_number() {
    let mut rule = Rule {
        arn: "arn".into(),
        priority: "default".into(),
        is_default: true,
        conditions: vec![],
        actions: vec![],
    };
    assert_eq!(rule.priority_number(), None);
    rule.priority = "42".into();
    assert_eq!(rule.priority_number(), Some(42));
}
