//! Verification at the gate, offline: key list, revocation list, scan log, and an instant
//! given by the caller (the gate's clock, or a test's).

use std::fmt;

use guichet_domain::{Games, PriceCategory, SessionCode};
use jiff::{civil::Date, tz::TimeZone, Timestamp, Zoned};

use crate::claims::TicketId;
use crate::error::{PayloadError, ScanLogError};
use crate::keys::{KeyId, KeyList};
use crate::payload::SignedTicket;
use crate::revocation::RevocationList;
use crate::scan_log::ScanLog;

/// The gate's answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Let the holder in.
    Valid(Admission),
    /// Not a ticket any trusted key made as it reads now.
    Forged(Forgery),
    /// Signed by a key this gate does not trust (not in its key list).
    UnknownKey(KeyId),
    /// Signed by a trusted key after its device was revoked (lost or stolen).
    RevokedKey {
        /// The key.
        key_id: KeyId,
        /// The device was revoked as of this instant.
        revoked_after: Timestamp,
        /// When the ticket says it was issued.
        issued_at: Timestamp,
    },
    /// Voided or replaced.
    Revoked {
        /// The ticket.
        ticket_id: TicketId,
        /// Why, from the revocation list.
        reason: String,
    },
    /// Genuine, but for another day.
    WrongDay {
        /// The session's day on the ticket.
        session_day: Date,
        /// The day at the gate.
        today: Date,
    },
    /// Genuine, but already let in.
    AlreadyScanned {
        /// The ticket.
        ticket_id: TicketId,
        /// When it was let in first, in the gate's time zone.
        first_scan: Zoned,
    },
}

/// What the steward sees for a valid ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admission {
    /// The ticket.
    pub ticket_id: TicketId,
    /// The session.
    pub session: SessionCode,
    /// Price category.
    pub category: PriceCategory,
    /// Olympic or Paralympic.
    pub games: Games,
    /// Holder's initials, to compare with an ID card.
    pub holder_initials: String,
}

/// Why a ticket is called forged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forgery {
    /// The text is not a well-formed ticket (damaged, altered, or not one of ours).
    Malformed(PayloadError),
    /// Well-formed, but the signature does not match: altered after signing, or signed by
    /// another key than the one it names.
    BadSignature,
}

impl Verdict {
    /// True only for [`Verdict::Valid`].
    pub fn is_valid(&self) -> bool {
        matches!(self, Verdict::Valid(_))
    }
    /// The one-word answer: VALID, FORGED, UNKNOWN KEY, REVOKED KEY, REVOKED, WRONG DAY,
    /// ALREADY SCANNED.
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Valid(_) => "VALID",
            Verdict::Forged(_) => "FORGED",
            Verdict::UnknownKey(_) => "UNKNOWN KEY",
            Verdict::RevokedKey { .. } => "REVOKED KEY",
            Verdict::Revoked { .. } => "REVOKED",
            Verdict::WrongDay { .. } => "WRONG DAY",
            Verdict::AlreadyScanned { .. } => "ALREADY SCANNED",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = self.word();
        match self {
            Verdict::Valid(a) => write!(
                f,
                "{word}: {} cat. {} ({}), holder {}, ticket {}",
                a.session, a.category, a.games, a.holder_initials, a.ticket_id
            ),
            Verdict::Forged(Forgery::Malformed(e)) => write!(f, "{word}: unreadable ticket: {e}"),
            Verdict::Forged(Forgery::BadSignature) => {
                write!(f, "{word}: the signature does not match the ticket")
            }
            Verdict::UnknownKey(k) => write!(f, "{word}: signed by key {k}, not in the key list"),
            Verdict::RevokedKey {
                key_id,
                revoked_after,
                issued_at,
            } => write!(
                f,
                "{word}: signed at {issued_at} by key {key_id}, whose device was revoked as of {revoked_after}"
            ),
            Verdict::Revoked { ticket_id, reason } => {
                write!(f, "{word}: ticket {ticket_id} was revoked ({reason})")
            }
            Verdict::WrongDay { session_day, today } => {
                write!(f, "{word}: ticket is for {session_day}, today is {today}")
            }
            Verdict::AlreadyScanned {
                ticket_id,
                first_scan,
            } => write!(
                f,
                "{word}: ticket {ticket_id} was let in at {}",
                first_scan.strftime("%Y-%m-%d %H:%M:%S %Z")
            ),
        }
    }
}

