use super::*;
use crate::operation::Operation;

fn targets(n: usize) -> Vec<Target> {
    (0..n)
        .map(|i| Target::new(format!("10.0.{}.{}", i / 250, i % 250), 8080))
        .collect()
}

fn err(code: &str) -> Elbv2Error {
    Elbv2Error::from_aws_code(Operation::RegisterTargets, code, "m", Some(400), None)
}

#[tokio::test]
async fn splits_into_chunks_of_200() {
    let mut sizes = Vec::new();
    let outcome = send_in_chunks(targets(450), TARGETS_PER_CALL, |chunk| {
        sizes.push(chunk.len());
        async { Ok(()) }
    })
    .await;
    assert_eq!(sizes, vec![200, 200, 50]);
    assert!(outcome.is_complete());
    assert_eq!(outcome.landed().count(), 450);
}

#[tokio::test]
async fn empty_input_sends_nothing() {
    let mut calls = 0;
    let outcome = send_in_chunks(Vec::new(), TARGETS_PER_CALL, |_| {
        calls += 1;
        async { Ok(()) }
    })
    .await;
    assert_eq!(calls, 0);
    assert!(outcome.is_complete());
    assert!(outcome.chunks.is_empty());
}

#[tokio::test]
async fn duplicates_are_sent_once() {
    let mut input = targets(3);
    input.extend(targets(3));
    let mut sent = 0;
    send_in_chunks(input, TARGETS_PER_CALL, |chunk| {
        sent += chunk.len();
        async { Ok(()) }
    })
    .await;
    assert_eq!(sent, 3);
}

#[tokio::test]
async fn a_transient_failure_does_not_stop_later_chunks() {
    let mut call = 0;
    let outcome = send_in_chunks(targets(450), TARGETS_PER_CALL, |_| {
        call += 1;
        let result = if call == 2 {
            Err(err("InvalidTarget"))
        } else {
            Ok(())
        };
        async move { result }
    })
    .await;
    assert_eq!(call, 3);
    assert!(!outcome.is_complete());
    assert_eq!(outcome.landed().count(), 250);
    assert_eq!(outcome.not_landed().count(), 200);
    assert_eq!(
        outcome.first_error().map(Elbv2Error::category),
        Some("InvalidTarget")
    );
    assert!(outcome.into_result().is_err());
}

#[tokio::test]
async fn unknown_target_group_stops_the_batch() {
    let mut call = 0;
    let outcome = send_in_chunks(targets(450), TARGETS_PER_CALL, |_| {
        call += 1;
        async { Err(err("TargetGroupNotFound")) }
    })
    .await;
    assert_eq!(call, 1);
    assert!(matches!(outcome.chunks[0].status, ChunkStatus::Failed(_)));
    assert!(matches!(
        outcome.chunks[1].status,
        ChunkStatus::NotAttempted
    ));
    assert!(matches!(
        outcome.chunks[2].status,
        ChunkStatus::NotAttempted
    ));
    assert_eq!(outcome.not_landed().count(), 450);
}
