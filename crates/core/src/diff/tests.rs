use super::*;
use crate::fixtures::ts;
use crate::target::REASON_TARGET_NOT_REGISTERED;

fn k(id: &str) -> TargetKey {
    TargetKey::new(id, 80)
}

fn keys(ids: &[&str]) -> BTreeSet<TargetKey> {
    ids.iter().map(|id| k(id)).collect()
}

fn list(ids: &[&str]) -> Vec<TargetKey> {
    ids.iter().map(|id| k(id)).collect()
}

fn ids(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|id| (*id).to_owned()).collect()
}

fn obs(id: &str, state: &str) -> ObservedTarget {
    let (state, reason) = match state {
        "notregistered" => ("unused", Some(REASON_TARGET_NOT_REGISTERED.to_owned())),
        other => (other, None),
    };
    ObservedTarget {
        key: k(id),
        state: TargetState::from_aws(state),
        reason,
        description: None,
    }
}

/// A scenario with defaults: nothing owned, nothing serving, not multi-cluster, not deleting.
struct Scenario {
    desired: BTreeSet<TargetKey>,
    observed: Vec<ObservedTarget>,
    ledger: BTreeSet<TargetKey>,
    lbc_ledger: Option<BTreeSet<TargetKey>>,
    own_addresses: BTreeSet<String>,
    serving: BTreeSet<String>,
    multi_cluster: bool,
    deleting: bool,
    hold_started: Option<Timestamp>,
    now: Timestamp,
    config: DiffConfig,
}

impl Scenario {
    fn new(desired: &[&str], observed: Vec<ObservedTarget>) -> Self {
        Self {
            desired: keys(desired),
            observed,
            ledger: BTreeSet::new(),
            lbc_ledger: None,
            own_addresses: BTreeSet::new(),
            serving: BTreeSet::new(),
            multi_cluster: false,
            deleting: false,
            hold_started: None,
            now: ts(1000),
            config: DiffConfig::default(),
        }
    }

    fn plan(&self) -> SyncPlan {
        plan_sync(
            DiffInput {
                desired: &self.desired,
                observed: &self.observed,
                ledger: &self.ledger,
                lbc_ledger: self.lbc_ledger.as_ref(),
                own_addresses: &self.own_addresses,
                serving_ids: &self.serving,
                multi_cluster: self.multi_cluster,
                deleting: self.deleting,
                hold_started: self.hold_started,
                now: self.now,
            },
            self.config,
        )
    }
}

