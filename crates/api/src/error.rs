//! The one error type of `lbgate-api`.
//!
//! Variant names are stable: other crates use them as metric and event categories.

use kube_core::crd::MergeError;

/// Everything that can go wrong while naming things or rendering the CRD.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A name built from user input is not a Kubernetes qualified name, so the API server
    /// would reject any pod or object that carried it.
    #[error("{value:?} is not a valid Kubernetes qualified name: {problem}")]
    InvalidQualifiedName {
        /// The rejected name, as built.
        value: String,
        /// Which rule of a qualified name it breaks.
        problem: String,
    },

    /// The per-version CRDs could not be combined into one multi-version CRD.
    #[error("cannot merge the TargetGroupBinding CRD versions")]
    CrdMerge {
        /// What `kube_core` reported.
        #[source]
        source: MergeError,
    },

    /// The CRD could not be rendered as YAML.
    #[error("cannot render the TargetGroupBinding CRD as YAML")]
    CrdYaml {
        /// What the YAML serializer reported.
        #[source]
        source: serde_saphyr::SerializeError,
    },
}
