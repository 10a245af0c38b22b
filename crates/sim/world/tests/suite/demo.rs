//! `lbgate-sim demo`: the ELBv2 lifecycle story, run in-process and checked step by step.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lbgate_sim::demo::{self, DemoError, DemoOptions, DemoReport};

/// A narration sink the test can read afterwards.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

const PODS: [&str; 3] = ["10.0.1.10:8080", "10.0.65.11:8080", "10.0.129.12:8080"];
const IDLE: [&str; 2] = ["10.0.1.20:8080", "10.0.65.21:8080"];

fn s(secs: u64) -> Duration {
    Duration::from_secs(secs)
}

fn assert_within(what: &str, took: Option<Duration>, low: Duration, high: Duration) {
    let took = took.unwrap_or_else(|| panic!("{what}: never observed"));
    assert!(
        took >= low && took <= high,
        "{what}: took {took:?}, expected {low:?}..={high:?}"
    );
}

async fn run_captured(time_scale: f64) -> (DemoReport, String) {
    let out = Captured::default();
    let result = demo::run(DemoOptions::new(time_scale).with_output(out.clone())).await;
    let text = out.text();
    match result {
        Ok(report) => (report, text),
        Err(error) => panic!("demo failed: {error}\n{text}"),
    }
}

/// The default scale (0.05): polls are paced to ELB's Describe* refill (≤ 9 a wall second), so
/// one poll spans 2.2 simulated seconds here; at 0.01 it would span 11 and blur every bound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_tells_the_lifecycle_story_and_meets_every_expectation() {
    let (report, text) = run_captured(demo::DEFAULT_TIME_SCALE).await;
    let numbers: Vec<u8> = report.steps.iter().map(|step| step.number).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6, 7], "{text}");
    for step in &report.steps {
        assert!(
            step.expectations.iter().all(|e| e.met),
            "step {}: {:?}",
            step.number,
            step.expectations
        );
    }
    assert!(report.steps.iter().all(|s| !s.expectations.is_empty()));

    // 2: initial / registration → initial / initial checks → healthy, 15 s after registering.
    let register = report.step(2).unwrap();
    for pod in PODS {
        assert_eq!(
            register.sequence_of(pod),
            [
                ("initial", Some("Elb.RegistrationInProgress")),
                ("initial", Some("Elb.InitialHealthChecking")),
                ("healthy", None),
            ],
            "{pod}\n{text}"
        );
        assert_within(
            &format!("{pod} healthy"),
            register.time_to(pod, "healthy"),
            s(15),
            s(20),
        );
        // The first check runs one interval after registering: the reason changes then.
        let first_check = register
            .transitions
            .iter()
            .find(|t| t.target == pod && t.reason.as_deref() == Some("Elb.InitialHealthChecking"))
            .map(|t| t.at - register.started_at);
        assert_within(&format!("{pod} first check"), first_check, s(5), s(10));
    }

    // 3: only the second pod changes: unhealthy after 2 failed checks, healthy after 3 passes.
    let flap = report.step(3).unwrap();
    let [_, flapping, _] = PODS;
    assert_eq!(
        flap.sequence_of(flapping),
        [
            ("unhealthy", Some("Target.FailedHealthChecks")),
            ("healthy", None),
        ],
        "{text}"
    );
    assert!(
        flap.transitions.iter().all(|t| t.target == flapping),
        "{text}"
    );
    let unhealthy = flap.time_to(flapping, "unhealthy");
    assert_within("unhealthy", unhealthy, s(5), s(15));
    let healed = flap
        .time_to(flapping, "healthy")
        .zip(unhealthy)
        .map(|(healthy, unhealthy)| healthy - unhealthy);
    assert_within("healthy again", healed, s(10), s(20));

    // 4: draining for the 20 s deregistration delay, then gone.
    let drain = report.step(4).unwrap();
    let [_, _, leaving] = PODS;
    assert_eq!(
        drain.sequence_of(leaving),
        [
            ("draining", Some("Target.DeregistrationInProgress")),
            ("gone", None),
        ],
        "{text}"
    );
    assert_within("draining", drain.time_to(leaving, "draining"), s(0), s(5));
    assert_within("gone", drain.time_to(leaving, "gone"), s(20), s(25));

    // 5: no listener, no health checks.
    let idle = report.step(5).unwrap();
    for target in IDLE {
        assert_eq!(
            idle.sequence_of(target),
            [("unused", Some("Target.NotInUse"))],
            "{text}"
        );
    }

    // 6: the Describe* bucket lets 40 of 60 through.
    let throttle = report.throttle.unwrap();
    assert_eq!(
        (
            throttle.sent,
            throttle.succeeded,
            throttle.throttled,
            throttle.other_errors
        ),
        (60, 40, 20, 0)
    );
    assert_eq!(
        report.throttled_polls, 0,
        "polling is paced under the bucket"
    );

    // 7: the simulator counted exactly what the demo sent.
    assert_eq!(report.call_counts, report.calls_sent);
    let count = |action: &str| report.call_counts.get(action).copied().unwrap_or(0);
    for (action, expected) in [
        ("CreateTargetGroup", 2),
        ("ModifyTargetGroupAttributes", 2),
        ("CreateLoadBalancer", 1),
        ("CreateListener", 1),
        ("DescribeTargetGroups", 1),
        ("RegisterTargets", 2),
        ("DeregisterTargets", 1),
    ] {
        assert_eq!(count(action), expected, "{action}");
    }
    let polls = count("DescribeTargetHealth") - 60;
    assert!((20..=60).contains(&polls), "{polls} polls");
    assert_eq!(report.call_counts.len(), 8, "{:?}", report.call_counts);

    assert!(report.sim_elapsed >= s(60), "{:?}", report.sim_elapsed);
    assert!(report.wall_elapsed < s(30), "{:?}", report.wall_elapsed);
    assert!(text.contains("[t=+"), "{text}");
    assert!(
        text.contains("✓ expected 40 succeeded / 20 throttled"),
        "{text}"
    );
    assert!(!text.contains("NOT MET"), "{text}");
    assert!(text.contains("Coming next"), "{text}");
}

#[tokio::test]
async fn demo_rejects_a_time_scale_too_fast_to_observe() {
    for scale in [0.01, 0.0, -1.0, f64::NAN] {
        let error = demo::run(DemoOptions::new(scale).with_output(std::io::sink()))
            .await
            .unwrap_err();
        assert!(
            matches!(error, DemoError::Options { .. }),
            "{scale}: {error}"
        );
    }
}

/// `make demo` runs the binary: it narrates on stdout and exits zero.
#[tokio::test]
async fn make_demo_binary_exits_zero_and_narrates() {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_lbgate-sim"))
        .args(["demo", "--time-scale", "0.05"])
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(s(60), output)
        .await
        .expect("demo finishes within a minute")
        .expect("run lbgate-sim demo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{:?}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("── 7. Summary"), "{stdout}");
    assert!(!stdout.contains("NOT MET"), "{stdout}");
}
