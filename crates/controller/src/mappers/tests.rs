use kube::runtime::reflector::{self, store::Writer};
use kube::runtime::watcher::Event;
use serde_json::json;

use super::*;

fn writer_with<K>(objects: Vec<K>) -> (reflector::Store<K>, Writer<K>)
where
    K: kube::Resource<DynamicType = ()> + Clone + 'static,
{
    let (reader, mut writer) = reflector::store();
    for object in objects {
        writer.apply_watcher_event(&Event::Apply(object));
    }
    (reader, writer)
}

fn binding(name: &str, service: &str, target_type: Option<&str>) -> TargetGroupBinding {
    let mut spec = json!({"targetGroupARN": "arn:tg", "serviceRef": {"name": service, "port": 80}});
    if let Some(target_type) = target_type {
        spec["targetType"] = json!(target_type);
    }
    serde_json::from_value(json!({
        "apiVersion": "elbv2.k8s.aws/v1beta1",
        "kind": "TargetGroupBinding",
        "metadata": {"name": name, "namespace": "ns"},
        "spec": spec,
    }))
    .unwrap()
}

fn slice(service: &str, pods: &[&str]) -> EndpointSlice {
    let endpoints: Vec<_> = pods
        .iter()
        .map(|pod| json!({"addresses": ["10.0.0.1"], "targetRef": {"kind": "Pod", "name": pod}}))
        .collect();
    serde_json::from_value(json!({
        "metadata": {"name": format!("{service}-x"), "namespace": "ns",
                     "labels": {"kubernetes.io/service-name": service}},
        "addressType": "IPv4",
        "endpoints": endpoints,
    }))
    .unwrap()
}

fn pod(name: &str, gates: &[&str]) -> Pod {
    let gates: Vec<_> = gates.iter().map(|g| json!({"conditionType": g})).collect();
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "ns", "uid": format!("uid-{name}")},
        "spec": {"containers": [], "readinessGates": gates},
    }))
    .unwrap()
}

/// The writers stay alive so the stores keep their contents.
type Writers = (
    Writer<TargetGroupBinding>,
    Writer<Service>,
    Writer<EndpointSlice>,
    Writer<Pod>,
    Writer<Node>,
);

struct Fixture {
    stores: Stores,
    _writers: Writers,
}

fn fixture() -> Fixture {
    let (bindings, wb) = writer_with(vec![
        binding("web", "web-svc", Some("ip")),
        binding("web-2", "web-svc", None),
        binding("api", "api-svc", Some("ip")),
        binding("nodes", "node-svc", Some("instance")),
    ]);
    let (services, ws) = writer_with::<Service>(vec![]);
    let (slices, wsl) = writer_with(vec![slice("web-svc", &["web-a"]), slice("api-svc", &[])]);
    let (pods, wp) = writer_with::<Pod>(vec![]);
    let (nodes, wn) = writer_with::<Node>(vec![]);
    Fixture {
        stores: Stores {
            bindings,
            services,
            slices,
            pods,
            nodes,
        },
        _writers: (wb, ws, wsl, wp, wn),
    }
}

fn names(refs: Vec<BindingRef>) -> Vec<String> {
    let mut names: Vec<String> = refs.into_iter().map(|r| r.name).collect();
    names.sort();
    names
}

