use super::*;

#[test]
fn steps_read_from_yaml_in_their_documented_form() {
    let text = r#"
- startTraffic: {loadBalancer: web-alb, rate: 20}
- wait: {seconds: 5}
- setImage: {deployment: web, image: "web:v2"}
- waitFor:
    condition: {rolloutComplete: {deployment: web}}
    timeoutSeconds: 20
- waitFor: {condition: {healthyTargets: {targetGroup: web, count: 5}}}
- stop: {component: registrar}
- restart: {component: endpointslices}
- throttle: {action: DescribeTargetHealth, rate: 0.5}
- clearFaults
- stopTraffic
"#;
    let steps: Vec<Step> = serde_saphyr::from_str(text).unwrap();
    assert_eq!(steps.len(), 10);
    assert_eq!(
        steps[0],
        Step::StartTraffic(TrafficSpec::new("web-alb", 80, 20.0))
    );
    assert_eq!(
        steps[3],
        Step::WaitFor {
            condition: Condition::RolloutComplete {
                namespace: "default".into(),
                deployment: "web".into()
            },
            timeout_seconds: 20.0
        }
    );
    assert_eq!(
        steps[5],
        Step::Stop {
            component: Component::Registrar
        }
    );
    assert_eq!(
        steps[6],
        Step::Restart {
            component: Component::EndpointSlices
        }
    );
    assert_eq!(steps[8], Step::ClearFaults);
    assert_eq!(steps[2].to_string(), "set image of default/web to web:v2");
    assert!(serde_saphyr::from_str::<Vec<Step>>("- wait: {secs: 5}").is_err());
}
