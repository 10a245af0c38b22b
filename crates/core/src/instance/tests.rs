use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

use super::*;
use crate::fixtures::{node, time};

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn expr(key: &str, operator: &str, values: &[&str]) -> LabelSelectorRequirement {
    LabelSelectorRequirement {
        key: key.into(),
        operator: operator.into(),
        values: (!values.is_empty()).then(|| values.iter().map(|v| (*v).to_owned()).collect()),
    }
}

fn selector(
    match_labels: &[(&str, &str)],
    expressions: Vec<LabelSelectorRequirement>,
) -> LabelSelector {
    LabelSelector {
        match_labels: (!match_labels.is_empty()).then(|| labels(match_labels)),
        match_expressions: (!expressions.is_empty()).then_some(expressions),
    }
}

#[test]
fn label_selector_semantics() {
    let node_labels = labels(&[("pool", "web"), ("zone", "a")]);
    let cases: Vec<(&str, LabelSelector, Result<bool, SelectorProblem>)> = vec![
        ("empty selects all", selector(&[], vec![]), Ok(true)),
        (
            "matchLabels hit",
            selector(&[("pool", "web")], vec![]),
            Ok(true),
        ),
        (
            "matchLabels miss",
            selector(&[("pool", "api")], vec![]),
            Ok(false),
        ),
        (
            "matchLabels all must hold",
            selector(&[("pool", "web"), ("zone", "b")], vec![]),
            Ok(false),
        ),
        (
            "In hit",
            selector(&[], vec![expr("zone", "In", &["a", "b"])]),
            Ok(true),
        ),
        (
            "In miss",
            selector(&[], vec![expr("zone", "In", &["c"])]),
            Ok(false),
        ),
        (
            "In absent key",
            selector(&[], vec![expr("gpu", "In", &["x"])]),
            Ok(false),
        ),
        (
            "NotIn hit",
            selector(&[], vec![expr("zone", "NotIn", &["a"])]),
            Ok(false),
        ),
        (
            "NotIn miss",
            selector(&[], vec![expr("zone", "NotIn", &["b"])]),
            Ok(true),
        ),
        (
            "NotIn absent key",
            selector(&[], vec![expr("gpu", "NotIn", &["x"])]),
            Ok(true),
        ),
        (
            "Exists",
            selector(&[], vec![expr("pool", "Exists", &[])]),
            Ok(true),
        ),
        (
            "Exists absent",
            selector(&[], vec![expr("gpu", "Exists", &[])]),
            Ok(false),
        ),
        (
            "DoesNotExist",
            selector(&[], vec![expr("gpu", "DoesNotExist", &[])]),
            Ok(true),
        ),
        (
            "DoesNotExist present",
            selector(&[], vec![expr("pool", "DoesNotExist", &[])]),
            Ok(false),
        ),
        (
            "labels and expressions are ANDed",
            selector(&[("pool", "web")], vec![expr("zone", "In", &["b"])]),
            Ok(false),
        ),
        (
            "unknown operator",
            selector(&[], vec![expr("zone", "Gt", &["1"])]),
            Err(SelectorProblem::UnknownOperator("Gt".into())),
        ),
        (
            "In without values",
            selector(&[], vec![expr("zone", "In", &[])]),
            Err(SelectorProblem::MissingValues("zone".into())),
        ),
        (
            "Exists with values",
            selector(&[], vec![expr("zone", "Exists", &["a"])]),
            Err(SelectorProblem::UnexpectedValues("zone".into())),
        ),
    ];
    for (name, sel, expected) in cases {
        assert_eq!(selector_matches(&sel, &node_labels), expected, "{name}");
    }
}

#[test]
fn provider_ids() {
    let cases = [
        (
            Some("aws:///us-east-1a/i-0123456789abcdef0"),
            Ok("i-0123456789abcdef0"),
        ),
        (Some("aws:///eu-west-1b/i-1"), Ok("i-1")),
        (Some("aws:///us-east-1a/"), Err("aws:///us-east-1a/")),
        (
            Some("aws:///us-east-1a/mi-0123"),
            Err("aws:///us-east-1a/mi-0123"),
        ),
        (Some("i-0123"), Err("i-0123")),
        (
            Some("kind://docker/kind/kind-worker"),
            Err("kind://docker/kind/kind-worker"),
        ),
        (Some("aws:///us-east-1a/i-"), Err("aws:///us-east-1a/i-")),
        (None, Err("")),
    ];
    for (provider_id, expected) in cases {
        let n = node("n", provider_id, Some("True"), &[], &[]);
        assert_eq!(
            instance_id(&n),
            expected.map(str::to_owned).map_err(str::to_owned),
            "{provider_id:?}"
        );
    }
}

