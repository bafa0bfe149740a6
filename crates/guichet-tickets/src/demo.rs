//! An example order (sessions from the Paris 2024 schedule, made-up prices and holders) for the
//! gate CLI's `demo-pdf`, the docs, the tests and the benchmarks. Not used by the desk.

use guichet_domain::{Games, Money, PriceCategory, SessionCode};
use jiff::{civil::DateTime, tz::TimeZone, Timestamp};

use crate::claims::{TicketClaims, TicketId};
use crate::keys::DeviceKey;
use crate::payload::SignedTicket;
use crate::pdf::TicketFace;

/// A session as the demo knows it.
#[derive(Debug, Clone, Copy)]
pub struct DemoSession {
    /// Session code.
    pub code: &'static str,
    /// Sport.
    pub sport: &'static str,
    /// Description, in English as in the catalogue (the ticket prints it in French too, by the
    /// catalogue's phrase rule).
    pub description: &'static str,
    /// Venue, in French.
    pub venue: &'static str,
    /// Venue, in English.
    pub venue_en: &'static str,
    /// City.
    pub city: &'static str,
    /// Local start, `YYYY-MM-DDTHH:MM`.
    pub start: &'static str,
    /// IANA zone of the venue.
    pub zone: &'static str,
    /// Category sold in the demo.
    pub category: PriceCategory,
    /// Price in euros.
    pub euros: i64,
}

/// Four sessions: three in Paris for a pack, and surfing at Teahupo'o (Tahiti time).
pub const DEMO_SESSIONS: [DemoSession; 4] = [
    DemoSession {
        code: "ATH07",
        sport: "Athlétisme / Athletics",
        description: "Men's 100m Final; Men's Hammer Throw Final; Women's High Jump Final",
        venue: "Stade de France",
        venue_en: "Stade de France",
        city: "Saint-Denis",
        start: "2024-08-04T19:00",
        zone: "Europe/Paris",
        category: PriceCategory::A,
        euros: 980,
    },
    DemoSession {
        code: "SWM02",
        sport: "Natation / Swimming",
        description: "Men's 400m Freestyle Final; Women's 400m Freestyle Final",
        venue: "Paris La Défense Arena",
        venue_en: "La Défense Arena",
        city: "Nanterre",
        start: "2024-07-27T20:30",
        zone: "Europe/Paris",
        category: PriceCategory::B,
        euros: 245,
    },
    DemoSession {
        code: "FBL01",
        sport: "Football",
        description: "Men's Group C",
        venue: "Parc des Princes",
        venue_en: "Parc des Princes",
        city: "Paris",
        start: "2024-07-24T15:00",
        zone: "Europe/Paris",
        category: PriceCategory::D,
        euros: 24,
    },
    DemoSession {
        code: "SRF01",
        sport: "Surf / Surfing",
        description: "Women's Round 1; Men's Round 1",
        venue: "Teahupo'o",
        venue_en: "Teahupo'o",
        city: "Tahiti, Polynésie française",
        start: "2024-07-27T07:00",
        zone: "Pacific/Tahiti",
        category: PriceCategory::C,
        euros: 50,
    },
];

/// Holders: accented Latin, Greek, Cyrillic, Polish and Nordic letters, so every rendered
/// example shows the font covers them.
pub const DEMO_HOLDERS: [&str; 6] = [
    "Zoé Lefèvre-Dubois",
    "Ελένη Παπαδοπούλου",
    "Анна Каренина",
    "Łukasz Żółkiewski",
    "Søren Åberg",
    "François Müller",
];

/// Holders in every script the tickets print with the Noto fonts installed: Chinese, Arabic
/// and Hebrew (shaped, right to left), Korean, Thai, Devanagari, and Latin with accents.
pub const WORLD_HOLDERS: [&str; 8] = [
    "李小龍",
    "محمد بن سلمان",
    "דוד כהן",
    "김민준",
    "สมชาย",
    "अनन्या",
    "Łukasz Żółć",
    "Zoë Ødegård",
];

