use super::*;

#[test]
fn target_states_round_trip_through_aws_spelling() {
    let cases = [
        ("initial", TargetState::Initial, false),
        ("healthy", TargetState::Healthy, false),
        ("unhealthy", TargetState::Unhealthy, false),
        ("unhealthy.draining", TargetState::UnhealthyDraining, true),
        ("draining", TargetState::Draining, true),
        ("unused", TargetState::Unused, false),
        ("unavailable", TargetState::Unavailable, false),
        ("warming", TargetState::Unknown("warming".into()), false),
    ];
    for (wire, state, draining) in cases {
        assert_eq!(TargetState::from_aws(wire), state, "{wire}");
        assert_eq!(state.as_str(), wire);
        assert_eq!(state.to_string(), wire);
        assert_eq!(state.is_draining(), draining, "{wire}");
    }
}

#[test]
fn target_keys_display_and_parse() {
    let cases = [
        ("10.0.0.1:8080", Some(TargetKey::new("10.0.0.1", 8080))),
        ("i-0abc:30080", Some(TargetKey::new("i-0abc", 30080))),
        ("2001:db8::1:443", Some(TargetKey::new("2001:db8::1", 443))),
        ("10.0.0.1", None),
        (":80", None),
        ("10.0.0.1:0", None),
        ("10.0.0.1:65536", None),
        ("10.0.0.1:http", None),
        ("10 .0.0.1:80", None),
    ];
    for (text, expected) in cases {
        let parsed = TargetKey::parse(text);
        assert_eq!(parsed, expected, "{text}");
        if let Some(key) = parsed {
            assert_eq!(key.to_string(), text);
        }
    }
}

#[test]
fn target_keys_order_by_id_then_port() {
    let mut keys = vec![
        TargetKey::new("b", 1),
        TargetKey::new("a", 2),
        TargetKey::new("a", 1),
    ];
    keys.sort();
    assert_eq!(
        keys,
        vec![
            TargetKey::new("a", 1),
            TargetKey::new("a", 2),
            TargetKey::new("b", 1)
        ]
    );
}

#[test]
fn registration_follows_state_and_reason() {
    let key = TargetKey::new("10.0.0.1", 80);
    let with = |state: TargetState, reason: Option<&str>| ObservedTarget {
        key: key.clone(),
        state,
        reason: reason.map(str::to_owned),
        description: None,
    };
    let cases = [
        (with(TargetState::Initial, None), true),
        (with(TargetState::Healthy, None), true),
        (with(TargetState::Unhealthy, None), true),
        (with(TargetState::Draining, None), false),
        (with(TargetState::UnhealthyDraining, None), false),
        (with(TargetState::Unused, Some("Target.NotInUse")), true),
        (
            with(TargetState::Unused, Some(REASON_TARGET_NOT_REGISTERED)),
            false,
        ),
        (with(TargetState::Unavailable, None), true),
    ];
    for (observed, registered) in cases {
        assert_eq!(observed.is_registered(), registered, "{observed:?}");
    }
}
