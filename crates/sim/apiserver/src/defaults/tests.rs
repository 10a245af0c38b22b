use super::*;
use crate::resources::builtins;

fn res(plural: &str) -> ResourceInfo {
    builtins().into_iter().find(|r| r.plural == plural).unwrap()
}

#[test]
fn pods_get_scheme_defaults_without_overriding() {
    let mut pod = json!({"spec": {"terminationGracePeriodSeconds": 5,
            "containers": [{"name": "a", "image": "nginx:1.27", "ports": [{"containerPort": 80}]},
                           {"name": "b", "image": "busybox"}]}});
    apply_defaults(&res("pods"), &mut pod);
    assert_eq!(pod["spec"]["terminationGracePeriodSeconds"], 5);
    assert_eq!(pod["spec"]["restartPolicy"], "Always");
    assert_eq!(
        pod["spec"]["containers"][0]["imagePullPolicy"],
        "IfNotPresent"
    );
    assert_eq!(pod["spec"]["containers"][1]["imagePullPolicy"], "Always");
    assert_eq!(pod["spec"]["containers"][0]["ports"][0]["protocol"], "TCP");
}

#[test]
fn service_ports_default_target_port_to_port() {
    let mut svc = json!({"spec": {"ports": [{"port": 80}]}});
    apply_defaults(&res("services"), &mut svc);
    assert_eq!(svc["spec"]["ports"][0]["targetPort"], 80);
    assert_eq!(svc["spec"]["type"], "ClusterIP");
}
