use super::*;

fn keys(list: &[(&str, i32)]) -> BTreeSet<TargetKey> {
    list.iter()
        .map(|(id, port)| TargetKey::new(*id, *port))
        .collect()
}

#[test]
fn our_ledger_round_trips_sorted() {
    let targets = keys(&[("10.0.0.2", 80), ("10.0.0.1", 80), ("2001:db8::1", 8080)]);
    let text = encode_ledger(&targets);
    assert_eq!(
        text,
        "lbgate-ledger v1\n10.0.0.1:80\n10.0.0.2:80\n2001:db8::1:8080\n"
    );
    assert_eq!(
        decode_ledger(&text),
        DecodedLedger {
            targets,
            problems: vec![]
        }
    );
    assert_eq!(encode_ledger(&BTreeSet::new()), "lbgate-ledger v1\n");
    assert_eq!(
        decode_ledger("lbgate-ledger v1\n"),
        DecodedLedger::default()
    );
}

#[test]
fn our_ledger_survives_garbage() {
    let cases: Vec<(&str, BTreeSet<TargetKey>, Vec<LedgerProblem>)> = vec![
        ("", keys(&[]), vec![]),
        ("  \n\n", keys(&[]), vec![]),
        (
            "lbgate-ledger v1\n10.0.0.1:80\nnot a target\n\n i-1:30000 \n10.0.0.1:80\n",
            keys(&[("10.0.0.1", 80), ("i-1", 30000)]),
            vec![LedgerProblem::BadEntry {
                position: 3,
                text: "not a target".into(),
            }],
        ),
        (
            "lbgate-ledger v9\n10.0.0.1:80\n",
            keys(&[]),
            vec![LedgerProblem::UnsupportedVersion("lbgate-ledger v9".into())],
        ),
        (
            "10.0.0.1:80\n10.0.0.2:x\n",
            keys(&[("10.0.0.1", 80)]),
            vec![
                LedgerProblem::MissingHeader,
                LedgerProblem::BadEntry {
                    position: 2,
                    text: "10.0.0.2:x".into(),
                },
            ],
        ),
        (
            "\r\nlbgate-ledger v1\r\n10.0.0.1:80\r\n",
            keys(&[("10.0.0.1", 80)]),
            vec![],
        ),
    ];
    for (text, targets, problems) in cases {
        assert_eq!(
            decode_ledger(text),
            DecodedLedger { targets, problems },
            "{text:?}"
        );
    }
}

#[test]
fn lbc_ledger_entries() {
    let cases: Vec<(&str, BTreeSet<TargetKey>, Vec<LedgerProblem>)> = vec![
        ("", keys(&[]), vec![]),
        (
            "10.0.0.2:8080,10.0.0.1:8080",
            keys(&[("10.0.0.1", 8080), ("10.0.0.2", 8080)]),
            vec![],
        ),
        ("i-0abc:30080", keys(&[("i-0abc", 30080)]), vec![]),
        (
            "10.0.0.1:443:0x1a2b3c,2001:db8::5:443:0xff",
            keys(&[("10.0.0.1", 443), ("2001:db8::5", 443)]),
            vec![],
        ),
        ("2001:db8::5:443", keys(&[("2001:db8::5", 443)]), vec![]),
        (
            "10.0.0.1:80,,garbage, 10.0.0.3:81 ,10.0.0.4:0x12",
            keys(&[("10.0.0.1", 80), ("10.0.0.3", 81)]),
            vec![
                LedgerProblem::BadEntry {
                    position: 3,
                    text: "garbage".into(),
                },
                LedgerProblem::BadEntry {
                    position: 5,
                    text: "10.0.0.4:0x12".into(),
                },
            ],
        ),
    ];
    for (csv, targets, problems) in cases {
        assert_eq!(
            decode_lbc_ledger(csv),
            DecodedLedger { targets, problems },
            "{csv:?}"
        );
    }
}
