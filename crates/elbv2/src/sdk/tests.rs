use super::*;

#[tokio::test]
async fn paginate_follows_markers_to_the_end() {
    let pages = [
        (vec![1, 2], Some("a")),
        (vec![3], Some("b")),
        (vec![4], None),
    ];
    let mut sent = Vec::new();
    let items = paginate(Operation::DescribeRules, |marker| {
        sent.push(marker.clone());
        let index = sent.len() - 1;
        let (items, next) = pages[index].clone();
        async move { Ok((items, next.map(str::to_owned))) }
    })
    .await
    .unwrap();
    assert_eq!(items, vec![1, 2, 3, 4]);
    assert_eq!(sent, vec![None, Some("a".into()), Some("b".into())]);
}

#[tokio::test]
async fn paginate_rejects_a_looping_marker() {
    let err = paginate::<u8, _, _>(Operation::DescribeRules, |_| async {
        Ok((vec![], Some("same".to_owned())))
    })
    .await
    .unwrap_err();
    assert_eq!(err.category(), "MalformedResponse");
}
