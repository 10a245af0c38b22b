//! The lbgate controller: kube-runtime wiring of the TargetGroupBinding and IngressGroup controllers,
//! the pod-condition patcher, the pod webhook (TLS), metrics and health endpoints, leader election,
//! flags and shutdown. Decisions live in `lbgate-core`; AWS access goes through `lbgate-elbv2`.
//!
//! The reconcilers arrive with issue 4 and the runtime with issue 5.
