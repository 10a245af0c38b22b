use super::*;

#[test]
fn decodes_lists_and_structures() {
    let params = Params::parse(
        b"Action=RegisterTargets&Targets.member.2.Id=10.0.0.2&Targets.member.1.Id=10.0.0.1\
              &Targets.member.1.Port=8080&Targets.member.10.Id=10.0.0.10&Names.member.1=a%2Db",
    );
    assert_eq!(params.get("Action"), Some("RegisterTargets"));
    let targets = params.members("Targets");
    let ids: Vec<_> = targets.iter().filter_map(|t| t.get("Id")).collect();
    assert_eq!(ids, ["10.0.0.1", "10.0.0.2", "10.0.0.10"]);
    assert_eq!(targets[0].get("Port"), Some("8080"));
    assert_eq!(params.list("Names"), ["a-b"]);
    assert!(params.has_prefix("Targets"));
    assert!(!params.has_prefix("Tags"));
}

#[test]
fn nested_structures_and_typed_values() {
    let params = Params::parse(b"Matcher.HttpCode=200-299&Port=80&HealthCheckEnabled=true&Bad=x");
    assert_eq!(params.nested("Matcher").get("HttpCode"), Some("200-299"));
    assert_eq!(params.int("Port").ok().flatten(), Some(80));
    assert_eq!(params.bool("HealthCheckEnabled").ok().flatten(), Some(true));
    assert!(params.int("Bad").is_err());
    assert_eq!(params.int("Missing").ok().flatten(), None);
}

#[test]
fn missing_required_parameter_uses_the_camel_case_name() {
    let params = Params::parse(b"");
    let error = params.required("TargetGroupArn").err();
    assert!(error.is_some_and(|e| e.message.contains("'targetGroupArn'")));
}
