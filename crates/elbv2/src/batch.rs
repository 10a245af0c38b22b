//! Chunked target registration: inputs of any size go out in calls of at most
//! [`TARGETS_PER_CALL`] targets, and the caller learns per chunk what landed.

use std::collections::HashSet;
use std::future::Future;

use crate::error::Elbv2Error;
use crate::types::Target;

/// Targets per `RegisterTargets` / `DeregisterTargets` call. ELB rejects large batches
/// intermittently; LBC settled on 200 after talking to the ELB team (LBC PR #1342,
/// `defaultRegisterTargetsChunkSize`).
pub const TARGETS_PER_CALL: usize = 200;

/// Resource ARNs per `DescribeTags` call ("You can specify up to 20 resources in a single
/// call", ELBv2 API reference).
pub const TAG_ARNS_PER_CALL: usize = 20;

/// Resource ARNs per `AddTags` / `RemoveTags` call. The API takes a list, but ELBv2 answers
/// `ValidationError: Only one resource can be tagged at a time` to more than one
/// (aws/aws-sdk-go-v2 issue #2715; fog/fog-aws PR #539).
pub const TAG_MUTATION_ARNS_PER_CALL: usize = 1;

/// What happened to one chunk.
#[derive(Debug, Clone)]
pub enum ChunkStatus {
    /// AWS accepted the call: every target of the chunk is registered (or deregistered).
    Landed,
    /// The call failed (after the governor's retries, if governed).
    Failed(Elbv2Error),
    /// Not sent because an earlier chunk failed in a way every later chunk would too.
    NotAttempted,
}

/// One chunk and its fate.
#[derive(Debug, Clone)]
pub struct ChunkOutcome {
    pub targets: Vec<Target>,
    pub status: ChunkStatus,
}

/// Per-chunk result of a register/deregister of any size.
#[derive(Debug, Clone, Default)]
pub struct TargetBatchOutcome {
    pub chunks: Vec<ChunkOutcome>,
}

impl TargetBatchOutcome {
    /// Targets whose chunk landed.
    pub fn landed(&self) -> impl Iterator<Item = &Target> {
        self.chunks
            .iter()
            .filter(|chunk| matches!(chunk.status, ChunkStatus::Landed))
            .flat_map(|chunk| chunk.targets.iter())
    }

    /// Targets whose chunk failed or was not sent.
    pub fn not_landed(&self) -> impl Iterator<Item = &Target> {
        self.chunks
            .iter()
            .filter(|chunk| !matches!(chunk.status, ChunkStatus::Landed))
            .flat_map(|chunk| chunk.targets.iter())
    }

    /// True when every chunk landed (an empty batch is complete).
    pub fn is_complete(&self) -> bool {
        self.chunks
            .iter()
            .all(|chunk| matches!(chunk.status, ChunkStatus::Landed))
    }

    /// The first chunk error, if any.
    pub fn first_error(&self) -> Option<&Elbv2Error> {
        self.chunks.iter().find_map(|chunk| match &chunk.status {
            ChunkStatus::Failed(err) => Some(err),
            _ => None,
        })
    }

    /// `Ok(self)` when complete, else the first chunk error (for callers that treat a partial
    /// batch as a failure and rely on idempotent re-sends).
    pub fn into_result(self) -> Result<Self, Elbv2Error> {
        match self.first_error() {
            Some(err) => Err(err.clone()),
            None => Ok(self),
        }
    }
}

/// Removes repeated targets (same id and port), keeping the first occurrence and input order.
pub fn dedup_targets(targets: Vec<Target>) -> Vec<Target> {
    let mut seen = HashSet::with_capacity(targets.len());
    targets
        .into_iter()
        .filter(|target| seen.insert(target.clone()))
        .collect()
}

/// Errors after which later chunks of the same batch cannot succeed either.
fn stops_batch(err: &Elbv2Error) -> bool {
    matches!(
        err,
        Elbv2Error::TargetGroupNotFound { .. }
            | Elbv2Error::AccessDenied { .. }
            | Elbv2Error::Cancelled { .. }
            | Elbv2Error::DeadlineExceeded { .. }
    )
}

/// Sends `targets` in chunks of `chunk_size` through `send`, one chunk at a time, and records
/// each chunk's fate. A chunk failure does not stop later chunks unless the error means they
/// would fail too (unknown target group, access denied, cancellation, deadline).
pub async fn send_in_chunks<F, Fut>(
    targets: Vec<Target>,
    chunk_size: usize,
    mut send: F,
) -> TargetBatchOutcome
where
    F: FnMut(Vec<Target>) -> Fut,
    Fut: Future<Output = Result<(), Elbv2Error>>,
{
    let targets = dedup_targets(targets);
    let chunk_size = chunk_size.max(1);
    let mut outcome = TargetBatchOutcome::default();
    let mut stopped = false;
    for chunk in targets.chunks(chunk_size) {
        let chunk = chunk.to_vec();
        if stopped {
            outcome.chunks.push(ChunkOutcome {
                targets: chunk,
                status: ChunkStatus::NotAttempted,
            });
            continue;
        }
        let status = match send(chunk.clone()).await {
            Ok(()) => ChunkStatus::Landed,
            Err(err) => {
                stopped = stops_batch(&err);
                ChunkStatus::Failed(err)
            }
        };
        outcome.chunks.push(ChunkOutcome {
            targets: chunk,
            status,
        });
    }
    outcome
}

#[cfg(test)]
mod tests;
