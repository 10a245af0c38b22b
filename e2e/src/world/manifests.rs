//! The manifests of the TargetGroupBinding scenarios: a Service, a Deployment whose pods carry
//! the binding's readiness gate and stop the way production charts make them stop (a preStop
//! sleep inside a longer termination grace period), and the binding itself.

use super::{APP_PORT, BINDING, LISTENER_PORT, NAMESPACE, TARGET_GROUP};

/// The binding's readiness gate (`target-health.elbv2.k8s.aws/<binding>`).
pub const GATE: &str = "target-health.elbv2.k8s.aws/web";
/// Production charts sleep 15–40 s in preStop with a grace of 30–70 s; the scenarios keep the
/// shape with shorter numbers: the sleep outlasts the load balancer's propagation of a
/// deregistration (5 s in the simulator) and the grace period outlasts the sleep.
pub const PRESTOP_SLEEP_SECONDS: u32 = 10;
pub const TERMINATION_GRACE_SECONDS: u32 = 30;
/// The readiness probe's period: the container is ready on the first probe after the
/// application listens.
pub const READINESS_PERIOD_SECONDS: u32 = 2;

/// A Service selecting the pods labelled `app`, port 80 to the containers' 8080.
pub fn service_yaml(name: &str, app: &str) -> String {
    format!(
        "apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {NAMESPACE}}}
spec:
  selector: {{app: {app}}}
  ports: [{{name: http, port: {LISTENER_PORT}, targetPort: {APP_PORT}}}]
"
    )
}

/// A Deployment of `replicas` pods labelled `app`, one surge pod at a time, with the gate in
/// the pod template when `gated` (as the webhook would inject it).
pub fn deployment_yaml(name: &str, app: &str, replicas: i32, gated: bool) -> String {
    let gates = if gated {
        format!("      readinessGates: [{{conditionType: \"{GATE}\"}}]\n")
    } else {
        String::new()
    };
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {NAMESPACE}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {app}}}}}
  strategy: {{type: RollingUpdate, rollingUpdate: {{maxSurge: 1, maxUnavailable: 0}}}}
  template:
    metadata: {{labels: {{app: {app}}}}}
    spec:
      terminationGracePeriodSeconds: {TERMINATION_GRACE_SECONDS}
{gates}      containers:
      - name: app
        image: \"{name}:v1\"
        ports: [{{name: http, containerPort: {APP_PORT}}}]
        readinessProbe:
          httpGet: {{path: /healthz, port: {APP_PORT}}}
          periodSeconds: {READINESS_PERIOD_SECONDS}
        lifecycle:
          preStop:
            sleep: {{seconds: {PRESTOP_SLEEP_SECONDS}}}
"
    )
}

/// The `ip` binding of the scenarios' target group to the Service `service`.
pub fn binding_yaml(service: &str) -> String {
    format!(
        "apiVersion: elbv2.k8s.aws/v1beta1
kind: TargetGroupBinding
metadata: {{name: {BINDING}, namespace: {NAMESPACE}}}
spec:
  targetGroupARN: \"${{targetGroupArn:{TARGET_GROUP}}}\"
  targetType: ip
  serviceRef: {{name: {service}, port: {LISTENER_PORT}}}
"
    )
}

#[cfg(test)]
mod tests;
