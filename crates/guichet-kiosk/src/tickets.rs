//! The kiosk's tickets: signed with its key once the order's ids are known (kept in the
//! intent, so a reprint after a crash prints the very same QR codes), laid out as one PDF.

use guichet_desk::tickets::{order_title, sign_ticket, ticket_face, Printed};
use guichet_domain::{Money, PriceCategory, SessionCode};
use guichet_tickets::render_order;
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
                let qr = sign_ticket(self.signer.as_ref(), s, id, cat, holder, now)
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
            let category =
                PriceCategory::parse(&t.category).map_err(|e| Error::Tickets(e.to_string()))?;
            faces.push(ticket_face(
                s,
                &Printed {
                    ticket_id: &t.id,
                    order_id,
                    category,
                    price: Money::from_cents(t.price_cents),
                    holder_name: holder,
                    qr_text: &t.qr,
                },
            ));
        }
        render_order(&faces, self.layout, &order_title(order_id))
            .map_err(|e| Error::Tickets(e.to_string()))
    }
}
