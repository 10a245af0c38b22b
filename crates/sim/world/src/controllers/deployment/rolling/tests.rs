use super::*;

fn pct(p: &str) -> IntOrString {
    IntOrString::String(p.to_owned())
}

#[test]
fn percentages_round_as_kubernetes_does() {
    assert_eq!(fenceposts(Some(&pct("25%")), Some(&pct("25%")), 5), (2, 1));
    assert_eq!(fenceposts(Some(&pct("25%")), Some(&pct("25%")), 3), (1, 0));
    assert_eq!(
        fenceposts(Some(&IntOrString::Int(0)), Some(&pct("10%")), 5),
        (0, 1)
    );
    assert_eq!(fenceposts(None, None, 10), (3, 2));
    assert_eq!(
        fenceposts(Some(&IntOrString::Int(1)), Some(&IntOrString::Int(9)), 4),
        (1, 4)
    );
}

fn set(replicas: i32, available: i32) -> Set {
    Set {
        replicas,
        available,
    }
}

#[test]
fn five_replicas_at_25_percent_step_by_step() {
    let (surge, unavailable) = fenceposts(Some(&pct("25%")), Some(&pct("25%")), 5);
    // Start: old 5/5 available; the new RS is created with 2 (5 + 2 surge).
    assert_eq!(new_replicas(5, surge, 5, 0), 2);
    // Old may lose one: 5 available against a floor of 4; the budget, 7 - 4 - 2 unavailable
    // new pods, is 1.
    assert_eq!(old_replicas(5, unavailable, set(2, 0), &[set(5, 5)]), [4]);
    // The surge has room for one more new pod; then nothing moves until new pods are
    // available (the budget is 7 - 4 - 3 = 0).
    assert_eq!(new_replicas(5, surge, 6, 2), 3);
    assert_eq!(old_replicas(5, unavailable, set(3, 0), &[set(4, 4)]), [4]);
    assert_eq!(new_replicas(5, surge, 7, 3), 3);
    // All three new pods available: 7 available against a floor of 4, old 4 → 1, then the
    // new RS may grow to 5.
    assert_eq!(old_replicas(5, unavailable, set(3, 3), &[set(4, 4)]), [1]);
    assert_eq!(new_replicas(5, surge, 4, 3), 5);
}

#[test]
fn unhealthy_old_replicas_go_first() {
    let olds = old_replicas(
        4,
        1,
        Set {
            replicas: 1,
            available: 0,
        },
        &[
            Set {
                replicas: 2,
                available: 0,
            },
            Set {
                replicas: 3,
                available: 3,
            },
        ],
    );
    // Budget 6 - 3 - 1 = 2: both unavailable pods of the oldest set go; 3 available = floor.
    assert_eq!(olds, [0, 3]);
}
