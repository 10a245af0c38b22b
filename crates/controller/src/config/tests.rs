use std::time::Duration;

use super::*;

fn args(extra: &[&str]) -> Vec<String> {
    std::iter::once("lbgate-controller")
        .chain(extra.iter().copied())
        .map(str::to_owned)
        .collect()
}

fn error_text(result: Result<Config, Error>) -> String {
    match result {
        Ok(config) => panic!("expected an error, got {config:?}"),
        Err(Error::Flags { message, .. } | Error::Config { message }) => message,
        Err(other) => panic!("unexpected error {other}"),
    }
}

#[test]
fn defaults_match_lbc() {
    let config = Config::from_args(args(&[])).unwrap();
    assert!(config.enable_pod_readiness_gate_inject);
    assert!(config.enable_leader_election);
    assert_eq!(config.leader_election_id, DEFAULT_LEADER_ELECTION_ID);
    assert_eq!(config.metrics_bind_addr.port(), 8080);
    assert_eq!(config.health_probe_bind_addr.port(), 61779);
    assert_eq!(config.webhook_bind_port, 9443);
    assert_eq!(config.aws_max_retries, 10);
    assert_eq!(config.max_concurrent_reconciles, 3);
    assert_eq!(
        config.max_exponential_backoff_delay,
        Duration::from_secs(1000)
    );
    assert_eq!(config.webhook_cert_mode, CertMode::Dir);
    assert_eq!(config.log_format, LogFormat::Json);
    assert!(config.watch_namespaces.is_empty());
}

#[test]
fn unknown_flag_is_refused() {
    let message = error_text(Config::from_args(args(&["--no-such-flag"])));
    assert!(message.contains("--no-such-flag"), "{message}");
}

#[test]
fn invalid_values_name_their_flag() {
    let cases: &[(&[&str], &str)] = &[
        (&["--webhook-bind-port", "0"], "--webhook-bind-port"),
        (&["--webhook-bind-port", "70000"], "--webhook-bind-port"),
        (&["--metrics-bind-addr", "nope"], "--metrics-bind-addr"),
        (&["--log-format", "xml"], "--log-format"),
        (&["--log-level", "loud"], "--log-level"),
        (
            &["--enable-leader-election", "maybe"],
            "--enable-leader-election",
        ),
        (
            &[
                "--targetgroupbinding-max-exponential-backoff-delay",
                "5 minutes",
            ],
            "--targetgroupbinding-max-exponential-backoff-delay",
        ),
        (
            &["--targetgroupbinding-max-concurrent-reconciles", "0"],
            "--targetgroupbinding-max-concurrent-reconciles",
        ),
        (&["--aws-max-retries=-1"], "--aws-max-retries"),
        (&["--aws-max-retries", "101"], "--aws-max-retries"),
        (&["--webhook-cert-mode", "magic"], "--webhook-cert-mode"),
        (&["--watch-namespace", "Bad_Name"], "--watch-namespace"),
        (&["--leader-election-id", "UPPER"], "--leader-election-id"),
    ];
    for (extra, flag) in cases {
        let message = error_text(Config::from_args(args(extra)));
        assert!(message.contains(flag), "{extra:?}: {message}");
    }
}

#[test]
fn flag_wins_over_file_and_file_over_default() {
    let file = FileConfig::parse(
        "webhook-bind-port: 8443\ncluster-name: from-file\nlog-format: text\n",
        "test",
    )
    .unwrap();
    let flags = Flags::try_parse_from(args(&["--webhook-bind-port", "10443"])).unwrap();
    let config = resolve(flags, file).unwrap();
    assert_eq!(config.webhook_bind_port, 10443);
    assert_eq!(config.cluster_name, "from-file");
    assert_eq!(config.log_format, LogFormat::Text);
    assert_eq!(config.health_probe_bind_addr.port(), 61779);
}

#[test]
fn file_values_are_validated_too() {
    let file = FileConfig::parse("leader-election-namespace: Not_Valid\n", "test").unwrap();
    let message = error_text(resolve(Flags::default(), file));
    assert!(message.contains("--leader-election-namespace"), "{message}");
    let typo = FileConfig::parse("webhook-bind-prot: 1\n", "test");
    assert!(typo.is_err());
}

