use super::*;

#[test]
fn instance_ids() {
    assert!(is_instance_id("i-0123456789abcdef0"));
    assert!(is_instance_id("i-0f76fade"));
    assert!(!is_instance_id("i-0F76FADE"));
    assert!(!is_instance_id("10.0.0.1"));
    assert!(!is_instance_id("i-123"));
}
