use super::*;

#[test]
fn kubeconfig_names_one_context() {
    let text = render("http://127.0.0.1:1234", None);
    assert!(text.contains("server: \"http://127.0.0.1:1234\""));
    assert!(text.contains("current-context: lbgate-sim"));
    assert!(!text.contains("certificate-authority-data"));
}
