use super::*;
use crate::controllers::Component;

fn readme_example() -> String {
    let readme = include_str!("../README.md");
    let start = readme.find("```yaml\n").unwrap() + "```yaml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    readme[start..end].to_owned()
}

#[test]
fn the_documented_format_parses() {
    let scenario = Scenario::parse(&readme_example()).unwrap();
    assert_eq!(scenario.name, "my-scenario");
    assert_eq!(
        scenario.aws.target_groups[0].deregistration_delay_seconds,
        Some(10)
    );
    assert_eq!(scenario.registrar[0].port, 80);
    assert!(
        scenario
            .manifests
            .unwrap()
            .contains("${targetGroupArn:web}")
    );
    assert_eq!(scenario.steps.len(), 15);
    assert!(scenario.steps.contains(&Step::Stop {
        component: Component::Registrar
    }));
    let options = scenario.world.options();
    assert_eq!((options.time_scale, options.nodes), (1.0, 3));
    assert!(!options.switches.registrar);
}

#[test]
fn the_example_file_parses_and_mistakes_are_refused() {
    let text = include_str!("../../../scenarios/rolling-update-without-gates.yaml");
    let scenario = Scenario::parse(text).unwrap();
    assert!(scenario.world.options().switches.registrar);
    assert_eq!(scenario.world.options().time_scale, 0.05);
    assert!(Scenario::parse("name: x\nstepz: []\n").is_err());
    assert!(Scenario::parse("steps: []\n").is_err(), "name is required");
}
