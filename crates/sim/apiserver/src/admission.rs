//! Admission webhooks: on CREATE/UPDATE the API server calls every matching
//! MutatingWebhookConfiguration webhook, then every matching ValidatingWebhookConfiguration
//! webhook (rules, namespaceSelector, objectSelector, failurePolicy, timeoutSeconds) with
//! AdmissionReview v1 over HTTPS, verifying the server certificate against the webhook's
//! `caBundle`. Mutating webhooks' JSONPatches are applied; `allowed: false` from either kind
//! rejects the request with the webhook's status (`admission webhook "<name>" denied the
//! request: <message>`).
//!
//! Semantics follow kube-apiserver's dispatchers. Mutating: configurations in name order,
//! webhooks in their listed order, each seeing the object as the previous ones patched it.
//! Validating ([`run_validating_webhooks`]): all at once, on the object as the store is about to
//! write it (after mutation and defaulting, a `generateName` already resolved, with the UID it is
//! stored under); a patch in a v1 answer is an invalid response (a failed call), one in a v1beta1
//! answer is ignored. For both: a failed call (TLS, timeout, bad answer, unresolvable Service) is
//! a 500 `InternalError` under `failurePolicy: Fail` (the v1 default) and skipped under `Ignore`;
//! a webhook whose `sideEffects` is not `None` or `NoneOnDryRun` refuses a dry run with 400;
//! requests for webhook and policy configurations themselves are never sent to webhooks. After a
//! patch the object keeps its `apiVersion` and `kind`, an emptied namespace is refilled and a
//! different one refused (400), and an UPDATE cannot rename the object (422). A webhook that
//! lists `v1beta1` before `v1` in `admissionReviewVersions` gets a v1beta1 review, as
//! kube-apiserver does.
//!
//! `clientConfig.service` is resolved for every call (see `services`): static addresses when
//! configured (one picked at random per call), else the Service's ready EndpointSlice endpoints,
//! as kube-apiserver's endpoint resolver does it.
//!
//! Gaps, by design of the simulator: `matchPolicy: Equivalent` matches like `Exact` (no resource
//! is served under a second group or version that would need conversion), CEL `matchConditions`
//! are not evaluated (the webhook is called), `reinvocationPolicy` is ignored (no second round),
//! warnings of a webhook that rejects are dropped with the request, DELETE and CONNECT requests
//! are not sent to webhooks, when several validating webhooks reject the first in configuration
//! order is reported (kube-apiserver reports whichever answered first), and every request is
//! admitted as user `system:admin` in `system:masters`.

mod call;
mod config;
mod matching;
mod mutate;
mod review;
mod services;
mod validate;

use std::collections::BTreeMap;

use serde_json::Value;

use config::{Configuration, Webhook};
pub use services::{
    SERVICE_NAME_LABEL, ServiceAddresses, ServiceResolver, endpoints_of, parse_spec,
};
pub use validate::{any_validating_webhook_matches, run_validating_webhooks};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdmissionOperation {
    Create,
    Update,
    Delete,
    Connect,
}

/// The request being admitted, as the API server knows it.
#[derive(Debug, Clone)]
pub struct AdmissionInput {
    pub operation: AdmissionOperation,
    pub group: String,
    pub version: String,
    /// Plural resource name, e.g. `pods`.
    pub resource: String,
    /// e.g. `status`; empty for the main resource.
    pub subresource: String,
    pub kind: String,
    pub namespace: Option<String>,
    /// Empty for a CREATE with `generateName`.
    pub name: String,
    /// `Value::Null` when the operation has no new object (DELETE).
    pub object: Value,
    pub old_object: Option<Value>,
    /// Labels of the object's namespace (for `namespaceSelector`); for a Namespace being
    /// deleted, its own labels.
    pub namespace_labels: BTreeMap<String, String>,
    pub dry_run: bool,
}

/// The admitted object (possibly mutated) and the webhooks' warnings.
#[derive(Debug, Clone)]
pub struct AdmissionOutcome {
    pub object: Value,
    pub warnings: Vec<String>,
}

/// A rejection, turned into a `Status` answer by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdmissionRejection {
    pub code: u16,
    pub reason: String,
    pub message: String,
}

/// Runs every matching mutating webhook of `configurations` (MutatingWebhookConfiguration objects
/// as stored) over `input`, in the order kube-apiserver uses.
///
/// `input.namespace_labels` are the labels of the request's namespace; for a Namespace being
/// deleted, the labels of that Namespace (on create and update its own new labels are used).
pub async fn run_mutating_webhooks(
    configurations: &[Value],
    input: &AdmissionInput,
    services: &dyn ServiceResolver,
) -> Result<AdmissionOutcome, AdmissionRejection> {
    let mut outcome = AdmissionOutcome {
        object: input.object.clone(),
        warnings: Vec::new(),
    };
    if is_exempt(input) {
        return Ok(outcome);
    }
    let parsed = parse_all(configurations, "MutatingWebhookConfiguration")?;
    for configuration in &parsed {
        for hook in &configuration.webhooks {
            let call =
                matching::should_call(hook, input, &outcome.object).map_err(internal_error)?;
            if !call {
                continue;
            }
            if !hook.match_conditions.is_empty() {
                tracing::debug!(webhook = %hook.name, "matchConditions are not evaluated; calling");
            }
            match call_hook(hook, input, &outcome.object, services, Kind::Mutating).await {
                Ok(called) => {
                    add_warnings(&mut outcome.warnings, called.warnings);
                    if let Some(object) = called.object {
                        outcome.object = object;
                    }
                }
                Err(failure) => failure.or_fail_open(hook)?,
            }
        }
    }
    Ok(outcome)
}

