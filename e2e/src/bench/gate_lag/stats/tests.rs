use super::*;

fn states(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn nearest_rank_percentiles_are_samples() {
    let ten: Vec<f64> = (1..=10).map(f64::from).collect();
    assert_eq!(percentile(&ten, 50.0), Some(5.0));
    assert_eq!(percentile(&ten, 99.0), Some(10.0));
    assert_eq!(percentile(&ten, 10.0), Some(1.0));
    assert_eq!(percentile(&ten, 0.0), Some(1.0));
    let hundred: Vec<f64> = (1..=100).map(f64::from).collect();
    assert_eq!(percentile(&hundred, 99.0), Some(99.0));
    assert_eq!(percentile(&[], 50.0), None);
}

#[test]
fn a_summary_sorts_and_ignores_missing_samples() {
    let s = summarize(&[3.0, 1.0, f64::NAN, 2.0, 4.0]).unwrap();
    assert_eq!(
        (s.count, s.p50, s.p99, s.max, s.mean),
        (4, 2.0, 4.0, 4.0, 2.5)
    );
    assert_eq!(summarize(&[]), None);
    assert_eq!(summarize(&[f64::NAN]), None);
    assert_eq!(median(&[9.0, 1.0, 5.0]), Some(5.0));
}

#[test]
fn transitions_count_appearing_changing_and_disappearing_targets() {
    let empty = states(&[]);
    let registered = states(&[("10.0.0.1:8080", "initial"), ("10.0.0.9:8080", "healthy")]);
    let healthy = states(&[("10.0.0.1:8080", "healthy"), ("10.0.0.9:8080", "draining")]);
    let drained = states(&[("10.0.0.1:8080", "healthy")]);
    let mut all = transitions(&empty, &registered);
    all.extend(transitions(&registered, &registered));
    all.extend(transitions(&registered, &healthy));
    all.extend(transitions(&healthy, &drained));
    let counts = count_by_kind(&all);
    assert_eq!(all.len(), 5);
    assert_eq!(counts["registering→initial"], 1);
    assert_eq!(counts["registering→healthy"], 1);
    assert_eq!(counts["initial→healthy"], 1);
    assert_eq!(counts["healthy→draining"], 1);
    assert_eq!(counts["draining→gone"], 1);
}
