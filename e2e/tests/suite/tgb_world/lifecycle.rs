//! A 3-replica Deployment behind a binding, with a foreign target in the group and traffic
//! through the load balancer: registered; gates True only after health; scale 3→6→2 registers
//! and deregisters exactly; a deleted pod is drained before its containers stop; the foreign
//! target is never touched; no request fails.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use anyhow::{Context, ensure};
use lbgate_e2e::world::{
    ControlledWorld, PodView, SERVICE, binding_yaml, deployment_yaml, service_yaml,
};
use lbgate_sim_elbv2::TargetState;

use super::checks::{gates_turned_true_only_after_health, live_targets_are, targets_of};

/// In the VPC, outside every node's pod range (10.0.1/24, 10.0.65/24, 10.0.129/24).
const FOREIGN_IP: &str = "10.0.200.50";
const GATES: Duration = Duration::from_secs(45);

fn live(pods: Vec<PodView>) -> Vec<PodView> {
    pods.into_iter().filter(|p| !p.terminating).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scaling_and_deleting_pods_register_and_drain_exactly_without_a_failed_request()
-> anyhow::Result<()> {
    let mut world = ControlledWorld::start("tgb-lifecycle").await?;
    world.start_controller("lbgate-0").await?;
    let foreign = world.register_foreign(FOREIGN_IP)?;
    world
        .apply("Service web", &service_yaml(SERVICE, "web"))
        .await?;
    world
        .apply(
            "Deployment web (3)",
            &deployment_yaml("web", "web", 3, true),
        )
        .await?;
    world.apply("binding web", &binding_yaml(SERVICE)).await?;

    // Three replicas registered, gates True once healthy.
    let three = world.wait_gates_true("app=web", 3, GATES).await?;
    let with_foreign = |pods: &[PodView]| {
        let mut targets = targets_of(pods);
        targets.insert(foreign.clone());
        targets
    };
    live_targets_are(&world, &with_foreign(&three), "3 replicas")?;
    world
        .wait_until("the foreign target healthy", GATES, async || {
            let targets = world.targets()?;
            Ok((targets.get(&foreign) == Some(&TargetState::Healthy)).then_some(()))
        })
        .await?;
    world.start_traffic(20.0)?;

    // 3 → 6: the three new pods join, nothing else changes.
    world.scale("web", 6).await?;
    let six = world.wait_gates_true("app=web", 6, GATES).await?;
    live_targets_are(&world, &with_foreign(&six), "scaling to 6")?;
    ensure!(
        targets_of(&three).is_subset(&targets_of(&six)),
        "the first three pods were replaced while scaling up: {three:?} → {six:?}"
    );
    let registered: BTreeSet<String> = world.registrations().into_keys().collect();
    ensure!(
        registered == targets_of(&six),
        "after scaling to 6, RegisterTargets named {registered:?}, expected {:?}\n{}",
        targets_of(&six),
        world.diagnostics()
    );

    // 6 → 2: four pods go; exactly their targets leave, in one or more passes (the circuit
    // breaker lets one pass take at most half the group's healthy targets).
    world.scale("web", 2).await?;
    let two = world
        .wait_until(
            "two pods left and only their targets live",
            Duration::from_secs(30),
            async || {
                let two = live(world.pods("app=web").await?);
                let done = two.len() == 2 && world.live_targets()? == with_foreign(&two);
                Ok(done.then_some(two))
            },
        )
        .await?;
    let scaled_away: Vec<PodView> = six
        .iter()
        .filter(|p| !two.iter().any(|q| q.name == p.name))
        .cloned()
        .collect();
    ensure!(scaled_away.len() == 4, "{scaled_away:?}");
    let deregistered = world.deregistrations();
    let expected: BTreeMap<String, usize> = targets_of(&scaled_away)
        .into_iter()
        .map(|t| (t, 1))
        .collect();
    ensure!(
        deregistered == expected,
        "after scaling to 2, DeregisterTargets named {deregistered:?}, expected each of {:?} once\n{}",
        expected.keys(),
        world.diagnostics()
    );

    // A deleted pod: drained before its containers stop; the ReplicaSet's replacement joins.
    let victim = two.first().context("no pod left")?.clone();
    world.delete_pod(&victim.name).await?;
    let replaced = world
        .wait_until(
            "the deleted pod's replacement serving alone with the survivor",
            GATES,
            async || {
                let pods = live(world.pods("app=web").await?);
                let done = pods.len() == 2
                    && pods
                        .iter()
                        .all(|p| p.name != victim.name && p.gate_true() && p.ready)
                    && world.live_targets()? == with_foreign(&pods);
                Ok(done.then_some(pods))
            },
        )
        .await?;

    // Every deleted pod's target drained before the pod's SIGTERM (preStop end).
    let gone: Vec<PodView> = scaled_away.iter().chain([&victim]).cloned().collect();
    let stops = world
        .wait_until(
            "every deleted pod's application stopped",
            Duration::from_secs(30),
            async || {
                let moments = world.app_moments();
                let stops: Option<Vec<f64>> = gone
                    .iter()
                    .map(|p| moments.get(&p.name).and_then(|m| m.stopping))
                    .collect();
                Ok(stops)
            },
        )
        .await?;
    let traffic = world.stop_traffic().await?;
    for (pod, stopped) in gone.iter().zip(&stops) {
        let timeline = world.timeline(&pod.name).context("no timeline")?;
        let drained = timeline.deregistered.with_context(|| {
            format!(
                "{} was never deregistered\n{}",
                pod.name,
                world.diagnostics()
            )
        })?;
        ensure!(
            drained.sim < *stopped,
            "{}: target drained at {:.2}s, after its containers stopped at {stopped:.2}s\n{}",
            pod.name,
            drained.sim,
            world.diagnostics()
        );
        let target = pod.target().context("no target")?;
        let late: Vec<_> = traffic
            .outcomes
            .iter()
            .filter(|o| {
                o.target.as_ref().is_some_and(|t| {
                    format!("{}:{}", t.id, t.port) == target && o.started.as_secs_f64() >= *stopped
                })
            })
            .collect();
        ensure!(
            late.is_empty(),
            "{}: {} requests sent to it after it stopped",
            pod.name,
            late.len()
        );
    }
    ensure!(
        traffic.failures() == 0 && traffic.total() > 0,
        "requests failed:\n{traffic}\n{}",
        world.diagnostics()
    );

    // Exactness over the whole scenario: each pod's target registered once and nothing else;
    // deregistered: exactly the five deleted pods; the foreign target never named.
    let every_pod: BTreeSet<String> = targets_of(&six)
        .into_iter()
        .chain(targets_of(&replaced))
        .collect();
    let registrations = world.registrations();
    let once: BTreeMap<String, usize> = every_pod.iter().map(|t| (t.clone(), 1)).collect();
    ensure!(
        registrations == once,
        "RegisterTargets named {registrations:?}, expected each of {every_pod:?} once\n{}",
        world.diagnostics()
    );
    let deregistrations = world.deregistrations();
    let drained: BTreeMap<String, usize> = targets_of(&gone).into_iter().map(|t| (t, 1)).collect();
    ensure!(
        deregistrations == drained,
        "DeregisterTargets named {deregistrations:?}, expected {drained:?}\n{}",
        world.diagnostics()
    );
    ensure!(
        world
            .journal()
            .calls()
            .iter()
            .all(|call| !call.targets.contains(&foreign)),
        "a call named the foreign target\n{}",
        world.diagnostics()
    );
    ensure!(
        world.targets()?.get(&foreign) == Some(&TargetState::Healthy),
        "the foreign target is no longer healthy: {:?}",
        world.targets()?
    );
    let gates = gates_turned_true_only_after_health(&world)?;
    ensure!(
        gates == 7,
        "{gates} gates turned True, expected 7\n{}",
        world.diagnostics()
    );
    println!("{}", world.report());
    world.shutdown().await
}
