use super::*;
use serde_json::json;

#[test]
fn events_round_trip_between_the_two_apis() {
    let new = json!({"apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": {"name": "e"}, "regarding": {"kind": "Pod", "name": "p"},
            "note": "hello", "reason": "Started", "reportingController": "lbgate",
            "reportingInstance": "lbgate-0", "type": "Normal", "action": "Start"});
    let core = event_to_core(&new);
    assert_eq!(core["apiVersion"], "v1");
    assert_eq!(core["involvedObject"]["name"], "p");
    assert_eq!(core["message"], "hello");
    assert_eq!(core["reportingComponent"], "lbgate");
    assert_eq!(event_from_core(&core), new);
}