fn pid(n: u32) -> String {
    format!("aws:///us-east-1a/i-{n:04}")
}

#[test]
fn node_eligibility_table() {
    let p = pid(1);
    let p = Some(p.as_str());
    type Case<'a> = (&'a str, Node, Option<NodeSkipReason>);
    let cases: Vec<Case<'_>> = vec![
        ("ready node", node("n", p, Some("True"), &[], &[]), None),
        (
            "not ready",
            node("n", p, Some("False"), &[], &[]),
            Some(NodeSkipReason::NotReady),
        ),
        (
            "no Ready condition",
            node("n", p, None, &[], &[]),
            Some(NodeSkipReason::NotReady),
        ),
        (
            "excluded from load balancers",
            node(
                "n",
                p,
                Some("True"),
                &[(NODE_EXCLUDE_FROM_LB_LABEL, "")],
                &[],
            ),
            Some(NodeSkipReason::ExcludedByLabel(
                NODE_EXCLUDE_FROM_LB_LABEL.into(),
            )),
        ),
        (
            "legacy exclude-balancer",
            node(
                "n",
                p,
                Some("True"),
                &[(NODE_ALPHA_EXCLUDE_BALANCER_LABEL, "true")],
                &[],
            ),
            Some(NodeSkipReason::ExcludedByLabel(
                NODE_ALPHA_EXCLUDE_BALANCER_LABEL.into(),
            )),
        ),
        (
            "control plane",
            node("n", p, Some("True"), &[(NODE_ROLE_MASTER_LABEL, "")], &[]),
            Some(NodeSkipReason::ExcludedByLabel(
                NODE_ROLE_MASTER_LABEL.into(),
            )),
        ),
        (
            "fargate",
            node(
                "n",
                p,
                Some("True"),
                &[(EKS_COMPUTE_TYPE_LABEL, "fargate")],
                &[],
            ),
            Some(NodeSkipReason::ExcludedByLabel(
                EKS_COMPUTE_TYPE_LABEL.into(),
            )),
        ),
        (
            "ec2 compute type is fine",
            node(
                "n",
                p,
                Some("True"),
                &[(EKS_COMPUTE_TYPE_LABEL, "ec2")],
                &[],
            ),
            None,
        ),
        (
            "autoscaler removal taint, any effect",
            node(
                "n",
                p,
                Some("True"),
                &[],
                &[(
                    TAINT_TO_BE_DELETED_BY_CLUSTER_AUTOSCALER,
                    "PreferNoSchedule",
                )],
            ),
            Some(NodeSkipReason::Tainted(
                TAINT_TO_BE_DELETED_BY_CLUSTER_AUTOSCALER.into(),
            )),
        ),
        (
            "karpenter disruption NoSchedule",
            node(
                "n",
                p,
                Some("True"),
                &[],
                &[(TAINT_KARPENTER_DISRUPTED, "NoSchedule")],
            ),
            Some(NodeSkipReason::Tainted(TAINT_KARPENTER_DISRUPTED.into())),
        ),
        (
            "karpenter disruption with another effect",
            node(
                "n",
                p,
                Some("True"),
                &[],
                &[(TAINT_KARPENTER_DISRUPTED, "NoExecute")],
            ),
            None,
        ),
        (
            "being deleted",
            {
                let mut n = node("n", p, Some("True"), &[], &[]);
                n.metadata.deletion_timestamp = Some(time(0));
                n
            },
            Some(NodeSkipReason::BeingDeleted),
        ),
        (
            "bad provider id",
            node("n", Some("aws:///us-east-1a/"), Some("True"), &[], &[]),
            Some(NodeSkipReason::BadProviderId("aws:///us-east-1a/".into())),
        ),
    ];
    for (name, n, expected) in cases {
        let got = desired_instance_targets(&[n], None, 30080).unwrap();
        match expected {
            None => {
                assert_eq!(
                    got.targets,
                    BTreeMap::from([(TargetKey::new("i-0001", 30080), "n".to_owned())]),
                    "{name}"
                );
                assert!(got.skipped.is_empty(), "{name}");
            }
            Some(why) => {
                assert!(got.targets.is_empty(), "{name}");
                assert_eq!(
                    got.skipped,
                    vec![SkippedNode {
                        node: "n".into(),
                        why
                    }],
                    "{name}"
                );
            }
        }
    }
}

