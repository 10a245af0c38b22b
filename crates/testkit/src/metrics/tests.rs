use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry};

use super::*;

const TEXT: &str = "# HELP x y\n\
    lbgate_reconciles_total{result=\"ok\",kind=\"tgb\"} 3\n\
    lbgate_reconciles_total{result=\"error\",kind=\"tgb\"} 2\n\
    lbgate_up 1\n\
    lbgate_gate_seconds_bucket{le=\"0.5\"} 7\n";

#[test]
fn samples_sum_by_label_subset() {
    assert_eq!(sum_samples(TEXT, "lbgate_reconciles_total", &[]), 5.0);
    assert_eq!(
        sum_samples(TEXT, "lbgate_reconciles_total", &[("result", "ok")]),
        3.0
    );
    assert_eq!(sum_samples(TEXT, "lbgate_up", &[]), 1.0);
    assert_eq!(sum_samples(TEXT, "lbgate_gate_seconds", &[]), 0.0);
    assert_eq!(
        sum_samples(TEXT, "lbgate_gate_seconds_bucket", &[("le", "0.5")]),
        7.0
    );
}

#[test]
fn label_values_keep_commas_braces_and_escaped_quotes() {
    let text = "m{a=\"x,y\",b=\"}{\",c=\"say \\\"hi\\\"\\\\\\n\"} 2 1700000000000\n\
        m{} 1\n\
        m{a=\"x\"} +Inf\n\
        not a sample\n\
        m{a=\"unterminated} 5\n";
    let scrape = Scrape::parse(text);
    let first = scrape.samples().first().unwrap();
    assert_eq!(first.labels["a"], "x,y");
    assert_eq!(first.labels["b"], "}{");
    assert_eq!(first.labels["c"], "say \"hi\"\\\n");
    assert_eq!(first.value, 2.0, "the timestamp is not the value");
    assert_eq!(scrape.samples().len(), 3, "{:?}", scrape.samples());
    assert_eq!(scrape.sum("m", &[("a", "x,y")]), 2.0);
    assert_eq!(scrape.sum("m", &[("a", "x")]), f64::INFINITY);
    assert_eq!(scrape.sum("m", &[("a", "nowhere")]), 0.0);
}

#[test]
fn a_registry_reads_as_its_scrape_would() {
    let registry = Registry::new();
    let calls = IntCounterVec::new(Opts::new("calls_total", "h"), &["op", "result"]).unwrap();
    let leader = IntGauge::new("leader", "h").unwrap();
    let waits = HistogramVec::new(HistogramOpts::new("wait_seconds", "h"), &["phase"]).unwrap();
    registry.register(Box::new(calls.clone())).unwrap();
    registry.register(Box::new(leader.clone())).unwrap();
    registry.register(Box::new(waits.clone())).unwrap();
    calls.with_label_values(&["register", "ok"]).inc_by(3);
    calls.with_label_values(&["register", "error"]).inc();
    calls.with_label_values(&["describe", "ok"]).inc_by(5);
    leader.set(1);
    for seconds in [0.1, 0.2, 7.0] {
        waits.with_label_values(&["pending"]).observe(seconds);
    }
    waits.with_label_values(&["ready"]).observe(1.0);

    let scrape = Scrape::of(&registry);
    assert_eq!(scrape.sum("calls_total", &[]), 9.0);
    assert_eq!(scrape.sum("calls_total", &[("op", "register")]), 4.0);
    assert_eq!(
        scrape.sum("calls_total", &[("op", "register"), ("result", "ok")]),
        3.0
    );
    assert_eq!(scrape.sum("leader", &[]), 1.0);
    assert_eq!(scrape.histogram_count("wait_seconds", &[]), 4.0);
    assert_eq!(
        scrape.histogram_count("wait_seconds", &[("phase", "pending")]),
        3.0
    );
    assert_eq!(scrape.histogram_count("calls_total", &[]), 0.0);
    assert_eq!(
        sum_registry(&registry, "calls_total", &[("result", "error")]),
        1.0
    );
}
