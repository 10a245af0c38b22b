//! ARNs of ELBv2 resources.
//!
//! Shapes: `arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex>`,
//! `…:loadbalancer/app|net/<name>/<16 hex>`, `…:listener/app|net/<lb name>/<lb id>/<16 hex>`,
//! `…:listener-rule/app|net/<lb name>/<lb id>/<listener id>/<16 hex>`.

/// The kinds of resource an ELBv2 ARN can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    TargetGroup,
    LoadBalancer,
    Listener,
    Rule,
}

const SERVICE_PREFIX: &str = "arn:aws:elasticloadbalancing:";

/// Builds ARNs for one region and account.
#[derive(Debug, Clone)]
pub struct Arns {
    prefix: String,
}

impl Arns {
    pub fn new(region: &str, account_id: &str) -> Self {
        Self {
            prefix: format!("{SERVICE_PREFIX}{region}:{account_id}:"),
        }
    }

    pub fn target_group(&self, name: &str, id: &str) -> String {
        format!("{}targetgroup/{name}/{id}", self.prefix)
    }

    /// `kind` is `app` or `net`.
    pub fn load_balancer(&self, kind: &str, name: &str, id: &str) -> String {
        format!("{}loadbalancer/{kind}/{name}/{id}", self.prefix)
    }
}

/// A listener ARN under a load balancer ARN.
pub fn listener(load_balancer_arn: &str, id: &str) -> String {
    format!(
        "{}/{id}",
        load_balancer_arn.replacen(":loadbalancer/", ":listener/", 1)
    )
}

/// A rule ARN under a listener ARN.
pub fn rule(listener_arn: &str, id: &str) -> String {
    format!(
        "{}/{id}",
        listener_arn.replacen(":listener/", ":listener-rule/", 1)
    )
}

/// Which kind of resource `arn` names, judged by its shape alone.
pub fn kind_of(arn: &str) -> Option<ResourceKind> {
    let rest = arn.strip_prefix(SERVICE_PREFIX)?;
    // <region>:<account>:<resource>
    let resource = rest.splitn(3, ':').nth(2)?;
    let (kind, path) = resource.split_once('/')?;
    let segments = path.split('/').count();
    match (kind, segments) {
        ("targetgroup", 2) => Some(ResourceKind::TargetGroup),
        ("loadbalancer", 3) => Some(ResourceKind::LoadBalancer),
        ("listener", 4) => Some(ResourceKind::Listener),
        ("listener-rule", 5) => Some(ResourceKind::Rule),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
