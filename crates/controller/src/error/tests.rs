use super::*;

#[test]
fn categories_are_variant_names() {
    let pass = ReconcileError::TargetGroupVanished {
        arn: "arn:tg".to_owned(),
    };
    assert_eq!(pass.category(), "TargetGroupVanished");
    let process = Error::LeaseLost {
        lease: "kube-system/lbgate".to_owned(),
    };
    assert_eq!(process.category(), "LeaseLost");
    assert_eq!(
        ReconcileError::Timeout {
            operation: "GetLedger"
        }
        .category(),
        "Timeout"
    );
}
