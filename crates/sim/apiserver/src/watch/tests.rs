use super::*;
use crate::store::StoreConfig;

#[tokio::test]
async fn store_watch_sees_changes_and_expires() {
    let store = Arc::new(Store::new(&StoreConfig {
        watch_window: 3,
        seed: 1,
        services: Default::default(),
    }));
    let res = store.resource("", "v1", "configmaps").unwrap();
    let start = store.current_resource_version();
    let mut watch = store.watch(&res, Filter::default(), Some(start)).unwrap();
    let cm = json!({"metadata": {"name": "a"}, "data": {"k": "v"}});
    store.commit_create(&res, "default", cm, false).unwrap();
    let (kind, object) = watch.next().await.unwrap();
    assert_eq!(kind, EventType::Added);
    assert_eq!(object["metadata"]["name"], "a");
    for i in 0..4 {
        let cm = json!({"metadata": {"name": format!("b{i}")}});
        store.commit_create(&res, "default", cm, false).unwrap();
    }
    let error = store
        .watch(&res, Filter::default(), Some(start))
        .err()
        .unwrap();
    assert_eq!((error.code, error.reason.as_str()), (410, "Expired"));
}
