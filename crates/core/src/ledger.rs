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
mod tests;
