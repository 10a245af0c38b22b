use std::collections::BTreeMap;

use super::*;

#[test]
fn uids_are_random_v4_uuids() {
    let (a, b) = (random_uid(), random_uid());
    assert_ne!(a, b);
    assert_eq!(a.len(), 36);
    assert_eq!(a.chars().nth(14), Some('4'));
    assert_eq!(a.matches('-').count(), 4);
}

#[test]
fn a_namespace_is_its_own_request_namespace() {
    let input = AdmissionInput {
        operation: AdmissionOperation::Delete,
        group: String::new(),
        version: "v1".to_owned(),
        resource: "namespaces".to_owned(),
        subresource: String::new(),
        kind: "Namespace".to_owned(),
        namespace: None,
        name: "apps".to_owned(),
        object: Value::Null,
        old_object: Some(json!({"metadata": {"name": "apps"}})),
        namespace_labels: BTreeMap::new(),
        dry_run: false,
    };
    let review = build(&input, &Value::Null, "v1");
    let request = &review.body["request"];
    assert_eq!(request["namespace"], "apps");
    assert_eq!(request["operation"], "DELETE");
    assert_eq!(request["options"]["kind"], "DeleteOptions");
    assert!(request["object"].is_null());
    assert_eq!(request["uid"], review.uid.as_str());
}
