use super::*;

#[test]
fn names_follow_the_kind_rules() {
    assert!(name_problems("", "pods", "web-1.a").is_empty());
    assert_eq!(name_problems("", "pods", "Web").len(), 1);
    assert!(name_problems("", "namespaces", "team-a").is_empty());
    assert_eq!(name_problems("", "namespaces", "a.b").len(), 1);
    assert_eq!(name_problems("", "services", "1web").len(), 1);
    assert!(name_problems("apps", "deployments", &"a".repeat(253)).is_empty());
    assert_eq!(
        name_problems("apps", "deployments", &"a".repeat(254)).len(),
        1
    );
}
