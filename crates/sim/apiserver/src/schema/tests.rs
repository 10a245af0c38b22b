use serde_json::{Value, json};

use super::*;

fn widget_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "minLength": 2, "maxLength": 5},
                    "mode": {"type": "string", "enum": ["instance", "ip"]},
                    "replicas": {"type": "integer", "minimum": 1, "maximum": 10, "default": 1},
                    "ratio": {"type": "number", "exclusiveMaximum": true, "maximum": 1.5},
                    "port": {"x-kubernetes-int-or-string": true},
                    "code": {"type": "string", "pattern": "^[A-Z]+$"},
                    "id": {"type": "string", "format": "uuid"},
                    "count": {"type": "integer", "format": "int32"},
                    "maybe": {"type": "string", "nullable": true},
                    "tags": {"type": "array", "maxItems": 2, "minItems": 1,
                             "items": {"type": "string"}},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "raw": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                            "properties": {"known": {"type": "object",
                                                     "properties": {"a": {"type": "string"}}}}},
                    "options": {"type": "object", "default": {},
                                "properties": {"level": {"type": "string", "default": "low"}}},
                    "ports": {"type": "array", "x-kubernetes-list-type": "map",
                              "x-kubernetes-list-map-keys": ["name"],
                              "items": {"type": "object", "required": ["name"], "properties": {
                                  "name": {"type": "string"},
                                  "protocol": {"type": "string", "default": "TCP"},
                                  "number": {"type": "integer", "maximum": 65535}}}}
                }
            },
            "status": {
                "type": "object",
                "properties": {"phase": {"type": "string", "enum": ["Ready", "Pending"]}}
            }
        }
    })
}

fn object(spec: Value) -> Value {
    json!({"apiVersion": "example.com/v1", "kind": "Widget",
           "metadata": {"name": "w", "labels": {"a": "b"}}, "spec": spec})
}

/// The `field: body` messages of validating `spec` as a whole object.
fn problems(spec: Value) -> Vec<String> {
    validate(&object(spec), &widget_schema(), None, "")
        .iter()
        .map(FieldError::message)
        .collect()
}

