use std::collections::BTreeMap;

use serde_json::json;

use super::*;

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn label_selector_operators() {
    let web = labels(&[("app", "web"), ("tier", "front"), ("replicas", "3")]);
    let db = labels(&[("app", "db")]);
    // (selector, matches web, matches db)
    let cases = [
        ("", true, true),
        ("app=web", true, false),
        ("app==web", true, false),
        ("app!=web", false, true),
        ("tier!=front", false, true),
        ("app in (web,api)", true, false),
        ("app in (db)", false, true),
        ("app notin (web)", false, true),
        ("tier notin (back)", true, true),
        ("tier", true, false),
        ("!tier", false, true),
        ("app=web,tier", true, false),
        ("  app = web ,  tier in ( front , back )  ", true, false),
        ("app=web,!tier", false, false),
        ("replicas>2", true, false),
        ("replicas<3", false, false),
        ("tier in (front,)", true, false),
        ("tier=", false, false),
    ];
    for (text, on_web, on_db) in cases {
        let selector = LabelSelector::parse(text)
            .unwrap_or_else(|err| panic!("{text:?} does not parse: {err}"));
        assert_eq!(selector.matches(&web), on_web, "{text:?} on web");
        assert_eq!(selector.matches(&db), on_db, "{text:?} on db");
    }
}

#[test]
fn label_selector_errors_carry_kube_apiserver_messages() {
    let cases = [
        ("app=web,", "found '', expected: identifier after ','"),
        (
            "app in web",
            "unable to parse requirement: found 'web' expected: '('",
        ),
        (
            "app web",
            "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt",
        ),
        ("app=web x", "found 'x', expected: ',' or 'end of string'"),
        (
            "app=(web)",
            "unable to parse requirement: found '(', expected: identifier",
        ),
        (
            "=web",
            "found '=', expected: !, identifier, or 'end of string'",
        ),
        (
            "-app=web",
            "unable to parse requirement: <nil>: Invalid value: \"-app\": name part must consist \
             of alphanumeric characters, '-', '_' or '.', and must start and end with an \
             alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for \
             validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        ),
        (
            "app=web-",
            "unable to parse requirement: values[0][app]: Invalid value: \"web-\": a valid label \
             must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and \
             must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  \
             or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
        (
            "Example.com/app=web",
            "unable to parse requirement: <nil>: Invalid value: \"Example.com/app\": prefix part a \
             lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' \
             or '.', and must start and end with an alphanumeric character (e.g. 'example.com', \
             regex used for validation is \
             '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ),
        (
            "replicas>x",
            "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' \
             operators, the value must be an integer",
        ),
        (
            "app ! web",
            "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(
            LabelSelector::parse(text),
            Err(SelectorError::Invalid(message.to_owned())),
            "selector {text:?}"
        );
    }
}

#[test]
fn label_keys_with_a_prefix_parse() {
    let selector = LabelSelector::parse("elbv2.k8s.aws/pod-readiness-gate-inject=enabled")
        .expect("prefixed key");
    assert!(selector.matches(&labels(&[(
        "elbv2.k8s.aws/pod-readiness-gate-inject",
        "enabled"
    )])));
}

fn pod(name: &str, node: &str, phase: &str) -> Value {
    json!({
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"nodeName": node, "hostNetwork": false},
        "status": {"phase": phase, "podIPs": [{"ip": "10.0.0.7"}]}
    })
}

#[test]
fn field_selector_operators_on_pods() {
    let running = pod("a", "node-1", "Running");
    let pending = pod("b", "", "Pending");
    let cases = [
        ("", true, true),
        ("metadata.name=a", true, false),
        ("metadata.name==a", true, false),
        ("metadata.name!=a", false, true),
        (
            "metadata.namespace=default,status.phase=Running",
            true,
            false,
        ),
        ("spec.nodeName=", false, true),
        ("spec.host=node-1", true, false),
        ("status.podIP=10.0.0.7", true, true),
        ("spec.hostNetwork=false", true, true),
        ("status.phase!=Running,status.phase!=Succeeded", false, true),
    ];
    for (text, on_running, on_pending) in cases {
        let selector = FieldSelector::parse("Pod", text)
            .unwrap_or_else(|err| panic!("{text:?} does not parse: {err}"));
        assert_eq!(
            selector.matches(&running),
            on_running,
            "{text:?} on running"
        );
        assert_eq!(
            selector.matches(&pending),
            on_pending,
            "{text:?} on pending"
        );
    }
}

#[test]
fn field_selector_fields_per_kind() {
    let node = json!({"metadata": {"name": "n1"}, "spec": {"unschedulable": true}});
    let selector = FieldSelector::parse("Node", "spec.unschedulable=true").expect("node field");
    assert!(selector.matches(&node));
    let event = json!({"metadata": {"name": "e"}, "involvedObject": {"kind": "Pod", "name": "a"},
                       "reason": "Killing", "source": {"component": "kubelet"}});
    let selector = FieldSelector::parse(
        "Event",
        "involvedObject.kind=Pod,involvedObject.name=a,source=kubelet",
    )
    .expect("event fields");
    assert!(selector.matches(&event));
    let namespace = json!({"metadata": {"name": "ns"}, "status": {"phase": "Active"}});
    let selector = FieldSelector::parse("Namespace", "status.phase=Active").expect("namespace");
    assert!(selector.matches(&namespace));
}

#[test]
fn field_selector_errors() {
    let cases = [
        ("Pod", "spec.foo=bar", "field label not supported: spec.foo"),
        (
            "Node",
            "metadata.namespace=x",
            "field label not supported: metadata.namespace",
        ),
        (
            "Deployment",
            "status.phase=Running",
            "\"status.phase\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
        ),
        (
            "Pod",
            "metadata.name",
            "invalid selector: 'metadata.name'; can't understand 'metadata.name'",
        ),
        (
            "Pod",
            "metadata.name = a",
            "field label not supported: metadata.name ",
        ),
        (
            "Pod",
            "metadata.name=a\\x",
            "invalid field selector: invalid escape sequence: \\x",
        ),
    ];
    for (kind, text, message) in cases {
        assert_eq!(
            FieldSelector::parse(kind, text),
            Err(SelectorError::Invalid(message.to_owned())),
            "{kind} {text:?}"
        );
    }
}

#[test]
fn field_selector_escaped_values() {
    let object = json!({"metadata": {"name": "a,b=c", "namespace": "x"}});
    let selector = FieldSelector::parse("Lease", "metadata.name=a\\,b\\=c").expect("escapes");
    assert!(selector.matches(&object));
}
