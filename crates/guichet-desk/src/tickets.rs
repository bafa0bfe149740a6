//! The desk's hook to `guichet-tickets`: its [`DeviceKey`] signs each ticket (compact, versioned
//! payload; base45 QR text), and [`render_order`] lays an order's valid tickets out as a PDF.

use guichet_domain::catalogue::Session;
use guichet_domain::{Money, PriceCategory};
use guichet_store::sales::order;
use guichet_tickets::{
    print_pdf, render_order, DeviceKey, JobId, Layout, PrintOptions, SignedTicket, TicketClaims,
    TicketFace, TicketId,
};
use jiff::Timestamp;

use crate::desk::Desk;
use crate::error::{Error, Output, Result};
use crate::signer::{TicketSigner, TicketToSign};

impl TicketSigner for DeviceKey {
    fn key_id(&self) -> String {
        DeviceKey::key_id(self).to_string()
    }
    fn sign(&self, t: &TicketToSign) -> std::result::Result<String, String> {
        let id = TicketId::parse(&t.ticket_id)
            .ok_or_else(|| format!("ticket id {:?} is not a UUID", t.ticket_id))?;
        let claims = TicketClaims::new(
            id,
            t.session.clone(),
            t.category,
            t.games,
            t.session_day,
            t.issued_at,
            &t.holder_name,
        );
        SignedTicket::sign(claims, self)
            .map(|s| s.qr_text())
            .map_err(|e| e.to_string())
    }
}

/// "Athlétisme / Athletics", or one name when both languages say the same ("Football").
fn both(fr: &str, en: &str) -> String {
    if fr == en {
        fr.to_string()
    } else {
        format!("{fr} / {en}")
    }
}

/// The last 12 characters of a UUID, upper case: what people read and say at the counter.
pub fn short(id: &str) -> String {
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    hex[hex.len().saturating_sub(12)..].to_ascii_uppercase()
}

/// The PDF's title for an order.
pub fn order_title(order_id: &str) -> String {
    format!("Paris 2024 — order {}", short(order_id))
}

/// Signs ticket `ticket_id` of `session` for `holder`, issued at `issued_at`: the QR text.
/// What the desk's sales and reissues and the kiosk's sales sign.
pub fn sign_ticket(
    signer: &dyn TicketSigner,
    session: &Session,
    ticket_id: &str,
    category: PriceCategory,
    holder: &str,
    issued_at: Timestamp,
) -> std::result::Result<String, String> {
    signer.sign(&TicketToSign {
        ticket_id: ticket_id.to_string(),
        session: session.code.clone(),
        category,
        games: session.games,
        session_day: session.local_start().date(),
        issued_at,
        holder_name: holder.to_string(),
    })
}

/// One ticket as it is printed, from its session in the catalogue (both languages), for the
/// desk's and the kiosk's PDFs.
pub struct Printed<'a> {
    /// Ticket id.
    pub ticket_id: &'a str,
    /// Its order.
    pub order_id: &'a str,
    /// Category.
    pub category: PriceCategory,
    /// Price paid.
    pub price: Money,
    /// Holder printed on it.
    pub holder_name: &'a str,
    /// The signed QR text.
    pub qr_text: &'a str,
}

/// The face of `t`, a ticket of `s`.
pub fn ticket_face(s: &Session, t: &Printed<'_>) -> TicketFace {
    TicketFace {
        games: s.games,
        session_code: s.code.clone(),
        sport: both(&s.sport_fr(), &s.sport),
        description: s.description_fr(),
        description_en: s.description.clone(),
        venue: s.venue_name_fr(),
        venue_en: s.venue_name.clone(),
        city: s.city.clone(),
        starts_at: s.start.to_zoned(s.utc_offset.to_time_zone()),
        category: t.category,
        price: t.price,
        holder_name: t.holder_name.to_string(),
        ticket_number: short(t.ticket_id),
        order_code: short(t.order_id),
        qr_text: t.qr_text.to_string(),
    }
}

impl Desk {
    /// The order's PDF: one page per valid ticket (void and replaced tickets are left out), with
    /// the QR exactly as signed at sale or reissue.
    pub fn order_pdf(&self, order_id: &str, layout: Layout) -> Result<Vec<u8>> {
        self.signed_in()?;
        let o = order(self.store.reader(), order_id)?.ok_or_else(|| Error::UnknownOrder {
            id: order_id.to_string(),
        })?;
        let mut faces = Vec::new();
        for t in o.tickets.iter().filter(|t| t.status == "valid") {
            let s = self.catalogue.session(&t.session).ok_or_else(|| {
                Error::Render(Output::LeftCatalogue {
                    session: t.session.to_string(),
                })
            })?;
            faces.push(ticket_face(
                s,
                &Printed {
                    ticket_id: &t.id,
                    order_id: &o.id,
                    category: t.category,
                    price: t.price,
                    holder_name: &t.holder_name,
                    qr_text: &t.qr_payload,
                },
            ));
        }
        render_order(&faces, layout, &order_title(&o.id)).map_err(|e| Error::Render(e.into()))
    }
}

impl Desk {
    /// Renders an order's valid tickets and sends them to a CUPS queue (the desk's printer
    /// setting) on the layout's paper; the PDF is kept in `spool_dir` so it can be saved or
    /// printed again. Returns the CUPS job id.
    pub fn print_order(
        &self,
        order_id: &str,
        layout: Layout,
        queue: &str,
        spool_dir: &std::path::Path,
    ) -> Result<JobId> {
        let pdf = self.order_pdf(order_id, layout)?;
        let opts = PrintOptions {
            title: format!("order-{}", short(order_id)),
            media: Some(layout.cups_media().to_string()),
        };
        spool_and_print(
            &pdf,
            &spool_dir.join(format!("{order_id}.pdf")),
            queue,
            &opts,
        )
    }

    /// Prints a shift's report on A4 to a CUPS queue: the Z report of a closed shift, or the
    /// X report so far of the open one; the PDF is kept in `spool_dir`. Returns the job id.
    pub fn print_shift_report(
        &self,
        shift_id: &str,
        queue: &str,
        spool_dir: &std::path::Path,
    ) -> Result<JobId> {
        self.signed_in()?;
        let r =
            guichet_store::shifts::z_report(self.store.reader(), shift_id)?.ok_or_else(|| {
                Error::BadInput {
                    field: "shift",
                    problem: crate::error::Problem::NoShift {
                        id: shift_id.to_string(),
                    },
                }
            })?;
        let pdf = crate::shift::z_report_pdf(&r, |t| self.paris(t))?;
        let opts = PrintOptions {
            title: format!("z-report-{}", short(shift_id)),
            media: Some(Layout::A4.cups_media().to_string()),
        };
        let name = format!("z-report-{}.pdf", short(shift_id));
        spool_and_print(&pdf, &spool_dir.join(name), queue, &opts)
    }
}

/// Writes `pdf` at `path` (creating its folder) and sends it to `queue`.
fn spool_and_print(
    pdf: &[u8],
    path: &std::path::Path,
    queue: &str,
    opts: &PrintOptions,
) -> Result<JobId> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| {
            Error::Print(Output::File {
                path: dir.to_path_buf(),
                source,
            })
        })?;
    }
    std::fs::write(path, pdf).map_err(|source| {
        Error::Print(Output::File {
            path: path.to_path_buf(),
            source,
        })
    })?;
    print_pdf(queue, path, opts).map_err(|e| Error::Print(e.into()))
}
