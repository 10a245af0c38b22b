use super::*;

#[test]
fn the_world_line_lists_what_runs() {
    let mut switches = Switches::default();
    assert_eq!(
        controller_list(&switches),
        "nodes,deployments,replicasets,scheduler,kubelet,endpointslices"
    );
    Controller::Kubelet.switch_off(&mut switches);
    Controller::Endpointslices.switch_off(&mut switches);
    assert_eq!(
        controller_list(&switches),
        "nodes,deployments,replicasets,scheduler"
    );
    for controller in Controller::ALL {
        controller.switch_off(&mut switches);
    }
    assert_eq!(controller_list(&switches), "none");
}
