use serde_json::json;

use super::*;

#[test]
fn defaults_and_limits() {
    let hook = |extra: Value| -> Webhook {
        let mut value = json!({"name": "h", "rules": null, "namespaceSelector": null});
        if let (Some(target), Some(extra)) = (value.as_object_mut(), extra.as_object()) {
            target.extend(extra.clone());
        }
        serde_json::from_value(value).unwrap()
    };
    let plain = hook(json!({}));
    assert_eq!(plain.timeout(), Duration::from_secs(10));
    assert!(!plain.ignores_failures());
    assert!(plain.rules.is_empty());
    assert_eq!(plain.review_version(), None);
    assert_eq!(
        hook(json!({"timeoutSeconds": 45})).timeout(),
        Duration::from_secs(30)
    );
    assert_eq!(
        hook(json!({"timeoutSeconds": 0})).timeout(),
        Duration::from_secs(1)
    );
    assert!(hook(json!({"failurePolicy": "Ignore"})).ignores_failures());
    let versions = hook(json!({"admissionReviewVersions": ["v2", "v1beta1", "v1"]}));
    assert_eq!(versions.review_version(), Some("v1beta1"));
}
