//! The fake's own contract: what its users rely on it to answer.

use lbgate_elbv2::{
    CallOptions, ChunkStatus, Operation, Priority, Target, TargetGroupQuery, TargetHealthState,
    TargetsApi,
};

use super::{FakeConfig, FakeElbv2, aws_error};

fn opts() -> CallOptions {
    CallOptions::new(Priority::Register)
}

fn group(fake: &FakeElbv2, name: &str) -> String {
    fake.add_ip_target_group(name, 8080).arn
}

#[tokio::test]
async fn targets_take_the_initial_state_until_a_test_moves_them() {
    let fake = FakeElbv2::new(FakeConfig {
        initial_health: TargetHealthState::Initial,
        ..FakeConfig::default()
    });
    let arn = group(&fake, "web");
    assert_eq!(group(&fake, "web"), arn, "the same name is the same group");
    let outcome = fake
        .register_targets(arn.clone(), vec![Target::new("10.0.0.1", 8080)], opts())
        .await
        .unwrap();
    assert!(outcome.is_complete());

    let rows = fake
        .describe_target_health(arn.clone(), None, opts())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, TargetHealthState::Initial);
    assert_eq!(
        rows[0].reason.as_deref(),
        Some("Elb.RegistrationInProgress")
    );

    fake.set_target_state(
        &arn,
        &Target::new("10.0.0.1", 8080),
        TargetHealthState::Healthy,
    );
    // A target asked for without a port gets the group's; one never registered is unused.
    let asked = vec![
        Target {
            port: None,
            ..Target::new("10.0.0.1", 0)
        },
        Target::new("10.0.0.2", 8080),
    ];
    let rows = fake
        .describe_target_health(arn.clone(), Some(asked), opts())
        .await
        .unwrap();
    assert_eq!(rows[0].state, TargetHealthState::Healthy);
    assert_eq!(rows[0].reason, None);
    assert_eq!(rows[1].state, TargetHealthState::Unused);

    fake.deregister_targets(arn.clone(), vec![Target::new("10.0.0.1", 8080)], opts())
        .await
        .unwrap();
    assert!(fake.registered_targets(&arn).is_empty());
    assert_eq!(fake.calls(Operation::DescribeTargetHealth), 2);
    assert_eq!(fake.total_calls(), 4, "adding a group is not a call");
}

#[tokio::test]
async fn a_batch_larger_than_a_call_may_carry_fails_that_chunk() {
    let fake = FakeElbv2::new(FakeConfig {
        max_targets_per_call: 2,
        ..FakeConfig::default()
    });
    let arn = group(&fake, "web");
    let targets = (1..=3).map(|i| Target::new(format!("10.0.0.{i}"), 8080));
    let outcome = fake
        .register_targets(arn.clone(), targets.collect(), opts())
        .await
        .unwrap();
    let ChunkStatus::Failed(err) = &outcome.chunks[0].status else {
        panic!("{outcome:?}");
    };
    assert_eq!(err.category(), "ValidationError");
    assert_eq!(fake.largest_target_batch(), 3);
    assert!(fake.registered_targets(&arn).is_empty());
}

#[tokio::test]
async fn scripted_failures_throttles_and_unknown_names_answer_as_aws_does() {
    let fake = FakeElbv2::new(FakeConfig {
        throttle_rate: 1.0,
        ..FakeConfig::default()
    });
    let op = Operation::DescribeTargetGroups;
    let all = || fake.describe_target_groups(TargetGroupQuery::All, opts());
    assert!(all().await.unwrap_err().is_throttle());
    fake.set_throttle_rate(0.0);
    fake.fail_next(op, aws_error(op, "AccessDenied", "no"), 1);
    assert_eq!(all().await.unwrap_err().category(), "AccessDenied");
    assert!(all().await.unwrap().is_empty());
    assert_eq!((fake.calls(op), fake.throttled(op)), (3, 1));

    let by_name = TargetGroupQuery::Names(vec!["nope".to_owned()]);
    let err = fake
        .describe_target_groups(by_name, opts())
        .await
        .unwrap_err();
    assert_eq!(err.category(), "TargetGroupNotFound");
    let by_lb = TargetGroupQuery::LoadBalancer("arn:lb".to_owned());
    let err = fake
        .describe_target_groups(by_lb, opts())
        .await
        .unwrap_err();
    assert_eq!(err.category(), "LoadBalancerNotFound");
}
