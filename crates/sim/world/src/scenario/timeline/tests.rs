use super::*;

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

fn record(arn: &str, registered: f64, healthy: Option<f64>, dereg: Option<f64>) -> TargetRecord {
    TargetRecord {
        arn: arn.into(),
        registered: secs(registered),
        healthy: healthy.map(secs),
        deregistered: dereg.map(secs),
    }
}

fn origin() -> Origin {
    Origin {
        wall: Instant::now(),
        sim: Duration::ZERO,
        time_scale: 0.5,
    }
}

fn pod(ip: &str, created: f64, gone: Option<f64>) -> PodTimeline {
    let at = |sim: f64| Moment { sim, wall: 0.0 };
    PodTimeline {
        name: format!("pod-{created}"),
        ip: Some(ip.into()),
        created: Some(at(created)),
        gone: gone.map(at),
        ..PodTimeline::default()
    }
}

#[test]
fn the_model_instants_are_kept_and_removal_is_stamped_when_seen() {
    let mut book = Book::default();
    let ip = "10.0.1.5".to_owned();
    merge(
        &mut book,
        (secs(3.0), vec![(ip.clone(), record("tg", 2.0, None, None))]),
    );
    merge(
        &mut book,
        (
            secs(13.0),
            vec![(ip.clone(), record("tg", 2.0, Some(12.0), None))],
        ),
    );
    // Healthy then unhealthy: the first healthy instant stays.
    merge(
        &mut book,
        (
            secs(20.0),
            vec![(ip.clone(), record("tg", 2.0, None, None))],
        ),
    );
    let got = &book.targets[&ip][0];
    assert_eq!((got.healthy, got.deregistered), (Some(secs(12.0)), None));
    // Removed without draining (a target group nobody routes to): stamped when seen gone.
    merge(&mut book, (secs(21.0), vec![]));
    assert_eq!(book.targets[&ip][0].deregistered, Some(secs(21.0)));
    // Registered again later: a second record, its draining start from the model.
    merge(
        &mut book,
        (
            secs(30.0),
            vec![(ip.clone(), record("tg", 29.0, None, Some(29.5)))],
        ),
    );
    merge(&mut book, (secs(40.0), vec![]));
    assert_eq!(book.targets[&ip].len(), 2);
    assert_eq!(book.targets[&ip][1].deregistered, Some(secs(29.5)));
}

#[test]
fn a_pod_gets_the_registrations_of_its_address_made_while_it_lived() {
    let targets = BTreeMap::from([(
        "10.0.1.5".to_owned(),
        vec![
            record("tg-a", 4.0, Some(14.0), Some(30.0)),
            record("tg-b", 5.0, Some(15.0), None),
            record("tg-a", 50.0, Some(60.0), None),
        ],
    )]);
    let origin = origin();
    let first = with_targets(pod("10.0.1.5", 3.0, Some(40.0)), &targets, &origin);
    assert_eq!(first.registered.map(|m| m.sim), Some(4.0));
    assert_eq!(
        first.registered.map(|m| m.wall),
        Some(2.0),
        "placed by the time scale"
    );
    assert_eq!(first.healthy.map(|m| m.sim), Some(14.0));
    assert_eq!(first.deregistered.map(|m| m.sim), Some(30.0));
    assert_eq!(first.target_groups, ["tg-a", "tg-b"]);
    // A later pod on the same address sees only its own registration.
    let second = with_targets(pod("10.0.1.5", 45.0, None), &targets, &origin);
    assert_eq!(second.registered.map(|m| m.sim), Some(50.0));
    assert_eq!(second.healthy.map(|m| m.sim), Some(60.0));
    assert_eq!(second.deregistered, None);
    let elsewhere = with_targets(pod("10.0.1.6", 3.0, None), &targets, &origin);
    assert_eq!(elsewhere.registered, None);
}

#[test]
fn lags_are_differences_in_simulated_time() {
    let at = |sim: f64| Some(Moment { sim, wall: 0.0 });
    let timeline = PodTimeline {
        ready: at(5.0),
        healthy: at(15.0),
        gate_true: at(16.5),
        ..PodTimeline::default()
    };
    assert_eq!(timeline.ready_before_healthy(), Some(10.0));
    assert_eq!(timeline.gate_lag(), Some(1.5));
    assert_eq!(PodTimeline::default().gate_lag(), None);
}
