//! The pass end to end: observed inputs → plan, for live, invalid and deletion passes, and a
//! seeded sweep of generated worlds through the invariant checker.

mod invariants;
mod sweep;

use std::collections::BTreeSet;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, Pod, PodCondition, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::jiff::Timestamp;
use lbgate_api::TargetGroupBinding;
use lbgate_api::consts::{
    EVENT_REASON_CIRCUIT_BREAKER_TRIPPED, EVENT_REASON_DEREGISTERED_TARGETS,
    EVENT_REASON_REGISTERED_TARGETS, FINALIZER, GATE_REASON_REGISTRATION_IN_PROGRESS,
    REASON_SERVICE_NOT_FOUND,
};
use serde_json::json;

use super::*;
use crate::diff::DiffConfig;
use crate::fixtures::{
    NS, deleting, endpoint, node, pod, service, service_port, slice, slice_port, time, ts,
};
use crate::schedule::{ScheduleConfig, WaitReason};
use crate::target::{ObservedTarget, TargetKey, TargetState};
use crate::validate::TargetGroupFacts;

const GATE: &str = "target-health.elbv2.k8s.aws/web";
const PORT: i32 = 8080;

fn key(ip: &str) -> TargetKey {
    TargetKey::new(ip, PORT)
}

fn binding(extra: serde_json::Value) -> TargetGroupBinding {
    let mut spec = json!({
        "targetGroupARN": "arn:tg",
        "targetType": "ip",
        "serviceRef": {"name": "web", "port": 80},
    });
    if let (Some(spec), Some(extra)) = (spec.as_object_mut(), extra.as_object()) {
        for (field, value) in extra {
            spec.insert(field.clone(), value.clone());
        }
    }
    serde_json::from_value(json!({
        "apiVersion": "elbv2.k8s.aws/v1beta1",
        "kind": "TargetGroupBinding",
        "metadata": {
            "name": "web", "namespace": NS, "uid": "uid-binding", "generation": 1,
            "finalizers": [FINALIZER],
        },
        "spec": spec,
    }))
    .unwrap()
}

/// A pod behind a ready endpoint (`ready`), or a gated one whose containers are ready but whose
/// gate keeps its endpoint not ready.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PodState {
    Ready,
    WaitingOnGate,
    Terminating,
    /// No endpoint and no pod: gone.
    Gone,
}

fn observed(ip: &str, state: &str) -> ObservedTarget {
    let reason = match state {
        "initial" => Some("Elb.InitialHealthChecking".to_owned()),
        "unhealthy" => Some("Target.Timeout".to_owned()),
        _ => None,
    };
    ObservedTarget {
        key: key(ip),
        state: TargetState::from_aws(state),
        reason,
        description: None,
    }
}

/// Everything a pass observes, owned.
struct World {
    binding: TargetGroupBinding,
    service: Option<Service>,
    slices: Vec<EndpointSlice>,
    pods: Vec<Pod>,
    nodes: Vec<Node>,
    group: Option<(&'static str, &'static str)>,
    observed: Vec<ObservedTarget>,
    ledger: BTreeSet<TargetKey>,
    lbc_ledger: Option<BTreeSet<TargetKey>>,
    memory: BindingMemory,
    config: PassConfig,
    now: Timestamp,
}

impl World {
    fn new() -> Self {
        Self {
            binding: binding(json!({})),
            service: Some(service("web", None, vec![service_port(None, 80, None)])),
            slices: Vec::new(),
            pods: Vec::new(),
            nodes: vec![node(
                "n1",
                Some("aws:///us-west-2a/i-0aaa"),
                Some("True"),
                &[],
                &[],
            )],
            group: Some(("ip", "HTTP")),
            observed: Vec::new(),
            ledger: BTreeSet::new(),
            lbc_ledger: None,
            memory: BindingMemory::new(Duration::from_millis(500), Duration::from_secs(30)),
            config: PassConfig {
                diff: DiffConfig::default(),
                schedule: ScheduleConfig::default(),
                invalid_requeue: Duration::from_secs(300),
            },
            now: ts(1000),
        }
    }

