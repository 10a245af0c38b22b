//! The write path in front of the store, shared by the HTTP handlers and in-process callers
//! (the world controllers): defaulting (and, for custom resources, pruning by their schema),
//! patching, mutating admission, schema validation, validating admission, then the store's
//! commit — so a Pod a simulated controller creates meets the same webhooks as one
//! kubectl creates.

mod admit;

use admit::Admitting;

use serde_json::{Value, json};

use super::admission::AdmissionOperation;
use super::defaults::apply_defaults;
use super::meta::{self, meta_str};
use super::patch::{PatchError, PatchTarget, PatchType, apply_patch};
use super::resources::ResourceInfo;
use super::schema::FieldValidation;
use super::schema::hook::Arrival;
use super::status::ApiError;
use super::store::{Addressed, Commit, DeleteOptions, Deleted, Store, Subresource};

/// Options of a write request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// `dryRun=All`: admit and validate, store nothing.
    pub dry_run: bool,
    /// `fieldManager` (accepted; managed fields are not tracked).
    pub field_manager: Option<String>,
    /// `force` of a server-side apply (accepted; there are no field conflicts to force).
    pub force: bool,
    /// `fieldValidation`: what unknown fields of a custom resource cost.
    pub field_validation: FieldValidation,
}

/// A written object and the admission webhooks' warnings (sent as `Warning` headers).
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub object: Value,
    pub warnings: Vec<String>,
}

/// Decoding warnings first, then admission's, each once (as kube-apiserver's recorder keeps them).
fn join_warnings(mut first: Vec<String>, then: Vec<String>) -> Vec<String> {
    for warning in then {
        if !first.contains(&warning) {
            first.push(warning);
        }
    }
    first
}

/// How many times a PATCH retries when another write slips in between its read and its commit
/// (kube-apiserver retries the same way on a storage conflict).
const PATCH_ATTEMPTS: usize = 8;

fn patch_error(error: PatchError) -> ApiError {
    match error {
        PatchError::UnsupportedMediaType(message) => {
            ApiError::new(415, "UnsupportedMediaType", message)
        }
        PatchError::Invalid(message) => ApiError::new(422, "Invalid", message),
    }
}

/// How an object reached the server (a request body, or what a patch made of the stored one) and
/// what its unknown fields cost.
#[derive(Clone, Copy, Debug)]
struct Intake {
    arrival: Arrival,
    field_validation: FieldValidation,
}

impl Intake {
    fn body(options: &WriteOptions) -> Self {
        Self {
            arrival: Arrival::Body,
            field_validation: options.field_validation,
        }
    }

    fn patch(options: &WriteOptions) -> Self {
        Self {
            arrival: Arrival::Patch,
            field_validation: options.field_validation,
        }
    }
}

impl Store {
    /// What the API server does to a request's object before admission: the built-in kinds'
    /// defaulting (main resource only), then a custom resource's pruning and schema defaults.
    /// Answers the `unknown field` warnings.
    fn decode(
        &self,
        res: &ResourceInfo,
        object: &mut Value,
        subresource: Subresource,
        intake: Intake,
    ) -> Result<Vec<String>, ApiError> {
        if subresource == Subresource::Main {
            apply_defaults(res, object);
        }
        self.decode_custom(res, object, intake.field_validation, intake.arrival)
    }

