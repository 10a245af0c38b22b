//! The identity of a binding for logs, memory and the objects a pass writes.

use std::fmt;

use lbgate_api::TargetGroupBinding;

use crate::error::ReconcileError;

/// Namespace, name and UID of a binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BindingKey {
    pub namespace: String,
    pub name: String,
    pub uid: String,
}

impl BindingKey {
    /// The key of `binding`; an error when the store handed out an object without identity.
    pub(crate) fn of(binding: &TargetGroupBinding) -> Result<Self, ReconcileError> {
        let missing = |field| ReconcileError::MissingMetadata {
            kind: "TargetGroupBinding",
            field,
        };
        Ok(Self {
            namespace: binding
                .metadata
                .namespace
                .clone()
                .ok_or(missing("namespace"))?,
            name: binding.metadata.name.clone().ok_or(missing("name"))?,
            uid: binding.metadata.uid.clone().ok_or(missing("uid"))?,
        })
    }

    /// `namespace/name`, the key of the binding's memory.
    pub(crate) fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

impl fmt::Display for BindingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}
