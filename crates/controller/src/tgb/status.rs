//! The binding's status: observedGeneration, lbgate's conditions, target counts and the last
//! sync time, written with a merge patch of the status subresource only when something other
//! than the sync time changed (a status write would otherwise be a reason to write again).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::Api;
use kube::api::{Patch, PatchParams};
use lbgate_api::consts::FIELD_MANAGER;
use lbgate_api::v1beta1::TargetCounts;
use lbgate_api::{TargetGroupBinding, TargetGroupBindingStatus};
use lbgate_core::diff::BreakerTrip;
use lbgate_core::status::binding_conditions;
use lbgate_core::validate::Problem;
use serde_json::json;

use super::BindingKey;
use crate::context::Context;
use crate::error::{Error, kube_call};

/// The status a pass leads to; `counts` is `None` when the pass did not look at targets (the
/// previous counts are kept).
pub(crate) fn desired_status(
    binding: &TargetGroupBinding,
    problems: &[Problem],
    breaker: Option<&BreakerTrip>,
    counts: Option<TargetCounts>,
    now: &Time,
) -> TargetGroupBindingStatus {
    let existing = binding.status.clone().unwrap_or_default();
    TargetGroupBindingStatus {
        observed_generation: binding.metadata.generation,
        conditions: binding_conditions(
            &existing.conditions,
            problems,
            breaker,
            binding.metadata.generation,
            now,
        ),
        targets: counts.or(existing.targets),
        last_sync_time: Some(now.clone()),
    }
}

/// Whether `desired` differs from the binding's status in anything but the sync time.
pub(crate) fn status_changed(
    binding: &TargetGroupBinding,
    desired: &TargetGroupBindingStatus,
) -> bool {
    let Some(existing) = binding.status.as_ref() else {
        return true;
    };
    existing.observed_generation != desired.observed_generation
        || existing.conditions != desired.conditions
        || existing.targets != desired.targets
}

/// Writes the status when it changed; returns whether it wrote.
pub(crate) async fn write_status(
    ctx: &Context,
    binding: &TargetGroupBinding,
    key: &BindingKey,
    desired: &TargetGroupBindingStatus,
) -> Result<bool, Error> {
    if !status_changed(binding, desired) {
        return Ok(false);
    }
    let api: Api<TargetGroupBinding> = Api::namespaced(ctx.client.clone(), &key.namespace);
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.to_owned()),
        ..PatchParams::default()
    };
    let patch = json!({ "status": desired });
    kube_call(
        "PatchBindingStatus",
        ctx.config.kube_timeout,
        api.patch_status(&key.name, &params, &Patch::Merge(&patch)),
    )
    .await?
    .map(|_| true)
    .map_err(|source| Error::PatchBindingStatus {
        binding: key.id(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use k8s_openapi::jiff::Timestamp;
    use lbgate_core::validate::REASON_SERVICE_NOT_FOUND;
    use serde_json::json;

    use super::*;

    fn binding() -> TargetGroupBinding {
        serde_json::from_value(json!({
            "apiVersion": "elbv2.k8s.aws/v1beta1",
            "kind": "TargetGroupBinding",
            "metadata": {"name": "web", "namespace": "ns", "generation": 3},
            "spec": {"targetGroupARN": "arn:tg", "serviceRef": {"name": "web", "port": 80}},
        }))
        .unwrap()
    }

    fn at(seconds: i64) -> Time {
        Time(Timestamp::from_second(seconds).unwrap())
    }

    #[test]
    fn only_real_changes_are_written() {
        let mut binding = binding();
        let counts = TargetCounts {
            desired: Some(2),
            healthy: Some(1),
            ..TargetCounts::default()
        };
        let first = desired_status(&binding, &[], None, Some(counts), &at(100));
        assert!(status_changed(&binding, &first), "no status yet");
        assert_eq!(first.observed_generation, Some(3));
        binding.status = Some(first.clone());

        // A later pass that finds the same: only lastSyncTime differs, so nothing is written.
        let same = desired_status(&binding, &[], None, Some(counts), &at(200));
        assert_eq!(same.last_sync_time, Some(at(200)));
        assert!(!status_changed(&binding, &same));
        assert_eq!(same.conditions, first.conditions, "transition times kept");

        let healthier = TargetCounts {
            healthy: Some(2),
            ..counts
        };
        assert!(status_changed(
            &binding,
            &desired_status(&binding, &[], None, Some(healthier), &at(300))
        ));

        let problem = Problem {
            condition_type: lbgate_api::consts::CONDITION_SERVICE_FOUND,
            reason: REASON_SERVICE_NOT_FOUND,
            message: "Service web not found".to_owned(),
        };
        let broken = desired_status(&binding, &[problem], None, None, &at(400));
        assert!(status_changed(&binding, &broken));
        assert_eq!(
            broken.targets,
            Some(counts),
            "counts kept when targets were not looked at"
        );
        let ready = broken.condition("Ready").unwrap();
        assert_eq!(
            (ready.status.as_str(), ready.reason.as_str()),
            ("False", REASON_SERVICE_NOT_FOUND)
        );
        assert_eq!(ready.last_transition_time, at(400));
    }
}
