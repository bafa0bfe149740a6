//! The state the box-office window shows in its status bar.

use serde::Serialize;

/// What the status bar shows: whether the server answers, what is waiting to be pushed, when the
/// last exchange succeeded, the last error as a sentence, and how many tickets this desk may
/// still sell offline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    /// The last exchange with the server succeeded.
    pub online: bool,
    /// Outbox events not yet acknowledged by the server.
    pub waiting: u64,
    /// Instant of the last successful push or pull (RFC 3339, UTC).
    pub last_success: Option<String>,
    /// The last failure, as a sentence a clerk can act on.
    pub last_error: Option<String>,
    /// What kind of failure `last_error` is, for a window that words it in its own language.
    pub failure: Option<SyncFailure>,
    /// Tickets left in this desk's allotment, over all sessions and categories.
    pub allotment_left: u64,
    /// Outbox events the server refused (kept with the reason for a supervisor; see
    /// `guichet_store::journal::rejected_events`).
    pub rejected: u64,
    /// Events the server applied, since the task started.
    pub applied: u64,
    /// Events the server had already applied (a retry after a lost answer, an online sale),
    /// since the task started: counted once, never twice.
    pub duplicates: u64,
    /// Sync rounds finished since the task started (successful or not).
    pub rounds: u64,
}

/// The kind of the last sync failure: what the clerk should do differs by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncFailure {
    /// The server did not answer (connection refused, time-out, cut, 5xx): it tries again.
    Unreachable,
    /// The server answered and refused (a 4xx, e.g. a withdrawn token): call support.
    Refused,
    /// The desk's own SQLite file could not be read or written.
    LocalFile,
    /// This desk has no server link yet: enrol it.
    NotEnrolled,
    /// Anything else (an answer that matches nothing sent, a bad server URL).
    Other,
}

impl SyncFailure {
    /// The kind of a failed call to the server.
    pub fn of_call(e: &super::http::CallError) -> SyncFailure {
        if e.is_network() {
            SyncFailure::Unreachable
        } else {
            SyncFailure::Refused
        }
    }
}
