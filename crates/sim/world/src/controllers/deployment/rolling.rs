//! The arithmetic of a rolling update, as kube-controller-manager's deployment controller does it.
//!
//! `maxSurge` rounds up and `maxUnavailable` rounds down when given in percent; if both come to
//! zero, one pod may be unavailable. The new ReplicaSet grows until all ReplicaSets' desired
//! replicas reach `replicas + maxSurge`; old ReplicaSets shrink, oldest first, first by their
//! unavailable pods and then as long as the available pods stay at `replicas - maxUnavailable`
//! (counting the new ReplicaSet's unavailable pods against the budget).

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// `value` of `total`; percentages rounded up or down. An unparsable percentage counts as zero.
pub fn scaled(value: &IntOrString, total: i32, round_up: bool) -> i32 {
    match value {
        IntOrString::Int(n) => *n,
        IntOrString::String(text) => {
            let Some(percent) = text.strip_suffix('%').and_then(|p| p.parse::<i64>().ok()) else {
                return 0;
            };
            let product = percent.saturating_mul(i64::from(total));
            let value = if round_up {
                (product + 99).div_euclid(100)
            } else {
                product.div_euclid(100)
            };
            i32::try_from(value).unwrap_or(0)
        }
    }
}

/// `(maxSurge, maxUnavailable)` for `replicas`, unavailable capped at `replicas`.
pub fn fenceposts(
    surge: Option<&IntOrString>,
    unavailable: Option<&IntOrString>,
    replicas: i32,
) -> (i32, i32) {
    let quarter = IntOrString::String("25%".to_owned());
    let surge = scaled(surge.unwrap_or(&quarter), replicas, true).max(0);
    let mut unavailable = scaled(unavailable.unwrap_or(&quarter), replicas, false).max(0);
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    (surge, unavailable.min(replicas))
}

/// A ReplicaSet as the rollout sees it: desired replicas and available pods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Set {
    pub replicas: i32,
    pub available: i32,
}

/// The new ReplicaSet's replicas for this step.
pub fn new_replicas(replicas: i32, max_surge: i32, all_desired: i32, new: i32) -> i32 {
    if new >= replicas {
        return replicas;
    }
    let max_total = replicas + max_surge;
    if all_desired >= max_total {
        return new;
    }
    new + (max_total - all_desired).min(replicas - new)
}

/// The old ReplicaSets' replicas after this step (`olds` oldest first).
pub fn old_replicas(replicas: i32, max_unavailable: i32, new: Set, olds: &[Set]) -> Vec<i32> {
    let mut result: Vec<i32> = olds.iter().map(|s| s.replicas).collect();
    let old_total: i32 = result.iter().sum();
    if old_total == 0 {
        return result;
    }
    let all_total = old_total + new.replicas;
    let min_available = replicas - max_unavailable;
    let new_unavailable = new.replicas - new.available;
    let budget = all_total - min_available - new_unavailable;
    if budget <= 0 {
        return result;
    }
    // Unhealthy replicas first, so that they cannot block the rollout.
    let mut cleaned = 0;
    for (set, target) in olds.iter().zip(result.iter_mut()) {
        if cleaned >= budget {
            break;
        }
        if *target == 0 || *target == set.available {
            continue;
        }
        let down = (budget - cleaned).min(*target - set.available);
        *target -= down;
        cleaned += down;
    }
    // Then available ones, as far as the availability floor allows.
    let available: i32 = olds.iter().map(|s| s.available).sum::<i32>() + new.available;
    if available <= min_available {
        return result;
    }
    let allowed = available - min_available;
    let mut scaled_down = 0;
    for target in &mut result {
        if scaled_down >= allowed {
            break;
        }
        if *target == 0 {
            continue;
        }
        let down = (*target).min(allowed - scaled_down);
        *target -= down;
        scaled_down += down;
    }
    result
}

#[cfg(test)]
mod tests {
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
}
