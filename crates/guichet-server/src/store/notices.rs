//! The notices' outbox (migration 0004): one row per (draw, account), filled from
//! `account_draws`, emptied by the sender one row per transaction. The states and the
//! exactly-once argument are in `docs/notices.md`.

use guichet_domain::Lang;
use guichet_notices::{due_at, message_id, Next};
use jiff::{SignedDuration, Timestamp};
use rusqlite::{params, OptionalExtension, Row};

use super::{Result, Store, StoreError};

/// A row's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeState {
    /// Waiting for its next try.
    Pending,
    /// Its body may be on the way to the relay.
    Sending,
    /// The relay took it.
    Sent,
    /// Given up (the reason is kept).
    Failed,
}

impl NoticeState {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeState::Pending => "pending",
            NoticeState::Sending => "sending",
            NoticeState::Sent => "sent",
            NoticeState::Failed => "failed",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<NoticeState> {
        Ok(match s {
            "pending" => NoticeState::Pending,
            "sending" => NoticeState::Sending,
            "sent" => NoticeState::Sent,
            "failed" => NoticeState::Failed,
            other => return Err(StoreError::Invalid(format!("notice state {other:?}"))),
        })
    }
}

/// One notice, with what its email needs from the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRow {
    /// Draw id.
    pub draw: String,
    /// Account id.
    pub account_id: String,
    /// Holder's name.
    pub name: String,
    /// Where it goes.
    pub email: String,
    /// Language of the account.
    pub language: Lang,
    /// Message-ID, with brackets.
    pub message_id: String,
    /// Slot start.
    pub slot_start: Timestamp,
    /// Slot end (excluded).
    pub slot_end: Timestamp,
    /// Due time: slot start − 48 h.
    pub due: Timestamp,
    /// State.
    pub state: NoticeState,
    /// Tries so far.
    pub attempts: u32,
    /// Next try, while pending.
    pub next_attempt: Timestamp,
    /// Times found in `sending` by a later sender and sent again.
    pub interrupted: u32,
    /// Last problem seen.
    pub last_error: Option<String>,
    /// When the row was made.
    pub created_at: Timestamp,
}

/// What `enqueue` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EnqueueReport {
    /// New rows.
    pub added: u64,
    /// Rows already there for the same slot.
    pub unchanged: u64,
    /// Rows not yet sent whose slot moved (new Message-ID, tries reset).
    pub moved: u64,
    /// Rows sent (or being sent) for a slot that has moved since: not sent again.
    pub notified_of_an_older_slot: u64,
}

pub(crate) fn ts(text: &str) -> Result<Timestamp> {
    text.parse()
        .map_err(|e| StoreError::Invalid(format!("instant {text:?}: {e}")))
}

pub(crate) fn from_ms(ms: i64) -> Result<Timestamp> {
    Timestamp::from_millisecond(ms)
        .map_err(|e| StoreError::Invalid(format!("instant {ms} ms: {e}")))
}

const COLUMNS: &str = "o.draw, o.account_id, a.name, a.email, a.language, o.message_id, o.slot_start,
     o.slot_end, o.due_ms, o.state, o.attempts, o.next_attempt_ms, o.interrupted, o.last_error, o.created_at
     FROM notice_outbox o JOIN accounts a ON a.id = o.account_id";

fn row(r: &Row<'_>) -> rusqlite::Result<[Option<String>; 15]> {
    let mut out: [Option<String>; 15] = Default::default();
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = match r.get_ref(i)? {
            rusqlite::types::ValueRef::Null => None,
            rusqlite::types::ValueRef::Integer(n) => Some(n.to_string()),
            v => Some(v.as_str()?.to_string()),
        };
    }
    Ok(out)
}

