use super::*;

const WINDOW: Duration = Duration::from_secs(30);

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[test]
fn nobody_competes_until_a_higher_priority_calls() {
    let t0 = Instant::now();
    let mut contention = Contention::new(WINDOW);
    assert_eq!(
        contention.higher_competes_until(Priority::DriftScan, t0),
        None
    );
    // Equal and lower priorities are not competition.
    contention.note(Priority::DescribeHealth, t0);
    contention.note(Priority::DriftScan, t0);
    assert_eq!(
        contention.higher_competes_until(Priority::DescribeHealth, t0),
        None
    );
    assert_eq!(
        contention.higher_competes_until(Priority::DriftScan, t0),
        Some(t0 + WINDOW)
    );
}

#[test]
fn competition_lapses_one_window_after_the_last_call() {
    let t0 = Instant::now();
    let mut contention = Contention::new(WINDOW);
    contention.note(Priority::Deregister, t0);
    contention.note(Priority::Register, t0 + secs(10));
    let until = contention.higher_competes_until(Priority::DescribeHealth, t0 + secs(20));
    assert_eq!(until, Some(t0 + secs(40)), "the latest competitor counts");
    // Register only competes with lower priorities; Deregister's call has lapsed for it.
    assert_eq!(
        contention.higher_competes_until(Priority::Register, t0 + secs(30)),
        None
    );
    assert_eq!(
        contention.higher_competes_until(Priority::DescribeHealth, t0 + secs(40)),
        None
    );
    // A new call renews it; an older instant never moves it back.
    contention.note(Priority::Deregister, t0 + secs(50));
    contention.note(Priority::Deregister, t0 + secs(45));
    assert_eq!(
        contention.higher_competes_until(Priority::Register, t0 + secs(50)),
        Some(t0 + secs(80))
    );
}