    /// Adds pod `name` at `ip` in `state`, with the binding's gate.
    fn pod(mut self, name: &str, ip: &str, state: PodState) -> Self {
        let (ready, terminating, containers) = match state {
            PodState::Ready => (true, false, "True"),
            PodState::WaitingOnGate => (false, false, "True"),
            PodState::Terminating => (false, true, "True"),
            PodState::Gone => return self,
        };
        let mut made = pod(name, ip, &[GATE], Some(containers));
        if let Some(spec) = made.spec.as_mut() {
            spec.node_name = Some("n1".to_owned());
        }
        if state == PodState::Terminating {
            made = deleting(made);
        }
        self.pods.push(made);
        let endpoints = vec![endpoint(ip, Some(name), Some(ready), Some(terminating))];
        self.slices.push(slice(
            &format!("web-{name}"),
            "web",
            "IPv4",
            vec![slice_port(None, PORT)],
            endpoints,
        ));
        self
    }

    /// Sets pod `name`'s gate condition.
    fn gate_says(mut self, name: &str, status: &str, since: i64) -> Self {
        let pod = self
            .pods
            .iter_mut()
            .find(|p| p.metadata.name.as_deref() == Some(name))
            .unwrap();
        pod.status
            .as_mut()
            .unwrap()
            .conditions
            .get_or_insert_with(Vec::new)
            .push(PodCondition {
                type_: GATE.to_owned(),
                status: status.to_owned(),
                last_transition_time: Some(time(since)),
                ..PodCondition::default()
            });
        self
    }

    fn aws(mut self, ip: &str, state: &str) -> Self {
        self.observed.push(observed(ip, state));
        self
    }

    fn owned(mut self, ips: &[&str]) -> Self {
        self.ledger.extend(ips.iter().map(|ip| key(ip)));
        self
    }

    fn deleted(mut self) -> Self {
        self.binding.metadata.deletion_timestamp = Some(time(999));
        self
    }

    fn plan(&self) -> PassPlan {
        let claims: Vec<crate::validate::BindingClaim<'_>> = Vec::new();
        let facts = self.group.map(|(target_type, protocol)| TargetGroupFacts {
            target_type,
            ip_address_type: Some("ipv4"),
            protocol: Some(protocol),
            health_check_interval_seconds: Some(5),
            healthy_threshold_count: Some(2),
        });
        let aws = match facts {
            Some(facts) => AwsView::Found {
                facts,
                targets: TargetsView {
                    observed: &self.observed,
                    ledger: &self.ledger,
                    lbc_ledger: self.lbc_ledger.as_ref(),
                },
            },
            None => AwsView::Missing,
        };
        let input = PassInput {
            binding: &self.binding,
            cluster: ClusterView {
                service: self.service.as_ref(),
                slices: &self.slices,
                pods: &self.pods,
                nodes: &self.nodes,
                rivals: &claims,
            },
            aws,
            memory: &self.memory,
            config: &self.config,
            now: self.now,
        };
        let plan = plan_pass(&input);
        if let Err(broken) = invariants::check(&input, &plan) {
            panic!("invariant broken: {broken}\nplan: {plan:#?}");
        }
        plan
    }
}

/// A step, in short, for tables.
fn brief(step: &Step) -> String {
    match step {
        Step::AddFinalizer => "finalizer+".to_owned(),
        Step::RemoveFinalizer => "finalizer-".to_owned(),
        Step::Event(event) => format!("event {}", event.reason),
        Step::WriteLedger(targets) => format!("ledger {}", ips(targets.iter())),
        Step::Register(targets) => format!("register {}", ips(targets.iter())),
        Step::Deregister(targets) => {
            format!("deregister {}", ips(targets.iter().map(|d| &d.target)))
        }
        Step::WriteGate(write) => format!(
            "gate {} {} {}",
            write.pod.name,
            write.condition.status,
            write.condition.reason.as_deref().unwrap_or("-")
        ),
        Step::WriteStatus(_) => "status".to_owned(),
        Step::DeleteLedger => "ledger delete".to_owned(),
    }
}

fn ips<'a>(keys: impl Iterator<Item = &'a TargetKey>) -> String {
    keys.map(|k| k.id.as_str()).collect::<Vec<_>>().join(",")
}

fn briefs(plan: &PassPlan) -> Vec<String> {
    plan.steps.iter().map(brief).collect()
}