/// Expected register / deregister / held / foreign lists.
type Expect<'a> = (&'a [&'a str], &'a [&'a str], &'a [&'a str], &'a [&'a str]);

#[test]
fn register_deregister_and_ownership_table() {
    let cases: Vec<(&str, Scenario, Expect<'_>)> = vec![
        (
            "fresh group: register everything",
            Scenario::new(&["a", "b"], vec![]),
            (&["a", "b"], &[], &[], &[]),
        ),
        (
            "in sync",
            Scenario::new(&["a"], vec![obs("a", "healthy")]),
            (&[], &[], &[], &[]),
        ),
        (
            "desired target draining comes back",
            Scenario::new(&["a"], vec![obs("a", "draining")]),
            (&["a"], &[], &[], &[]),
        ),
        (
            "desired target unhealthy.draining comes back",
            Scenario::new(&["a"], vec![obs("a", "unhealthy.draining")]),
            (&["a"], &[], &[], &[]),
        ),
        (
            "not registered per AWS",
            Scenario::new(&["a"], vec![obs("a", "notregistered")]),
            (&["a"], &[], &[], &[]),
        ),
        (
            "initial/unhealthy/unused/unavailable count as registered",
            Scenario::new(
                &["a", "b", "c", "d"],
                vec![
                    obs("a", "initial"),
                    obs("b", "unhealthy"),
                    obs("c", "unused"),
                    obs("d", "unavailable"),
                ],
            ),
            (&[], &[], &[], &[]),
        ),
        (
            "unowned surplus is foreign",
            Scenario::new(&["a"], vec![obs("a", "healthy"), obs("x", "unhealthy")]),
            (&[], &[], &[], &["x"]),
        ),
        (
            "ledger-owned surplus goes",
            Scenario {
                ledger: keys(&["b"]),
                ..Scenario::new(
                    &["a"],
                    vec![
                        obs("a", "healthy"),
                        obs("b", "unhealthy"),
                        obs("x", "healthy"),
                    ],
                )
            },
            (&[], &["b"], &[], &["x"]),
        ),
        (
            "draining surplus is left alone even when owned",
            Scenario {
                ledger: keys(&["b"]),
                ..Scenario::new(&["a"], vec![obs("a", "healthy"), obs("b", "draining")])
            },
            (&[], &[], &[], &[]),
        ),
        (
            "LBC's ledger proves ownership",
            Scenario {
                lbc_ledger: Some(keys(&["b"])),
                multi_cluster: true,
                ..Scenario::new(
                    &["a"],
                    vec![
                        obs("a", "healthy"),
                        obs("b", "unhealthy"),
                        obs("x", "unhealthy"),
                    ],
                )
            },
            (&[], &["b"], &[], &["x"]),
        ),
        (
            "own endpoint address is adopted outside multi-cluster mode",
            Scenario {
                own_addresses: ids(&["b"]),
                ..Scenario::new(&["a"], vec![obs("a", "healthy"), obs("b", "unhealthy")])
            },
            (&[], &["b"], &[], &[]),
        ),
        (
            "own endpoint address proves nothing in multi-cluster mode",
            Scenario {
                own_addresses: ids(&["b"]),
                multi_cluster: true,
                ..Scenario::new(&["a"], vec![obs("a", "healthy"), obs("b", "unhealthy")])
            },
            (&[], &[], &[], &["b"]),
        ),
        (
            "deleting: every owned target goes, healthy ones included, foreign stay",
            Scenario {
                ledger: keys(&["a", "b", "c"]),
                deleting: true,
                serving: ids(&["a", "b", "c"]),
                ..Scenario::new(
                    &["a", "b"],
                    vec![
                        obs("a", "healthy"),
                        obs("b", "healthy"),
                        obs("c", "initial"),
                        obs("x", "healthy"),
                    ],
                )
            },
            (&[], &["a", "b", "c"], &[], &["x"]),
        ),
    ];
    for (name, scenario, (register, deregister, held, foreign)) in cases {
        let plan = scenario.plan();
        assert_eq!(plan.register, list(register), "{name}: register");
        assert_eq!(plan.deregister, list(deregister), "{name}: deregister");
        assert_eq!(plan.held, list(held), "{name}: held");
        assert_eq!(plan.foreign, list(foreign), "{name}: foreign");
    }
}

#[test]
fn make_before_break_holds_serving_surplus_until_new_targets_are_healthy() {
    // A selector swap: old pods a, b still run; new pods c, d are registering.
    let swap = |c_state: &str, d_state: &str| Scenario {
        ledger: keys(&["a", "b"]),
        serving: ids(&["a", "b", "c", "d"]),
        ..Scenario::new(
            &["c", "d"],
            vec![
                obs("a", "healthy"),
                obs("b", "healthy"),
                obs("c", c_state),
                obs("d", d_state),
            ],
        )
    };

    let starting = swap("initial", "notregistered");
    let plan = starting.plan();
    assert_eq!(plan.register, list(&["d"]));
    assert!(plan.deregister.is_empty());
    assert_eq!(plan.held, list(&["a", "b"]));
    assert_eq!(
        plan.hold,
        Some(Hold {
            started: ts(1000),
            expired: false
        })
    );
    assert_eq!(plan.breaker, None);

    let still_waiting = Scenario {
        hold_started: Some(ts(900)),
        ..swap("healthy", "initial")
    };
    let plan = still_waiting.plan();
    assert_eq!(plan.held, list(&["a", "b"]));
    assert_eq!(
        plan.hold,
        Some(Hold {
            started: ts(900),
            expired: false
        })
    );

    let timed_out = Scenario {
        hold_started: Some(ts(700)),
        ..swap("healthy", "unhealthy")
    };
    let plan = timed_out.plan();
    assert!(plan.held.is_empty());
    assert_eq!(
        plan.hold,
        Some(Hold {
            started: ts(700),
            expired: true
        })
    );
    // Timed out, the breaker still applies: with a, b, c healthy one pass may remove one.
    assert_eq!(plan.deregister, list(&["a"]));
    assert_eq!(
        plan.breaker.as_ref().map(|b| b.held_back.clone()),
        Some(list(&["b"]))
    );

    let all_healthy = Scenario {
        hold_started: Some(ts(900)),
        ..swap("healthy", "healthy")
    };
    let plan = all_healthy.plan();
    assert_eq!(plan.hold, None);
    assert!(plan.held.is_empty());
    assert_eq!(plan.deregister, list(&["a", "b"]));
    assert_eq!(plan.breaker, None, "2 of 4 healthy is within the 0.5 share");
}

#[test]
fn terminating_or_gone_pods_are_never_held() {
    // b's pod is being deleted (not serving), a's pod is gone: both go at once.
    let scenario = Scenario {
        ledger: keys(&["a", "b", "e"]),
        serving: ids(&["c", "e"]),
        ..Scenario::new(
            &["c"],
            vec![
                obs("a", "unhealthy"),
                obs("b", "unhealthy"),
                obs("c", "initial"),
                obs("e", "unhealthy"),
            ],
        )
    };
    let plan = scenario.plan();
    assert_eq!(plan.deregister, list(&["a", "b"]));
    assert_eq!(plan.held, list(&["e"]));
}

#[test]
fn circuit_breaker_table() {
    // (healthy surplus, extra healthy kept, serving ids, share) → (deregistered, held back)
    type Case<'a> = (
        &'a str,
        &'a [&'a str],
        &'a [&'a str],
        &'a [&'a str],
        f64,
        &'a [&'a str],
        &'a [&'a str],
    );
    let cases: Vec<Case<'_>> = vec![
        (
            "within share",
            &["a", "b"],
            &["c", "d"],
            &[],
            0.5,
            &["a", "b"],
            &[],
        ),
        (
            "over share",
            &["a", "b", "c"],
            &["d"],
            &[],
            0.5,
            &["a", "b"],
            &["c"],
        ),
        ("never the last healthy", &["a"], &[], &[], 0.5, &[], &["a"]),
        (
            "scale to zero keeps one",
            &["a", "b", "c", "d"],
            &[],
            &[],
            1.0,
            &["a", "b", "c"],
            &["d"],
        ),
        (
            "tiny share still moves one",
            &["a", "b"],
            &["c", "d", "e"],
            &[],
            0.01,
            &["a"],
            &["b"],
        ),
        (
            "non-serving targets go first",
            &["a", "b", "c"],
            &["d"],
            &["a", "b"],
            0.5,
            &["c", "a"],
            &["b"],
        ),
        (
            "nonsense share falls back to 0.5",
            &["a", "b", "c"],
            &["d"],
            &[],
            f64::NAN,
            &["a", "b"],
            &["c"],
        ),
    ];
    for (name, surplus, kept, serving, share, deregistered, held_back) in cases {
        let mut observed: Vec<ObservedTarget> = surplus
            .iter()
            .chain(kept)
            .map(|id| obs(id, "healthy"))
            .collect();
        observed.push(obs("u", "unhealthy"));
        let scenario = Scenario {
            ledger: keys(surplus).union(&keys(&["u"])).cloned().collect(),
            serving: ids(serving),
            config: DiffConfig {
                max_deregister_share: share,
                ..DiffConfig::default()
            },
            ..Scenario::new(kept, observed)
        };
        let plan = scenario.plan();
        let mut expected = list(deregistered);
        expected.push(k("u"));
        expected.sort();
        assert_eq!(
            plan.deregister, expected,
            "{name}: unhealthy targets are never capped"
        );
        match plan.breaker {
            None => assert!(held_back.is_empty(), "{name}: expected a trip"),
            Some(trip) => {
                assert_eq!(trip.held_back, list(held_back), "{name}");
                assert_eq!(trip.healthy_total, surplus.len() + kept.len(), "{name}");
                assert_eq!(trip.wanted, surplus.len(), "{name}");
                assert_eq!(trip.allowed, deregistered.len(), "{name}");
            }
        }
    }
}

