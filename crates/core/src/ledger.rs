//! Ownership ledgers: which targets a binding registered, kept in a ConfigMap so the knowledge
//! survives restarts.
//!
//! Ours (`lbgate-targets-<binding>`, key `targets`) is a versioned text: a header line, then one
//! `id:port` per line, sorted and without duplicates, so diffs of the ConfigMap stay readable.
//! LBC's multi-cluster ledger (`aws-lbc-targets-<binding>`, key `targets`) is a comma-joined set
//! of `ip:port[:quicServerId]` or `instanceId:port` in no order; we only read it, at switch-over.
//! Neither decoder fails: an entry it cannot read is reported and left out, which can only make
//! lbgate own less, never deregister a target it does not own.

use std::collections::BTreeSet;

use crate::target::TargetKey;

/// First line of every ledger this build writes.
pub const LEDGER_HEADER_V1: &str = "lbgate-ledger v1";
/// Prefix shared by every version's header.
const LEDGER_HEADER_PREFIX: &str = "lbgate-ledger ";
/// Prefix of LBC's QUIC server IDs, which may follow the port in its ledger entries.
const QUIC_SERVER_ID_PREFIX: &str = "0x";

/// Why part of a ledger was not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LedgerProblem {
    /// The header names a version this build cannot read; nothing was read.
    UnsupportedVersion(String),
    /// Content without a header; its lines were read as entries anyway.
    MissingHeader,
    /// An entry that is not `id:port` (line or position numbers start at 1).
    BadEntry {
        /// Line (our ledger) or comma-separated position (LBC's) of the entry.
        position: usize,
        /// The entry as found.
        text: String,
    },
}

/// A decoded ledger: the targets read and what could not be read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DecodedLedger {
    /// The targets the ledger records.
    pub targets: BTreeSet<TargetKey>,
    /// Parts that were left out.
    pub problems: Vec<LedgerProblem>,
}

/// Encodes our ledger (sorted, deduplicated by construction of the set).
pub fn encode_ledger(targets: &BTreeSet<TargetKey>) -> String {
    let mut text = String::from(LEDGER_HEADER_V1);
    text.push('\n');
    for target in targets {
        text.push_str(&target.to_string());
        text.push('\n');
    }
    text
}

/// Decodes our ledger. Empty text is an empty ledger.
pub fn decode_ledger(text: &str) -> DecodedLedger {
    let mut decoded = DecodedLedger::default();
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty())
        .peekable();
    match lines.peek() {
        None => return decoded,
        Some((_, line)) if *line == LEDGER_HEADER_V1 => {
            lines.next();
        }
        Some((_, line)) if line.starts_with(LEDGER_HEADER_PREFIX) => {
            decoded
                .problems
                .push(LedgerProblem::UnsupportedVersion((*line).to_owned()));
            return decoded;
        }
        Some(_) => decoded.problems.push(LedgerProblem::MissingHeader),
    }
    for (position, line) in lines {
        match TargetKey::parse(line) {
            Some(key) => {
                decoded.targets.insert(key);
            }
            None => decoded.problems.push(LedgerProblem::BadEntry {
                position,
                text: line.to_owned(),
            }),
        }
    }
    decoded
}

/// Decodes LBC's multi-cluster ledger (`data.targets` of `aws-lbc-targets-<binding>`). A QUIC
/// server ID after the port is dropped: our targets are keyed by id and port only.
pub fn decode_lbc_ledger(csv: &str) -> DecodedLedger {
    let mut decoded = DecodedLedger::default();
    for (index, entry) in csv.split(',').enumerate() {
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        match parse_lbc_entry(entry) {
            Some(key) => {
                decoded.targets.insert(key);
            }
            None => decoded.problems.push(LedgerProblem::BadEntry {
                position: index + 1,
                text: entry.to_owned(),
            }),
        }
    }
    decoded
}

fn parse_lbc_entry(entry: &str) -> Option<TargetKey> {
    let without_quic = match entry.rsplit_once(':') {
        Some((rest, last)) if last.starts_with(QUIC_SERVER_ID_PREFIX) => rest,
        _ => entry,
    };
    TargetKey::parse(without_quic)
}

#[cfg(test)]
mod tests {
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
}
