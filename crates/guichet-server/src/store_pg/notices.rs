//! The notices' outbox on PostgreSQL (schema 4): the same rows, states and steps as SQLite's
//! (`store/notices.rs`, docs/notices.md). Each step is its own transaction; a claim is a
//! conditional update, so two senders never both take a row.

use guichet_domain::Lang;
use guichet_notices::{due_at, message_id, Next};
use jiff::{SignedDuration, Timestamp};
use tokio_postgres::Row;

use super::PgStore;
use crate::store::{
    notice_from_ms as from_ms, notice_ts as ts, EnqueueReport, NoticeRow, NoticeState, Result,
};

const COLUMNS: &str = "o.draw, o.account_id, a.name, a.email, a.language, o.message_id, o.slot_start,
     o.slot_end, o.due_ms, o.state, o.attempts, o.next_attempt_ms, o.interrupted, o.last_error, o.created_at
     FROM notice_outbox o JOIN accounts a ON a.id = o.account_id";

fn notice(r: &Row) -> Result<NoticeRow> {
    let language: String = r.get(4);
    Ok(NoticeRow {
        draw: r.get(0),
        account_id: r.get(1),
        name: r.get(2),
        email: r.get(3),
        language: guichet_notices::lang::parse(&language).unwrap_or(Lang::En),
        message_id: r.get(5),
        slot_start: ts(r.get(6))?,
        slot_end: ts(r.get(7))?,
        due: from_ms(r.get(8))?,
        state: NoticeState::parse(r.get(9))?,
        attempts: u32::try_from(r.get::<_, i32>(10)).unwrap_or(0),
        next_attempt: from_ms(r.get(11))?,
        interrupted: u32::try_from(r.get::<_, i32>(12)).unwrap_or(0),
        last_error: r.get(13),
        created_at: ts(r.get(14))?,
    })
}

