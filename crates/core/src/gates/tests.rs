use k8s_openapi::api::core::v1::PodStatus;

use super::*;
use crate::fixtures::{pod, time};
use crate::target::{REASON_TARGET_NOT_REGISTERED, TargetKey, TargetState};

const GATE: &str = "target-health.elbv2.k8s.aws/web";

fn observed(state: &str, reason: Option<&str>, description: Option<&str>) -> ObservedTarget {
    ObservedTarget {
        key: TargetKey::new("10.0.0.1", 8080),
        state: TargetState::from_aws(state),
        reason: reason.map(str::to_owned),
        description: description.map(str::to_owned),
    }
}

fn gate(status: ConditionStatus, reason: Option<&str>, message: Option<&str>) -> GateCondition {
    GateCondition {
        status,
        reason: reason.map(str::to_owned),
        message: message.map(str::to_owned),
    }
}

#[test]
fn desired_gate_from_target_health() {
    use ConditionStatus::{False, True};
    let in_progress = gate(
        False,
        Some("Elb.RegistrationInProgress"),
        Some("Target registration is in progress"),
    );
    let cases = [
        (None, in_progress.clone()),
        (
            Some(observed("healthy", None, None)),
            gate(True, None, None),
        ),
        (
            Some(observed("healthy", Some(""), Some(""))),
            gate(True, None, None),
        ),
        (
            Some(observed(
                "initial",
                Some("Elb.InitialHealthChecking"),
                Some("Initial health checks in progress"),
            )),
            gate(
                False,
                Some("Elb.InitialHealthChecking"),
                Some("Initial health checks in progress"),
            ),
        ),
        (
            Some(observed(
                "initial",
                Some("Elb.RegistrationInProgress"),
                Some("Target registration is in progress"),
            )),
            in_progress.clone(),
        ),
        (
            Some(observed(
                "unhealthy",
                Some("Target.ResponseCodeMismatch"),
                Some("Health checks failed with these codes: [503]"),
            )),
            gate(
                False,
                Some("Target.ResponseCodeMismatch"),
                Some("Health checks failed with these codes: [503]"),
            ),
        ),
        (
            Some(observed(
                "unused",
                Some("Target.NotInUse"),
                Some("Target group is not configured to receive traffic from the load balancer"),
            )),
            gate(
                False,
                Some("Target.NotInUse"),
                Some("Target group is not configured to receive traffic from the load balancer"),
            ),
        ),
        (
            Some(observed(
                "unavailable",
                Some("Target.HealthCheckDisabled"),
                Some("Health checks are disabled for the target group"),
            )),
            gate(
                False,
                Some("Target.HealthCheckDisabled"),
                Some("Health checks are disabled for the target group"),
            ),
        ),
        (
            Some(observed(
                "draining",
                Some("Target.DeregistrationInProgress"),
                Some("Target deregistration is in progress"),
            )),
            in_progress.clone(),
        ),
        (
            Some(observed("unused", Some(REASON_TARGET_NOT_REGISTERED), None)),
            in_progress.clone(),
        ),
        (
            Some(observed("warming", None, None)),
            gate(False, None, None),
        ),
    ];
    for (target, expected) in cases {
        assert_eq!(desired_gate(target.as_ref()), expected, "{target:?}");
    }
}

fn existing(status: &str, reason: Option<&str>, message: Option<&str>) -> PodCondition {
    PodCondition {
        type_: GATE.into(),
        status: status.into(),
        reason: reason.map(str::to_owned),
        message: message.map(str::to_owned),
        last_transition_time: Some(time(10)),
        ..PodCondition::default()
    }
}