/// Checks a ticket without a scan log: form, key, signature, key revocation, ticket revocation
/// and day, in that order. A revoked device's key still verifies what it signed up to the
/// instant it was revoked as of (`issued_at` at or before it), so fans sold to before a desk
/// was lost keep their seats.
/// `today` is the date at the venue. A [`Verdict::Valid`] here still needs the scan log
/// ([`Gate::scan`]) before anyone goes in. Never panics, whatever the text.
pub fn check_ticket(
    text: &str,
    keys: &KeyList,
    revoked: &RevocationList,
    today: Date,
) -> (Verdict, Option<SignedTicket>) {
    let ticket = match SignedTicket::parse(text) {
        Ok(t) => t,
        Err(e) => return (Verdict::Forged(Forgery::Malformed(e)), None),
    };
    let Some(key) = keys.get(&ticket.key_id) else {
        return (Verdict::UnknownKey(ticket.key_id), Some(ticket));
    };
    if !ticket.verify(key) {
        return (Verdict::Forged(Forgery::BadSignature), Some(ticket));
    }
    let c = &ticket.claims;
    if let Some(revoked_after) = keys.revoked_after(&ticket.key_id) {
        if c.issued_at > revoked_after {
            let v = Verdict::RevokedKey {
                key_id: ticket.key_id,
                revoked_after,
                issued_at: c.issued_at,
            };
            return (v, Some(ticket));
        }
    }
    if let Some(reason) = revoked.reason(&c.ticket_id) {
        let v = Verdict::Revoked {
            ticket_id: c.ticket_id,
            reason: reason.to_string(),
        };
        return (v, Some(ticket));
    }
    if c.session_day != today {
        return (
            Verdict::WrongDay {
                session_day: c.session_day,
                today,
            },
            Some(ticket),
        );
    }
    let admission = Admission {
        ticket_id: c.ticket_id,
        session: c.session.clone(),
        category: c.category,
        games: c.games,
        holder_initials: c.holder.initials.clone(),
    };
    (Verdict::Valid(admission), Some(ticket))
}

/// A gate: what it trusts, what it has seen, where it stands (time zone) and its name.
#[derive(Debug)]
pub struct Gate {
    /// Trusted keys.
    pub keys: KeyList,
    /// Revoked tickets.
    pub revoked: RevocationList,
    /// Admissions so far.
    pub scan_log: ScanLog,
    /// The venue's time zone: Europe/Paris, or Pacific/Tahiti at Teahupo'o.
    pub zone: TimeZone,
    /// Written in the scan log with each admission.
    pub label: String,
}

impl Gate {
    /// Scans a ticket at instant `at`. A VALID answer is written to the scan log (and synced)
    /// before it is returned, so the same ticket is refused next time, even after a restart.
    pub fn scan(&mut self, text: &str, at: Timestamp) -> Result<Verdict, ScanLogError> {
        let today = at.to_zoned(self.zone.clone()).date();
        let (verdict, _) = check_ticket(text, &self.keys, &self.revoked, today);
        let Verdict::Valid(admission) = verdict else {
            return Ok(verdict);
        };
        if let Some(first) = self.scan_log.first_scan(&admission.ticket_id) {
            let first_scan = first.to_zoned(self.zone.clone());
            return Ok(Verdict::AlreadyScanned {
                ticket_id: admission.ticket_id,
                first_scan,
            });
        }
        self.scan_log.record(admission.ticket_id, at, &self.label)?;
        Ok(Verdict::Valid(admission))
    }
}
