//! Sending the notices' outbox: one row at a time, each try in its own transactions, at the
//! configured rate. The words come from `guichet-notices` (pure); this module is the shell
//! that reads the clock, sleeps, and talks to the relay. See `docs/notices.md`.

pub mod cli;
pub mod compose;
pub mod relay;
pub mod settings;

use std::io::Write;
use std::time::{Duration, Instant};

use guichet_domain::Clock;
use guichet_notices::{render, Answer, Next, Notice, TokenBucket};
use jiff::SignedDuration;
use lettre::message::Mailbox;

use crate::backend_draws::Blocking;
use crate::store::NoticeRow;
pub use relay::{Delivery, EmlDir, Relay, SmtpRelay};
pub use settings::NoticeSettings;

/// What one `send` run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendReport {
    /// Handed over to the relay.
    pub sent: u64,
    /// Answered 4xx (or not at all): put back for later.
    pub deferred: u64,
    /// Given up.
    pub failed: u64,
    /// Rows found in `sending` (a killed sender's) and sent again: their Message-IDs.
    pub resent_after_interruption: Vec<String>,
}

/// Sends every notice due at the clock's time, until none is due.
pub fn send(
    store: &Blocking,
    relay: &mut dyn Relay,
    s: &NoticeSettings,
    clock: &Clock,
    log: &mut dyn Write,
) -> Result<SendReport, String> {
    let from: Mailbox = s
        .from
        .parse()
        .map_err(|e| format!("[notices] from = {:?} is not a mailbox ({e}); write e.g. \"Billetterie <billetterie@example.org>\"", s.from))?;
    let policy = s.retry();
    let mut bucket = TokenBucket::new(s.rate_per_second, s.burst).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let tz = store.config().time_zone();
    let mut report = SendReport::default();
    let lease = SignedDuration::from_secs(i64::from(s.lease_seconds));
    let b = store.backend();
    report.resent_after_interruption = store
        .block_on(b.release_interrupted_notices(clock.now(), lease))
        .map_err(|e| e.to_string())?;
    for id in &report.resent_after_interruption {
        let _ = writeln!(log, "interrupted: {id} was left in 'sending' by a stopped sender; sending it again with the same Message-ID (it may arrive twice)");
    }
    while let Some(row) = store
        .block_on(b.next_due_notice(clock.now()))
        .map_err(|e| e.to_string())?
    {
        let now = clock.now();
        if now >= row.slot_end {
            let why = format!(
                "the slot ended at {} before the notice could go: not sent",
                row.slot_end
            );
            finish(store, &row, &Next::Failed(why), now, &mut report)?;
            continue;
        }
        let names = store
            .config()
            .draw(&row.draw)
            .map(|d| (d.name_fr.as_str(), d.name_en.as_str()));
        let rendered = render(
            &Notice {
                draw: &row.draw,
                draw_name: names.unwrap_or((row.draw.as_str(), row.draw.as_str())),
                account: &row.account_id,
                name: &row.name,
                slot_start: row.slot_start,
                slot_end: row.slot_end,
                lang: row.language,
                created_at: row.created_at,
                domain: s.message_id_domain.as_str(),
            },
            &tz,
        );
        let out = rendered
            .map_err(|e| e.to_string())
            .and_then(|r| compose::compose(&r, &from, &row.name, &row.email, now));
        let out = match out {
            Ok(o) => o,
            Err(why) => {
                finish(store, &row, &Next::Failed(why), now, &mut report)?;
                continue;
            }
        };
        while let Err(wait) = bucket.take(started.elapsed()) {
            std::thread::sleep(wait.max(Duration::from_micros(100)));
        }
        let mut claim = || {
            store
                .block_on(b.claim_notice(row.clone(), clock.now()))
                .map_err(|e| e.to_string())
        };
        let next = match relay.deliver(&out, &mut claim) {
            Delivery::Answer(a) => {
                let next = policy.next(&a, row.attempts.saturating_add(1), clock.now());
                if !matches!(a, Answer::Accepted) {
                    let _ = writeln!(log, "{} to {}: {a:?}", row.message_id, row.email);
                }
                next
            }
            Delivery::Taken => continue,
            Delivery::NotClaimed(e) => {
                return Err(format!("cannot mark {} as sending: {e}", row.message_id))
            }
        };
        finish(store, &row, &next, clock.now(), &mut report)?;
    }
    Ok(report)
}

fn finish(
    store: &Blocking,
    row: &NoticeRow,
    next: &Next,
    now: jiff::Timestamp,
    report: &mut SendReport,
) -> Result<(), String> {
    // Committed at once, before anything else (no log line, no wait for the rate limit): the
    // time between the relay's 250 and this commit is the only time a kill can make a copy.
    store
        .block_on(
            store
                .backend()
                .finish_notice(row.clone(), next.clone(), now),
        )
        .map_err(|e| e.to_string())?;
    match next {
        Next::Sent => report.sent += 1,
        Next::RetryAt(..) => report.deferred += 1,
        Next::Failed(_) => report.failed += 1,
    }
    Ok(())
}
