use super::*;

#[test]
fn shapes_and_kinds() {
    let arns = Arns::new("us-west-2", "123456789012");
    let tg = arns.target_group("web", "0123456789abcdef");
    assert_eq!(
        tg,
        "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/web/0123456789abcdef"
    );
    let lb = arns.load_balancer("app", "edge", "1111111111111111");
    let listener = listener(&lb, "2222222222222222");
    assert_eq!(
        listener,
        "arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/edge/1111111111111111/2222222222222222"
    );
    let rule = rule(&listener, "3333333333333333");
    assert!(
        rule.contains(":listener-rule/app/edge/1111111111111111/2222222222222222/3333333333333333")
    );
    assert_eq!(kind_of(&tg), Some(ResourceKind::TargetGroup));
    assert_eq!(kind_of(&lb), Some(ResourceKind::LoadBalancer));
    assert_eq!(kind_of(&listener), Some(ResourceKind::Listener));
    assert_eq!(kind_of(&rule), Some(ResourceKind::Rule));
    assert_eq!(kind_of("arn:bogus"), None);
}
