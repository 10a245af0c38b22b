//! The pod row as kube-apiserver's `printPod` builds it: READY counts ready running containers
//! (restartable init containers, i.e. sidecars, included), STATUS is the phase or the reason
//! that explains it best (init progress, a waiting or terminated container, `Terminating` once
//! a deletionTimestamp is set), RESTARTS adds `(<age> ago)` of the last restart, and READINESS
//! GATES is `<gates whose condition is True>/<gates>`.

use serde_json::{Value, json};

use super::age::age;
use super::cells::{Row, age_of, at, int_at, list, name, str_at};

pub(super) fn pod_row(pod: &Value, now: i64) -> Row {
    let init_specs = list(pod, "spec.initContainers");
    let is_sidecar = |spec: &Value| str_at(spec, "restartPolicy") == "Always";
    let mut total = list(pod, "spec.containers").len();
    total += init_specs.iter().filter(|spec| is_sidecar(spec)).count();
    let mut ready = 0usize;
    let mut restarts = 0i64;
    let mut last_restart: Option<&str> = None;

    let mut reason = match str_at(pod, "status.reason") {
        "" => str_at(pod, "status.phase").to_owned(),
        reason => reason.to_owned(),
    };
    let conditions = list(pod, "status.conditions");
    if conditions
        .iter()
        .any(|c| str_at(c, "type") == "PodScheduled" && str_at(c, "reason") == "SchedulingGated")
    {
        reason = "SchedulingGated".to_owned();
    }

    let mut initializing = false;
    let init_statuses = list(pod, "status.initContainerStatuses");
    for (index, status) in init_statuses.iter().enumerate() {
        restarts += int_at(status, "restartCount");
        note_restart(&mut last_restart, status);
        let sidecar = init_specs
            .iter()
            .find(|spec| str_at(spec, "name") == str_at(status, "name"))
            .is_some_and(is_sidecar);
        let terminated = at(status, "state.terminated");
        let waiting_reason = str_at(status, "state.waiting.reason");
        if terminated.is_some_and(|t| int_at(t, "exitCode") == 0) {
            continue;
        }
        if sidecar && at(status, "started").and_then(Value::as_bool) == Some(true) {
            if at(status, "ready").and_then(Value::as_bool) == Some(true) {
                ready += 1;
            }
            continue;
        }
        reason = if let Some(terminated) = terminated {
            match str_at(terminated, "reason") {
                "" => match int_at(terminated, "signal") {
                    0 => format!("Init:ExitCode:{}", int_at(terminated, "exitCode")),
                    signal => format!("Init:Signal:{signal}"),
                },
                why => format!("Init:{why}"),
            }
        } else if !waiting_reason.is_empty() && waiting_reason != "PodInitializing" {
            format!("Init:{waiting_reason}")
        } else {
            format!("Init:{index}/{}", init_specs.len())
        };
        initializing = true;
        break;
    }

    if !initializing {
        restarts = 0;
        let mut has_running = false;
        for status in list(pod, "status.containerStatuses").iter().rev() {
            restarts += int_at(status, "restartCount");
            note_restart(&mut last_restart, status);
            let waiting = str_at(status, "state.waiting.reason");
            let terminated = at(status, "state.terminated");
            if !waiting.is_empty() {
                reason = waiting.to_owned();
            } else if let Some(terminated) = terminated {
                reason = match str_at(terminated, "reason") {
                    "" => match int_at(terminated, "signal") {
                        0 => format!("ExitCode:{}", int_at(terminated, "exitCode")),
                        signal => format!("Signal:{signal}"),
                    },
                    why => why.to_owned(),
                };
            } else if at(status, "ready").and_then(Value::as_bool) == Some(true)
                && at(status, "state.running").is_some()
            {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = conditions
                .iter()
                .any(|c| str_at(c, "type") == "Ready" && str_at(c, "status") == "True");
            reason = if pod_ready { "Running" } else { "NotReady" }.to_owned();
        }
    }

    if at(pod, "metadata.deletionTimestamp").is_some_and(|t| !t.is_null()) {
        reason = if str_at(pod, "status.reason") == "NodeLost" {
            "Unknown"
        } else {
            "Terminating"
        }
        .to_owned();
    }

    let restarts = match last_restart {
        Some(finished) => format!("{restarts} ({} ago)", age(Some(finished), now)),
        None => restarts.to_string(),
    };
    let ip = list(pod, "status.podIPs")
        .first()
        .map(|ip| str_at(ip, "ip"))
        .filter(|ip| !ip.is_empty())
        .or_else(|| Some(str_at(pod, "status.podIP")).filter(|ip| !ip.is_empty()))
        .unwrap_or("<none>");
    let none_if_empty = |path: &str| match str_at(pod, path) {
        "" => "<none>".to_owned(),
        value => value.to_owned(),
    };
    let cells = vec![
        name(pod),
        json!(format!("{ready}/{total}")),
        json!(reason),
        json!(restarts),
        age_of(pod, now),
        json!(ip),
        json!(none_if_empty("spec.nodeName")),
        json!(none_if_empty("status.nominatedNodeName")),
        json!(readiness_gates(pod)),
    ];
    Row {
        cells,
        conditions: completed_condition(pod),
    }
}

/// Keeps the latest `lastState.terminated.finishedAt` seen.
fn note_restart<'a>(last_restart: &mut Option<&'a str>, status: &'a Value) {
    if let Some(finished) = at(status, "lastState.terminated.finishedAt").and_then(Value::as_str) {
        // RFC 3339 UTC timestamps order as strings.
        if last_restart.is_none_or(|previous| finished > previous) {
            *last_restart = Some(finished);
        }
    }
}

fn readiness_gates(pod: &Value) -> String {
    let gates = list(pod, "spec.readinessGates");
    if gates.is_empty() {
        return "<none>".to_owned();
    }
    let conditions = list(pod, "status.conditions");
    let true_gates = gates
        .iter()
        .filter(|gate| {
            let wanted = str_at(gate, "conditionType");
            conditions
                .iter()
                .find(|c| str_at(c, "type") == wanted)
                .is_some_and(|c| str_at(c, "status") == "True")
        })
        .count();
    format!("{true_gates}/{}", gates.len())
}

/// kube-apiserver marks the rows of finished pods `Completed`.
fn completed_condition(pod: &Value) -> Option<Value> {
    let (reason, message) = match str_at(pod, "status.phase") {
        "Succeeded" => ("Succeeded", "All containers ran to completion."),
        "Failed" => ("Failed", "A container ended in failure."),
        _ => return None,
    };
    Some(json!([{"type": "Completed", "status": "True", "reason": reason, "message": message}]))
}
