//! Validating admission: after the mutating webhooks, and once the object is otherwise ready to
//! persist, every matching ValidatingWebhookConfiguration webhook is called (same matching,
//! failure policy, timeout and dry-run rules as the mutating ones). kube-apiserver calls them in
//! parallel, so one webhook never sees another's verdict and the order of calls means nothing;
//! here too they run concurrently. Any `allowed: false` rejects the request with the webhook's
//! status; a failed call follows its `failurePolicy`. When several webhooks reject, kube-apiserver
//! reports whichever error reached it first; the simulator reports the first in configuration
//! (name) and list order, so that runs are reproducible.

use futures::future::join_all;
use serde_json::Value;

use super::{
    AdmissionInput, AdmissionRejection, Kind, ServiceResolver, add_warnings, call_hook,
    internal_error, is_exempt, matching, parse_all,
};

/// Whether any webhook of `configurations` is to be called about `input` (a configuration that
/// cannot be read counts, so that the call reports it).
pub fn any_validating_webhook_matches(configurations: &[Value], input: &AdmissionInput) -> bool {
    if is_exempt(input) {
        return false;
    }
    let Ok(parsed) = parse_all(configurations, "ValidatingWebhookConfiguration") else {
        return true;
    };
    parsed
        .iter()
        .flat_map(|c| &c.webhooks)
        .any(|hook| matching::should_call(hook, input, &input.object).unwrap_or(true))
}

/// Calls every matching validating webhook of `configurations` (ValidatingWebhookConfiguration
/// objects as stored) about `input`, whose `object` is the object as it would be stored. Answers
/// the webhooks' warnings, or the rejection.
pub async fn run_validating_webhooks(
    configurations: &[Value],
    input: &AdmissionInput,
    services: &dyn ServiceResolver,
) -> Result<Vec<String>, AdmissionRejection> {
    if is_exempt(input) {
        return Ok(Vec::new());
    }
    let parsed = parse_all(configurations, "ValidatingWebhookConfiguration")?;
    let mut hooks = Vec::new();
    for configuration in &parsed {
        for hook in &configuration.webhooks {
            if matching::should_call(hook, input, &input.object).map_err(internal_error)? {
                if !hook.match_conditions.is_empty() {
                    tracing::debug!(webhook = %hook.name, "matchConditions are not evaluated; calling");
                }
                hooks.push(hook);
            }
        }
    }
    let calls = hooks
        .iter()
        .map(|hook| call_hook(hook, input, &input.object, services, Kind::Validating));
    let results = join_all(calls).await;
    let mut warnings = Vec::new();
    let mut first_error = None;
    for (hook, result) in hooks.iter().zip(results) {
        match result {
            Ok(called) => add_warnings(&mut warnings, called.warnings),
            Err(failure) => {
                if let Err(rejection) = failure.or_fail_open(hook) {
                    first_error.get_or_insert(rejection);
                }
            }
        }
    }
    match first_error {
        Some(rejection) => Err(rejection),
        None => Ok(warnings),
    }
}