#[test]
fn watch_namespace_repeats_and_splits() {
    let config = Config::from_args(args(&[
        "--watch-namespace",
        "a",
        "--watch-namespace",
        "b,c",
    ]))
    .unwrap();
    assert_eq!(config.watch_namespaces, ["a", "b", "c"]);
}

#[test]
fn bare_boolean_flags_and_explicit_false() {
    let config = Config::from_args(args(&[
        "--enable-pod-readiness-gate-inject=false",
        "--enable-leader-election",
    ]))
    .unwrap();
    assert!(!config.enable_pod_readiness_gate_inject);
    assert!(config.enable_leader_election);
}

#[test]
fn durations_parse_like_go() {
    let cases = [
        ("16m40s", Some(1000)),
        ("1h", Some(3600)),
        ("30s", Some(30)),
        ("", None),
        ("5", None),
        ("5d", None),
    ];
    for (text, secs) in cases {
        assert_eq!(
            parse_duration(text).ok(),
            secs.map(Duration::from_secs),
            "{text}"
        );
    }
    assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
}

#[test]
fn documented_example_file_parses_with_every_key() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/controller.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let file = FileConfig::parse(&text, path).unwrap();
    // Every key is present in the example, so none may come back unset.
    assert!(file.cluster_name.is_some());
    assert!(file.enable_pod_readiness_gate_inject.is_some());
    assert!(file.watch_namespace.is_some());
    assert!(file.metrics_bind_addr.is_some());
    assert!(file.health_probe_bind_addr.is_some());
    assert!(file.webhook_bind_port.is_some());
    assert!(file.webhook_cert_dir.is_some());
    assert!(file.webhook_cert_mode.is_some());
    assert!(file.webhook_service_name.is_some());
    assert!(file.webhook_service_namespace.is_some());
    assert!(file.enable_leader_election.is_some());
    assert!(file.leader_election_id.is_some());
    assert!(file.leader_election_namespace.is_some());
    assert!(file.aws_region.is_some());
    assert!(file.aws_max_retries.is_some());
    assert!(file.targetgroupbinding_max_concurrent_reconciles.is_some());
    assert!(
        file.targetgroupbinding_max_exponential_backoff_delay
            .is_some()
    );
    assert!(file.target_health_max_age.is_some());
    assert!(file.ingress_class.is_some());
    assert!(file.log_level.is_some());
    assert!(file.log_format.is_some());
    let config = resolve(Flags::default(), file).unwrap();
    assert_eq!(
        config.max_exponential_backoff_delay,
        Duration::from_secs(1000)
    );
    assert_eq!(config.target_health_max_age, Duration::from_secs(3));
}

#[test]
fn target_health_max_age_from_flag_file_or_default() {
    let default = Config::from_args(args(&[])).unwrap();
    assert_eq!(
        default.target_health_max_age,
        lbgate_core::schedule::DEFAULT_HEALTH_MAX_AGE
    );
    let off = Config::from_args(args(&["--target-health-max-age", "0s"])).unwrap();
    assert_eq!(off.target_health_max_age, Duration::ZERO);
    let file = FileConfig::parse("target-health-max-age: 1500ms\n", "test").unwrap();
    let config = resolve(Flags::default(), file.clone()).unwrap();
    assert_eq!(config.target_health_max_age, Duration::from_millis(1500));
    let flags = Flags::try_parse_from(args(&["--target-health-max-age", "2s"])).unwrap();
    assert_eq!(
        resolve(flags, file).unwrap().target_health_max_age,
        Duration::from_secs(2)
    );
    let bad = FileConfig::parse("target-health-max-age: soon\n", "test").unwrap();
    let message = error_text(resolve(Flags::default(), bad));
    assert!(message.contains("target-health-max-age"), "{message}");
    let message = error_text(Config::from_args(args(&["--target-health-max-age", "2m"])));
    assert!(message.contains("--target-health-max-age"), "{message}");
}