/// Parses stored webhook configurations of `kind`, in name order.
fn parse_all(
    configurations: &[Value],
    kind: &str,
) -> Result<Vec<Configuration>, AdmissionRejection> {
    let mut parsed = Vec::with_capacity(configurations.len());
    for object in configurations {
        let configuration = Configuration::parse(object).map_err(|e| {
            let name = object
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            internal_error(format!("invalid {kind} {name:?}: {e}"))
        })?;
        parsed.push(configuration);
    }
    parsed.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    Ok(parsed)
}

fn add_warnings(warnings: &mut Vec<String>, new: Vec<String>) {
    for warning in new {
        if !warnings.contains(&warning) {
            warnings.push(warning);
        }
    }
}

/// Which dispatcher calls a webhook: mutating webhooks may patch, validating ones may not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Mutating,
    Validating,
}

/// Why one webhook did not admit the request.
enum HookFailure {
    /// The call failed (kube-apiserver's `ErrCallingWebhook`): the failure policy decides.
    Calling(String),
    /// The request fails whatever the policy.
    Rejected(AdmissionRejection),
}

impl HookFailure {
    /// Under `failurePolicy: Ignore` a failed call is skipped; anything else rejects.
    fn or_fail_open(self, hook: &Webhook) -> Result<(), AdmissionRejection> {
        match self {
            Self::Calling(reason) => {
                let failure = format!("failed calling webhook {:?}: {reason}", hook.name);
                if hook.ignores_failures() {
                    tracing::warn!(webhook = %hook.name, %failure, "failing open");
                    return Ok(());
                }
                tracing::warn!(webhook = %hook.name, %failure, "failing closed");
                Err(internal_error(failure))
            }
            Self::Rejected(rejection) => Err(rejection),
        }
    }
}

/// What one successful call produced.
struct Called {
    /// The patched object, when the webhook changed it.
    object: Option<Value>,
    warnings: Vec<String>,
}

/// kube-apiserver's `NewInternalError`.
fn internal_error(error: impl std::fmt::Display) -> AdmissionRejection {
    AdmissionRejection {
        code: 500,
        reason: "InternalError".to_owned(),
        message: format!("Internal error occurred: {error}"),
    }
}

/// Webhooks are never called for the objects that configure admission, so a broken webhook
/// cannot lock its own configuration.
fn is_exempt(input: &AdmissionInput) -> bool {
    input.group == "admissionregistration.k8s.io"
        && matches!(
            input.kind.as_str(),
            "ValidatingWebhookConfiguration"
                | "MutatingWebhookConfiguration"
                | "ValidatingAdmissionPolicy"
                | "ValidatingAdmissionPolicyBinding"
                | "MutatingAdmissionPolicy"
                | "MutatingAdmissionPolicyBinding"
        )
}

async fn call_hook(
    hook: &Webhook,
    input: &AdmissionInput,
    object: &Value,
    services: &dyn ServiceResolver,
    kind: Kind,
) -> Result<Called, HookFailure> {
    if input.dry_run {
        match hook.side_effects.as_deref() {
            None => {
                return Err(HookFailure::Calling(
                    "Webhook SideEffects is nil".to_owned(),
                ));
            }
            Some("None" | "NoneOnDryRun") => {}
            Some(_) => {
                return Err(HookFailure::Rejected(AdmissionRejection {
                    code: 400,
                    reason: "BadRequest".to_owned(),
                    message: format!("admission webhook {:?} does not support dry run", hook.name),
                }));
            }
        }
    }
    let Some(version) = hook.review_version() else {
        return Err(HookFailure::Calling(
            "could not create admission objects: webhook does not accept known AdmissionReview versions (v1, v1beta1)"
                .to_owned(),
        ));
    };
    let review = review::build(input, object, version);
    let body = serde_json::to_vec(&review.body)
        .map_err(|e| HookFailure::Calling(format!("could not create admission objects: {e}")))?;
    let answer = call::post(hook, body, hook.timeout(), services)
        .await
        .map_err(HookFailure::Calling)?;
    let mutating = kind == Kind::Mutating;
    let verdict =
        review::verify(&review, version, &answer, mutating).map_err(HookFailure::Calling)?;
    if !verdict.allowed {
        return Err(HookFailure::Rejected(denial(&hook.name, &verdict)));
    }
    let object = if mutating {
        mutate::apply(&hook.name, input, object, &verdict)?
    } else {
        None
    };
    Ok(Called {
        object,
        warnings: verdict.warnings,
    })
}

/// The rejection kube-apiserver builds from a webhook's `allowed: false`: the webhook's status
/// code when it is an error code (400 otherwise), its reason, and its message (or reason) after
/// `admission webhook "<name>" denied the request`.
fn denial(hook_name: &str, verdict: &review::Verdict) -> AdmissionRejection {
    let status = verdict.status.clone().unwrap_or_default();
    let code = status
        .code
        .and_then(|c| u16::try_from(c).ok())
        .filter(|c| (400..=599).contains(c))
        .unwrap_or(400);
    let reason = status.reason.unwrap_or_default();
    let denied = format!("admission webhook {hook_name:?} denied the request");
    let message = match status.message.as_deref() {
        Some(message) if !message.is_empty() => format!("{denied}: {message}"),
        _ if !reason.is_empty() => format!("{denied}: {reason}"),
        _ => format!("{denied} without explanation"),
    };
    AdmissionRejection {
        code,
        reason,
        message,
    }
}

#[cfg(test)]
mod tests;