#[test]
fn allowed_deregistrations_by_size() {
    let cases = [
        (0, 0.5, 0),
        (1, 0.5, 0),
        (2, 0.5, 1),
        (3, 0.5, 1),
        (4, 0.5, 2),
        (10, 0.5, 5),
        (10, 1.0, 9),
        (10, 0.0, 1),
        (10, 0.25, 2),
    ];
    for (total, share, allowed) in cases {
        assert_eq!(
            allowed_healthy_deregistrations(total, share),
            allowed,
            "{total} × {share}"
        );
    }
}

#[test]
fn ledgers_bracket_the_aws_calls() {
    let scenario = Scenario {
        ledger: keys(&["a", "old", "gone"]),
        own_addresses: ids(&["adopted"]),
        serving: ids(&["a"]),
        ..Scenario::new(
            &["a", "n"],
            vec![
                obs("a", "healthy"),
                obs("old", "unhealthy"),
                obs("adopted", "healthy"),
                obs("x", "healthy"),
            ],
        )
    };
    let plan = scenario.plan();
    assert_eq!(plan.register, list(&["n"]));
    assert_eq!(plan.deregister, list(&["adopted", "old"]));
    assert_eq!(plan.foreign, list(&["x"]));
    assert_eq!(
        plan.ledger_before,
        keys(&["a", "adopted", "gone", "n", "old"])
    );
    assert_eq!(plan.ledger_after, keys(&["a", "n"]));
    assert_eq!(
        plan.steps(),
        vec![
            SyncStep::Register(list(&["n"])),
            SyncStep::Deregister(list(&["adopted", "old"]))
        ]
    );
    assert!(!plan.is_noop());
}

#[test]
fn held_and_capped_targets_stay_in_the_ledger() {
    let scenario = Scenario {
        ledger: keys(&["a", "b", "c"]),
        ..Scenario::new(
            &[],
            vec![
                obs("a", "healthy"),
                obs("b", "healthy"),
                obs("c", "healthy"),
            ],
        )
    };
    let plan = scenario.plan();
    assert_eq!(plan.deregister, list(&["a"]));
    assert_eq!(plan.ledger_after, keys(&["b", "c"]));
    assert_eq!(plan.steps(), vec![SyncStep::Deregister(list(&["a"]))]);
}

#[test]
fn empty_world_is_a_noop() {
    let plan = Scenario::new(&[], vec![]).plan();
    assert!(plan.is_noop());
    assert!(plan.steps().is_empty());
    assert_eq!(plan, SyncPlan::default());
}
