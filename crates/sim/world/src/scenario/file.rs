//! Scenario files: world options, AWS objects, registrar bindings, manifests and steps in one YAML
//! document (format in `README.md` next to this file).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::aws::{ListenerOptions, LoadBalancerOptions, TargetGroupOptions};
use super::failure;
use super::report::ScenarioReport;
use super::runner::ScenarioRun;
use super::steps::Step;
use super::world::{SimWorld, SimWorldOptions};
use crate::SimError;
use crate::controllers::RegistrarBinding;

/// The `world:` section; absent fields take [`SimWorldOptions`]' defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorldSection {
    pub time_scale: Option<f64>,
    pub nodes: Option<usize>,
    pub kube_tls: Option<bool>,
    pub throttling: Option<bool>,
    /// Run the baseline registrar (a load balancer controller without readiness gates).
    pub registrar: Option<bool>,
    pub seed: Option<u64>,
}

impl WorldSection {
    pub fn options(&self) -> SimWorldOptions {
        let mut options = SimWorldOptions::default();
        if let Some(v) = self.time_scale {
            options.time_scale = v;
        }
        if let Some(v) = self.nodes {
            options.nodes = v;
        }
        if let Some(v) = self.kube_tls {
            options.kube_tls = v;
        }
        if let Some(v) = self.throttling {
            options.throttling = v;
        }
        if let Some(v) = self.registrar {
            options.switches.registrar = v;
        }
        if let Some(v) = self.seed {
            options.seed = v;
        }
        options
    }
}

/// The `aws:` section, created in this order before any step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AwsSection {
    #[serde(default)]
    pub load_balancers: Vec<LoadBalancerOptions>,
    #[serde(default)]
    pub target_groups: Vec<TargetGroupOptions>,
    #[serde(default)]
    pub listeners: Vec<ListenerOptions>,
}

/// One registrar binding: a Service port whose ready endpoints go into a target group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BindingSection {
    #[serde(default = "default_namespace")]
    pub namespace: String,
    pub service: String,
    pub port: i32,
    /// Name or ARN.
    pub target_group: String,
}

fn default_namespace() -> String {
    "default".to_owned()
}

/// A whole scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub world: WorldSection,
    #[serde(default)]
    pub aws: AwsSection,
    #[serde(default)]
    pub registrar: Vec<BindingSection>,
    /// Applied before the first step (a multi-document YAML string).
    #[serde(default)]
    pub manifests: Option<String>,
    /// Only these pods are recorded; every namespace when absent.
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub steps: Vec<Step>,
}

impl Scenario {
    /// Parses a scenario file's text.
    pub fn parse(text: &str) -> Result<Self, SimError> {
        serde_saphyr::from_str(text).map_err(|e| failure(format!("reading the scenario: {e}")))
    }

    /// Starts a world from the file's options (time scale overridden when given), runs the
    /// scenario in it, shuts it down and reports.
    pub async fn run(&self, time_scale: Option<f64>) -> Result<ScenarioReport, SimError> {
        let mut options = self.world.options();
        if let Some(scale) = time_scale {
            options.time_scale = scale;
        }
        let mut world = SimWorld::start(options).await?;
        let result = self.run_in(&mut world).await;
        let stopped = world.shutdown().await;
        let report = result?;
        stopped?;
        Ok(report)
    }

    /// Runs the scenario in a world that is already up (AWS objects, bindings, manifests, steps).
    pub async fn run_in(&self, world: &mut SimWorld) -> Result<ScenarioReport, SimError> {
        self.set_up_aws(world)?;
        let mut run = ScenarioRun::begin(world, &self.name, self.namespace.as_deref());
        if let Some(manifests) = &self.manifests {
            run.step(&Step::Apply {
                yaml: manifests.clone(),
            })
            .await?;
        }
        run.steps(&self.steps).await?;
        run.finish().await
    }

    fn set_up_aws(&self, world: &SimWorld) -> Result<(), SimError> {
        for lb in &self.aws.load_balancers {
            world.create_load_balancer(lb)?;
        }
        for tg in &self.aws.target_groups {
            world.create_target_group(tg)?;
        }
        for listener in &self.aws.listeners {
            world.create_listener(listener)?;
        }
        for binding in &self.registrar {
            let arn = world
                .target_group_arn(&binding.target_group)
                .ok_or_else(|| failure(format!("no target group {}", binding.target_group)))?;
            world.bind_service(RegistrarBinding {
                namespace: binding.namespace.clone(),
                service: binding.service.clone(),
                port: binding.port,
                target_group_arn: arn,
            });
        }
        Ok(())
    }
}

/// Reads and runs a scenario file (see `README.md` next to this module for the format).
pub async fn run_file(path: &Path, time_scale: Option<f64>) -> Result<ScenarioReport, SimError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| failure(format!("reading {}: {e}", path.display())))?;
    Scenario::parse(&text)?.run(time_scale).await
}

#[cfg(test)]
mod tests;
