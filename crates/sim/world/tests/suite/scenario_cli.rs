//! `lbgate-sim scenario FILE`: the example file runs, prints its report and writes it as JSON; a
//! scenario whose wait cannot be met exits 1 saying which step failed.

use std::process::Command;

fn example() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/rolling-update-without-gates.yaml")
}

#[test]
fn the_example_scenario_reports_the_rollout_5xx() {
    let json = std::env::temp_dir().join(format!("lbgate-scenario-{}.json", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_lbgate-sim"))
        .arg("scenario")
        .arg(example())
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let _ = std::fs::remove_file(&json);
    assert_eq!(report["name"], "rolling-update-without-gates");
    let failures = report["traffic"]["failures"].as_u64().unwrap();
    assert!(failures > 0, "{stdout}");
    assert!(report["pods"].as_array().unwrap().len() >= 10, "{stdout}");
    // The text report says the same number.
    assert!(stdout.contains(&failures.to_string()), "{stdout}");
}

#[test]
fn a_wait_that_cannot_be_met_fails_the_run_naming_the_step() {
    let file =
        std::env::temp_dir().join(format!("lbgate-scenario-bad-{}.yaml", std::process::id()));
    std::fs::write(
        &file,
        "name: never\nworld: {timeScale: 0.05}\nsteps:\n\
         - waitFor:\n    condition: {rolloutComplete: {namespace: default, deployment: missing}}\n    timeoutSeconds: 1\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lbgate-sim"))
        .arg("scenario")
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "scenario FAILED: scenario never, step 1 (wait for rollout of default/missing complete)"
        ),
        "{stdout}"
    );
}
