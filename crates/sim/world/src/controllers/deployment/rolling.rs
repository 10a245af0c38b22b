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
mod tests;
