//! What a ticket asserts: the facts the issuing device signs.

use std::fmt;

use guichet_domain::{Games, PriceCategory, SessionCode};
use jiff::{civil::Date, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

/// A ticket's identity: a UUID made by the issuing device (v7, so ids sort by issue time and
/// two offline devices never collide without talking to each other).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TicketId(uuid::Uuid);

impl TicketId {
    /// A new id (UUIDv7) for a ticket issued at `at`. The clock is the caller's.
    pub fn new_at(at: Timestamp) -> Self {
        let ts = uuid::Timestamp::from_unix(
            uuid::NoContext,
            at.as_second().max(0) as u64,
            at.subsec_nanosecond().max(0) as u32,
        );
        TicketId(uuid::Uuid::new_v7(ts))
    }
    /// From the 16 bytes carried in a payload.
    pub fn from_bytes(b: [u8; 16]) -> Self {
        TicketId(uuid::Uuid::from_bytes(b))
    }
    /// The 16 bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }
    /// Parses the hyphenated form.
    pub fn parse(s: &str) -> Option<Self> {
        uuid::Uuid::parse_str(s.trim()).ok().map(TicketId)
    }
}

impl fmt::Display for TicketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// The holder as the QR carries them: initials to read out at the gate, and a short salted hash
/// of the full name to check a name typed from an ID card. The full name is not carried: anyone
/// can read a QR, and a name would also make the code larger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// First letter of the first and of the last word of the name, upper-cased (at most 8 bytes).
    pub initials: String,
    /// First 8 bytes of SHA-256("guichet-holder-v1" 0x00, ticket id, normalised name).
    pub name_hash: [u8; 8],
}

impl Holder {
    /// Builds initials and hash for `name` on ticket `id`.
    pub fn of(name: &str, id: &TicketId) -> Self {
        Holder {
            initials: initials(name),
            name_hash: name_hash(name, id),
        }
    }
    /// Whether `name` (as typed at the gate, in any case and spacing) is the holder's name.
    pub fn matches(&self, name: &str, id: &TicketId) -> bool {
        self.name_hash == name_hash(name, id)
    }
}

/// NFC, trimmed, inner whitespace collapsed to one space, lower case: the same person typed twice
/// gives the same text.
fn normalise(name: &str) -> String {
    let nfc: String = name.nfc().collect();
    nfc.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn name_hash(name: &str, id: &TicketId) -> [u8; 8] {
    let mut h = Sha256::new();
    h.update(b"guichet-holder-v1\0");
    h.update(id.as_bytes());
    h.update(normalise(name).as_bytes());
    let d = h.finalize();
    let mut out = [0u8; 8];
    out.copy_from_slice(&d[..8]);
    out
}

fn initials(name: &str) -> String {
    let nfc: String = name.nfc().collect();
    let words: Vec<&str> = nfc.split_whitespace().collect();
    let first = |w: &str| {
        w.chars()
            .next()
            .map(|c| c.to_uppercase().collect::<String>())
    };
    let mut out = String::new();
    if let Some(w) = words.first() {
        out.extend(first(w));
    }
    if words.len() > 1 {
        out.extend(first(words[words.len() - 1]));
    }
    // Upper-casing can grow a letter (ß -> SS); keep whole characters within 8 bytes.
    while out.len() > 8 {
        out.pop();
    }
    out
}

/// Everything a ticket asserts, as signed by the issuing device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketClaims {
    /// The ticket's id; revocations and the scan log refer to it.
    pub ticket_id: TicketId,
    /// The session it admits to.
    pub session: SessionCode,
    /// Price category.
    pub category: PriceCategory,
    /// Olympic or Paralympic.
    pub games: Games,
    /// The session's date at its venue (Paris, or Tahiti for surfing): a gate refuses the ticket
    /// on any other day.
    pub session_day: Date,
    /// When the ticket was issued (whole seconds).
    pub issued_at: Timestamp,
    /// Who may use it.
    pub holder: Holder,
}

impl TicketClaims {
    /// Claims for a ticket held by `holder_name`; the issue instant is cut to whole seconds.
    pub fn new(
        ticket_id: TicketId,
        session: SessionCode,
        category: PriceCategory,
        games: Games,
        session_day: Date,
        issued_at: Timestamp,
        holder_name: &str,
    ) -> Self {
        let issued_at = Timestamp::from_second(issued_at.as_second()).unwrap_or(issued_at);
        TicketClaims {
            holder: Holder::of(holder_name, &ticket_id),
            ticket_id,
            session,
            category,
            games,
            session_day,
            issued_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> TicketId {
        TicketId::from_bytes([7; 16])
    }

    #[test]
    fn initials_take_first_and_last_word_in_any_script() {
        assert_eq!(initials("Jean-Luc  Picard"), "JP");
        assert_eq!(
            initials("élodie de la Tour"),
            "ÉT",
            "accents are kept and upper-cased"
        );
        assert_eq!(initials("Ελένη Παπαδοπούλου"), "ΕΠ", "Greek");
        assert_eq!(initials("Анна Каренина"), "АК", "Cyrillic");
        assert_eq!(initials("Madonna"), "M", "one word gives one letter");
        assert_eq!(initials("   "), "", "a blank name gives no initials");
    }

    #[test]
    fn the_name_check_forgives_case_spacing_and_unicode_form_but_not_another_name() {
        let h = Holder::of("Zoé Dupont", &id());
        assert!(
            h.matches("  ZOÉ   dupont ", &id()),
            "case and spaces do not matter"
        );
        assert!(
            h.matches("Zoe\u{301} Dupont", &id()),
            "decomposed é is the same name (NFC)"
        );
        assert!(
            !h.matches("Zoe Dupont", &id()),
            "a missing accent is another name"
        );
        assert!(
            !h.matches("Zoé Dupont", &TicketId::from_bytes([8; 16])),
            "salted per ticket"
        );
    }
}
