//! The binary's configuration sources end to end (environment variables can only be set for a
//! child process without `unsafe`): flag > `LBGATE_…` environment > `--config` file > default,
//! and refusals exit non-zero naming the flag.

use std::process::Command;

fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lbgate-controller"));
    // The test's own environment must not leak a setting into the child.
    for (key, _) in std::env::vars() {
        if key.starts_with("LBGATE_") {
            command.env_remove(key);
        }
    }
    command
}

fn config_file(test: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("lbgate-{test}-{}.yaml", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn flag_beats_environment_beats_file_beats_default() {
    let file = config_file(
        "precedence",
        "webhook-bind-port: 1001\ncluster-name: from-file\ningress-class: file-class\n",
    );
    let output = binary()
        .args(["--check-config", "--config"])
        .arg(&file)
        .args(["--webhook-bind-port", "3003"])
        .env("LBGATE_WEBHOOK_BIND_PORT", "2002")
        .env("LBGATE_CLUSTER_NAME", "from-env")
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("webhook_bind_port: 3003"), "{stdout}");
    assert!(stdout.contains("cluster_name: \"from-env\""), "{stdout}");
    assert!(stdout.contains("ingress_class: \"file-class\""), "{stdout}");
    assert!(stdout.contains("aws_max_retries: 10"), "{stdout}");
}

#[test]
fn refusals_exit_non_zero_and_name_the_flag() {
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case<'_>] = &[
        (&["--no-such-flag"], &[], "--no-such-flag"),
        (&["--log-format", "xml"], &[], "--log-format"),
        (
            &[],
            &[("LBGATE_WEBHOOK_BIND_PORT", "zero")],
            "--webhook-bind-port",
        ),
        (
            &["--watch-namespace", "Not_A_Namespace"],
            &[],
            "--watch-namespace",
        ),
    ];
    for (args, env, flag) in cases {
        let output = binary()
            .arg("--check-config")
            .args(*args)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} {env:?} succeeded");
        assert!(stderr.contains(flag), "{args:?} {env:?}: {stderr}");
    }
}

#[test]
fn a_bad_file_value_names_its_key() {
    let file = config_file("bad-file", "log-format: xml\n");
    let output = binary()
        .args(["--check-config", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("log-format") || stderr.contains("xml"),
        "{stderr}"
    );
}
