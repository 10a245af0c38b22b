//! The parts of a stored MutatingWebhookConfiguration (admissionregistration.k8s.io/v1) that
//! admission reads, with the v1 defaults applied where the stored object leaves a field out.
//!
//! Every field is optional and `null`-tolerant: the store may hold objects that kube-apiserver's
//! defaulting would have completed.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `timeoutSeconds` when absent (the v1 default) and its validated maximum.
const DEFAULT_TIMEOUT_SECONDS: u64 = 10;
const MAX_TIMEOUT_SECONDS: u64 = 30;

fn null_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct Configuration {
    #[serde(default, deserialize_with = "null_default")]
    pub metadata: Metadata,
    #[serde(default, deserialize_with = "null_default")]
    pub webhooks: Vec<Webhook>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct Metadata {
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Webhook {
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_default")]
    pub client_config: ClientConfig,
    #[serde(default, deserialize_with = "null_default")]
    pub rules: Vec<Rule>,
    pub failure_policy: Option<String>,
    pub namespace_selector: Option<LabelSelector>,
    pub object_selector: Option<LabelSelector>,
    pub side_effects: Option<String>,
    pub timeout_seconds: Option<i64>,
    #[serde(default, deserialize_with = "null_default")]
    pub admission_review_versions: Vec<String>,
    /// CEL `matchConditions` are not evaluated (see [`super`]); kept to report them.
    #[serde(default, deserialize_with = "null_default")]
    pub match_conditions: Vec<Value>,
}

impl Webhook {
    /// `failurePolicy: Ignore`; anything else (including the absent v1 default) fails closed.
    pub fn ignores_failures(&self) -> bool {
        self.failure_policy.as_deref() == Some("Ignore")
    }

    /// `timeoutSeconds`, defaulted to 10 and kept within the 1–30 s that validation allows.
    pub fn timeout(&self) -> Duration {
        let seconds = self
            .timeout_seconds
            .and_then(|s| u64::try_from(s).ok())
            .unwrap_or(DEFAULT_TIMEOUT_SECONDS)
            .clamp(1, MAX_TIMEOUT_SECONDS);
        Duration::from_secs(seconds)
    }

    /// The AdmissionReview version to send: the first of the webhook's list that we speak, as
    /// kube-apiserver picks it.
    pub fn review_version(&self) -> Option<&'static str> {
        self.admission_review_versions
            .iter()
            .find_map(|v| match v.as_str() {
                "v1" => Some("v1"),
                "v1beta1" => Some("v1beta1"),
                _ => None,
            })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ClientConfig {
    pub url: Option<String>,
    pub service: Option<ServiceReference>,
    /// Base64 of PEM certificates, as JSON carries `[]byte`.
    pub ca_bundle: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct ServiceReference {
    #[serde(default, deserialize_with = "null_default")]
    pub namespace: String,
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    pub path: Option<String>,
    pub port: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Rule {
    #[serde(default, deserialize_with = "null_default")]
    pub operations: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub api_groups: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub api_versions: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub resources: Vec<String>,
    pub scope: Option<String>,
}

/// A `metav1.LabelSelector`. An absent selector is treated as `{}` (match everything), the value
/// v1 defaulting stores.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct LabelSelector {
    #[serde(default, deserialize_with = "null_default")]
    pub match_labels: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "null_default")]
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct LabelSelectorRequirement {
    #[serde(default, deserialize_with = "null_default")]
    pub key: String,
    #[serde(default, deserialize_with = "null_default")]
    pub operator: String,
    #[serde(default, deserialize_with = "null_default")]
    pub values: Vec<String>,
}

impl Configuration {
    pub fn parse(object: &Value) -> Result<Self, String> {
        Self::deserialize(object).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests;