#[test]
fn gate_update_writes_only_changes_and_keeps_transition_time() {
    use ConditionStatus::{False, True};
    let now = time(100);
    // (existing, desired, expected lastTransitionTime or None for no write)
    let cases = [
        (None, gate(False, Some("Elb.X"), Some("m")), Some(time(100))),
        (
            Some(existing("False", Some("Elb.X"), Some("m"))),
            gate(False, Some("Elb.X"), Some("m")),
            None,
        ),
        (
            Some(existing("True", None, None)),
            gate(True, Some(""), Some("")),
            None,
        ),
        (
            Some(existing("True", Some(""), None)),
            gate(True, None, None),
            None,
        ),
        (
            Some(existing("False", Some("Elb.X"), Some("m"))),
            gate(False, Some("Target.Timeout"), Some("m")),
            Some(time(10)),
        ),
        (
            Some(existing("False", Some("Elb.X"), Some("m"))),
            gate(False, Some("Elb.X"), Some("other")),
            Some(time(10)),
        ),
        (
            Some(existing("False", Some("Elb.X"), Some("m"))),
            gate(True, None, None),
            Some(time(100)),
        ),
        (
            Some(existing("True", None, None)),
            gate(False, Some("Target.Timeout"), None),
            Some(time(100)),
        ),
        (
            Some(existing("Unknown", None, None)),
            gate(False, None, None),
            Some(time(100)),
        ),
    ];
    for (current, desired, expected_time) in cases {
        let got = gate_update(GATE, current.as_ref(), &desired, &now);
        match expected_time {
            None => assert_eq!(got, None, "{current:?} → {desired:?}"),
            Some(ltt) => {
                let written = got.unwrap_or_else(|| panic!("{current:?} → {desired:?}: no write"));
                assert_eq!(written.type_, GATE);
                assert_eq!(written.status, desired.status.as_str());
                assert_eq!(written.reason, desired.reason.filter(|r| !r.is_empty()));
                assert_eq!(written.message, desired.message.filter(|m| !m.is_empty()));
                assert_eq!(written.last_transition_time, Some(ltt), "{current:?}");
            }
        }
    }
}

#[test]
fn gate_update_fills_a_missing_transition_time() {
    let mut current = existing("False", Some("Elb.X"), None);
    current.last_transition_time = None;
    let got = gate_update(
        GATE,
        Some(&current),
        &gate(ConditionStatus::False, Some("Elb.Y"), None),
        &time(5),
    );
    assert_eq!(got.and_then(|c| c.last_transition_time), Some(time(5)));
}

#[test]
fn current_condition_finds_the_gate() {
    let mut p = pod("a", "10.0.0.1", &[GATE], Some("True"));
    assert_eq!(current_condition(&p, GATE), None);
    p.status = Some(PodStatus {
        conditions: Some(vec![existing("True", None, None)]),
        ..PodStatus::default()
    });
    assert_eq!(
        current_condition(&p, GATE).map(|c| c.status.as_str()),
        Some("True")
    );
    assert_eq!(current_condition(&p, "Ready"), None);
}

#[test]
fn pod_status_patch_carries_only_the_condition_and_the_uid() {
    let condition = gate_update(
        GATE,
        None,
        &gate(
            ConditionStatus::False,
            Some("Elb.InitialHealthChecking"),
            Some("Initial health checks in progress"),
        ),
        &time(0),
    )
    .unwrap();
    let patch = pod_status_patch("uid-a", &condition).unwrap();
    assert_eq!(
        patch,
        json!({
            "metadata": {"uid": "uid-a"},
            "status": {"conditions": [{
                "type": GATE,
                "status": "False",
                "reason": "Elb.InitialHealthChecking",
                "message": "Initial health checks in progress",
                "lastTransitionTime": "2023-11-14T22:13:20Z",
            }]},
        })
    );

    let healthy = gate_update(
        GATE,
        None,
        &gate(ConditionStatus::True, None, None),
        &time(0),
    )
    .unwrap();
    let patch = pod_status_patch("uid-a", &healthy).unwrap();
    let written = &patch["status"]["conditions"][0];
    assert_eq!(written["reason"], Value::Null);
    assert_eq!(written["message"], Value::Null);
    assert!(
        written.as_object().unwrap().contains_key("reason"),
        "null clears a stale reason"
    );
    assert_eq!(patch.as_object().unwrap().len(), 2);
}

#[test]
fn deleted_binding_releases_with_a_reason() {
    let released = deleted_binding_gate();
    assert_eq!(released.status, ConditionStatus::True);
    assert_eq!(
        released.reason.as_deref(),
        Some("TargetGroupBindingDeleted")
    );
    assert_eq!(
        released.message.as_deref(),
        Some("Target Group Binding is deleted")
    );
}
