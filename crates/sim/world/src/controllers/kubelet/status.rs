//! The pod status the kubelet reports, and whether the reported one differs from it.

use std::net::Ipv4Addr;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Pod, PodCondition};
use serde_json::{Value, json};

use super::timeline::Lifecycle;
use crate::controllers::nodes::SimNode;
use crate::controllers::runtime::Ctx;

fn conditions(pod: &Pod) -> &[PodCondition] {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default()
}

fn condition_status<'a>(pod: &'a Pod, kind: &str) -> Option<&'a str> {
    conditions(pod)
        .iter()
        .find(|c| c.type_ == kind)
        .map(|c| c.status.as_str())
}

/// Why the pod is not Ready beyond its containers: the first readiness gate that is not True.
fn gate_problem(pod: &Pod) -> Option<String> {
    let gates = pod
        .spec
        .as_ref()
        .and_then(|s| s.readiness_gates.as_deref())?;
    gates
        .iter()
        .find_map(|gate| match condition_status(pod, &gate.condition_type) {
            Some("True") => None,
            None => Some(format!(
                "corresponding condition of pod readiness gate \"{}\" does not exist.",
                gate.condition_type
            )),
            Some(other) => Some(format!(
                "the status of pod readiness gate \"{}\" is not \"True\", but {other}",
                gate.condition_type
            )),
        })
}

fn container_id(pod: &Pod, name: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let uid = pod.metadata.uid.as_deref().unwrap_or_default();
    for byte in uid.bytes().chain(name.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("containerd://{hash:016x}{:016x}", hash.rotate_left(29))
}

/// A condition the kubelet sets: type, status, and reason with message when False.
type Wanted<'a> = (&'a str, bool, Option<(&'a str, String)>);

/// Where a pod runs: its node and its IP.
#[derive(Clone, Copy, Debug)]
pub struct Placement<'a> {
    pub node: &'a SimNode,
    pub ip: Ipv4Addr,
}

/// The status patch that brings `pod` to what the kubelet sees at `now`, or `None` when the
/// reported status already says it.
pub fn desired(
    ctx: &Ctx,
    pod: &Pod,
    placement: Placement<'_>,
    life: &Lifecycle,
    now: Duration,
) -> Option<Value> {
    let Placement { node, ip } = placement;
    let running = life.containers_running(now);
    let exited = life.exited(now);
    let ready = life.containers_ready(now);
    let gates = gate_problem(pod);
    let pod_ready = ready && gates.is_none();
    let killed = life.deletion.is_some_and(|d| d.killed);
    let phase = match (exited, running) {
        (true, _) if killed => "Failed",
        (true, _) => "Succeeded",
        (false, true) => "Running",
        (false, false) => "Pending",
    };
    let containers = pod
        .spec
        .as_ref()
        .map(|s| s.containers.as_slice())
        .unwrap_or_default();
    let names: Vec<&str> = containers.iter().map(|c| c.name.as_str()).collect();
    let wanted: [Wanted<'_>; 4] = [
        ("PodReadyToStartContainers", !exited, None),
        ("Initialized", true, None),
        (
            "ContainersReady",
            ready,
            (!ready).then(|| {
                (
                    "ContainersNotReady",
                    format!("containers with unready status: [{}]", names.join(" ")),
                )
            }),
        ),
        (
            "Ready",
            pod_ready,
            if !ready {
                Some((
                    "ContainersNotReady",
                    format!("containers with unready status: [{}]", names.join(" ")),
                ))
            } else {
                gates.map(|message| ("ReadinessGatesNotReady", message))
            },
        ),
    ];
    let container_state = |started: bool| -> (Value, &'static str) {
        if exited {
            let (code, reason) = if killed {
                (137, "Error")
            } else {
                (0, "Completed")
            };
            let state = json!({"terminated": {"exitCode": code, "reason": reason,
                "startedAt": ctx.timestamp_at(life.container_start),
                "finishedAt": ctx.timestamp_at(life.deletion.map_or(now, |d| d.exit))}});
            (state, "terminated")
        } else if started {
            (
                json!({"running": {"startedAt": ctx.timestamp_at(life.container_start)}}),
                "running",
            )
        } else {
            (
                json!({"waiting": {"reason": "ContainerCreating"}}),
                "waiting",
            )
        }
    };
    let reported = pod.status.as_ref();
    let mut changed = reported.and_then(|s| s.phase.as_deref()) != Some(phase)
        || reported.and_then(|s| s.pod_ip.as_deref()) != Some(ip.to_string().as_str());
    for (kind, status, _) in &wanted {
        let text = if *status { "True" } else { "False" };
        changed |= condition_status(pod, kind) != Some(text);
    }
    let reported_containers = reported
        .and_then(|s| s.container_statuses.as_deref())
        .unwrap_or_default();
    let mut statuses = Vec::new();
    for container in containers {
        let (state, kind) = container_state(running);
        let current = reported_containers
            .iter()
            .find(|c| c.name == container.name);
        let current_kind = current.and_then(|c| c.state.as_ref()).map(|s| {
            if s.terminated.is_some() {
                "terminated"
            } else if s.running.is_some() {
                "running"
            } else {
                "waiting"
            }
        });
        changed |= current.map(|c| c.ready) != Some(ready) || current_kind != Some(kind);
        statuses.push(json!({
            "name": container.name,
            "image": container.image,
            "imageID": container.image.as_deref().map(|i| format!("{i}@sha256:0000000000000000000000000000000000000000000000000000000000000000")),
            "containerID": container_id(pod, &container.name),
            "ready": ready,
            "started": running,
            "restartCount": 0,
            "state": state,
        }));
    }
    if !changed {
        return None;
    }
    let conditions: Vec<Value> = wanted
        .iter()
        .map(|(kind, status, reason)| {
            let text = if *status { "True" } else { "False" };
            // A condition keeps its transition time while its status stays.
            let since = conditions(pod)
                .iter()
                .find(|c| c.type_ == *kind && c.status == text)
                .and_then(|c| c.last_transition_time.clone())
                .unwrap_or_else(|| ctx.timestamp());
            // Only the kubelet's condition types are named, so the strategic merge (by `type`)
            // leaves every other condition alone; `null` clears a stale reason.
            let (why, message) = match reason {
                Some((why, message)) => (json!(why), json!(message)),
                None => (Value::Null, Value::Null),
            };
            json!({"type": kind, "status": text, "lastProbeTime": null, "lastTransitionTime": since,
                   "reason": why, "message": message})
        })
        .collect();
    Some(json!({"status": {
        "phase": phase,
        "conditions": conditions,
        "hostIP": node.address.to_string(),
        "hostIPs": [{"ip": node.address.to_string()}],
        "podIP": ip.to_string(),
        "podIPs": [{"ip": ip.to_string()}],
        "startTime": pod.status.as_ref().and_then(|s| s.start_time.clone()).unwrap_or_else(|| ctx.timestamp()),
        "containerStatuses": statuses,
    }}))
}
