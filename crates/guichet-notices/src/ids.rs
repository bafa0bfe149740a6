//! The notice's stable names and its due time.
//!
//! **Message-ID rule** (also in `docs/notices.md`):
//! `<{draw}.{account}.{h}@{domain}>`, where `h` is the first 16 hex digits of
//! `SHA-256("guichet-notice-v1\n{draw}\n{account}\n{slot start, RFC 3339 UTC}")`. The same
//! draw, account and slot always give the same id, so a resend after a crash carries the id
//! of the first try and receivers can drop the second copy; a slot moved by a new draw run
//! gives a new id. Draw ids and account ids are `[A-Za-z0-9_-]`, so the left part is a
//! valid dot-atom (RFC 5322 §3.6.4).

use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};

/// How long before the slot opens the notice is due: two days.
pub const NOTICE_LEAD: SignedDuration = SignedDuration::from_hours(48);

/// When the notice of a slot starting at `slot_start` is due.
pub fn due_at(slot_start: Timestamp) -> Timestamp {
    slot_start.saturating_sub(NOTICE_LEAD).unwrap_or(slot_start)
}

fn short_hash(draw: &str, account: &str, slot_start: Timestamp) -> String {
    let digest = Sha256::digest(format!(
        "guichet-notice-v1\n{draw}\n{account}\n{slot_start}"
    ));
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The notice's Message-ID, with its angle brackets.
pub fn message_id(draw: &str, account: &str, slot_start: Timestamp, domain: &str) -> String {
    format!("<{}>", calendar_uid(draw, account, slot_start, domain))
}

/// The `.ics` event's UID: the Message-ID without its brackets, so a calendar that gets the
/// file twice keeps one event.
pub fn calendar_uid(draw: &str, account: &str, slot_start: Timestamp, domain: &str) -> String {
    format!(
        "{draw}.{account}.{}@{domain}",
        short_hash(draw, account, slot_start)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_message_id_is_the_same_for_the_same_slot_and_changes_with_it() {
        let s = ts("2023-02-17T09:00:00Z");
        let a = message_id("pack-draw", "DEMO-0001", s, "guichet.invalid");
        assert_eq!(
            a,
            message_id("pack-draw", "DEMO-0001", s, "guichet.invalid"),
            "deterministic: a resend reuses it"
        );
        assert!(
            a.starts_with("<pack-draw.DEMO-0001.") && a.ends_with("@guichet.invalid>"),
            "readable and bracketed: {a}"
        );
        assert_eq!(
            a.len(),
            "<pack-draw.DEMO-0001.@guichet.invalid>".len() + 16,
            "16 hex digits: {a}"
        );
        let moved = message_id(
            "pack-draw",
            "DEMO-0001",
            ts("2023-02-18T09:00:00Z"),
            "guichet.invalid",
        );
        assert_ne!(a, moved, "a moved slot is another notice");
        let other = message_id("single-draw", "DEMO-0001", s, "guichet.invalid");
        assert_ne!(a, other, "another draw is another notice");
    }

    #[test]
    fn the_notice_is_due_48_real_hours_before_the_slot_even_across_dst() {
        // Slot opening Tuesday 28 March 2023 10:00 (+02:00): two days before is Sunday 26
        // March, the day of the change; 48 real hours back is 09:00 (+02:00), i.e. 07:00 UTC.
        let start = ts("2023-03-28T08:00:00Z");
        assert_eq!(
            due_at(start),
            ts("2023-03-26T08:00:00Z"),
            "48 hours of real time, not wall clock"
        );
    }
}
