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
