//! Assertions the scenarios share.

use std::collections::BTreeSet;

use anyhow::{Context, ensure};
use lbgate_e2e::world::{ControlledWorld, PodView};

/// The targets (`ip:port`) of `pods`.
pub fn targets_of(pods: &[PodView]) -> BTreeSet<String> {
    pods.iter().filter_map(PodView::target).collect()
}

/// For every pod whose gate turned True: the gate turned True at or after the health check that
/// made its target healthy.
///
/// Precision: the healthy instant is exact (the ELBv2 model's health check), the gate instant is
/// when the recorder's watch saw the condition, a few milliseconds after the controller's patch.
/// A gate set before health would be seen before it unless it preceded health by less than that
/// watch latency; a controller that flips early is early by at least one of its polls.
pub fn gates_turned_true_only_after_health(world: &ControlledWorld) -> anyhow::Result<usize> {
    let mut checked = 0;
    for pod in world.timelines() {
        let Some(gate) = pod.gate_true else {
            continue;
        };
        let healthy = pod.healthy.with_context(|| {
            format!(
                "{}: gate True at {:.2}s but its target was never healthy\n{}",
                pod.name,
                gate.sim,
                world.diagnostics()
            )
        })?;
        ensure!(
            gate.sim >= healthy.sim,
            "{}: gate True at {:.2}s, before its target was healthy at {:.2}s\n{}",
            pod.name,
            gate.sim,
            healthy.sim,
            world.diagnostics()
        );
        checked += 1;
    }
    Ok(checked)
}

/// The group's targets that are not draining are exactly `expected`.
pub fn live_targets_are(
    world: &ControlledWorld,
    expected: &BTreeSet<String>,
    after: &str,
) -> anyhow::Result<()> {
    let live = world.live_targets()?;
    ensure!(
        &live == expected,
        "after {after}: live targets {live:?}, expected {expected:?}\n{}",
        world.diagnostics()
    );
    Ok(())
}
