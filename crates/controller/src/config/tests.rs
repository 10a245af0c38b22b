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
        Err(other @ (Error::ConfigFile { .. } | Error::ConfigSyntax { .. })) => other.to_string(),
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
    assert_eq!(config.webhook_bind_addr.to_string(), "0.0.0.0");
    assert_eq!(
        config.webhook_cert_rotate_after,
        Duration::from_secs(30 * 24 * 3600)
    );
    assert_eq!(config.webhook_cert_overlap, Duration::from_secs(3600));
    assert_eq!(
        config.webhook_cert_refresh_interval,
        Duration::from_secs(10)
    );
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
        (&["--webhook-bind-addr", "localhost"], "--webhook-bind-addr"),
        (&["--webhook-bind-addr", ":9443"], "--webhook-bind-addr"),
        (
            &["--webhook-cert-rotate-after", "30 days"],
            "--webhook-cert-rotate-after",
        ),
        (
            &["--webhook-cert-rotate-after", "0s"],
            "--webhook-cert-rotate-after",
        ),
        (
            &["--webhook-cert-rotate-after", "4380h"],
            "--webhook-cert-rotate-after",
        ),
        (
            &["--webhook-cert-refresh-interval", "10ms"],
            "--webhook-cert-refresh-interval",
        ),
        (&["--webhook-cert-overlap", "15s"], "--webhook-cert-overlap"),
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
fn webhook_address_and_certificate_timings_come_from_flags_or_file() {
    let file = FileConfig::parse(
        "webhook-bind-addr: 127.0.0.1\nwebhook-cert-rotate-after: 3s\n\
         webhook-cert-overlap: 2s\nwebhook-cert-refresh-interval: 500ms\n",
        "test",
    )
    .unwrap();
    let config = resolve(Flags::default(), file.clone()).unwrap();
    assert_eq!(config.webhook_bind_addr.to_string(), "127.0.0.1");
    assert_eq!(config.webhook_cert_rotate_after, Duration::from_secs(3));
    assert_eq!(config.webhook_cert_overlap, Duration::from_secs(2));
    assert_eq!(
        config.webhook_cert_refresh_interval,
        Duration::from_millis(500)
    );
    let flags = Flags::try_parse_from(args(&[
        "--webhook-bind-addr",
        "::1",
        "--webhook-cert-overlap",
        "1m",
    ]))
    .unwrap();
    let config = resolve(flags, file).unwrap();
    assert_eq!(config.webhook_bind_addr.to_string(), "::1");
    assert_eq!(config.webhook_cert_overlap, Duration::from_secs(60));
    assert_eq!(config.webhook_cert_rotate_after, Duration::from_secs(3));
    for bad in [
        "webhook-bind-addr: localhost\n",
        "webhook-cert-overlap: soon\n",
        "webhook-cert-rotate-after: 1d\n",
    ] {
        let file = FileConfig::parse(bad, "test").unwrap();
        let key = bad.split(':').next().unwrap();
        let message = error_text(resolve(Flags::default(), file));
        assert!(message.contains(key), "{bad}: {message}");
    }
}

#[test]
fn lease_timings_come_from_flags_or_file_and_follow_client_go_rules() {
    let default = Config::from_args(args(&[])).unwrap();
    assert_eq!(
        (
            default.leader_election_lease_duration,
            default.leader_election_renew_deadline,
            default.leader_election_retry_period
        ),
        (
            Duration::from_secs(15),
            Duration::from_secs(10),
            Duration::from_secs(2)
        )
    );
    let file = FileConfig::parse(
        "leader-election-lease-duration: 6s\nleader-election-renew-deadline: 4s\n\
         leader-election-retry-period: 1s\n",
        "test",
    )
    .unwrap();
    let config = resolve(Flags::default(), file.clone()).unwrap();
    assert_eq!(
        config.leader_election_lease_duration,
        Duration::from_secs(6)
    );
    assert_eq!(
        config.leader_election_renew_deadline,
        Duration::from_secs(4)
    );
    assert_eq!(config.leader_election_retry_period, Duration::from_secs(1));
    let flags = Flags::try_parse_from(args(&["--leader-election-lease-duration", "8s"])).unwrap();
    assert_eq!(
        resolve(flags, file).unwrap().leader_election_lease_duration,
        Duration::from_secs(8)
    );
    for (bad, flag) in [
        (
            &["--leader-election-lease-duration", "10s"][..],
            "--leader-election-lease-duration",
        ),
        (
            &["--leader-election-renew-deadline", "2s"][..],
            "--leader-election-renew-deadline",
        ),
        (
            &["--leader-election-retry-period", "10ms"][..],
            "--leader-election-retry-period",
        ),
    ] {
        let message = error_text(Config::from_args(args(bad)));
        assert!(message.contains(flag), "{bad:?}: {message}");
    }
    let file = FileConfig::parse("leader-election-retry-period: often\n", "test").unwrap();
    let message = error_text(resolve(Flags::default(), file));
    assert!(
        message.contains("leader-election-retry-period"),
        "{message}"
    );
}

#[tokio::test]
async fn the_webhook_listens_where_configured() {
    lbgate_testkit::install_crypto();
    let config = Config::from_args(args(&[
        "--webhook-bind-addr",
        "127.0.0.1",
        "--webhook-bind-port",
        "10443",
        "--webhook-cert-rotate-after",
        "5s",
        "--webhook-cert-overlap",
        "3s",
        "--webhook-cert-refresh-interval",
        "1s",
    ]))
    .unwrap();
    let client =
        kube::Client::try_from(kube::Config::new("http://127.0.0.1:1".parse().unwrap())).unwrap();
    let elbv2: std::sync::Arc<dyn lbgate_elbv2::TargetsApi> =
        std::sync::Arc::new(lbgate_testkit::FakeElbv2::default());
    let parts = crate::runtime::Parts::new(config, client, elbv2, prometheus::Registry::new());
    assert_eq!(parts.webhook_addr.to_string(), "127.0.0.1:10443");
    assert_eq!(parts.self_managed.rotate_after, Duration::from_secs(5));
    assert_eq!(parts.self_managed.overlap, Duration::from_secs(3));
    assert_eq!(parts.cert_refresh, Duration::from_secs(1));
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
    assert!(file.webhook_bind_addr.is_some());
    assert!(file.webhook_cert_rotate_after.is_some());
    assert!(file.webhook_cert_overlap.is_some());
    assert!(file.webhook_cert_refresh_interval.is_some());
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
    // The example documents the defaults.
    let defaults = Config::from_args(args(&[])).unwrap();
    assert_eq!(config.webhook_bind_addr, defaults.webhook_bind_addr);
    assert_eq!(
        config.webhook_cert_rotate_after,
        defaults.webhook_cert_rotate_after
    );
    assert_eq!(config.webhook_cert_overlap, defaults.webhook_cert_overlap);
    assert_eq!(
        config.webhook_cert_refresh_interval,
        defaults.webhook_cert_refresh_interval
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