fn notice(f: [Option<String>; 15]) -> Result<NoticeRow> {
    let [draw, account_id, name, email, language, message_id, slot_start, slot_end, due, state, attempts, next, interrupted, last_error, created_at] =
        f;
    let need =
        |v: Option<String>| v.ok_or_else(|| StoreError::Invalid("notice: missing value".into()));
    let int = |v: Option<String>| -> Result<i64> {
        need(v)?
            .parse()
            .map_err(|e| StoreError::Invalid(format!("notice: {e}")))
    };
    Ok(NoticeRow {
        draw: need(draw)?,
        account_id: need(account_id)?,
        name: need(name)?,
        email: need(email)?,
        language: guichet_notices::lang::parse(&need(language)?).unwrap_or(Lang::En),
        message_id: need(message_id)?,
        slot_start: ts(&need(slot_start)?)?,
        slot_end: ts(&need(slot_end)?)?,
        due: from_ms(int(due)?)?,
        state: NoticeState::parse(&need(state)?)?,
        attempts: u32::try_from(int(attempts)?).unwrap_or(u32::MAX),
        next_attempt: from_ms(int(next)?)?,
        interrupted: u32::try_from(int(interrupted)?).unwrap_or(u32::MAX),
        last_error,
        created_at: ts(&need(created_at)?)?,
    })
}

