//! Custom resources held to their CRD's structural schema
//! (`spec.versions[].schema.openAPIV3Schema`, one per served version), as kube-apiserver's
//! apiextensions server does it:
//!
//! 1. **Decoding** ([`decode()`]): unknown fields are pruned (the resource root and
//!    `x-kubernetes-embedded-resource` objects keep `apiVersion`, `kind` and `metadata`;
//!    `x-kubernetes-preserve-unknown-fields` keeps them, `additionalProperties` declares them),
//!    unknown `metadata` fields dropped, nulls of non-nullable fields without a default dropped,
//!    then `default:` values filled in. The request's `fieldValidation` decides what the pruned
//!    fields cost: `Ignore` nothing, `Warn` (the server's default) a `unknown field "spec.foo"`
//!    warning each, `Strict` a 400 (create, update) or 422 (patch) naming them all.
//! 2. **Validation** ([`validate()`]) after mutating admission and before validating
//!    admission: types (`nullable`, `x-kubernetes-int-or-string`), `enum`, `required`,
//!    bounds, lengths, `pattern`, item and property counts, the string formats the API server
//!    checks, `allOf`; answered as `422 Invalid` with apimachinery's field-error wording
//!    ([`invalid`]). Status writes validate only `status`, against the status schema; on
//!    updates, errors in values left unchanged are ratcheted away.
//!
//! Pure functions over JSON; `hook` wires them into the store's write path.
//!
//! Gaps: `anyOf`, `oneOf` and `not` are not evaluated; CEL rules
//! (`x-kubernetes-validations`) are not run; `uniqueItems` and list-type uniqueness
//! (`set`/`map` duplicates) are not checked; embedded resources' `apiVersion`/`kind`/`metadata`
//! are not validated; objects are not re-defaulted when read from storage (they were defaulted
//! when written; a CRD that gains a default later does not show it on old objects); the
//! `isbn*` and `creditcard` formats pass unchecked; server-side apply reports unknown fields
//! like a merge patch instead of failing with `field not declared in schema`; `pattern`s are
//! matched with the `regex` crate (RE2 syntax like Go's regexp), so the rare pattern Go reads
//! leniently (`a{,2}` as a literal) or a syntax only one of them knows is skipped, not enforced.

mod decode;
pub mod errors;
mod format;
pub(crate) mod hook;
mod node;
#[cfg(test)]
mod tests;
mod validate;

pub use decode::{apply_defaults, decode, prune, prune_nulls};
pub use errors::{ErrorType, FieldError, invalid};
pub use validate::validate;

/// The `fieldValidation` directive of a write: what an unknown field in the body costs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FieldValidation {
    /// Dropped silently.
    Ignore,
    /// Dropped with a warning each (kube-apiserver's default since v1.25).
    #[default]
    Warn,
    /// The request fails (kubectl's default: `--validate=strict`).
    Strict,
}

impl FieldValidation {
    /// The directive of a `fieldValidation` query parameter (absent or unknown: `Warn`).
    pub fn from_query(value: Option<&str>) -> Self {
        match value {
            Some("Strict") => Self::Strict,
            Some("Ignore") => Self::Ignore,
            _ => Self::Warn,
        }
    }
}
