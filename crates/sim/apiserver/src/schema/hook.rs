//! The schema steps of the store's write path for custom resources: decoding (prune, default,
//! the `fieldValidation` directive) when a request's object arrives, and validation once
//! mutating admission is done.

use serde_json::Value;

use super::errors::{ErrorType, FieldError, go_quote, invalid};
use super::{FieldValidation, decode, validate};
use crate::meta::{self, meta_str};
use crate::resources::ResourceInfo;
use crate::status::ApiError;
use crate::store::{Store, Subresource};

const CRDS: &str = "customresourcedefinitions.apiextensions.k8s.io";

/// How the object reached the server: its strict-decoding failures are worded per request kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arrival {
    /// The body of a create or update.
    Body,
    /// The result of a JSON or merge patch.
    Patch,
}

impl Store {
    /// The `openAPIV3Schema` of the CRD version `res` serves (`None` for built-in kinds).
    pub(crate) fn custom_schema(&self, res: &ResourceInfo) -> Option<Value> {
        if !res.custom {
            return None;
        }
        let name = format!("{}.{}", res.plural, res.group);
        let crd = self
            .objects_of(CRDS)
            .into_iter()
            .find(|crd| meta_str(crd, "name") == name)?;
        crd.pointer("/spec/versions")?
            .as_array()?
            .iter()
            .find(|v| v.get("name").and_then(Value::as_str) == Some(res.version.as_str()))?
            .pointer("/schema/openAPIV3Schema")
            .cloned()
    }

    /// Decodes a custom resource as a request brings it: prunes and defaults it, and answers the
    /// `unknown field` warnings (`Warn`), nothing (`Ignore`) or the strict-decoding error.
    pub(crate) fn decode_custom(
        &self,
        res: &ResourceInfo,
        object: &mut Value,
        directive: FieldValidation,
        arrival: Arrival,
    ) -> Result<Vec<String>, ApiError> {
        let Some(schema) = self.custom_schema(res) else {
            return Ok(Vec::new());
        };
        let before = (directive == FieldValidation::Strict && arrival == Arrival::Patch)
            .then(|| serde_json::to_string(object).unwrap_or_default());
        let unknown = decode(object, &schema);
        let warnings: Vec<String> = unknown
            .iter()
            .map(|path| format!("unknown field \"{path}\""))
            .collect();
        match directive {
            FieldValidation::Ignore => Ok(Vec::new()),
            FieldValidation::Warn => Ok(warnings),
            FieldValidation::Strict if warnings.is_empty() => Ok(Vec::new()),
            FieldValidation::Strict => {
                let why = format!("strict decoding error: {}", warnings.join(", "));
                Err(match before {
                    // The patch handler reports the patched object it could not decode.
                    Some(patched) => invalid(
                        "",
                        "",
                        "",
                        &[FieldError::new(
                            ErrorType::Invalid,
                            "patch",
                            Some(Value::String(patched)),
                            why,
                        )],
                    ),
                    None => ApiError::bad_request(format!(
                        "{kind} in version {version} cannot be handled as a {kind}: {why}",
                        kind = res.kind,
                        version = go_quote(&res.version),
                    )),
                })
            }
        }
    }

    /// Validates a custom resource about to be stored (after mutating admission, whose changes
    /// are pruned and defaulted first, silently as kube-apiserver's storage codec does).
    pub(crate) fn validate_custom(
        &self,
        res: &ResourceInfo,
        subresource: Subresource,
        object: &mut Value,
        old: Option<&Value>,
    ) -> Result<(), ApiError> {
        let Some(schema) = self.custom_schema(res) else {
            return Ok(());
        };
        decode(object, &schema);
        let errors = match subresource {
            Subresource::Status => {
                match (object.get("status"), schema.pointer("/properties/status")) {
                    (Some(status), Some(status_schema)) => validate(
                        status,
                        status_schema,
                        old.and_then(|o| o.get("status")),
                        "status",
                    ),
                    _ => Vec::new(),
                }
            }
            Subresource::Main => {
                let mut candidate = object.clone();
                if res.status_subresource {
                    // The main resource cannot write status: it is validated as it will be stored.
                    match old.and_then(|o| o.get("status")) {
                        Some(status) => meta::set_field(&mut candidate, "status", status.clone()),
                        None => {
                            if let Some(map) = candidate.as_object_mut() {
                                map.remove("status");
                            }
                        }
                    }
                }
                validate(&candidate, &schema, old, "")
            }
        };
        if errors.is_empty() {
            return Ok(());
        }
        let name = match meta_str(object, "name") {
            "" => old.map(|o| meta_str(o, "name")).unwrap_or_default(),
            name => name,
        };
        Err(invalid(&res.kind, &res.group, name, &errors))
    }
}
