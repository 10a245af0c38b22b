//! The Service's selector moves from one Deployment's pods to another's (a blue/green switch):
//! the new pods' targets are registered and healthy before any old target is deregistered, and
//! no request fails on the way.

use std::time::Duration;

use anyhow::{Context, ensure};
use lbgate_e2e::world::{ControlledWorld, SERVICE, binding_yaml, deployment_yaml, service_yaml};

use super::checks::{gates_turned_true_only_after_health, live_targets_are, targets_of};

const GATES: Duration = Duration::from_secs(45);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_selector_swap_heals_the_new_targets_before_any_old_one_leaves() -> anyhow::Result<()> {
    let mut world = ControlledWorld::start("tgb-swap").await?;
    world.start_controller("lbgate-0").await?;
    world
        .apply("Service web → blue", &service_yaml(SERVICE, "blue"))
        .await?;
    world
        .apply(
            "Deployment blue (2)",
            &deployment_yaml("blue", "blue", 2, true),
        )
        .await?;
    // Green's pods carry the gate too; nothing selects them yet.
    world
        .apply(
            "Deployment green (2)",
            &deployment_yaml("green", "green", 2, true),
        )
        .await?;
    world.apply("binding web", &binding_yaml(SERVICE)).await?;
    let blue = world.wait_gates_true("app=blue", 2, GATES).await?;
    live_targets_are(&world, &targets_of(&blue), "blue serving")?;
    world.start_traffic(20.0)?;

    world.select(SERVICE, "green").await?;
    let green = world.wait_gates_true("app=green", 2, GATES).await?;
    world
        .wait_until(
            "only green's targets live",
            Duration::from_secs(20),
            async || Ok((world.live_targets()? == targets_of(&green)).then_some(())),
        )
        .await?;
    let traffic = world.stop_traffic().await?;

    // Exact model instants: the last green target's healthy check, the first blue draining start.
    let timeline = |name: &str| world.timeline(name).context("no timeline");
    let mut green_healthy = Vec::new();
    for pod in &green {
        let healthy = timeline(&pod.name)?
            .healthy
            .with_context(|| format!("{} never healthy", pod.name))?;
        green_healthy.push((pod.name.clone(), healthy.sim));
    }
    let mut blue_drained = Vec::new();
    for pod in &blue {
        let drained = timeline(&pod.name)?
            .deregistered
            .with_context(|| format!("{} never deregistered", pod.name))?;
        blue_drained.push((pod.name.clone(), drained.sim));
    }
    let last_healthy = green_healthy
        .iter()
        .map(|(_, t)| *t)
        .fold(f64::MIN, f64::max);
    let first_drained = blue_drained
        .iter()
        .map(|(_, t)| *t)
        .fold(f64::MAX, f64::min);
    ensure!(
        first_drained >= last_healthy,
        "an old target left at {first_drained:.2}s before the new ones were all healthy \
         ({green_healthy:?}; drained {blue_drained:?})\n{}",
        world.diagnostics()
    );
    // The journal agrees: no DeregisterTargets call at all before that instant.
    let early: Vec<_> = world
        .journal()
        .calls()
        .into_iter()
        .filter(|c| c.action == "DeregisterTargets" && c.at.as_secs_f64() < last_healthy)
        .collect();
    ensure!(
        early.is_empty(),
        "DeregisterTargets before the new targets were healthy: {early:?}"
    );
    // Blue's pods still run: only their targets left.
    let still = world.pods("app=blue").await?;
    ensure!(
        still.len() == 2 && still.iter().all(|p| !p.terminating),
        "{still:?}"
    );
    ensure!(
        traffic.failures() == 0 && traffic.total() > 0,
        "requests failed:\n{traffic}\n{}",
        world.diagnostics()
    );
    ensure!(gates_turned_true_only_after_health(&world)? == 4);
    println!(
        "swap: green healthy by {last_healthy:.2}s, first blue target drained at \
         {first_drained:.2}s\n{}",
        world.report()
    );
    world.shutdown().await
}
