//! CustomResourceDefinitions: the lbgate TargetGroupBinding CRD registers, shows up in
//! discovery, and `Api<TargetGroupBinding>` works with its status subresource at both versions.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Api;
use kube::api::{ApiResource, DynamicObject, Patch, PatchParams, PostParams};
use kube::discovery::Discovery;
use lbgate_api::crd::target_group_binding_crd;
use lbgate_api::v1beta1::TargetGroupBinding;
use serde_json::json;

use crate::support::{api_error, start};

fn binding(name: &str) -> TargetGroupBinding {
    serde_json::from_value(json!({
        "apiVersion": "elbv2.k8s.aws/v1beta1",
        "kind": "TargetGroupBinding",
        "metadata": {"name": name},
        "spec": {
            "targetGroupARN": "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/web/0123456789abcdef",
            "targetType": "ip",
            "serviceRef": {"name": "web", "port": 80},
        },
    }))
    .unwrap()
}

#[tokio::test]
async fn the_target_group_binding_crd_serves_its_custom_resources() {
    let (sim, client) = start().await;
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let bindings: Api<TargetGroupBinding> = Api::namespaced(client.clone(), "default");
    // Before the CRD, the resource does not exist.
    assert_eq!(api_error(bindings.get("web").await.unwrap_err()).0, 404);

    let created = crds
        .create(&PostParams::default(), &target_group_binding_crd().unwrap())
        .await
        .unwrap();
    let conditions = created.status.unwrap().conditions.unwrap();
    for wanted in ["Established", "NamesAccepted"] {
        assert!(
            conditions
                .iter()
                .any(|c| c.type_ == wanted && c.status == "True"),
            "{wanted}"
        );
    }
    let discovery = Discovery::new(client.clone()).run().await.unwrap();
    let group = discovery
        .get("elbv2.k8s.aws")
        .expect("the group is discovered");
    assert_eq!(group.preferred_version(), Some("v1beta1"));

    let stored = bindings
        .create(&PostParams::default(), &binding("web"))
        .await
        .unwrap();
    assert_eq!(stored.metadata.generation, Some(1));
    assert!(stored.status.is_none(), "status is not set on create");
    let status = json!({"status": {"observedGeneration": 1, "conditions": []}});
    let after = bindings
        .patch_status("web", &PatchParams::default(), &Patch::Merge(&status))
        .await
        .unwrap();
    assert_eq!(after.status.unwrap().observed_generation, Some(1));
    assert_eq!(
        after.metadata.generation,
        Some(1),
        "a status change keeps the generation"
    );

    let spec = json!({"spec": {"targetType": "instance"}, "status": {"observedGeneration": 99}});
    let after = bindings
        .patch("web", &PatchParams::default(), &Patch::Merge(&spec))
        .await
        .unwrap();
    assert_eq!(after.metadata.generation, Some(2));
    assert_eq!(
        after.status.unwrap().observed_generation,
        Some(1),
        "the main resource ignores status"
    );
    assert_eq!(
        bindings
            .list(&Default::default())
            .await
            .unwrap()
            .items
            .len(),
        1
    );

    // The other served version reads the same object.
    let v1alpha1 = ApiResource {
        group: "elbv2.k8s.aws".into(),
        version: "v1alpha1".into(),
        api_version: "elbv2.k8s.aws/v1alpha1".into(),
        kind: "TargetGroupBinding".into(),
        plural: "targetgroupbindings".into(),
    };
    let old: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &v1alpha1);
    let read = old.get("web").await.unwrap();
    assert_eq!(read.types.unwrap().api_version, "elbv2.k8s.aws/v1alpha1");

    // Strategic merge is refused for custom resources, as kube-apiserver does.
    let error = bindings
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Strategic(json!({"spec": {"targetType": "ip"}})),
        )
        .await
        .unwrap_err();
    assert_eq!(api_error(error).0, 415);

    // Deleting the CRD takes its custom resources with it.
    crds.delete("targetgroupbindings.elbv2.k8s.aws", &Default::default())
        .await
        .unwrap();
    assert_eq!(api_error(bindings.get("web").await.unwrap_err()).0, 404);
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn server_side_apply_creates_and_updates() {
    let (sim, client) = start().await;
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    crds.create(&PostParams::default(), &target_group_binding_crd().unwrap())
        .await
        .unwrap();
    let bindings: Api<TargetGroupBinding> = Api::namespaced(client, "default");
    let params = PatchParams::apply("lbgate-test").force();
    let applied = bindings
        .patch("ssa", &params, &Patch::Apply(binding("ssa")))
        .await
        .unwrap();
    assert_eq!(applied.metadata.name.as_deref(), Some("ssa"));
    let mut changed = binding("ssa");
    changed.metadata.finalizers = Some(vec!["elbv2.k8s.aws/resources".into()]);
    let applied = bindings
        .patch("ssa", &params, &Patch::Apply(changed))
        .await
        .unwrap();
    assert_eq!(
        applied.metadata.finalizers.unwrap(),
        ["elbv2.k8s.aws/resources"]
    );
    sim.shutdown().await.unwrap();
}
