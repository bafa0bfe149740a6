//! The kiosk's tickets: signed with its key once the order's ids are known (kept in the
//! intent, so a reprint after a crash prints the very same QR codes), laid out as one PDF.

use guichet_desk::TicketToSign;
use guichet_domain::{Money, PriceCategory, SessionCode};
use guichet_tickets::{render_order, TicketFace};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::kiosk::Kiosk;

/// A ticket as the intent keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedTicket {
    /// Ticket id (the server's online, the kiosk's offline).
    pub id: String,
    /// Session.
    pub session: String,
    /// Category.
    pub category: String,
    /// Price in cents.
    pub price_cents: i64,
    /// The signed QR text.
    pub qr: String,
}

/// The last 12 hex digits of a UUID, upper case, as tickets print order and ticket numbers.
fn short(id: &str) -> String {
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    hex[hex.len().saturating_sub(12)..].to_ascii_uppercase()
}

fn both(fr: &str, en: &str) -> String {
    if fr == en {
        fr.to_string()
    } else {
        format!("{fr} / {en}")
    }
}

impl Kiosk {
    /// Signs each ticket `(id, session, category, price)` for `holder`.
    pub(crate) fn sign_tickets(
        &self,
        tickets: &[(String, String, String, i64)],
        holder: &str,
    ) -> Result<Vec<IssuedTicket>> {
        let now = self.now();
        tickets
            .iter()
            .map(|(id, session, category, price)| {
                let code =
                    SessionCode::parse(session).map_err(|e| Error::Tickets(e.to_string()))?;
                let cat =
                    PriceCategory::parse(category).map_err(|e| Error::Tickets(e.to_string()))?;
                let s = self
                    .catalogue
                    .session(&code)
                    .ok_or_else(|| Error::Tickets(format!("{session} left the catalogue")))?;
                let qr = self
                    .signer
                    .sign(&TicketToSign {
                        ticket_id: id.clone(),
                        session: code.clone(),
                        category: cat,
                        games: s.games,
                        session_day: s.local_start().date(),
                        issued_at: now,
                        holder_name: holder.to_string(),
                    })
                    .map_err(Error::Tickets)?;
                Ok(IssuedTicket {
                    id: id.clone(),
                    session: session.clone(),
                    category: category.clone(),
                    price_cents: *price,
                    qr,
                })
            })
            .collect()
    }

    /// The order's tickets as one PDF on the kiosk's paper.
    pub(crate) fn render(
        &self,
        order_id: &str,
        tickets: &[IssuedTicket],
        holder: &str,
    ) -> Result<Vec<u8>> {
        let mut faces = Vec::new();
        for t in tickets {
            let code = SessionCode::parse(&t.session).map_err(|e| Error::Tickets(e.to_string()))?;
            let s = self
                .catalogue
                .session(&code)
                .ok_or_else(|| Error::Tickets(format!("{} left the catalogue", t.session)))?;
            faces.push(TicketFace {
                games: s.games,
                session_code: s.code.clone(),
                sport: both(&s.sport_fr(), &s.sport),
                description: s.description_fr(),
                description_en: s.description.clone(),
                venue: s.venue_name_fr(),
                venue_en: s.venue_name.clone(),
                city: s.city.clone(),
                starts_at: s.start.to_zoned(s.utc_offset.to_time_zone()),
                category: PriceCategory::parse(&t.category)
                    .map_err(|e| Error::Tickets(e.to_string()))?,
                price: Money::from_cents(t.price_cents),
                holder_name: holder.to_string(),
                ticket_number: short(&t.id),
                order_code: short(order_id),
                qr_text: t.qr.clone(),
            });
        }
        render_order(
            &faces,
            self.layout,
            &format!("Paris 2024 — order {}", short(order_id)),
        )
        .map_err(|e| Error::Tickets(e.to_string()))
    }
}