fn deregistrations(plan: &PassPlan) -> Vec<Deregistration> {
    plan.steps
        .iter()
        .filter_map(|step| match step {
            Step::Deregister(d) => Some(d.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

#[test]
fn live_passes_table() {
    use PodState::{Gone, Ready, Terminating, WaitingOnGate};
    let cases: Vec<(&str, World, Vec<&str>)> = vec![
        (
            "a new gated pod: ledger first, register, gate waits on registration",
            World::new().pod("a", "10.0.0.1", WaitingOnGate),
            vec![
                "ledger 10.0.0.1",
                "register 10.0.0.1",
                "event RegisteredTargets",
                "gate a False Elb.RegistrationInProgress",
                "status",
            ],
        ),
        (
            "initial: the gate copies AWS's reason, nothing else moves",
            World::new()
                .pod("a", "10.0.0.1", WaitingOnGate)
                .aws("10.0.0.1", "initial")
                .owned(&["10.0.0.1"]),
            vec!["gate a False Elb.InitialHealthChecking", "status"],
        ),
        (
            "healthy: the gate turns True",
            World::new()
                .pod("a", "10.0.0.1", WaitingOnGate)
                .gate_says("a", "False", 990)
                .aws("10.0.0.1", "healthy")
                .owned(&["10.0.0.1"]),
            vec!["gate a True -", "status"],
        ),
        (
            "a gate already True is not written again",
            World::new()
                .pod("a", "10.0.0.1", Ready)
                .gate_says("a", "True", 990)
                .aws("10.0.0.1", "healthy")
                .owned(&["10.0.0.1"]),
            vec!["status"],
        ),
        (
            "a pod gone: its owned target is deregistered",
            World::new()
                .pod("a", "10.0.0.1", Ready)
                .pod("b", "10.0.0.2", Gone)
                .aws("10.0.0.1", "healthy")
                .aws("10.0.0.2", "healthy")
                .owned(&["10.0.0.1", "10.0.0.2"]),
            vec![
                "deregister 10.0.0.2",
                "event DeregisteredTargets",
                "ledger 10.0.0.1",
                "gate a True -",
                "status",
            ],
        ),
        (
            "a terminating pod's target leaves at once, even while another is pending",
            World::new()
                .pod("a", "10.0.0.1", Terminating)
                .pod("b", "10.0.0.2", WaitingOnGate)
                .aws("10.0.0.1", "healthy")
                .aws("10.0.0.2", "initial")
                .aws("10.0.0.3", "healthy")
                .owned(&["10.0.0.1", "10.0.0.2"]),
            vec![
                "deregister 10.0.0.1",
                "event DeregisteredTargets",
                "ledger 10.0.0.2",
                "gate b False Elb.InitialHealthChecking",
                "status",
            ],
        ),
        (
            "a foreign target is never touched",
            World::new()
                .pod("a", "10.0.0.1", Ready)
                .aws("10.0.0.1", "healthy")
                .aws("10.9.9.9", "healthy")
                .owned(&["10.0.0.1"]),
            vec!["gate a True -", "status"],
        ),
    ];
    for (name, world, expected) in cases {
        let plan = world.plan();
        assert_eq!(plan.kind, PassKind::Synced, "{name}");
        assert_eq!(briefs(&plan), expected, "{name}");
    }
}

#[test]
fn the_finalizer_comes_first() {
    let mut world = World::new().pod("a", "10.0.0.1", PodState::WaitingOnGate);
    world.binding.metadata.finalizers = None;
    let plan = world.plan();
    assert_eq!(
        briefs(&plan).first().map(String::as_str),
        Some("finalizer+")
    );
    let mut world = World::new();
    world.binding.metadata.finalizers = None;
    world.service = None;
    let plan = world.plan();
    assert_eq!(plan.kind, PassKind::Invalid);
    assert_eq!(
        briefs(&plan).first().map(String::as_str),
        Some("finalizer+"),
        "bad input too: a later deletion must find it"
    );
}

#[test]
fn make_before_break_holds_a_serving_target_until_the_new_one_is_healthy() {
    let world = World::new()
        .pod("old", "10.0.0.1", PodState::Ready)
        .pod("new", "10.0.0.2", PodState::WaitingOnGate)
        .pod("steady", "10.0.0.3", PodState::Ready)
        .aws("10.0.0.1", "healthy")
        .aws("10.0.0.2", "initial")
        .aws("10.0.0.3", "healthy")
        .owned(&["10.0.0.1", "10.0.0.2", "10.0.0.3"]);
    // The old pod left the Service (selector swap) but still serves.
    let mut world = world;
    world
        .slices
        .retain(|s| s.metadata.name.as_deref() != Some("web-old"));
    let plan = world.plan();
    assert!(deregistrations(&plan).is_empty(), "{:?}", briefs(&plan));
    let started = plan.memory.hold_started.expect("a hold runs");
    assert_eq!(started, world.now);

    // Past the hold timeout the surplus goes anyway (the breaker still keeps one healthy
    // target: here the steady one), and says why.
    world.memory.hold_started = Some(ts(1000 - 301));
    let plan = world.plan();
    let gone = deregistrations(&plan);
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0].target, key("10.0.0.1"));
    assert_eq!(
        gone[0].guard,
        Guard {
            owner: Owner::Ledger,
            allowed: Allowed::HoldExpired,
            healthy: true
        }
    );

    // Once the new target is healthy the hold ends and the old one is replaced.
    world.memory.hold_started = Some(started);
    world.observed = vec![
        observed("10.0.0.1", "healthy"),
        observed("10.0.0.2", "healthy"),
        observed("10.0.0.3", "healthy"),
    ];
    let plan = world.plan();
    assert_eq!(plan.memory.hold_started, None);
    let gone = deregistrations(&plan);
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0].guard.allowed, Allowed::Replaced);
}