#[test]
fn validation_words_errors_as_kube_apiserver() {
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({"name": "ok"}), vec![]),
        (json!({}), vec!["spec.name: Required value"]),
        (
            json!({"name": "ok", "mode": "foo"}),
            vec![r#"spec.mode: Unsupported value: "foo": supported values: "instance", "ip""#],
        ),
        (
            json!({"name": 3}),
            vec![
                r#"spec.name: Invalid value: "integer": spec.name in body must be of type string: "integer""#,
            ],
        ),
        (
            json!({"name": null}),
            vec![
                r#"spec.name: Invalid value: "null": spec.name in body must be of type string: "null""#,
            ],
        ),
        (json!({"name": "ok", "maybe": null}), vec![]),
        (
            json!({"name": "toolong"}),
            vec!["spec.name: Too long: may not be more than 5 bytes"],
        ),
        (
            json!({"name": "a"}),
            vec![
                r#"spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long"#,
            ],
        ),
        (
            json!({"name": "ok", "replicas": 0}),
            vec![
                "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1",
            ],
        ),
        (
            json!({"name": "ok", "replicas": 11}),
            vec![
                "spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10",
            ],
        ),
        (json!({"name": "ok", "replicas": 2.0}), vec![]),
        (
            json!({"name": "ok", "replicas": 2.5}),
            vec![
                r#"spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number""#,
            ],
        ),
        (
            json!({"name": "ok", "ratio": 1.5}),
            vec!["spec.ratio: Invalid value: 1.5: spec.ratio in body should be less than 1.5"],
        ),
        (json!({"name": "ok", "port": 80}), vec![]),
        (json!({"name": "ok", "port": "http"}), vec![]),
        (
            json!({"name": "ok", "port": true}),
            vec![
                r#"spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean""#,
            ],
        ),
        (
            json!({"name": "ok", "code": "abc"}),
            vec![r#"spec.code: Invalid value: "abc": spec.code in body should match '^[A-Z]+$'"#],
        ),
        (
            json!({"name": "ok", "id": "nope"}),
            vec![r#"spec.id: Invalid value: "nope": spec.id in body must be of type uuid: "nope""#],
        ),
        // int32 is not a format the API server checks.
        (json!({"name": "ok", "count": 99_999_999_999_i64}), vec![]),
        (
            json!({"name": "ok", "tags": ["a", "b", "c"]}),
            vec!["spec.tags: Too many: 3: must have at most 2 items"],
        ),
        (
            json!({"name": "ok", "tags": []}),
            vec!["spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items"],
        ),
        (
            json!({"name": "ok", "tags": ["a", 1]}),
            vec![
                r#"spec.tags[1]: Invalid value: "integer": spec.tags[1] in body must be of type string: "integer""#,
            ],
        ),
        (
            json!({"name": "ok", "labels": {"x": 1}}),
            vec![
                r#"spec.labels.x: Invalid value: "integer": spec.labels.x in body must be of type string: "integer""#,
            ],
        ),
        (
            json!({"name": "ok", "ports": [{"number": 70000}]}),
            vec![
                "spec.ports[0].number: Invalid value: 70000: spec.ports[0].number in body should be less than or equal to 65535",
                "spec.ports[0].name: Required value",
            ],
        ),
        (
            json!("text"),
            vec![r#"spec: Invalid value: "string": spec in body must be of type object: "string""#],
        ),
    ];
    for (spec, want) in cases {
        assert_eq!(problems(spec.clone()), want, "spec {spec}");
    }
}

#[test]
fn invalid_status_lists_every_error_once() {
    let errors = validate(&object(json!({"mode": "foo"})), &widget_schema(), None, "");
    let error = invalid("Widget", "example.com", "w", &errors);
    assert_eq!(error.code, 422);
    assert_eq!(error.reason, "Invalid");
    assert_eq!(
        error.message,
        r#"Widget.example.com "w" is invalid: [spec.mode: Unsupported value: "foo": supported values: "instance", "ip", spec.name: Required value]"#
    );
    let details = error.details.unwrap();
    assert_eq!(details["group"], "example.com");
    assert_eq!(details["kind"], "Widget");
    assert_eq!(
        details["causes"][1],
        json!({"reason": "FieldValueRequired",
        "message": "Required value", "field": "spec.name"})
    );
    assert_eq!(details["causes"][0]["reason"], "FieldValueNotSupported");
}

#[test]
fn status_is_validated_under_its_own_path() {
    let schema = widget_schema();
    let status_schema = &schema["properties"]["status"];
    let errors = validate(&json!({"phase": "Gone"}), status_schema, None, "status");
    let messages: Vec<String> = errors.iter().map(FieldError::message).collect();
    assert_eq!(
        messages,
        [r#"status.phase: Unsupported value: "Gone": supported values: "Ready", "Pending""#]
    );
}

#[test]
fn unchanged_values_ratchet() {
    let schema = widget_schema();
    let old = object(json!({"name": "toolong", "ports": [{"name": "a", "number": 70000}]}));
    // Only the new invalid value is reported; the stored ones stay.
    let new = object(json!({"name": "toolong", "mode": "foo",
        "ports": [{"name": "b", "number": 1}, {"name": "a", "number": 70000}]}));
    let messages: Vec<String> = validate(&new, &schema, Some(&old), "")
        .iter()
        .map(FieldError::message)
        .collect();
    assert_eq!(
        messages,
        [r#"spec.mode: Unsupported value: "foo": supported values: "instance", "ip""#]
    );
    // A changed invalid value is reported again.
    let changed = object(json!({"name": "toolongr"}));
    assert_eq!(validate(&changed, &schema, Some(&old), "").len(), 1);
}

#[test]
fn pruning_drops_undeclared_fields_and_reports_their_paths() {
    let mut widget = object(json!({
        "name": "ok", "foo": 1, "labels": {"any": "thing"},
        "raw": {"kept": {"deep": true}, "known": {"a": "x", "b": "dropped"}},
        "ports": [{"name": "a", "extra": 1}],
    }));
    widget["metadata"]["bogus"] = json!(true);
    widget["top"] = json!("level");
    let unknown = decode(&mut widget, &widget_schema());
    assert_eq!(
        unknown,
        [
            "metadata.bogus",
            "spec.foo",
            "spec.ports[0].extra",
            "spec.raw.known.b",
            "top"
        ]
    );
    assert_eq!(widget["apiVersion"], "example.com/v1");
    assert_eq!(
        widget["metadata"],
        json!({"name": "w", "labels": {"a": "b"}})
    );
    assert_eq!(widget["spec"]["labels"], json!({"any": "thing"}));
    assert_eq!(
        widget["spec"]["raw"],
        json!({"kept": {"deep": true}, "known": {"a": "x"}})
    );
    assert_eq!(
        widget["spec"]["ports"],
        json!([{"name": "a", "protocol": "TCP"}])
    );
    assert!(widget.get("top").is_none());
}

#[test]
fn defaults_fill_absent_fields_and_nested_defaults() {
    let cases = vec![
        (
            json!({"name": "ok"}),
            json!({"name": "ok", "replicas": 1, "options": {"level": "low"}}),
        ),
        (
            json!({"name": "ok", "replicas": 3, "options": {"level": "high"}}),
            json!({"name": "ok", "replicas": 3, "options": {"level": "high"}}),
        ),
        // A null the schema does not allow takes the default; one without a default goes.
        (
            json!({"name": "ok", "replicas": null, "mode": null, "maybe": null}),
            json!({"name": "ok", "replicas": 1, "maybe": null, "options": {"level": "low"}}),
        ),
    ];
    for (spec, want) in cases {
        let mut widget = object(spec);
        decode(&mut widget, &widget_schema());
        assert_eq!(widget["spec"], want);
    }
}

#[test]
fn values_print_as_go_prints_them() {
    use super::errors::{go_float, go_value};
    assert_eq!(go_value(&json!("a\"b")), r#""a\"b""#);
    assert_eq!(go_value(&json!(null)), r#""null""#);
    assert_eq!(go_value(&json!(3)), "3");
    assert_eq!(
        go_value(&json!({"b": [1, "x"], "a": true})),
        r#"map[string]interface {}{"a":true, "b":[]interface {}{1, "x"}}"#
    );
    assert_eq!(go_float(1.5), "1.5");
    assert_eq!(go_float(100_000.0), "100000");
    assert_eq!(go_float(1_000_000.0), "1e+06");
    assert_eq!(go_float(0.00001), "1e-05");
}

#[test]
fn field_validation_follows_the_query() {
    assert_eq!(FieldValidation::from_query(None), FieldValidation::Warn);
    assert_eq!(
        FieldValidation::from_query(Some("Strict")),
        FieldValidation::Strict
    );
    assert_eq!(
        FieldValidation::from_query(Some("Ignore")),
        FieldValidation::Ignore
    );
}

#[test]
/// CRD `pattern`s are Go regexps (RE2); the `regex` crate must read the ones CRDs use alike.
fn patterns_match_like_go_regexp() {
    let condition_type = r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$";
    let reason = r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$";
    let cases: &[(&str, &str, bool)] = &[
        (reason, "Elb.InitialHealthChecking", false),
        (reason, "RegistrationInProgress", true),
        (reason, "A", true),
        (reason, "", false),
        (reason, "a:b_", true),
        (condition_type, "Ready", true),
        (condition_type, "target-health.elbv2.k8s.aws/web-tgb", true),
        (condition_type, "-bad", false),
        (condition_type, "a/b/c", false),
        // Unanchored patterns search.
        ("b+", "abbbc", true),
        ("^b+", "abbbc", false),
        ("x{2,3}$", "axxx", true),
        ("^x{2,3}$", "axxxx", false),
        ("^(ab|cd)*$", "abcdab", true),
        ("^(ab|cd)*$", "abc", false),
        ("^[^0-9]+$", "abc", true),
        ("^[^0-9]+$", "a1", false),
        (r"^\d{3}-\w+\s?$", "123-ab_c ", true),
        (r"\bcat\b", "a cat!", true),
        (r"\bcat\b", "concat", false),
        ("^(?:a|)+$", "aaa", true),
        ("^.$", "\n", false),
    ];
    for (pattern, text, want) in cases {
        let re = regex::Regex::new(pattern).unwrap();
        assert_eq!(re.is_match(text), *want, "{pattern} on {text:?}");
    }
}
