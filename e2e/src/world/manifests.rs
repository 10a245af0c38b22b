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
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::*;
    use k8s_openapi::api::apps::v1::Deployment;
    use lbgate_sim::scenario::apply::parse_documents;

    #[test]
    fn the_manifests_parse_with_the_gate_prestop_and_grace() {
        let value = parse_documents(&deployment_yaml("blue", "web-blue", 3, true)).unwrap();
        let deployment: Deployment = serde_json::from_value(value[0].clone()).unwrap();
        let spec = deployment.spec.unwrap().template.spec.unwrap();
        assert_eq!(spec.readiness_gates.unwrap()[0].condition_type, GATE);
        assert_eq!(
            lbgate_api::conditions::pod_condition_type(BINDING).unwrap(),
            GATE
        );
        assert_eq!(spec.termination_grace_period_seconds, Some(30));
        let hook = spec.containers[0]
            .lifecycle
            .clone()
            .unwrap()
            .pre_stop
            .unwrap();
        assert_eq!(hook.sleep.unwrap().seconds, 10);
        let plain = parse_documents(&deployment_yaml("blue", "web-blue", 3, false)).unwrap();
        assert!(
            plain[0]
                .pointer("/spec/template/spec/readinessGates")
                .is_none()
        );
        let binding = parse_documents(&binding_yaml("web")).unwrap();
        assert_eq!(
            binding[0].pointer("/spec/targetGroupARN").unwrap(),
            "${targetGroupArn:web}"
        );
        let service = parse_documents(&service_yaml("web", "web-blue")).unwrap();
        assert_eq!(
            service[0].pointer("/spec/ports/0/targetPort").unwrap(),
            8080
        );
    }
}
