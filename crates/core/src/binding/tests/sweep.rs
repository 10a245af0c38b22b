//! Generated worlds through the invariant checker: pods in every state, AWS answers in every
//! state, ledgers that do and do not record the targets, deletions, multi-cluster groups and
//! tight breaker shares; and proof that the checker catches a plan that breaks the rules.

use std::collections::BTreeSet;

use super::super::{
    Allowed, ClusterView, Deregistration, Guard, Owner, PassInput, Step, plan_pass,
};
use super::{PodState, World, invariants, key};
use crate::fixtures::pod;

/// A small seeded generator (splitmix64), so every failure names a world that can be rebuilt.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[(self.next() % from.len() as u64) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const POD_STATES: [PodState; 4] = [
    PodState::Ready,
    PodState::WaitingOnGate,
    PodState::Terminating,
    PodState::Gone,
];
const AWS_STATES: [Option<&str>; 7] = [
    None,
    Some("initial"),
    Some("healthy"),
    Some("unhealthy"),
    Some("draining"),
    Some("unused"),
    Some("healthy"),
];

fn world(seed: u64) -> World {
    let mut draw = Draw(seed);
    let mut world = World::new();
    let pods = 1 + draw.next() % 5;
    for n in 0..pods {
        let ip = format!("10.0.0.{n}");
        let name = format!("p{n}");
        world = world.pod(&name, &ip, draw.pick(&POD_STATES));
        if world
            .pods
            .iter()
            .any(|p| p.metadata.name.as_deref() == Some(&name))
            && draw.chance(40)
        {
            let status = draw.pick(&["True", "False"]);
            world = world.gate_says(&name, status, 900);
        }
        if let Some(state) = draw.pick(&AWS_STATES) {
            world = world.aws(&ip, state);
        }
        if draw.chance(60) {
            world = world.owned(&[&ip]);
        }
    }
    // Targets of nobody in the cluster, some recorded by a ledger.
    for n in 0..draw.next() % 3 {
        let ip = format!("10.9.0.{n}");
        world = world.aws(&ip, draw.pick(&["healthy", "initial", "unhealthy"]));
        if draw.chance(30) {
            world = world.owned(&[&ip]);
        }
        if draw.chance(20) {
            world
                .lbc_ledger
                .get_or_insert_with(BTreeSet::new)
                .insert(key(&ip));
        }
    }
    // A pod outside the Service whose address a target carries.
    if draw.chance(30) {
        world
            .pods
            .push(pod("stray", "10.0.0.99", &[], Some("True")));
        world = world.aws("10.0.0.99", "healthy");
    }
    if draw.chance(25) {
        world.binding.spec.multi_cluster_target_group = true;
    }
    if draw.chance(20) {
        world = world.deleted();
    }
    if draw.chance(10) {
        world.binding.metadata.finalizers = None;
    }
    if draw.chance(10) {
        world.service = None;
    }
    if draw.chance(5) {
        world.group = None;
    }
    world.config.diff.max_deregister_share = draw.pick(&[0.0, 0.25, 0.5, 1.0]);
    if draw.chance(30) {
        world.memory.hold_started = Some(crate::fixtures::ts(draw.pick(&[990, 600])));
    }
    world
}

#[test]
fn every_generated_world_keeps_the_invariants() {
    // `World::plan` runs the checker and fails with the broken invariant.
    let mut kinds = std::collections::BTreeMap::new();
    let mut deregistered = 0;
    let mut gates_true = 0;
    for seed in 0..3000 {
        let plan = world(seed).plan();
        *kinds.entry(format!("{:?}", plan.kind)).or_insert(0) += 1;
        for step in &plan.steps {
            match step {
                Step::Deregister(d) => deregistered += d.len(),
                Step::WriteGate(w) if w.condition.status == "True" => gates_true += 1,
                _ => {}
            }
        }
    }
    // The sweep must reach the interesting paths, or it proves nothing.
    assert!(kinds.len() == 3, "{kinds:?}");
    assert!(deregistered > 300, "{deregistered} deregistrations");
    assert!(gates_true > 300, "{gates_true} gates True");
}

/// Plans `world`, then lets `tamper` break the plan; the checker must refuse it.
fn caught(world: &World, tamper: impl Fn(&mut Vec<Step>)) -> Result<(), String> {
    let claims = Vec::new();
    let facts = crate::validate::TargetGroupFacts {
        target_type: "ip",
        ip_address_type: Some("ipv4"),
        protocol: Some("HTTP"),
        health_check_interval_seconds: Some(5),
        healthy_threshold_count: Some(2),
    };
    let input = PassInput {
        binding: &world.binding,
        cluster: ClusterView {
            service: world.service.as_ref(),
            slices: &world.slices,
            pods: &world.pods,
            nodes: &world.nodes,
            rivals: &claims,
        },
        aws: super::super::AwsView::Found {
            facts,
            targets: super::super::TargetsView {
                observed: &world.observed,
                ledger: &world.ledger,
                lbc_ledger: world.lbc_ledger.as_ref(),
            },
        },
        memory: &world.memory,
        config: &world.config,
        now: world.now,
    };
    let mut plan = plan_pass(&input);
    invariants::check(&input, &plan).expect("the untouched plan is valid");
    tamper(&mut plan.steps);
    invariants::check(&input, &plan)
}

#[test]
fn the_checker_catches_a_plan_that_breaks_the_rules() {
    let world = World::new()
        .pod("a", "10.0.0.1", PodState::WaitingOnGate)
        .pod("b", "10.0.0.2", PodState::Ready)
        .aws("10.0.0.1", "initial")
        .aws("10.0.0.2", "healthy")
        .aws("10.9.9.9", "healthy")
        .owned(&["10.0.0.1", "10.0.0.2"]);
    let foreign = |owner| {
        move |steps: &mut Vec<Step>| {
            steps.push(Step::Deregister(vec![Deregistration {
                target: key("10.9.9.9"),
                guard: Guard {
                    owner,
                    allowed: Allowed::NotServing,
                    healthy: true,
                },
            }]));
        }
    };
    for owner in [Owner::Ledger, Owner::LbcLedger, Owner::OwnAddress] {
        let refused = caught(&world, foreign(owner)).unwrap_err();
        assert!(refused.contains("do not prove"), "{refused}");
    }
    let desired = caught(&world, |steps| {
        steps.push(Step::Deregister(vec![Deregistration {
            target: key("10.0.0.2"),
            guard: Guard {
                owner: Owner::Ledger,
                allowed: Allowed::Replaced,
                healthy: true,
            },
        }]));
    })
    .unwrap_err();
    assert!(desired.contains("desired"), "{desired}");
    let unhealthy_true = caught(&world, |steps| {
        for step in steps.iter_mut() {
            if let Step::WriteGate(write) = step {
                write.condition.status = "True".to_owned();
            }
        }
    })
    .unwrap_err();
    assert!(
        unhealthy_true.contains("no healthy target"),
        "{unhealthy_true}"
    );
    let unledgered = caught(&world, |steps| {
        steps.insert(0, Step::Register(vec![key("10.0.0.7")]));
    })
    .unwrap_err();
    assert!(unledgered.contains("ledger"), "{unledgered}");
}
