use super::*;

fn shape(replicas: usize, surge: usize) -> RolloutShape {
    RolloutShape {
        replicas,
        surge,
        to_first: 0.0,
        to_registered: 3.0,
        to_healthy: 10.0,
        to_available: 0.0,
        to_next: 0.0,
        to_deregistered: 0.0,
        drain: 5.0,
    }
}

#[test]
fn a_fixed_lag_paces_the_pipeline() {
    // One pod at a time: each takes 3 + 10 + 1.5 s, and the last old pod goes at its Ready.
    let m = model_rollout(&shape(2, 1), GateRule::AfterHealthy(1.5));
    assert_eq!(m.lags, [1.5, 1.5]);
    assert_eq!(m.seconds, 29.0);
    assert_eq!((m.passes, m.describe_target_health_calls), (0, 0));
}

#[test]
fn lbc_flips_at_the_first_pass_after_the_verdict() {
    // Registered at 3, healthy at 13; passes at 3 (no call: nothing unhealthy cached) and
    // 18 (the requeue, one call): lag 5. Ready at 18: the old pod is deregistered then (a
    // pass with nothing left to describe) and the rollout ends.
    let m = model_rollout(&shape(1, 1), GateRule::LbcRequeue(15.0));
    assert_eq!(m.lags, [5.0]);
    assert_eq!(m.seconds, 18.0);
    assert_eq!((m.passes, m.describe_target_health_calls), (3, 1));
}

#[test]
fn the_earliest_requeue_wins_and_deregistrations_are_passes() {
    // Two at once: both register at 3 (one pass each; the second's requeue at 18 is the
    // first's), healthy at 13; the requeue at 18 flips both.
    let mut s = shape(2, 2);
    let m = model_rollout(&s, GateRule::LbcRequeue(15.0));
    assert_eq!(m.lags, [5.0, 5.0]);
    // Passes: 3 (no call), 3 (the first is pending), 18, and the two deregistrations at 18
    // (the second describes the first's draining target).
    assert_eq!(m.passes, 5);
    assert_eq!(m.describe_target_health_calls, 3);
    // A slow verdict rides the first requeue (18), then the next (33).
    s.to_healthy = 16.0;
    let slow = model_rollout(&s, GateRule::LbcRequeue(15.0));
    assert_eq!(slow.lags, [14.0, 14.0]);
    assert_eq!(slow.seconds, 33.0);
}

#[test]
fn a_wave_asks_for_no_more_pods_than_the_replicas() {
    let m = model_rollout(&shape(10, 3), GateRule::LbcRequeue(15.0));
    assert_eq!(m.lags.len(), 10);
    assert!(m.lags.iter().all(|l| *l == 5.0), "{m:?}");
    // Each wave: 3 passes to register, 1 requeue, 3 deregistrations; 4 waves, the last of 1.
    assert_eq!(m.passes, 3 * 7 + 3);
    assert_eq!(m.seconds, 4.0 * 18.0);
}

#[test]
fn a_slower_gate_slows_every_later_pod() {
    let fast = model_rollout(&shape(10, 3), GateRule::AfterHealthy(1.0));
    let slow = model_rollout(&shape(10, 3), GateRule::AfterHealthy(5.0));
    // Four waves of pods (3, 3, 3, 1): each pays the extra 4 s.
    assert_eq!(slow.seconds - fast.seconds, 16.0);
    assert!(fast.lags.iter().all(|l| *l == 1.0));
}
