use super::*;

#[test]
fn versions_sort_by_kubernetes_priority() {
    let mut versions = vec!["v1alpha1", "foo", "v1beta1", "v2", "v1", "v1beta2"];
    versions.sort_by_key(|v| version_rank(v));
    assert_eq!(
        versions,
        ["v2", "v1", "v1beta2", "v1beta1", "v1alpha1", "foo"]
    );
}

#[test]
fn crd_serves_each_served_version() {
    let crd = serde_json::json!({"spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "kind": "Widget", "shortNames": ["wd"]},
            "versions": [
                {"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
                 "additionalPrinterColumns": [{"name": "SIZE", "type": "integer", "jsonPath": ".spec.size"}]},
                {"name": "v1alpha1", "served": false, "storage": false}]}});
    let served = from_crd(&crd);
    assert_eq!(served.len(), 1);
    assert_eq!(served[0].singular, "widget");
    assert!(served[0].status_subresource);
    assert_eq!(served[0].printer_columns[0].json_path, ".spec.size");
}
