use super::*;

fn params(text: &str) -> Params {
    Params::parse(text.as_bytes())
}

#[test]
fn target_calls_are_kept_with_their_targets_and_outcome() {
    let journal = Journal::default();
    let register = params(
        "Action=RegisterTargets&TargetGroupArn=tg-a&Targets.member.1.Id=10.0.1.5&\
             Targets.member.1.Port=8080&Targets.member.2.Id=10.0.1.6&Targets.member.2.Port=8080",
    );
    journal.record(&register, &Ok(()), Duration::from_secs(3));
    journal.record(
        &register,
        &Err::<(), _>(ApiError::new(400, "Throttling", "Rate exceeded")),
        Duration::from_secs(4),
    );
    let deregister =
        params("Action=DeregisterTargets&TargetGroupArn=tg-a&Targets.member.1.Id=i-0abc");
    journal.record(&deregister, &Ok(()), Duration::from_secs(5));
    let health = params("Action=DescribeTargetHealth&TargetGroupArn=tg-a");
    journal.record(&health, &Ok(()), Duration::from_secs(6));

    let calls = journal.calls();
    assert_eq!(calls.len(), 3, "DescribeTargetHealth is not journaled");
    assert_eq!(calls[0].targets, ["10.0.1.5:8080", "10.0.1.6:8080"]);
    assert_eq!(calls[0].at, Duration::from_secs(3));
    assert_eq!(calls[1].error.as_deref(), Some("Throttling"));
    assert_eq!(calls[2].targets, ["i-0abc"]);
    assert_eq!(
        journal.successes("RegisterTargets", "tg-a"),
        BTreeMap::from([("10.0.1.5:8080".into(), 1), ("10.0.1.6:8080".into(), 1)]),
        "the throttled call registered nothing"
    );
    assert!(journal.successes("RegisterTargets", "tg-b").is_empty());
}

#[tokio::test]
async fn the_request_pipeline_journals_what_it_serves() {
    let config = super::super::SimConfig::default();
    let clock: std::sync::Arc<dyn lbgate_sim_clock::Clock> =
        std::sync::Arc::new(lbgate_sim_clock::ScaledClock::new(1.0));
    let shared = super::super::service::Shared::new(&config, clock);
    let vpc = shared
        .state
        .with_model(|m, _| m.default_vpc().map(|v| v.id.clone()))
        .unwrap();
    shared
        .handle(&params(&format!(
            "Action=CreateTargetGroup&Version=2015-12-01&Name=web&Protocol=HTTP&Port=80&\
                 TargetType=ip&VpcId={vpc}"
        )))
        .await
        .unwrap();
    let arn = shared.state.target_group_arns().remove(0);
    let register = params(&format!(
        "Action=RegisterTargets&Version=2015-12-01&TargetGroupArn={arn}&\
             Targets.member.1.Id=10.0.1.5&Targets.member.1.Port=8080"
    ));
    shared.handle(&register).await.unwrap();
    shared.handle(&register).await.unwrap();
    let unknown = params(&format!(
        "Action=RegisterTargets&Version=2015-12-01&TargetGroupArn={arn}-gone&\
             Targets.member.1.Id=10.0.1.6&Targets.member.1.Port=8080"
    ));
    assert!(shared.handle(&unknown).await.is_err());

    let journal = shared.journal();
    assert_eq!(
        journal.calls().len(),
        3,
        "CreateTargetGroup is not journaled"
    );
    assert_eq!(
        journal.successes("RegisterTargets", &arn),
        BTreeMap::from([("10.0.1.5:8080".into(), 2)]),
        "a second registration is a no-op in the model but counts here"
    );
    assert!(journal.calls()[2].error.is_some());
}
