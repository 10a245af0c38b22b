//! Every string the cluster sees, in one place.
//!
//! Strings marked *LBC* are shared with the AWS Load Balancer Controller; they must stay
//! byte-for-byte equal to LBC's so that existing objects, labels and scripts keep working when
//! lbgate replaces it. Strings under `lbgate.io/` are ours.

// ---------------------------------------------------------------------------------------------
// API identity of the TargetGroupBinding resource (LBC).
// ---------------------------------------------------------------------------------------------

/// API group of `TargetGroupBinding`.
pub const GROUP: &str = "elbv2.k8s.aws";
/// The storage version, and the only one lbgate reads and writes.
pub const VERSION_V1BETA1: &str = "v1beta1";
/// The older version, still served so that manifests written against it apply unchanged.
pub const VERSION_V1ALPHA1: &str = "v1alpha1";
/// The version objects are persisted in.
pub const STORAGE_VERSION: &str = VERSION_V1BETA1;
/// `apiVersion` of a v1beta1 object.
pub const API_VERSION_V1BETA1: &str = "elbv2.k8s.aws/v1beta1";
/// `apiVersion` of a v1alpha1 object.
pub const API_VERSION_V1ALPHA1: &str = "elbv2.k8s.aws/v1alpha1";
/// Kind of the resource.
pub const KIND: &str = "TargetGroupBinding";
/// Kind of a list of the resource.
pub const LIST_KIND: &str = "TargetGroupBindingList";
/// Plural resource name, as used in URLs and RBAC rules.
pub const PLURAL: &str = "targetgroupbindings";
/// Singular resource name, as `kubectl` accepts it.
pub const SINGULAR: &str = "targetgroupbinding";
/// `metadata.name` of the CustomResourceDefinition (`<plural>.<group>`).
pub const CRD_NAME: &str = "targetgroupbindings.elbv2.k8s.aws";

// ---------------------------------------------------------------------------------------------
// Metadata written on TargetGroupBindings (LBC).
// ---------------------------------------------------------------------------------------------

/// Finalizer that holds a binding until its targets are deregistered. LBC uses the same value,
/// so a binding either controller finalized can be cleaned up by the other.
pub const FINALIZER: &str = "elbv2.k8s.aws/resources";
/// LBC's checkpoint annotation (a hash of the last reconciled endpoints). lbgate tolerates it
/// on existing bindings and never relies on it.
pub const LBC_CHECKPOINT_ANNOTATION: &str = "elbv2.k8s.aws/checkpoint";
/// Unix-seconds time of LBC's last checkpoint.
pub const LBC_CHECKPOINT_TIMESTAMP_ANNOTATION: &str = "elbv2.k8s.aws/checkpoint-timestamp";
/// Prefix of LBC's multi-cluster ledger ConfigMap (`aws-lbc-targets-<binding>`), which must be
/// read on take-over so that targets registered by LBC are neither leaked nor stolen.
pub const LBC_LEDGER_CONFIGMAP_PREFIX: &str = "aws-lbc-targets-";
/// Data key of LBC's ledger ConfigMap (comma-separated target identifiers).
pub const LBC_LEDGER_DATA_KEY: &str = "targets";

// ---------------------------------------------------------------------------------------------
// Pod readiness gates (LBC).
// ---------------------------------------------------------------------------------------------

/// DNS-subdomain part of every readiness-gate condition type.
pub const TARGET_HEALTH_CONDITION_DOMAIN: &str = "target-health.elbv2.k8s.aws";
/// Prefix of a readiness-gate condition type; the binding name follows it.
pub const TARGET_HEALTH_CONDITION_PREFIX: &str = "target-health.elbv2.k8s.aws/";
/// Prefix of gates injected by the ALB ingress controller v1. They are only ever removed.
pub const LEGACY_TARGET_HEALTH_CONDITION_PREFIX: &str = "target-health.alb.ingress.k8s.aws/";
/// Namespace label that opts a namespace's new pods into gate injection.
pub const POD_READINESS_GATE_INJECT_LABEL: &str = "elbv2.k8s.aws/pod-readiness-gate-inject";
/// The value of [`POD_READINESS_GATE_INJECT_LABEL`] that enables injection.
pub const POD_READINESS_GATE_INJECT_ENABLED: &str = "enabled";
/// Gate reason while a target is not yet registered (the same string AWS reports right after
/// registration, so users see one reason for the whole phase).
pub const GATE_REASON_REGISTRATION_IN_PROGRESS: &str = "Elb.RegistrationInProgress";
/// Gate message paired with [`GATE_REASON_REGISTRATION_IN_PROGRESS`].
pub const GATE_MESSAGE_REGISTRATION_IN_PROGRESS: &str = "Target registration is in progress";
/// Gate reason when a gate is released because its binding is gone and has no successor.
pub const GATE_REASON_TARGET_GROUP_BINDING_DELETED: &str = "TargetGroupBindingDeleted";

