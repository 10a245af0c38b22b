use super::*;

fn pod(name: &str, node: Option<&str>, phase: &str, ready_at: Option<&str>, created: &str) -> Pod {
    let mut conditions = Vec::new();
    if let Some(at) = ready_at {
        conditions.push(json!({"type": "Ready", "status": "True", "lastTransitionTime": at}));
    }
    serde_json::from_value(json!({
        "metadata": {"name": name, "creationTimestamp": created},
        "spec": {"nodeName": node, "containers": []},
        "status": {"phase": phase, "conditions": conditions},
    }))
    .unwrap()
}

#[test]
fn scale_down_prefers_unscheduled_pending_unready_then_newest() {
    let t = |s: u32| format!("2026-01-01T00:00:{s:02}Z");
    let pods = [
        pod("old-ready", Some("n1"), "Running", Some(&t(10)), &t(1)),
        pod("new-ready", Some("n2"), "Running", Some(&t(20)), &t(2)),
        pod("unready", Some("n3"), "Running", None, &t(3)),
        pod("pending", Some("n3"), "Pending", None, &t(4)),
        pod("unscheduled", None, "Pending", None, &t(5)),
    ];
    let refs: Vec<&Pod> = pods.iter().collect();
    let order: Vec<&str> = rank_for_deletion(&refs)
        .iter()
        .map(|p| p.metadata.name.as_deref().unwrap())
        .collect();
    assert_eq!(
        order,
        [
            "unscheduled",
            "pending",
            "unready",
            "new-ready",
            "old-ready"
        ]
    );
}
