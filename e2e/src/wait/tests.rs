use super::*;

#[tokio::test]
async fn a_wait_returns_the_first_value_or_says_why_it_ran_out() {
    let mut calls = 0;
    let value = until(
        "three calls",
        Duration::from_secs(5),
        Duration::from_millis(1),
        String::new,
        async || {
            calls += 1;
            Ok((calls == 3).then_some(calls))
        },
    )
    .await
    .unwrap();
    assert_eq!(value, 3);

    let error = until::<()>(
        "nothing",
        Duration::from_millis(50),
        Duration::from_millis(5),
        || "the log".to_owned(),
        async || anyhow::bail!("not yet"),
    )
    .await
    .unwrap_err()
    .to_string();
    assert_eq!(
        error,
        "timed out after 50ms waiting for nothing (last error: not yet)\nthe log"
    );
}