// ---------------------------------------------------------------------------------------------
// Admission webhooks (names and paths as LBC's `config/webhook/manifests.yaml`).
// ---------------------------------------------------------------------------------------------

/// Name of the pod mutating webhook that injects readiness gates.
pub const POD_MUTATING_WEBHOOK_NAME: &str = "mpod.elbv2.k8s.aws";
/// Path the pod mutating webhook is served on.
pub const POD_MUTATING_WEBHOOK_PATH: &str = "/mutate-v1-pod";
/// Name of the TargetGroupBinding mutating (defaulting) webhook.
pub const TGB_MUTATING_WEBHOOK_NAME: &str = "mtargetgroupbinding.elbv2.k8s.aws";
/// Path of the TargetGroupBinding mutating webhook.
pub const TGB_MUTATING_WEBHOOK_PATH: &str = "/mutate-elbv2-k8s-aws-v1beta1-targetgroupbinding";
/// Name of the TargetGroupBinding validating webhook.
pub const TGB_VALIDATING_WEBHOOK_NAME: &str = "vtargetgroupbinding.elbv2.k8s.aws";
/// Path of the TargetGroupBinding validating webhook.
pub const TGB_VALIDATING_WEBHOOK_PATH: &str = "/validate-elbv2-k8s-aws-v1beta1-targetgroupbinding";

// ---------------------------------------------------------------------------------------------
// TargetGroupBinding status conditions (types are ours except `Ready`, which LBC also writes).
// ---------------------------------------------------------------------------------------------

/// True when every desired target is registered and the binding has nothing left to do.
pub const CONDITION_READY: &str = "Ready";
/// Whether the target group named by the spec exists in AWS.
pub const CONDITION_TARGET_GROUP_FOUND: &str = "TargetGroupFound";
/// True when another binding claims the same target group without multi-cluster mode.
pub const CONDITION_CONFLICT: &str = "Conflict";
/// True while deregistrations are held back to keep healthy targets in the group.
pub const CONDITION_CIRCUIT_BREAKER_TRIPPED: &str = "CircuitBreakerTripped";
/// Whether the Service named by `spec.serviceRef` exists.
pub const CONDITION_SERVICE_FOUND: &str = "ServiceFound";
/// Whether `spec.serviceRef.port` names a port of that Service.
pub const CONDITION_PORT_RESOLVED: &str = "PortResolved";
/// Reason LBC writes on `Ready=False` when deletion clean-up fails.
pub const REASON_FAILED_CLEANUP: &str = "FailedCleanup";

// ---------------------------------------------------------------------------------------------
// Event reasons on TargetGroupBindings (LBC's, kept so existing alerts keep matching).
// ---------------------------------------------------------------------------------------------

/// Warning: the finalizer could not be added.
pub const EVENT_REASON_FAILED_ADD_FINALIZER: &str = "FailedAddFinalizer";
/// Warning: the finalizer could not be removed.
pub const EVENT_REASON_FAILED_REMOVE_FINALIZER: &str = "FailedRemoveFinalizer";
/// Warning: the status could not be written.
pub const EVENT_REASON_FAILED_UPDATE_STATUS: &str = "FailedUpdateStatus";
/// Warning: deregistration on deletion failed.
pub const EVENT_REASON_FAILED_CLEANUP: &str = REASON_FAILED_CLEANUP;
/// Warning: a reconcile failed.
pub const EVENT_REASON_FAILED_RECONCILE: &str = "FailedReconcile";
/// Warning: the Service or its port is missing.
pub const EVENT_REASON_BACKEND_NOT_FOUND: &str = "BackendNotFound";
/// Normal: a reconcile finished.
pub const EVENT_REASON_SUCCESSFULLY_RECONCILED: &str = "SuccessfullyReconciled";

// ---------------------------------------------------------------------------------------------
// Well-known Kubernetes labels and taints read by the target resolver.
// ---------------------------------------------------------------------------------------------

/// EndpointSlice label naming the Service a slice belongs to.
pub const ENDPOINT_SLICE_SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
/// Node label that keeps a node out of load-balancer target sets.
pub const NODE_EXCLUDE_FROM_LB_LABEL: &str =
    "node.kubernetes.io/exclude-from-external-load-balancers";
/// Legacy node label with the same meaning, still honoured by LBC's default node selector.
pub const NODE_ALPHA_EXCLUDE_BALANCER_LABEL: &str =
    "alpha.service-controller.kubernetes.io/exclude-balancer";
