use super::*;
use serde_json::json;

fn s(secs: u64) -> Duration {
    Duration::from_secs(secs)
}

fn pod(value: serde_json::Value) -> Pod {
    serde_json::from_value(value).unwrap()
}

fn timing() -> Timing {
    Timing {
        container_start: s(1),
        app_startup: s(2),
        http_prestop: Duration::from_millis(100),
    }
}

#[test]
fn without_a_probe_the_container_is_ready_before_the_app_listens() {
    let p = pod(json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "app"}]}}));
    let life = Lifecycle::new(&p, s(10), &timing());
    assert_eq!(life.ready_at(), s(11));
    assert_eq!(life.app_phase(s(12)), AppPhase::Starting);
    assert_eq!(life.app_phase(s(13)), AppPhase::Serving);
    assert!(life.containers_ready(s(11)));
}

#[test]
fn a_probe_passes_on_its_period_after_the_app_listens() {
    let p = pod(json!({
        "metadata": {"name": "p", "annotations": {"sim.lbgate.io/startup-seconds": "7"}},
        "spec": {"containers": [{"name": "app", "readinessProbe": {
            "httpGet": {"port": 80}, "initialDelaySeconds": 2, "periodSeconds": 3, "successThreshold": 2}}]}
    }));
    let life = Lifecycle::new(&p, s(0), &timing());
    // Container at 1 s, app at 8 s; probes at 3, 6, 9, 12 s: passes at 9 and 12.
    assert_eq!(life.serving, s(8));
    assert_eq!(life.ready_at(), s(12));
    assert_eq!(life.next_event(s(8)), Some(s(12)));
}

#[test]
fn deletion_runs_prestop_then_sigterm_then_exit() {
    let p = pod(json!({
        "metadata": {"name": "p", "annotations": {"sim.lbgate.io/shutdown-seconds": "4"}},
        "spec": {"containers": [{"name": "app",
            "lifecycle": {"preStop": {"exec": {"command": ["/bin/sh", "-c", "sleep 5"]}}}}]}
    }));
    let mut life = Lifecycle::new(&p, s(0), &timing());
    life.delete(s(20), s(30));
    let d = life.deletion.unwrap();
    assert_eq!((d.sigterm, d.exit, d.killed), (s(25), s(29), false));
    assert_eq!(life.app_phase(s(24)), AppPhase::Serving);
    assert_eq!(life.app_phase(s(25)), AppPhase::ShuttingDown);
    assert_eq!(life.app_phase(s(29)), AppPhase::Gone);
    // No probe: ready until the process is gone.
    assert!(life.containers_ready(s(28)));
    assert!(!life.containers_ready(s(29)));
}

#[test]
fn sigkill_cuts_a_long_shutdown_and_a_long_prestop_gets_two_seconds() {
    let p = pod(json!({
        "metadata": {"name": "p", "annotations": {"sim.lbgate.io/shutdown-seconds": "60"}},
        "spec": {"containers": [{"name": "app", "lifecycle": {"preStop": {"sleep": {"seconds": 10}}}}]}
    }));
    let mut life = Lifecycle::new(&p, s(0), &timing());
    life.delete(s(100), s(30));
    let d = life.deletion.unwrap();
    assert_eq!((d.sigterm, d.exit, d.killed), (s(110), s(130), true));
    let mut short = Lifecycle::new(&p, s(0), &timing());
    short.delete(s(100), s(5));
    let d = short.deletion.unwrap();
    assert_eq!((d.sigterm, d.exit, d.killed), (s(105), s(107), true));
}

#[test]
fn exec_sleep_is_found_in_common_spellings() {
    let cmd = |words: &[&str]| words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
    assert_eq!(exec_sleep(&cmd(&["sleep", "15"])), s(15));
    assert_eq!(
        exec_sleep(&cmd(&["/bin/sh", "-c", "sleep 7; echo bye"])),
        s(7)
    );
    assert_eq!(exec_sleep(&cmd(&["/usr/bin/sleep", "3s"])), s(3));
    assert_eq!(exec_sleep(&cmd(&["nginx", "-s", "quit"])), Duration::ZERO);
}