#[test]
fn the_breaker_caps_healthy_deregistrations_and_says_so() {
    let mut world = World::new().pod("keep", "10.0.0.9", PodState::Ready);
    world.observed.push(observed("10.0.0.9", "healthy"));
    for n in 1..=4 {
        let ip = format!("10.0.0.{n}");
        world.observed.push(observed(&ip, "healthy"));
        world.ledger.insert(key(&ip));
    }
    world.ledger.insert(key("10.0.0.9"));
    let plan = world.plan();
    let gone = deregistrations(&plan);
    assert_eq!(gone.len(), 2, "half of 5 healthy, rounded down");
    assert!(gone.iter().all(|d| d.guard.healthy));
    assert_eq!(
        briefs(&plan).first().map(String::as_str),
        Some("event CircuitBreakerTripped"),
        "the trip is told before any call"
    );
    let PassPlan {
        next: NextPass::Health(poll),
        ..
    } = &plan
    else {
        panic!("a live pass polls health");
    };
    assert!(
        poll.pending.is_empty(),
        "every desired target is healthy; the breaker only widens what is watched"
    );
    assert!(
        plan.steps.iter().any(
            |s| matches!(s, Step::Event(e) if e.reason == EVENT_REASON_CIRCUIT_BREAKER_TRIPPED)
        )
    );
    let status = plan
        .steps
        .iter()
        .find_map(|s| match s {
            Step::WriteStatus(status) => Some(status),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        status.condition("CircuitBreakerTripped").unwrap().status,
        "True"
    );
}

#[test]
fn multi_cluster_groups_trust_only_the_ledgers() {
    let mut world = World::new()
        .pod("a", "10.0.0.1", PodState::Ready)
        .aws("10.0.0.1", "healthy")
        .aws("10.0.0.2", "healthy")
        .aws("10.0.0.3", "healthy")
        .owned(&["10.0.0.1"]);
    // 10.0.0.2 is one of our pods' addresses (a pod that left the Service), 10.0.0.3 another
    // cluster's target: only LBC's ledger proves 10.0.0.3.
    world
        .pods
        .push(pod("stray", "10.0.0.2", &[], Some("False")));
    world.binding.spec.multi_cluster_target_group = true;
    world.lbc_ledger = Some(BTreeSet::from([key("10.0.0.3")]));
    let gone = deregistrations(&world.plan());
    assert_eq!(gone.len(), 1, "{gone:?}");
    assert_eq!(gone[0].target, key("10.0.0.3"));
    assert_eq!(gone[0].guard.owner, Owner::LbcLedger);

    world.binding.spec.multi_cluster_target_group = false;
    world.lbc_ledger = None;
    let gone = deregistrations(&world.plan());
    assert_eq!(gone.len(), 1, "{gone:?}");
    assert_eq!(gone[0].target, key("10.0.0.2"));
    assert_eq!(gone[0].guard.owner, Owner::OwnAddress);
}

#[test]
fn bad_input_is_reported_and_touches_nothing() {
    let mut world = World::new()
        .pod("a", "10.0.0.1", PodState::WaitingOnGate)
        .aws("10.0.0.1", "healthy")
        .owned(&["10.0.0.1"]);
    world.service = None;
    let plan = world.plan();
    assert_eq!(plan.kind, PassKind::Invalid);
    assert_eq!(briefs(&plan), ["event ServiceNotFound", "status"]);
    assert_eq!(plan.problems[0].reason, REASON_SERVICE_NOT_FOUND);
    assert_eq!(plan.next, NextPass::After(Duration::from_secs(300)));

    let mut world = World::new().pod("a", "10.0.0.1", PodState::Ready);
    world.group = None;
    let plan = world.plan();
    assert_eq!(briefs(&plan), ["event TargetGroupNotFound", "status"]);
}

#[test]
fn instance_mode_registers_nodes_and_writes_no_gate() {
    let mut world = World::new().pod("a", "10.0.0.1", PodState::WaitingOnGate);
    world.binding = binding(json!({"targetType": "instance"}));
    world.group = Some(("instance", "HTTP"));
    world.service = Some(service(
        "web",
        Some("NodePort"),
        vec![service_port(None, 80, Some(30080))],
    ));
    let plan = world.plan();
    assert_eq!(
        briefs(&plan),
        [
            "ledger i-0aaa",
            "register i-0aaa",
            "event RegisteredTargets",
            "status"
        ]
    );
}

#[test]
fn the_next_poll_is_aimed_from_the_registration() {
    let world = World::new().pod("a", "10.0.0.1", PodState::WaitingOnGate);
    let plan = world.plan();
    let NextPass::Health(poll) = &plan.next else {
        panic!("a live pass polls health");
    };
    assert_eq!(
        poll.pending.get(&key("10.0.0.1")),
        Some(&Pending::Registering)
    );
    let mut memory = plan.memory.clone();
    // RegisterTargets returned 300 ms after the pass began; the pass ends 100 ms later.
    memory.record(StepOutcome::Registered {
        targets: vec![key("10.0.0.1")],
        at: Timestamp::from_millisecond(world.now.as_millisecond() + 300).unwrap(),
    });
    let end = Timestamp::from_millisecond(world.now.as_millisecond() + 400).unwrap();
    let wait = poll.wait(&memory, end);
    assert_eq!(wait.reason, WaitReason::ExpectedVerdict);
    // interval 5 s × threshold 2 = 10 s after the registration, 9.9 s after the pass, plus at
    // most the forward jitter.
    assert!(
        wait.after >= Duration::from_millis(9_900) && wait.after <= Duration::from_millis(9_950),
        "{wait:?}"
    );
}

#[test]
fn gate_phases_are_observed_once_and_on_the_write() {
    let mut world = World::new()
        .pod("a", "10.0.0.1", PodState::WaitingOnGate)
        .gate_says("a", "False", 990)
        .aws("10.0.0.1", "healthy")
        .owned(&["10.0.0.1"]);
    world.memory.registered_at.insert(key("10.0.0.1"), ts(985));
    let plan = world.plan();
    assert_eq!(
        plan.phases,
        [(GatePhase::RegisteredToHealthy, Duration::from_secs(15))]
    );
    let Some(Step::WriteGate(write)) = plan.steps.first() else {
        panic!("{:?}", briefs(&plan));
    };
    assert_eq!(
        write.phases,
        [
            (GatePhase::PendingToGateTrue, Duration::from_secs(10)),
            (GatePhase::HealthyToGateTrue, Duration::ZERO),
        ]
    );
    assert!(plan.memory.pending_gates.is_empty());
    world.memory = plan.memory;
    assert!(world.plan().phases.is_empty(), "observed once");
}

#[test]
fn pending_gates_are_remembered_with_their_age() {
    let world = World::new()
        .pod("a", "10.0.0.1", PodState::WaitingOnGate)
        .gate_says("a", "False", 990)
        .pod("b", "10.0.0.2", PodState::WaitingOnGate)
        .aws("10.0.0.1", "initial")
        .owned(&["10.0.0.1"]);
    let plan = world.plan();
    assert_eq!(
        plan.memory.pending_gates,
        std::collections::BTreeMap::from([
            (format!("{NS}/a"), ts(990)),
            (format!("{NS}/b"), ts(1000)),
        ])
    );
    let mut memory = plan.memory;
    memory.record(StepOutcome::PodGone(format!("{NS}/b")));
    assert_eq!(memory.pending_gates.len(), 1, "a pod gone waits on nothing");
}

#[test]
fn deletion_deregisters_what_it_owns_releases_gates_and_lets_go() {
    let world = World::new()
        .pod("a", "10.0.0.1", PodState::Ready)
        .gate_says("a", "False", 990)
        .aws("10.0.0.1", "healthy")
        .aws("10.9.9.9", "healthy")
        .owned(&["10.0.0.1"])
        .deleted();
    let plan = world.plan();
    assert_eq!(plan.kind, PassKind::Cleaned);
    assert_eq!(
        briefs(&plan),
        [
            "deregister 10.0.0.1",
            "event DeregisteredTargets",
            "gate a True TargetGroupBindingDeleted",
            "ledger delete",
            "finalizer-",
        ]
    );
    assert_eq!(
        deregistrations(&plan)[0].guard.allowed,
        Allowed::BindingDeleted
    );
    assert_eq!(plan.next, NextPass::AwaitChange);

    // The group is gone: nothing to deregister, never a stuck finalizer.
    let mut gone = World::new()
        .pod("a", "10.0.0.1", PodState::Ready)
        .owned(&["10.0.0.1"])
        .deleted();
    gone.group = None;
    assert_eq!(
        briefs(&gone.plan()),
        [
            "gate a True TargetGroupBindingDeleted",
            "ledger delete",
            "finalizer-"
        ]
    );

    // Without our finalizer there is nothing of ours to clean up.
    let mut foreign = World::new().deleted();
    foreign.binding.metadata.finalizers = None;
    assert!(foreign.plan().steps.is_empty());
}

#[test]
fn registered_and_deregistered_events_name_the_targets() {
    let mut world = World::new();
    for n in 1..=25 {
        world = world.pod(&format!("p{n}"), &format!("10.0.1.{n}"), PodState::Ready);
    }
    let plan = world.plan();
    let note = plan
        .steps
        .iter()
        .find_map(|s| match s {
            Step::Event(e) if e.reason == EVENT_REASON_REGISTERED_TARGETS => Some(e.note.clone()),
            _ => None,
        })
        .unwrap();
    assert!(note.starts_with("registered 25 targets: 10.0.1."), "{note}");
    assert!(note.ends_with(" and 5 more"), "{note}");
    assert!(
        !plan
            .steps
            .iter()
            .any(|s| matches!(s, Step::Event(e) if e.reason == EVENT_REASON_DEREGISTERED_TARGETS))
    );
}

#[test]
fn a_registering_target_never_gets_a_true_gate_from_an_old_answer() {
    // The answer lists the target healthy *and* draining (AWS lists a re-registered target
    // once, but an answer can lag); the diff registers it again, so the gate waits.
    let world = World::new()
        .pod("a", "10.0.0.1", PodState::WaitingOnGate)
        .aws("10.0.0.1", "draining")
        .owned(&["10.0.0.1"]);
    let plan = world.plan();
    assert!(briefs(&plan).contains(&"register 10.0.0.1".to_owned()));
    assert!(briefs(&plan).contains(&format!(
        "gate a False {GATE_REASON_REGISTRATION_IN_PROGRESS}"
    )));
}

#[test]
fn memory_backs_off_errors_but_never_past_the_health_poll() {
    let mut memory = BindingMemory::new(Duration::from_millis(100), Duration::from_secs(10));
    let mut ceilings = Vec::new();
    for _ in 0..8 {
        let delay = memory.failed("ns/failing", Duration::from_secs(10));
        let ceiling = memory.backoff.ceiling();
        assert!(delay <= ceiling, "{delay:?} within {ceiling:?}");
        ceilings.push(ceiling);
    }
    assert_eq!(ceilings.first(), Some(&Duration::from_millis(100)));
    assert_eq!(ceilings.last(), Some(&Duration::from_secs(10)), "capped");
    memory.succeeded(Some(Duration::from_millis(200)));
    assert_eq!(memory.backoff.failures(), 0);
    for _ in 0..8 {
        assert!(memory.failed("ns/failing", Duration::from_secs(10)) <= Duration::from_millis(200));
    }
}
