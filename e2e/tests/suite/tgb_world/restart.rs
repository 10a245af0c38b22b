//! The controller is SIGKILLed in the middle of a scale-up, right after it registered a new
//! pod's target, and its container restarts (same pod, same identity): no target is registered
//! twice, no target is deregistered, and every gate ends True.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use anyhow::ensure;
use lbgate_e2e::world::{ControlledWorld, SERVICE, binding_yaml, deployment_yaml, service_yaml};
use lbgate_sim_elbv2::TargetState;

use super::checks::{gates_turned_true_only_after_health, live_targets_are, targets_of};

const GATES: Duration = Duration::from_secs(45);
const IDENTITY: &str = "lbgate-0";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_controller_killed_during_a_scale_up_neither_duplicates_nor_deregisters()
-> anyhow::Result<()> {
    let mut world = ControlledWorld::start("tgb-restart").await?;
    world.start_controller(IDENTITY).await?;
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
    let three = world.wait_gates_true("app=web", 3, GATES).await?;
    let first: BTreeSet<String> = targets_of(&three);

    world.scale("web", 6).await?;
    let new_target = world
        .wait_until(
            "a new pod's target registered",
            Duration::from_secs(30),
            async || {
                Ok(world
                    .registrations()
                    .into_keys()
                    .find(|t| !first.contains(t)))
            },
        )
        .await?;
    let status = world.controller()?.kill()?;
    world.record(&format!("SIGKILL the controller ({status})"));
    // Mid-way: the new targets cannot be healthy yet (two checks 5 s apart), so some gate is
    // still False.
    let pods = world.pods("app=web").await?;
    let open = pods.iter().filter(|p| !p.gate_true()).count();
    ensure!(
        open > 0,
        "every gate was already True when the controller died: {pods:?}"
    );
    ensure!(
        world.targets()?.get(&new_target) != Some(&TargetState::Healthy),
        "{new_target} already healthy at the kill"
    );

    world.start_controller(IDENTITY).await?;
    let six = world.wait_gates_true("app=web", 6, GATES).await?;
    live_targets_are(&world, &targets_of(&six), "the restart")?;
    ensure!(
        world.targets_in(TargetState::Healthy)? == targets_of(&six),
        "{:?}",
        world.targets()?
    );
    let registrations = world.registrations();
    let once: BTreeMap<String, usize> = targets_of(&six).into_iter().map(|t| (t, 1)).collect();
    ensure!(
        registrations == once,
        "RegisterTargets named {registrations:?}, expected each of the six once\n{}",
        world.diagnostics()
    );
    let deregistrations = world.deregistrations();
    ensure!(
        deregistrations.is_empty(),
        "a target was deregistered: {deregistrations:?}\n{}",
        world.diagnostics()
    );
    ensure!(gates_turned_true_only_after_health(&world)? == 6);
    println!(
        "restart: killed with {open} gates open, after {new_target} was registered\n{}",
        world.report()
    );
    world.shutdown().await
}