/// One demo ticket: what is signed and what is printed.
#[derive(Debug, Clone)]
pub struct DemoTicket {
    /// The signed payload.
    pub signed: SignedTicket,
    /// The printed face.
    pub face: TicketFace,
}

/// An order of `per_session` tickets for each of `sessions`, signed by `key` at `issued_at`.
/// Ticket ids are derived from the order position so the demo is reproducible.
pub fn demo_order(
    key: &DeviceKey,
    issued_at: Timestamp,
    sessions: &[DemoSession],
    per_session: usize,
) -> Vec<DemoTicket> {
    demo_order_for(key, issued_at, sessions, per_session, &DEMO_HOLDERS)
}

/// [`demo_order`] with the holders taken in turn from `holders` (not empty).
pub fn demo_order_for(
    key: &DeviceKey,
    issued_at: Timestamp,
    sessions: &[DemoSession],
    per_session: usize,
    holders: &[&str],
) -> Vec<DemoTicket> {
    let order_code = "P24-DEMO-0001";
    let mut out = Vec::new();
    for (s_i, s) in sessions.iter().enumerate() {
        let zone = TimeZone::get(s.zone).expect("demo zones are in the bundled tzdb");
        let start: DateTime = s
            .start
            .parse()
            .expect("demo start is a valid local date-time");
        let starts_at = start.to_zoned(zone).expect("demo start exists in its zone");
        let session = SessionCode::parse(s.code).expect("demo codes are valid");
        let games = Games::Olympic;
        for k in 0..per_session {
            let n = out.len();
            let mut id_bytes = [0u8; 16];
            let ms = issued_at.as_millisecond().max(0) as u64;
            id_bytes[..6].copy_from_slice(&ms.to_be_bytes()[2..]); // UUIDv7: 48-bit Unix ms
            id_bytes[8..].copy_from_slice(&(n as u64).to_be_bytes());
            id_bytes[6] = 0x70 | (id_bytes[6] & 0x0f); // UUID version 7
            id_bytes[8] = 0x80 | (id_bytes[8] & 0x3f); // RFC 4122 variant
            let ticket_id = TicketId::from_bytes(id_bytes);
            let holder = holders[(s_i + k) % holders.len()];
            let claims = TicketClaims::new(
                ticket_id,
                session.clone(),
                s.category,
                games,
                starts_at.date(),
                issued_at,
                holder,
            );
            let signed = SignedTicket::sign(claims, key).expect("demo claims are in range");
            let face = TicketFace {
                games,
                session_code: session.clone(),
                sport: s.sport.into(),
                description: guichet_domain::catalogue::french::description_fr("", s.description),
                description_en: s.description.into(),
                venue: s.venue.into(),
                venue_en: s.venue_en.into(),
                city: s.city.into(),
                starts_at: starts_at.clone(),
                category: s.category,
                price: Money::from_euros(s.euros),
                holder_name: holder.into(),
                ticket_number: format!("{}-{:02}", order_code, n + 1),
                order_code: order_code.into(),
                qr_text: signed.qr_text(),
            };
            out.push(DemoTicket { signed, face });
        }
    }
    out
}

/// The 18-ticket pack held by [`WORLD_HOLDERS`] (each name on two or three tickets).
pub fn world_pack(key: &DeviceKey, issued_at: Timestamp) -> Vec<DemoTicket> {
    demo_order_for(key, issued_at, &DEMO_SESSIONS[..3], 6, &WORLD_HOLDERS)
}

/// The demo's 18-ticket pack: 6 tickets for each of the three Paris sessions.
pub fn demo_pack(key: &DeviceKey, issued_at: Timestamp) -> Vec<DemoTicket> {
    demo_order(key, issued_at, &DEMO_SESSIONS[..3], 6)
}
