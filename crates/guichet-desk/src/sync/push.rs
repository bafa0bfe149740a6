//! Pushing the outbox: oldest first, in batches, each batch retried with backoff; acked keys
//! (applied or duplicate) are marked pushed, rejected ones stay visible with the reason.

use guichet_store::journal::{
    mark_pushed, mark_rejected, note_attempt, pending_events, waiting_count,
};
use guichet_store::Store;
use guichet_wire::sync::SyncEvent;
use jiff::Timestamp;

use super::http::{CallError, ServerClient};
use super::retry::RetryPolicy;
use crate::clock::Clock;

/// What a push round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushReport {
    /// Events the server applied now.
    pub applied: u64,
    /// Events it had applied before (a retry, or an online sale): nothing done twice.
    pub duplicate: u64,
    /// Events it refused, kept in the outbox with the reason.
    pub rejected: u64,
    /// Failed attempts that were retried.
    pub retries: u64,
}

/// Why a push round stopped.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The server stayed unreachable (or refused the whole batch) after every retry.
    #[error("{events} event(s) could not be pushed after {attempts} attempt(s): {last}")]
    GaveUp {
        /// Events in the batch that failed.
        events: usize,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: Box<CallError>,
        /// What the earlier batches of the round did.
        so_far: PushReport,
    },
    /// The server's answer does not match the batch: nothing can be marked.
    #[error("the server answered {acks} ack(s) that match none of the {events} event(s) sent; they stay queued — check that the desk and the server run matching versions")]
    Mismatch {
        /// Events sent.
        events: usize,
        /// Acks received.
        acks: usize,
    },
    /// The local store failed.
    #[error("the desk's store failed while pushing: {0}")]
    Store(#[from] guichet_store::Error),
}

/// Pushes every waiting event, `policy.batch` at a time, sleeping with `sleep` between retries.
pub fn push_outbox(
    store: &mut Store,
    client: &ServerClient,
    policy: &RetryPolicy,
    clock: &dyn Clock,
    sleep: &dyn Fn(std::time::Duration),
) -> Result<PushReport, PushError> {
    let mut report = PushReport::default();
    loop {
        let batch = pending_events(store.reader(), policy.batch)?;
        if batch.is_empty() {
            return Ok(report);
        }
        let events: Vec<SyncEvent> = batch
            .iter()
            .map(|e| SyncEvent {
                idempotency_key: e.idempotency_key.clone(),
                kind: e.kind.clone(),
                payload: e.payload.clone(),
                created_at: e.created_at.to_string(),
                offline: e.offline,
            })
            .collect();
        let waiting = waiting_count(store.reader())?;
        let mut failures = 0;
        let acks = loop {
            match client.push_counted(&events, Some(waiting)) {
                Ok(acks) => break acks,
                Err(e) => {
                    failures += 1;
                    let seqs: Vec<i64> = batch.iter().map(|e| e.seq).collect();
                    let sentence = e.to_string();
                    store.write(|tx| note_attempt(tx, &seqs, &sentence))?;
                    // A refusal of the whole request (malformed batch, bad token) will not
                    // change by retrying; only the network is worth waiting for.
                    if failures >= policy.attempts || !e.is_network() {
                        return Err(PushError::GaveUp {
                            events: events.len(),
                            attempts: failures,
                            last: Box::new(e),
                            so_far: report,
                        });
                    }
                    report.retries += 1;
                    sleep(policy.delay(failures));
                }
            }
        };
        let now = clock.now();
        let marked = store.write(|tx| {
            let mut marked = 0;
            for (e, ack) in batch.iter().zip(&acks) {
                if ack.idempotency_key != e.idempotency_key {
                    continue; // out of order: left waiting, pushed again next round
                }
                marked += 1;
                let received: Timestamp = ack.received_at.parse().unwrap_or(now);
                match ack.status.as_str() {
                    "applied" | "duplicate" => {
                        mark_pushed(tx, e.seq, now, received)?;
                        if ack.status == "applied" {
                            report.applied += 1;
                        } else {
                            report.duplicate += 1;
                        }
                    }
                    _ => {
                        let reason = ack.reason.as_deref().unwrap_or("no reason given");
                        mark_rejected(tx, e.seq, reason, received)?;
                        report.rejected += 1;
                    }
                }
            }
            Ok::<_, guichet_store::Error>(marked)
        })?;
        if marked == 0 {
            return Err(PushError::Mismatch {
                events: batch.len(),
                acks: acks.len(),
            });
        }
        if acks.len() < batch.len() {
            // The server answered fewer acks than events: stop rather than loop on the rest.
            return Ok(report);
        }
    }
}