impl Store {
    /// Adds one pending notice per winner of `draw` who has a slot; running it again adds
    /// nothing. A slot moved since an unsent notice was queued replaces it.
    pub fn enqueue_notices(
        &self,
        draw: &str,
        domain: &str,
        now: Timestamp,
    ) -> Result<EnqueueReport> {
        self.write(|tx| {
            let mut report = EnqueueReport::default();
            let winners: Vec<(String, String, String)> = tx
                .prepare(
                    "SELECT account_id, slot_start, slot_end FROM account_draws
                     WHERE draw = ?1 AND status = 'drawn' AND slot_start IS NOT NULL AND slot_end IS NOT NULL
                     UNION ALL
                     SELECT w.account_id, w.slot_start, w.slot_end FROM draw_winners w
                     JOIN account_draws d ON d.account_id = w.account_id AND d.draw = w.draw
                     WHERE w.draw = ?1 AND d.status = 'registered'
                     ORDER BY 1",
                )?
                .query_map([draw], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (account, start, end) in winners {
                let (start, end) = (ts(&start)?, ts(&end)?);
                let id = message_id(draw, &account, start, domain);
                let due = due_at(start).as_millisecond();
                let existing: Option<(String, String)> = tx
                    .prepare_cached("SELECT message_id, state FROM notice_outbox WHERE draw = ?1 AND account_id = ?2")?
                    .query_row(params![draw, account], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                match existing {
                    None => {
                        tx.prepare_cached(
                            "INSERT INTO notice_outbox(draw, account_id, message_id, slot_start, slot_end, due_ms, next_attempt_ms, created_at)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
                        )?
                        .execute(params![draw, account, id, start.to_string(), end.to_string(), due, now.to_string()])?;
                        report.added += 1;
                    }
                    Some((old, _)) if old == id => report.unchanged += 1,
                    Some((_, state)) if state == "sent" || state == "sending" => {
                        report.notified_of_an_older_slot += 1
                    }
                    Some(_) => {
                        tx.prepare_cached(
                            "UPDATE notice_outbox SET message_id = ?3, slot_start = ?4, slot_end = ?5, due_ms = ?6,
                             next_attempt_ms = ?6, state = 'pending', attempts = 0, last_error = NULL
                             WHERE draw = ?1 AND account_id = ?2",
                        )?
                        .execute(params![draw, account, id, start.to_string(), end.to_string(), due])?;
                        report.moved += 1;
                    }
                }
            }
            Ok::<_, StoreError>(report)
        })
    }

    /// Puts back to `pending` the rows a killed sender left in `sending` more than `lease` ago,
    /// counting each as interrupted; returns their Message-IDs (each may reach its reader twice).
    pub fn release_interrupted_notices(
        &self,
        now: Timestamp,
        lease: SignedDuration,
    ) -> Result<Vec<String>> {
        let before = now.saturating_sub(lease).unwrap_or(now).as_millisecond();
        self.write(|tx| {
            let ids = tx
                .prepare(
                    "UPDATE notice_outbox SET state = 'pending', interrupted = interrupted + 1, sending_since_ms = NULL,
                     next_attempt_ms = ?2,
                     last_error = 'a sender stopped after the relay''s 354: sent again with the same Message-ID'
                     WHERE state = 'sending' AND sending_since_ms <= ?1 RETURNING message_id",
                )?
                .query_map(params![before, now.as_millisecond()], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok::<_, StoreError>(ids)
        })
    }

    /// The pending notice due first at `now`, if any.
    pub fn next_due_notice(&self, now: Timestamp) -> Result<Option<NoticeRow>> {
        let f = self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT {COLUMNS} WHERE o.state = 'pending' AND o.next_attempt_ms <= ?1
                 ORDER BY o.next_attempt_ms, o.draw, o.account_id LIMIT 1"
            ))?
            .query_row([now.as_millisecond()], row)
            .optional()
            .map_err(StoreError::from)
        })?;
        f.map(notice).transpose()
    }

    /// Marks the row `sending` (one more try) if it is still pending as read; false when
    /// another sender took it first. Committed before the body goes out.
    pub fn claim_notice(&self, n: &NoticeRow, now: Timestamp) -> Result<bool> {
        self.write(|tx| {
            let changed = tx
                .prepare_cached(
                    "UPDATE notice_outbox SET state = 'sending', sending_since_ms = ?4, attempts = ?3 + 1
                     WHERE draw = ?1 AND account_id = ?2 AND state = 'pending' AND attempts = ?3",
                )?
                .execute(params![n.draw, n.account_id, n.attempts, now.as_millisecond()])?;
            Ok::<_, StoreError>(changed == 1)
        })
    }

    /// Records the end of a try (`n` as read before it), in its own transaction.
    ///
    /// `sent` is committed with `synchronous = NORMAL`: in WAL mode the commit is then one
    /// write to the log, safe from a killed process as soon as it returns, with no fsync to
    /// wait for (the fsync made the window between the relay's 250 and this commit ~10 ms
    /// wide; a kill test landed in it 4 times in 6). A power cut may still undo it; the row is
    /// then back in `sending` (its claim was fsynced) and is sent again, counted as
    /// interrupted. The next claim's fsync makes it durable, so at most the last one is at risk.
    pub fn finish_notice(&self, n: &NoticeRow, next: &Next, now: Timestamp) -> Result<()> {
        if matches!(next, Next::Sent) {
            let conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
            let level: i64 = conn.pragma_query_value(None, "synchronous", |r| r.get(0))?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            let done = conn.execute(
                "UPDATE notice_outbox SET state = 'sent', sent_at = ?3, attempts = ?4, sending_since_ms = NULL
                 WHERE draw = ?1 AND account_id = ?2",
                params![n.draw, n.account_id, now.to_string(), n.attempts.saturating_add(1)],
            );
            conn.pragma_update(None, "synchronous", level)?;
            done?;
            return Ok(());
        }
        let attempts = n.attempts.saturating_add(1);
        self.write(|tx| {
            match next {
                Next::Sent => tx.prepare_cached(
                    "UPDATE notice_outbox SET state = 'sent', sent_at = ?3, attempts = ?4, sending_since_ms = NULL
                     WHERE draw = ?1 AND account_id = ?2",
                )?
                .execute(params![n.draw, n.account_id, now.to_string(), attempts])?,
                Next::RetryAt(at, why) => tx.prepare_cached(
                    "UPDATE notice_outbox SET state = 'pending', next_attempt_ms = ?3, last_error = ?4, attempts = ?5,
                     sending_since_ms = NULL WHERE draw = ?1 AND account_id = ?2",
                )?
                .execute(params![n.draw, n.account_id, at.as_millisecond(), why, attempts])?,
                Next::Failed(why) => tx.prepare_cached(
                    "UPDATE notice_outbox SET state = 'failed', last_error = ?3, attempts = ?4, sending_since_ms = NULL
                     WHERE draw = ?1 AND account_id = ?2",
                )?
                .execute(params![n.draw, n.account_id, why, attempts])?,
            };
            Ok::<_, StoreError>(())
        })
    }

    /// Every notice (of one draw, or all), by draw and account.
    pub fn notices(&self, draw: Option<&str>) -> Result<Vec<NoticeRow>> {
        let rows = self.read(|c| {
            c.prepare(&format!(
                "SELECT {COLUMNS} WHERE ?1 IS NULL OR o.draw = ?1 ORDER BY o.draw, o.account_id"
            ))?
            .query_map([draw], row)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(StoreError::from)
        })?;
        rows.into_iter().map(notice).collect()
    }
}
