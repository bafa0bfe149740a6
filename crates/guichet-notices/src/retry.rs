//! What an SMTP answer means for the outbox row.
//!
//! - `2xx` after the final dot: the relay took the message; the row is **sent**.
//! - `4xx` (at any step) or no answer at all (refused connection, a reset, a timeout): try
//!   again later, after `base × 2^(attempts − 1)`, at most `cap`; after `max_attempts` tries
//!   the row is **failed** with the last answer kept.
//! - `5xx`: the relay refuses for good (unknown mailbox, policy); the row is **failed** at
//!   once, with the answer kept for the operator.

use jiff::{SignedDuration, Timestamp};

/// The relay's answer to one try, as the sender saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// `250` after the data.
    Accepted,
    /// A `4xx` reply: the code and its text.
    Transient(u16, String),
    /// A `5xx` reply.
    Permanent(u16, String),
    /// No reply: the connection failed or timed out.
    NoAnswer(String),
}

/// What to do with the row next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Mark it sent.
    Sent,
    /// Put it back as pending until this instant, with the reason.
    RetryAt(Timestamp, String),
    /// Give up, with the reason.
    Failed(String),
}

/// The retry settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Wait after the first failed try.
    pub base: SignedDuration,
    /// Longest wait.
    pub cap: SignedDuration,
    /// Tries before giving up on 4xx or no answer.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    /// 1 min, doubling, at most 1 h, 8 tries: about 3 h 7 min from the first try to the
    /// last, well inside the 48 hours before the slot opens.
    fn default() -> Self {
        RetryPolicy {
            base: SignedDuration::from_mins(1),
            cap: SignedDuration::from_hours(1),
            max_attempts: 8,
        }
    }
}

impl RetryPolicy {
    /// The wait after the `attempts`-th failed try (1-based).
    pub fn backoff(&self, attempts: u32) -> SignedDuration {
        let factor = 1i32 << attempts.saturating_sub(1).min(20);
        self.base
            .checked_mul(factor)
            .unwrap_or(self.cap)
            .min(self.cap)
    }

    /// The next state after `attempts` tries (this one included) ended with `answer` at `now`.
    pub fn next(&self, answer: &Answer, attempts: u32, now: Timestamp) -> Next {
        let (why, transient) = match answer {
            Answer::Accepted => return Next::Sent,
            Answer::Permanent(code, text) => (format!("{code} {text}"), false),
            Answer::Transient(code, text) => (format!("{code} {text}"), true),
            Answer::NoAnswer(e) => (format!("no answer from the relay: {e}"), true),
        };
        if !transient {
            return Next::Failed(format!("refused for good: {why}"));
        }
        if attempts >= self.max_attempts {
            return Next::Failed(format!(
                "gave up after {attempts} tries (max_attempts = {}); last: {why}",
                self.max_attempts
            ));
        }
        let at = now.saturating_add(self.backoff(attempts)).unwrap_or(now);
        Next::RetryAt(at, why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2023-02-15T09:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_451_waits_one_two_four_minutes_then_the_cap() {
        let p = RetryPolicy::default();
        let waits: Vec<i64> = (1..=8).map(|a| p.backoff(a).as_secs() / 60).collect();
        assert_eq!(
            waits,
            [1, 2, 4, 8, 16, 32, 60, 60],
            "doubling from 1 min, capped at 60"
        );
        let a = Answer::Transient(451, "4.3.0 try later".into());
        match p.next(&a, 1, now()) {
            Next::RetryAt(at, why) => {
                assert_eq!(
                    at,
                    now() + SignedDuration::from_mins(1),
                    "first wait is the base"
                );
                assert!(why.contains("451"), "the answer is kept: {why}");
            }
            other => panic!("a 451 is retried, got {other:?}"),
        }
    }

    #[test]
    fn a_550_fails_at_once_and_a_451_fails_after_max_attempts() {
        let p = RetryPolicy::default();
        let perm = Answer::Permanent(550, "5.1.1 no such user".into());
        assert!(
            matches!(p.next(&perm, 1, now()), Next::Failed(w) if w.contains("550 5.1.1")),
            "5xx is final, its reason kept"
        );
        let t = Answer::Transient(451, "later".into());
        assert!(
            matches!(p.next(&t, 8, now()), Next::Failed(w) if w.contains("8 tries")),
            "the 8th transient failure gives up and says how many tries"
        );
        assert!(
            matches!(
                p.next(&Answer::NoAnswer("reset".into()), 2, now()),
                Next::RetryAt(..)
            ),
            "no answer is retried like a 4xx"
        );
        assert_eq!(
            p.next(&Answer::Accepted, 3, now()),
            Next::Sent,
            "250 is sent"
        );
    }
}
