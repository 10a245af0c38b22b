use serde_json::json;

use super::*;

fn selector(value: Value) -> LabelSelector {
    serde_json::from_value(value).unwrap()
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn selects(sel: Value, pairs: &[(&str, &str)]) -> bool {
    let requirements = parse_selector(&selector(sel)).unwrap();
    requirements.iter().all(|r| r.matches(&labels(pairs)))
}

fn input(resource: &str, namespace: Option<&str>) -> AdmissionInput {
    AdmissionInput {
        operation: AdmissionOperation::Create,
        group: String::new(),
        version: "v1".to_owned(),
        resource: resource.to_owned(),
        subresource: String::new(),
        kind: String::new(),
        namespace: namespace.map(str::to_owned),
        name: "x".to_owned(),
        object: json!({"metadata": {"name": "x", "labels": {"own": "yes"}}}),
        old_object: None,
        namespace_labels: labels(&[("env", "prod")]),
        dry_run: false,
    }
}

fn webhook(value: Value) -> Webhook {
    serde_json::from_value(value).unwrap()
}

#[test]
fn selector_operators() {
    let env_in = json!({"matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "stage"]}]});
    assert!(selects(env_in.clone(), &[("env", "stage")]));
    assert!(!selects(env_in, &[]));
    let not_in =
        json!({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}]});
    assert!(selects(not_in.clone(), &[]));
    assert!(!selects(not_in, &[("env", "prod")]));
    let exists = json!({"matchExpressions": [{"key": "env", "operator": "Exists"}]});
    assert!(selects(exists, &[("env", "")]));
    let absent = json!({"matchExpressions": [{"key": "env", "operator": "DoesNotExist"}]});
    assert!(!selects(absent, &[("env", "x")]));
    let both = json!({"matchLabels": {"a": "1"}, "matchExpressions": [{"key": "b", "operator": "Exists"}]});
    assert!(selects(both.clone(), &[("a", "1"), ("b", "2")]));
    assert!(!selects(both, &[("a", "1")]));
    assert!(selects(json!({}), &[]));
}

#[test]
fn invalid_selectors_are_errors() {
    for bad in [
        json!({"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["1"]}]}),
        json!({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]}),
        json!({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["1"]}]}),
    ] {
        assert!(parse_selector(&selector(bad.clone())).is_err(), "{bad}");
    }
}

#[test]
fn resource_entries() {
    let r = |entries: &[&str], res: &str, sub: &str| {
        let entries: Vec<String> = entries.iter().map(|e| (*e).to_owned()).collect();
        resource_matches(&entries, res, sub)
    };
    assert!(r(&["pods"], "pods", ""));
    assert!(!r(&["pods"], "pods", "status"));
    assert!(r(&["pods/*"], "pods", "status"));
    // kube-apiserver's matcher lets a `*` subresource match the main resource as well.
    assert!(r(&["pods/*"], "pods", ""));
    assert!(r(&["*/status"], "deployments", "status"));
    assert!(!r(&["*"], "pods", "exec"));
    assert!(r(&["*/*"], "pods", "exec"));
    assert!(r(&["*/*"], "pods", ""));
}

#[test]
fn namespace_selector_scope() {
    let hook = webhook(json!({
        "name": "h",
        "namespaceSelector": {"matchLabels": {"env": "dev"}},
        "rules": [{"operations": ["*"], "apiGroups": ["*"], "apiVersions": ["*"], "resources": ["*"]}]
    }));
    let pod = input("pods", Some("apps"));
    assert_eq!(should_call(&hook, &pod, &pod.object), Ok(false));
    // Cluster-scoped objects other than namespaces are never exempted by it.
    let node = input("nodes", None);
    assert_eq!(should_call(&hook, &node, &node.object), Ok(true));
    // A namespace being created is matched on its own labels.
    let mut namespace = input("namespaces", None);
    assert_eq!(should_call(&hook, &namespace, &namespace.object), Ok(false));
    namespace.object = json!({"metadata": {"name": "x", "labels": {"env": "dev"}}});
    assert_eq!(should_call(&hook, &namespace, &namespace.object), Ok(true));
}

#[test]
fn a_broken_selector_matters_only_when_the_rules_match() {
    let hook = |resources: Value| {
        webhook(json!({
            "name": "h",
            "objectSelector": {"matchExpressions": [{"key": "a", "operator": "Bogus"}]},
            "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": resources}]
        }))
    };
    let pod = input("pods", Some("apps"));
    assert_eq!(
        should_call(&hook(json!(["services"])), &pod, &pod.object),
        Ok(false)
    );
    assert!(should_call(&hook(json!(["pods"])), &pod, &pod.object).is_err());
}