    /// Creates an object: defaults, mutating admission, then the store.
    pub async fn create(
        &self,
        res: &ResourceInfo,
        namespace: &str,
        mut object: Value,
        options: &WriteOptions,
    ) -> Result<Written, ApiError> {
        let body_namespace = meta_str(&object, "namespace");
        if res.namespaced && !body_namespace.is_empty() && body_namespace != namespace {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        if res.namespaced {
            meta::set_meta(&mut object, "namespace", json!(namespace));
        }
        let decoded = self.decode(res, &mut object, Subresource::Main, Intake::body(options))?;
        let review = Admitting {
            res,
            operation: AdmissionOperation::Create,
            subresource: Subresource::Main,
            namespace,
            dry_run: options.dry_run,
        };
        let admitted = self.admit(review, object, None).await?;
        let commit = Commit {
            uid: admitted.uid,
            dry_run: options.dry_run,
        };
        let object =
            self.commit_create_with_uid(res, namespace, admitted.written.object, commit)?;
        Ok(Written {
            object,
            warnings: join_warnings(decoded, admitted.written.warnings),
        })
    }

    /// Replaces an object or its status (PUT).
    pub async fn replace(
        &self,
        at: Addressed<'_>,
        mut object: Value,
        options: &WriteOptions,
    ) -> Result<Written, ApiError> {
        let Addressed {
            res,
            namespace,
            name,
            subresource,
        } = at;
        let Some(old) = self.get(res, namespace, name) else {
            return Err(ApiError::not_found(&res.group, &res.plural, name));
        };
        let decoded = self.decode(res, &mut object, subresource, Intake::body(options))?;
        let admitted = self
            .admit(Admitting::update(at, options), object, Some(old))
            .await?
            .written;
        let object = self.commit_replace(at, admitted.object, options.dry_run)?;
        Ok(Written {
            object,
            warnings: join_warnings(decoded, admitted.warnings),
        })
    }

    /// Patches an object or its status. A `resourceVersion` or `uid` in the patch's metadata is a
    /// precondition; a server-side apply of a missing object creates it.
    pub async fn patch(
        &self,
        at: Addressed<'_>,
        patch_type: PatchType,
        patch: &[u8],
        options: &WriteOptions,
    ) -> Result<Written, ApiError> {
        let Addressed {
            res,
            namespace,
            name,
            subresource,
        } = at;
        let target = PatchTarget {
            group: res.group.clone(),
            kind: res.kind.clone(),
            custom: res.custom,
        };
        let mut last_error = None;
        for _ in 0..PATCH_ATTEMPTS {
            let Some(current) = self.get(res, namespace, name) else {
                if patch_type == PatchType::Apply && subresource == Subresource::Main {
                    let mut empty = json!({"apiVersion": res.api_version(), "kind": res.kind,
                        "metadata": {"name": name}});
                    if res.namespaced {
                        meta::set_meta(&mut empty, "namespace", json!(namespace));
                    }
                    let created =
                        apply_patch(patch_type, &target, &empty, patch).map_err(patch_error)?;
                    return self.create(res, namespace, created, options).await;
                }
                return Err(ApiError::not_found(&res.group, &res.plural, name));
            };
            let mut patched =
                apply_patch(patch_type, &target, &current, patch).map_err(patch_error)?;
            let stored_version = meta_str(&current, "resourceVersion").to_owned();
            let patched_version = meta_str(&patched, "resourceVersion").to_owned();
            let pinned = !patched_version.is_empty() && patched_version != stored_version;
            if pinned {
                return Err(ApiError::conflict_modified(&res.group, &res.plural, name));
            }
            meta::set_meta(&mut patched, "resourceVersion", json!(stored_version));
            let decoded = self.decode(res, &mut patched, subresource, Intake::patch(options))?;
            let admitted = self
                .admit(Admitting::update(at, options), patched, Some(current))
                .await?
                .written;
            match self.commit_replace(at, admitted.object, options.dry_run) {
                Ok(object) => {
                    return Ok(Written {
                        object,
                        warnings: join_warnings(decoded, admitted.warnings),
                    });
                }
                Err(error)
                    if error.code == 409
                        && error.reason == "Conflict"
                        && !error.message.contains("Precondition") =>
                {
                    // Someone wrote in between: patch the newer object again.
                    last_error = Some(error);
                }
                Err(error) => return Err(error),
            }
        }
        Err(last_error.unwrap_or_else(|| ApiError::internal("patch retries exhausted")))
    }

    /// Deletes an object (no admission: the webhooks here only mutate creates and updates).
    pub async fn delete(
        &self,
        res: &ResourceInfo,
        namespace: &str,
        name: &str,
        options: &DeleteOptions,
    ) -> Result<Deleted, ApiError> {
        self.commit_delete(res, namespace, name, options)
    }
}