#[test]
fn node_selector_is_anded_with_the_defaults() {
    let (p1, p2, p3) = (pid(1), pid(2), pid(3));
    let nodes = [
        node("a", Some(&p1), Some("True"), &[("pool", "web")], &[]),
        node("b", Some(&p2), Some("True"), &[("pool", "api")], &[]),
        node(
            "c",
            Some(&p3),
            Some("True"),
            &[("pool", "web"), (NODE_EXCLUDE_FROM_LB_LABEL, "")],
            &[],
        ),
    ];
    let sel = selector(&[("pool", "web")], vec![]);
    let got = desired_instance_targets(&nodes, Some(&sel), 31000).unwrap();
    assert_eq!(
        got.targets.keys().cloned().collect::<Vec<_>>(),
        vec![TargetKey::new("i-0001", 31000)]
    );
    let skipped: Vec<_> = got
        .skipped
        .iter()
        .map(|s| (s.node.as_str(), &s.why))
        .collect();
    assert_eq!(
        skipped,
        vec![
            ("b", &NodeSkipReason::NotSelected),
            (
                "c",
                &NodeSkipReason::ExcludedByLabel(NODE_EXCLUDE_FROM_LB_LABEL.into())
            ),
        ]
    );
    let bad = selector(&[], vec![expr("pool", "Matches", &["w"])]);
    assert!(desired_instance_targets(&nodes, Some(&bad), 31000).is_err());
}

#[test]
fn unknown_nodes_are_used_only_when_none_is_ready() {
    let (p1, p2, p3) = (pid(1), pid(2), pid(3));
    let mixed = [
        node("a", Some(&p1), Some("True"), &[], &[]),
        node("b", Some(&p2), Some("Unknown"), &[], &[]),
        node("c", Some(&p3), Some("False"), &[], &[]),
    ];
    let got = desired_instance_targets(&mixed, None, 30000).unwrap();
    assert!(!got.failed_open);
    assert_eq!(got.targets.len(), 1);
    assert_eq!(got.skipped.len(), 2);

    let no_ready = [
        node("b", Some(&p2), Some("Unknown"), &[], &[]),
        node("c", Some(&p3), Some("False"), &[], &[]),
    ];
    let got = desired_instance_targets(&no_ready, None, 30000).unwrap();
    assert!(got.failed_open);
    assert_eq!(
        got.targets.keys().cloned().collect::<Vec<_>>(),
        vec![TargetKey::new("i-0002", 30000)]
    );
}

#[test]
fn one_bad_node_does_not_fail_the_set() {
    let p1 = pid(1);
    let nodes = [
        node("a", Some(&p1), Some("True"), &[], &[]),
        node("b", Some("eks-hybrid:///r/c/mi-1"), Some("True"), &[], &[]),
    ];
    let got = desired_instance_targets(&nodes, None, 30000).unwrap();
    assert_eq!(got.targets.len(), 1);
    assert!(matches!(
        got.skipped.as_slice(),
        [SkippedNode {
            why: NodeSkipReason::BadProviderId(_),
            ..
        }]
    ));
}

#[test]
fn serving_instances_exclude_deleted_nodes() {
    let (p1, p2) = (pid(1), pid(2));
    let mut gone = node("b", Some(&p2), Some("True"), &[], &[]);
    gone.metadata.deletion_timestamp = Some(time(0));
    let nodes = [node("a", Some(&p1), Some("False"), &[], &[]), gone];
    assert_eq!(
        serving_instance_ids(&nodes),
        BTreeSet::from(["i-0001".to_owned()])
    );
}