/// Legacy control-plane role label excluded by LBC's default node selector.
pub const NODE_ROLE_MASTER_LABEL: &str = "node-role.kubernetes.io/master";
/// Node label with the node's availability zone.
pub const NODE_ZONE_LABEL: &str = "topology.kubernetes.io/zone";
/// Taint the cluster autoscaler puts on a node it is about to remove.
pub const TAINT_TO_BE_DELETED_BY_CLUSTER_AUTOSCALER: &str = "ToBeDeletedByClusterAutoscaler";
/// Taint Karpenter puts on a node it is disrupting.
pub const TAINT_KARPENTER_DISRUPTED: &str = "karpenter.sh/disrupted";

// ---------------------------------------------------------------------------------------------
// Ingress and IngressGroup (LBC).
// ---------------------------------------------------------------------------------------------

/// Common prefix of LBC's Ingress annotations.
pub const INGRESS_ANNOTATION_PREFIX: &str = "alb.ingress.kubernetes.io/";
/// Annotation that puts an Ingress into an explicit IngressGroup.
pub const INGRESS_GROUP_NAME_ANNOTATION: &str = "alb.ingress.kubernetes.io/group.name";
/// Annotation that orders the members of an IngressGroup.
pub const INGRESS_GROUP_ORDER_ANNOTATION: &str = "alb.ingress.kubernetes.io/group.order";
/// Legacy annotation that selects an ingress class.
pub const INGRESS_CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";
/// The ingress class lbgate serves.
pub const INGRESS_CLASS_ALB: &str = "alb";
/// `spec.controller` of an IngressClass whose Ingresses are ours.
pub const INGRESS_CLASS_CONTROLLER: &str = "ingress.k8s.aws/alb";

// ---------------------------------------------------------------------------------------------
// lbgate's own keys.
// ---------------------------------------------------------------------------------------------

/// Prefix of the ConfigMap that records which targets a binding registered
/// (`lbgate-targets-<binding>`), so lbgate never deregisters a target it did not register.
pub const LEDGER_CONFIGMAP_PREFIX: &str = "lbgate-targets-";
/// Data key of lbgate's ledger ConfigMap.
pub const LEDGER_DATA_KEY: &str = "targets";
/// Annotation on a replaced binding naming the binding that takes over its gates.
pub const SUCCESSOR_ANNOTATION: &str = "lbgate.io/successor";
/// Standard label marking objects lbgate created.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// Value of [`MANAGED_BY_LABEL`] on lbgate's objects.
pub const MANAGED_BY_VALUE: &str = "lbgate";
/// Field manager for every write lbgate makes (server-side apply and patches).
pub const FIELD_MANAGER: &str = "lbgate-controller";
/// `reportingController` of the Events lbgate records.
pub const EVENT_REPORTING_CONTROLLER: &str = "lbgate.io/controller";
/// Prefix of every Prometheus metric lbgate exports.
pub const METRIC_PREFIX: &str = "lbgate_";

// ---------------------------------------------------------------------------------------------
// Reasons of lbgate's own binding conditions, pod gates and Events (moved here from lbgate-core
// and lbgate-controller so every cluster-visible string lives in one place).

// Used by core::validate.
/// `TargetGroupFound=False`: the spec has no ARN yet.
pub const REASON_TARGET_GROUP_ARN_MISSING: &str = "TargetGroupArnMissing";
/// `TargetGroupFound=False`: AWS does not know the ARN.
pub const REASON_TARGET_GROUP_NOT_FOUND: &str = "TargetGroupNotFound";
/// `ServiceFound=False`.
pub const REASON_SERVICE_NOT_FOUND: &str = "ServiceNotFound";
/// `PortResolved=False`: `serviceRef.port` is not a port of the Service.
pub const REASON_PORT_NOT_FOUND: &str = "PortNotFound";
/// `PortResolved=False`: instance mode on a Service type without node ports.
pub const REASON_SERVICE_TYPE_WITHOUT_NODE_PORTS: &str = "ServiceTypeWithoutNodePorts";
/// `PortResolved=False`: instance mode on a port without a node port.
pub const REASON_NO_NODE_PORT: &str = "NoNodePort";
/// `Ready=False`: the spec's target type differs from the target group's.
pub const REASON_TARGET_TYPE_MISMATCH: &str = "TargetTypeMismatch";
/// `Ready=False`: the target group's type (lambda, alb) cannot be bound.
pub const REASON_UNSUPPORTED_TARGET_TYPE: &str = "UnsupportedTargetType";
/// `Ready=False`: the spec's IP address type differs from the target group's.
pub const REASON_IP_ADDRESS_TYPE_MISMATCH: &str = "IpAddressTypeMismatch";
/// `Ready=False`: the binding name cannot form a readiness-gate condition type.
pub const REASON_INVALID_BINDING_NAME: &str = "InvalidBindingName";
/// `Conflict=True`: an older binding holds the same target group.
pub const REASON_CONFLICTING_BINDING: &str = "ConflictingBinding";