#[test]
fn events_map_to_the_bindings_they_concern() {
    let f = fixture();
    let service: Service =
        serde_json::from_value(json!({"metadata": {"name": "web-svc", "namespace": "ns"}}))
            .unwrap();
    let other_namespace: Service =
        serde_json::from_value(json!({"metadata": {"name": "web-svc", "namespace": "other"}}))
            .unwrap();
    let cases: Vec<(&str, Vec<BindingRef>, Vec<&str>)> = vec![
        (
            "service",
            super::service(&f.stores, &service),
            vec!["web", "web-2"],
        ),
        (
            "service elsewhere",
            super::service(&f.stores, &other_namespace),
            vec![],
        ),
        (
            "slice",
            endpoint_slice(&f.stores, &slice("api-svc", &[])),
            vec!["api"],
        ),
        (
            "endpoint pod",
            super::pod(&f.stores, &pod("web-a", &[])),
            vec!["web", "web-2"],
        ),
        (
            "gated pod",
            super::pod(
                &f.stores,
                &pod("lonely", &["target-health.elbv2.k8s.aws/api"]),
            ),
            vec!["api"],
        ),
        (
            "gate of a binding not (yet) in the store",
            super::pod(
                &f.stores,
                &pod("early", &["target-health.elbv2.k8s.aws/later"]),
            ),
            vec!["later"],
        ),
        (
            "foreign gate",
            super::pod(&f.stores, &pod("x", &["example.com/ready"])),
            vec![],
        ),
        (
            "unrelated pod",
            super::pod(&f.stores, &pod("nobody", &[])),
            vec![],
        ),
        (
            "node",
            node(&f.stores, &Node::default()),
            vec!["nodes", "web-2"],
        ),
    ];
    for (what, refs, expected) in cases {
        assert_eq!(names(refs), expected, "{what}");
    }
}

#[test]
fn pod_filter_ignores_our_own_gate_writes() {
    let filter = PodChangeFilter::default();
    let mut p = pod("web-a", &["target-health.elbv2.k8s.aws/web"]);
    let (live, _writer) = writer_with(vec![p.clone()]);
    let live = &live;
    assert!(filter.changed(&p, live), "first sight");
    assert!(!filter.changed(&p, live), "same pod");
    p.status = Some(
        serde_json::from_value(json!({"conditions": [
        {"type": "target-health.elbv2.k8s.aws/web", "status": "True"}]}))
        .unwrap(),
    );
    assert!(!filter.changed(&p, live), "only our gate changed");
    p.status = Some(
        serde_json::from_value(json!({"conditions": [
        {"type": "target-health.elbv2.k8s.aws/web", "status": "True"},
        {"type": "ContainersReady", "status": "True"}]}))
        .unwrap(),
    );
    assert!(filter.changed(&p, live), "containers became ready");
    p.metadata.deletion_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
        k8s_openapi::jiff::Timestamp::UNIX_EPOCH,
    ));
    assert!(filter.changed(&p, live), "being deleted");
}

fn pod_with_uid(name: &str, uid: &str) -> Pod {
    let mut p = pod(name, &[]);
    p.metadata.uid = Some(uid.to_owned());
    p
}

#[test]
fn pod_filter_forgets_deleted_pods() {
    let live_pods: Vec<Pod> = (0..10)
        .map(|i| pod_with_uid(&format!("live-{i}"), &format!("uid-live-{i}")))
        .collect();
    let mut in_store = live_pods.clone();
    in_store.push(pod_with_uid("web-a", "uid-new"));
    let (live, _writer) = writer_with(in_store);
    let filter = PodChangeFilter::default();
    for p in &live_pods {
        assert!(filter.changed(p, &live));
    }
    // The same name under an older UID: a pod that was deleted and recreated.
    let recreated = pod_with_uid("web-a", "uid-old");
    assert!(filter.changed(&recreated, &live));
    let bound = live.len() + PRUNE_SLACK;
    let mut largest = 0;
    for i in 0..500 {
        // Deleted pods: their last events arrive after the store dropped them.
        let gone = pod_with_uid(&format!("gone-{i}"), &format!("uid-gone-{i}"));
        assert!(filter.changed(&gone, &live));
        largest = largest.max(filter.len());
    }
    assert!(
        largest <= bound + 1,
        "{largest} fingerprints for {} live pods",
        live.len()
    );
    assert!(filter.len() < bound, "{}", filter.len());
    for p in &live_pods {
        assert!(
            !filter.changed(p, &live),
            "live pods keep their fingerprints"
        );
    }
    assert!(
        filter.changed(&recreated, &live),
        "the old UID's fingerprint was pruned"
    );
}
