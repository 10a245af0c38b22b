use super::*;

fn app(phase: AppPhase) -> AppState {
    AppState {
        pod: "default/web-1".to_owned(),
        port: 8080,
        phase,
    }
}

#[test]
fn phases_are_recorded_and_removed() {
    let apps = AppRegistry::new();
    let ip: IpAddr = "10.0.1.5".parse().unwrap();
    assert_eq!(apps.phase(ip), None);
    apps.set(ip, app(AppPhase::Starting));
    assert_eq!(apps.phase(ip), Some(AppPhase::Starting));
    assert!(apps.set_phase(ip, AppPhase::ShuttingDown));
    assert_eq!(apps.get(ip), Some(app(AppPhase::ShuttingDown)));
    apps.remove(ip);
    assert_eq!(apps.get(ip), None);
    assert!(!apps.set_phase(ip, AppPhase::Serving));
}

#[test]
fn health_modes_follow_the_documented_table() {
    assert_eq!(AppPhase::Serving.health_mode(), HealthMode::Answering);
    assert_eq!(
        AppPhase::ShuttingDown.health_mode(),
        HealthMode::ResponseCode(503)
    );
    assert_eq!(AppPhase::Starting.health_mode(), HealthMode::Refusing);
    assert_eq!(AppPhase::Gone.health_mode(), HealthMode::Refusing);
    assert!(AppPhase::ShuttingDown.accepts_requests());
    assert!(!AppPhase::Starting.accepts_requests());
}

#[tokio::test]
async fn phases_are_mirrored_into_elbv2_health_checks() {
    let sim = Elbv2Sim::start(lbgate_sim_elbv2::SimConfig::default())
        .await
        .unwrap();
    let apps = AppRegistry::with_elbv2_mirror(&sim);
    let ip: IpAddr = "10.0.1.7".parse().unwrap();
    let state = sim.state();
    let mode = || state.with_model(|model, now| model.health.mode_at("10.0.1.7", 8080, now));
    apps.set(ip, app(AppPhase::Starting));
    assert_eq!(mode(), HealthMode::Refusing);
    apps.set_phase(ip, AppPhase::Serving);
    assert_eq!(mode(), HealthMode::Answering);
    apps.set_phase(ip, AppPhase::ShuttingDown);
    assert_eq!(mode(), HealthMode::ResponseCode(503));
    apps.remove(ip);
    assert_eq!(mode(), HealthMode::Refusing);
    sim.shutdown().await.unwrap();
}