// Used by core::status.
/// `Ready=True`.
pub const REASON_SYNCED: &str = "Synced";
/// `TargetGroupFound=True` and `ServiceFound=True`.
pub const REASON_FOUND: &str = "Found";
/// `PortResolved=True`.
pub const REASON_RESOLVED: &str = "Resolved";
/// `Conflict=False`.
pub const REASON_NO_CONFLICT: &str = "NoConflict";
/// `CircuitBreakerTripped=False`.
pub const REASON_NOT_TRIPPED: &str = "NotTripped";
/// `CircuitBreakerTripped=True`, and `Ready=False` because of it.
pub const REASON_HEALTHY_SHARE_EXCEEDED: &str = "HealthyShareExceeded";

// Used by core::gates.
/// Message of a gate released because its binding was deleted (LBC's wording).
pub const GATE_MESSAGE_TARGET_GROUP_BINDING_DELETED: &str = "Target Group Binding is deleted";

// Used by core::instance.
/// EKS label naming the compute type of a node; Fargate "nodes" cannot take instance targets.
pub const EKS_COMPUTE_TYPE_LABEL: &str = "eks.amazonaws.com/compute-type";
/// Value of [`EKS_COMPUTE_TYPE_LABEL`] on Fargate nodes.
pub const EKS_COMPUTE_TYPE_FARGATE: &str = "fargate";

// Used by controller::tgb.
/// Event reason: a batch of targets was registered.
pub const EVENT_REASON_REGISTERED_TARGETS: &str = "RegisteredTargets";
/// Event reason: a batch of targets was deregistered.
pub const EVENT_REASON_DEREGISTERED_TARGETS: &str = "DeregisteredTargets";
/// Event reason: the circuit breaker held back deregistrations.
pub const EVENT_REASON_CIRCUIT_BREAKER_TRIPPED: &str = "CircuitBreakerTripped";
/// `Ready=False` reason for input core could not turn into targets (e.g. a bad node selector).
pub const REASON_INVALID_INPUT: &str = "InvalidInput";

// ---------------------------------------------------------------------------------------------
// Controller runtime: leader election, webhook configurations and their certificate Secret.

/// Default Lease name: LBC's, so that lbgate and LBC never lead at once during a switch-over.
pub const DEFAULT_LEADER_ELECTION_ID: &str = "aws-load-balancer-controller-leader";
/// Default name of the webhook Service (and, with `-tls`, of the self-managed certificate Secret).
pub const DEFAULT_WEBHOOK_SERVICE_NAME: &str = "lbgate-webhook-service";
/// Our MutatingWebhookConfiguration (pod gates, TargetGroupBinding defaulting).
pub const MUTATING_WEBHOOK_CONFIGURATION_NAME: &str = "lbgate-mutating-webhook";
/// Our ValidatingWebhookConfiguration (TargetGroupBinding validation).
pub const VALIDATING_WEBHOOK_CONFIGURATION_NAME: &str = "lbgate-validating-webhook";
/// Event reason on a pod that escaped gate injection.
pub const EVENT_REASON_MISSING_READINESS_GATE: &str = "MissingReadinessGate";
/// Keys of the self-managed certificate Secret: the CA in use, the next CA during a rotation, the
/// caBundle published to the webhook configurations, and the serving certificate.
pub const SECRET_KEY_CA_CERT: &str = "ca.crt";
pub const SECRET_KEY_CA_KEY: &str = "ca.key";
pub const SECRET_KEY_CA_NAME: &str = "ca.name";
pub const SECRET_KEY_NEXT_CA_CERT: &str = "next-ca.crt";
pub const SECRET_KEY_NEXT_CA_KEY: &str = "next-ca.key";
pub const SECRET_KEY_NEXT_CA_NAME: &str = "next-ca.name";
pub const SECRET_KEY_BUNDLE: &str = "bundle.crt";
pub const SECRET_KEY_TLS_CERT: &str = "tls.crt";
pub const SECRET_KEY_TLS_KEY: &str = "tls.key";
/// When the serving certificate was issued (RFC 3339).
pub const SECRET_KEY_ISSUED_AT: &str = "issued-at";
/// When the next CA was put into the bundle (RFC 3339).
pub const SECRET_KEY_NEXT_PUBLISHED_AT: &str = "next-ca-published-at";
