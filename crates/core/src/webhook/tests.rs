use std::collections::BTreeMap;

use super::*;

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

const LEGACY: &str = "target-health.alb.ingress.k8s.aws/old";

#[test]
fn plan_table() {
    let web = map(&[("app", "web")]);
    let empty = BTreeMap::new();
    let other = map(&[("app", "other")]);
    let two = map(&[("app", "web"), ("tier", "front")]);
    let ip = |name, selector| BindingView {
        name,
        target_type: Some(TargetType::Ip),
        deleting: false,
        service_selector: selector,
    };
    struct Case<'a> {
        name: &'static str,
        existing: Vec<String>,
        labels: BTreeMap<String, String>,
        bindings: Vec<BindingView<'a>>,
        want: Option<Vec<String>>,
    }
    let cases = vec![
        Case {
            name: "one matching ip binding",
            existing: vec![],
            labels: web.clone(),
            bindings: vec![ip("b1", Some(&web))],
            want: Some(strings(&["target-health.elbv2.k8s.aws/b1"])),
        },
        Case {
            name: "instance binding is skipped",
            existing: vec![],
            labels: web.clone(),
            bindings: vec![BindingView {
                target_type: Some(TargetType::Instance),
                ..ip("b1", Some(&web))
            }],
            want: None,
        },
        Case {
            name: "missing target type is skipped",
            existing: vec![],
            labels: web.clone(),
            bindings: vec![BindingView {
                target_type: None,
                ..ip("b1", Some(&web))
            }],
            want: None,
        },
        Case {
            name: "deleting binding is skipped",
            existing: vec![],
            labels: web.clone(),
            bindings: vec![BindingView {
                deleting: true,
                ..ip("b1", Some(&web))
            }],
            want: None,
        },
        Case {
            name: "service missing",
            existing: vec![],
            labels: web.clone(),
            bindings: vec![ip("b1", None)],
            want: None,
        },
        Case {
            name: "empty selector matches nothing",
            existing: vec![],
            labels: web.clone(),
            bindings: vec![ip("b1", Some(&empty))],
            want: None,
        },
        Case {
            name: "selector with a label the pod lacks",
            existing: vec![],
            labels: web.clone(),
            bindings: vec![ip("b1", Some(&two))],
            want: None,
        },
        Case {
            name: "subset selector matches a pod with more labels",
            existing: vec![],
            labels: two.clone(),
            bindings: vec![ip("b1", Some(&web)), ip("b2", Some(&other))],
            want: Some(strings(&["target-health.elbv2.k8s.aws/b1"])),
        },
        Case {
            name: "legacy gate removed, user gate kept, order kept",
            existing: strings(&["example.com/gate", LEGACY]),
            labels: web.clone(),
            bindings: vec![ip("b2", Some(&web)), ip("b1", Some(&web))],
            want: Some(strings(&[
                "example.com/gate",
                "target-health.elbv2.k8s.aws/b2",
                "target-health.elbv2.k8s.aws/b1",
            ])),
        },
        Case {
            name: "legacy gate kept when nothing matches",
            existing: strings(&[LEGACY]),
            labels: web.clone(),
            bindings: vec![ip("b1", Some(&other))],
            want: None,
        },
        Case {
            name: "gate already present: no change",
            existing: strings(&["target-health.elbv2.k8s.aws/b1"]),
            labels: web.clone(),
            bindings: vec![ip("b1", Some(&web))],
            want: None,
        },
    ];
    for case in cases {
        assert_eq!(
            plan_gates(&case.existing, &case.labels, &case.bindings),
            case.want,
            "{}",
            case.name
        );
    }
}

#[test]
fn missing_gates_lists_only_absent_ones() {
    let web = map(&[("app", "web")]);
    let bindings = [
        BindingView {
            name: "b1",
            target_type: Some(TargetType::Ip),
            deleting: false,
            service_selector: Some(&web),
        },
        BindingView {
            name: "b2",
            target_type: Some(TargetType::Ip),
            deleting: false,
            service_selector: Some(&web),
        },
    ];
    let existing = strings(&["target-health.elbv2.k8s.aws/b1"]);
    assert_eq!(
        missing_gates(&existing, &web, &bindings),
        strings(&["target-health.elbv2.k8s.aws/b2"])
    );
    assert!(missing_gates(&existing, &map(&[("app", "x")]), &bindings).is_empty());
}
