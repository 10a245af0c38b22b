//! Admission on the write path: mutating webhooks in order, a custom resource's schema
//! validation, then validating webhooks in parallel on the object as it would be stored.

use serde_json::Value;

use super::{WriteOptions, Written};

/// What admission hands the write: the object to store and the webhooks' warnings, and on a
/// CREATE seen by validating webhooks the UID they were shown (the stored object keeps it).
pub(super) struct Admitted {
    pub written: Written,
    pub uid: Option<String>,
}
use crate::admission::{
    AdmissionInput, AdmissionOperation, AdmissionRejection, any_validating_webhook_matches,
    run_mutating_webhooks, run_validating_webhooks,
};
use crate::meta::{self, meta_str};
use crate::resources::ResourceInfo;
use crate::status::ApiError;
use crate::store::{Addressed, Commit, Store, Subresource};

const MUTATING_WEBHOOKS: &str = "mutatingwebhookconfigurations.admissionregistration.k8s.io";
const VALIDATING_WEBHOOKS: &str = "validatingwebhookconfigurations.admissionregistration.k8s.io";

fn rejected(rejection: AdmissionRejection) -> ApiError {
    ApiError::new(rejection.code, &rejection.reason, rejection.message)
}

/// What a write asks admission to review, besides the objects.
#[derive(Clone, Copy, Debug)]
pub(super) struct Admitting<'a> {
    pub res: &'a ResourceInfo,
    pub operation: AdmissionOperation,
    pub subresource: Subresource,
    pub namespace: &'a str,
    pub dry_run: bool,
}

impl<'a> Admitting<'a> {
    /// The review of an UPDATE of `at`.
    pub fn update(at: Addressed<'a>, options: &WriteOptions) -> Self {
        Self {
            res: at.res,
            operation: AdmissionOperation::Update,
            subresource: at.subresource,
            namespace: at.namespace,
            dry_run: options.dry_run,
        }
    }
}

impl Store {
    /// Runs admission over `object`; answers the object to store (mutated, and on a CREATE with
    /// `generateName` named as the validating webhooks saw it) and the webhooks' warnings.
    pub(super) async fn admit(
        &self,
        review: Admitting<'_>,
        object: Value,
        old_object: Option<Value>,
    ) -> Result<Admitted, ApiError> {
        let Admitting {
            res,
            operation,
            subresource,
            namespace,
            dry_run,
        } = review;
        // Webhooks never see the objects that configure admission (see `admission`).
        if res.group == "admissionregistration.k8s.io" {
            return Ok(Admitted::unchanged(object));
        }
        let mutating = self.objects_of(MUTATING_WEBHOOKS);
        let validating = self.objects_of(VALIDATING_WEBHOOKS);
        if mutating.is_empty() && validating.is_empty() {
            let mut object = object;
            self.validate_custom(res, subresource, &mut object, old_object.as_ref())?;
            return Ok(Admitted::unchanged(object));
        }
        let name = match meta_str(&object, "name") {
            "" => old_object
                .as_ref()
                .map(|o| meta_str(o, "name").to_owned())
                .unwrap_or_default(),
            name => name.to_owned(),
        };
        let mut input = AdmissionInput {
            operation,
            group: res.group.clone(),
            version: res.version.clone(),
            resource: res.plural.clone(),
            subresource: match subresource {
                Subresource::Main => String::new(),
                Subresource::Status => "status".to_owned(),
            },
            kind: res.kind.clone(),
            namespace: res.namespaced.then(|| namespace.to_owned()),
            name,
            object,
            old_object,
            namespace_labels: if res.namespaced {
                self.namespace_labels(namespace)
            } else {
                Default::default()
            },
            dry_run,
        };
        let mut written = if mutating.is_empty() {
            Written {
                object: input.object.clone(),
                warnings: Vec::new(),
            }
        } else {
            let outcome = run_mutating_webhooks(&mutating, &input, self)
                .await
                .map_err(rejected)?;
            Written {
                object: outcome.object,
                warnings: outcome.warnings,
            }
        };
        self.validate_custom(
            res,
            subresource,
            &mut written.object,
            input.old_object.as_ref(),
        )?;
        input.object = written.object.clone();
        // The dry run below copies the store: only when some webhook is to see its result.
        if !any_validating_webhook_matches(&validating, &input) {
            return Ok(Admitted { written, uid: None });
        }
        let mut uid = None;
        if operation == AdmissionOperation::Create {
            // kube-apiserver validates the object its storage is about to write: server-set
            // metadata filled in, a `generateName` already turned into a name.
            let drawn = self.draw_identity(&mut written.object);
            let commit = Commit {
                uid: Some(drawn.clone()),
                dry_run: true,
            };
            let mut prepared =
                self.commit_create_with_uid(res, namespace, written.object.clone(), commit)?;
            meta::remove_meta(&mut prepared, "resourceVersion");
            input.name = meta_str(&prepared, "name").to_owned();
            input.object = prepared;
            uid = Some(drawn);
        }
        let warnings = run_validating_webhooks(&validating, &input, self)
            .await
            .map_err(rejected)?;
        for warning in warnings {
            if !written.warnings.contains(&warning) {
                written.warnings.push(warning);
            }
        }
        Ok(Admitted { written, uid })
    }
}

impl Admitted {
    fn unchanged(object: Value) -> Self {
        Self {
            written: Written {
                object,
                warnings: Vec::new(),
            },
            uid: None,
        }
    }
}
