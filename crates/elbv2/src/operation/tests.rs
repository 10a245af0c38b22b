use super::*;

#[test]
fn priorities_rank_deregister_first() {
    assert!(Priority::Deregister > Priority::Register);
    assert!(Priority::Register > Priority::Mutate);
    assert!(Priority::Mutate > Priority::DescribeHealth);
    assert!(Priority::DescribeHealth > Priority::DriftScan);
}

#[test]
fn classes_follow_the_action_name() {
    for op in Operation::ALL {
        let name = op.as_str();
        let expected = if name.starts_with("Describe") {
            ApiClass::Describe
        } else if name == "RegisterTargets" || name == "DeregisterTargets" {
            ApiClass::Targets
        } else if name.starts_with("Modify") {
            ApiClass::Modify
        } else {
            ApiClass::Mutate
        };
        assert_eq!(op.class(), expected, "{name}");
    }
}