fn n32(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl PgStore {
    /// Adds one pending notice per winner of `draw` who has a slot; running it again adds
    /// nothing. A slot moved since an unsent notice was queued replaces it.
    pub async fn enqueue_notices(
        &self,
        draw: &str,
        domain: &str,
        now: Timestamp,
    ) -> Result<EnqueueReport> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let mut report = EnqueueReport::default();
        // On this store a run writes the winners' slots into `account_draws` itself.
        let winners = tx
            .query(
                "SELECT account_id, slot_start, slot_end FROM account_draws
                 WHERE draw = $1 AND status = 'drawn' AND slot_start IS NOT NULL AND slot_end IS NOT NULL
                 ORDER BY account_id",
                &[&draw],
            )
            .await?;
        let find = tx
            .prepare(
                "SELECT message_id, state FROM notice_outbox WHERE draw = $1 AND account_id = $2",
            )
            .await?;
        for w in winners {
            let account: String = w.get(0);
            let (start, end) = (ts(w.get(1))?, ts(w.get(2))?);
            let id = message_id(draw, &account, start, domain);
            let due = due_at(start).as_millisecond();
            let existing = tx.query_opt(&find, &[&draw, &account]).await?;
            match existing.map(|r| (r.get::<_, String>(0), r.get::<_, String>(1))) {
                None => {
                    tx.execute(
                        "INSERT INTO notice_outbox(draw, account_id, message_id, slot_start, slot_end, due_ms, next_attempt_ms, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
                        &[&draw, &account, &id, &start.to_string(), &end.to_string(), &due, &now.to_string()],
                    )
                    .await?;
                    report.added += 1;
                }
                Some((old, _)) if old == id => report.unchanged += 1,
                Some((_, state)) if state == "sent" || state == "sending" => {
                    report.notified_of_an_older_slot += 1
                }
                Some(_) => {
                    tx.execute(
                        "UPDATE notice_outbox SET message_id = $3, slot_start = $4, slot_end = $5, due_ms = $6,
                         next_attempt_ms = $6, state = 'pending', attempts = 0, last_error = NULL
                         WHERE draw = $1 AND account_id = $2",
                        &[&draw, &account, &id, &start.to_string(), &end.to_string(), &due],
                    )
                    .await?;
                    report.moved += 1;
                }
            }
        }
        self.before_commit().await;
        tx.commit().await?;
        Ok(report)
    }

    /// Puts back to `pending` the rows a stopped sender left in `sending` more than `lease`
    /// ago, counting each as interrupted; their Message-IDs.
    pub async fn release_interrupted_notices(
        &self,
        now: Timestamp,
        lease: SignedDuration,
    ) -> Result<Vec<String>> {
        let before = now.saturating_sub(lease).unwrap_or(now).as_millisecond();
        let rows = self
            .client()
            .await?
            .query(
                "UPDATE notice_outbox SET state = 'pending', interrupted = interrupted + 1, sending_since_ms = NULL,
                 next_attempt_ms = $2,
                 last_error = 'a sender stopped after the relay''s 354: sent again with the same Message-ID'
                 WHERE state = 'sending' AND sending_since_ms <= $1 RETURNING message_id",
                &[&before, &now.as_millisecond()],
            )
            .await?;
        Ok(rows.into_iter().map(|r| r.get(0)).collect())
    }

    /// The pending notice due first at `now`, if any.
    pub async fn next_due_notice(&self, now: Timestamp) -> Result<Option<NoticeRow>> {
        let r = self
            .client()
            .await?
            .query_opt(
                &format!(
                    "SELECT {COLUMNS} WHERE o.state = 'pending' AND o.next_attempt_ms <= $1
                     ORDER BY o.next_attempt_ms, o.draw, o.account_id LIMIT 1"
                ),
                &[&now.as_millisecond()],
            )
            .await?;
        r.as_ref().map(notice).transpose()
    }

    /// Marks the row `sending` if it is still pending as read; false when another sender took
    /// it first. Committed before the body goes out.
    pub async fn claim_notice(&self, n: &NoticeRow, now: Timestamp) -> Result<bool> {
        let changed = self
            .client()
            .await?
            .execute(
                "UPDATE notice_outbox SET state = 'sending', sending_since_ms = $4, attempts = $3 + 1
                 WHERE draw = $1 AND account_id = $2 AND state = 'pending' AND attempts = $3",
                &[&n.draw, &n.account_id, &n32(n.attempts), &now.as_millisecond()],
            )
            .await?;
        Ok(changed == 1)
    }

    /// Records the end of a try, in its own transaction. `sent` commits with
    /// `synchronous_commit = off` (SQLite's `synchronous = NORMAL`, for the same reason): the
    /// commit does not wait for the WAL flush, so the window between the relay's 250 and the
    /// commit stays short; a database crash in the next few hundred milliseconds may undo it,
    /// and the row, back in `sending`, is then sent again and counted as interrupted.
    pub async fn finish_notice(&self, n: &NoticeRow, next: &Next, now: Timestamp) -> Result<()> {
        let attempts = n32(n.attempts.saturating_add(1));
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        match next {
            Next::Sent => {
                tx.batch_execute("SET LOCAL synchronous_commit = off").await?;
                tx.execute(
                    "UPDATE notice_outbox SET state = 'sent', sent_at = $3, attempts = $4, sending_since_ms = NULL
                     WHERE draw = $1 AND account_id = $2",
                    &[&n.draw, &n.account_id, &now.to_string(), &attempts],
                )
                .await?
            }
            Next::RetryAt(at, why) => {
                tx.execute(
                    "UPDATE notice_outbox SET state = 'pending', next_attempt_ms = $3, last_error = $4, attempts = $5,
                     sending_since_ms = NULL WHERE draw = $1 AND account_id = $2",
                    &[&n.draw, &n.account_id, &at.as_millisecond(), why, &attempts],
                )
                .await?
            }
            Next::Failed(why) => {
                tx.execute(
                    "UPDATE notice_outbox SET state = 'failed', last_error = $3, attempts = $4, sending_since_ms = NULL
                     WHERE draw = $1 AND account_id = $2",
                    &[&n.draw, &n.account_id, why, &attempts],
                )
                .await?
            }
        };
        tx.commit().await?;
        Ok(())
    }

    /// Every notice (of one draw, or all), by draw and account.
    pub async fn notices(&self, draw: Option<&str>) -> Result<Vec<NoticeRow>> {
        let rows = self
            .client()
            .await?
            .query(
                &format!(
                    "SELECT {COLUMNS} WHERE $1::TEXT IS NULL OR o.draw = $1 ORDER BY o.draw, o.account_id"
                ),
                &[&draw],
            )
            .await?;
        rows.iter().map(notice).collect()
    }
}
