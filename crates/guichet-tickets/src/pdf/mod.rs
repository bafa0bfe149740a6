//! PDF tickets: one ticket a page, in two layouts, a whole order in one document.

mod a4;
mod canvas;
mod embed;
mod font;
mod font_dirs;
mod report;
mod shape;
mod thermal;
mod words;

use guichet_domain::{Games, Money, PriceCategory, SessionCode};
use jiff::Zoned;
use printpdf::{Mm, Op, PdfDocument, PdfPage, PdfSaveOptions, XObject, XObjectId};

pub use font::{font_files, fonts_cover, missing_glyphs};
pub use font_dirs::{search_dirs, FONT_DIRS_VAR, FONT_PACKAGES, SYSTEM_FONTS_VAR};
pub use report::{render_report, Report, ReportRow, ReportSection};

use crate::error::RenderError;
use crate::qr::qr_modules;
use canvas::Canvas;

/// Everything printed on one ticket. The desk fills it from its catalogue and order; the QR
/// text comes from [`crate::SignedTicket::qr_text`].
#[derive(Debug, Clone, PartialEq)]
pub struct TicketFace {
    /// Olympic or Paralympic.
    pub games: Games,
    /// Session code, e.g. `ATH07`.
    pub session_code: SessionCode,
    /// Sport in both languages, e.g. "Athlétisme / Athletics" (one name when they are the same).
    pub sport: String,
    /// What the session holds, in French, e.g. "Hommes, groupe C".
    pub description: String,
    /// What the session holds, in English, e.g. "Men's Group C".
    pub description_en: String,
    /// Venue name in French, e.g. "Arena Paris Sud 6".
    pub venue: String,
    /// Venue name in English, e.g. "South Paris Arena 6" (printed when it differs).
    pub venue_en: String,
    /// City.
    pub city: String,
    /// Start, in the venue's time zone (Europe/Paris; Pacific/Tahiti for surfing).
    pub starts_at: Zoned,
    /// Price category.
    pub category: PriceCategory,
    /// Price paid.
    pub price: Money,
    /// Holder's full name, as on their ID.
    pub holder_name: String,
    /// Ticket number for people (the QR carries the ticket id).
    pub ticket_number: String,
    /// Order code.
    pub order_code: String,
    /// The signed payload as QR text.
    pub qr_text: String,
}

/// Page layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// A4 portrait, print-at-home.
    A4,
    /// Box-office thermal ticket stock, 2 × 5.5 in, printed landscape (5.5 in across).
    Thermal,
}

impl Layout {
    /// Page width and height in millimetres.
    pub fn page_mm(self) -> (f32, f32) {
        match self {
            Layout::A4 => (210.0, 297.0),
            Layout::Thermal => (139.7, 50.8),
        }
    }
    /// The CUPS `media` option that matches the page, so CUPS does not re-render onto A4.
    pub fn cups_media(self) -> &'static str {
        match self {
            Layout::A4 => "A4",
            Layout::Thermal => "Custom.139.7x50.8mm",
        }
    }
}

/// Renders an order's tickets, one a page, into one PDF document titled `title`.
pub fn render_order(
    tickets: &[TicketFace],
    layout: Layout,
    title: &str,
) -> Result<Vec<u8>, RenderError> {
    if tickets.is_empty() {
        return Err(RenderError::EmptyOrder);
    }
    let mut doc = PdfDocument::new(title);
    // Fonts are added after layout, cut down to the glyphs the pages use.
    let mut fonts = embed::DocFonts::default();
    let (w, h) = layout.page_mm();
    let mut pages = Vec::with_capacity(tickets.len());
    for t in tickets {
        if !fonts_cover(&t.holder_name) {
            return Err(RenderError::HolderNotPrintable {
                ticket_number: t.ticket_number.clone(),
                name: t.holder_name.clone(),
                missing: missing_glyphs(&t.holder_name),
                packages: FONT_PACKAGES,
            });
        }
        let code = qr_modules(&t.qr_text).map_err(|e| RenderError::Qr {
            ticket_number: t.ticket_number.clone(),
            reason: e.to_string(),
        })?;
        let qr = XObjectId::new();
        doc.resources
            .xobjects
            .map
            .insert(qr.clone(), XObject::External(canvas::qr_image(&code)));
        let qr = (qr, code.width);
        let mut c = Canvas::new(&mut fonts);
        match layout {
            Layout::A4 => a4::draw(&mut c, t, qr),
            Layout::Thermal => thermal::draw(&mut c, t, qr),
        }
        pages.push(c.ops);
    }
    finish(doc, fonts, pages, (w, h))
}

/// Adds the faces the pages use, cut down to their glyphs, then writes the document with
/// fast compression.
fn finish(
    mut doc: PdfDocument,
    fonts: embed::DocFonts,
    mut pages: Vec<Vec<Op>>,
    (w, h): (f32, f32),
) -> Result<Vec<u8>, RenderError> {
    fonts.embed(&mut doc.resources.fonts.map, &mut pages);
    let n = pages.len();
    doc.with_pages(
        pages
            .into_iter()
            .map(|ops| PdfPage::new(Mm(w), Mm(h), ops))
            .collect(),
    );
    let mut warnings = Vec::new();
    let opts = PdfSaveOptions {
        optimize: false,
        ..Default::default()
    };
    let mut lo = doc.to_lopdf_document(&opts, &mut warnings);
    compress_fast(&mut lo);
    let mut out = Vec::with_capacity(64 * 1024 + n * 8 * 1024);
    lo.save_to(&mut out)
        .map_err(|e| RenderError::Write(e.to_string()))?;
    Ok(out)
}

/// Deflates every stream at level 1. printpdf's `optimize` calls lopdf's `compress`, which uses
/// level 9: that was a third of the time of rendering an order, for files ~10 % smaller.
fn compress_fast(doc: &mut lopdf::Document) {
    use std::io::Write;
    for object in doc.objects.values_mut() {
        let lopdf::Object::Stream(stream) = object else {
            continue;
        };
        if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        let Ok(packed) = z.write_all(&stream.content).and_then(|()| z.finish()) else {
            continue;
        };
        if packed.len() + 19 < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(packed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the embedded DejaVu faces alone (a machine without the Noto packages) draw
    /// every character of `text`.
    fn dejavu_covers(text: &str) -> bool {
        [canvas::Weight::Regular, canvas::Weight::Bold]
            .into_iter()
            .all(|weight| {
                let dejavu = font::face(font::FaceRef { weight, slot: 0 }).unwrap();
                text.chars().all(|c| c.is_whitespace() || dejavu.has(c))
            })
    }

    #[test]
    fn the_embedded_fonts_alone_draw_every_character_the_layouts_and_demo_holders_use() {
        for name in crate::demo::DEMO_HOLDERS {
            assert!(
                dejavu_covers(name),
                "{name} must print with the embedded fonts, on a machine with no Noto"
            );
        }
        let price = Money::from_euros(2700).fr();
        assert!(
            dejavu_covers(&price),
            "French prices use U+202F as group separator: {price}"
        );
        assert!(
            dejavu_covers("·…✂ °ÉÈÀÇŒ"),
            "layout punctuation and French capitals"
        );
        assert!(
            !dejavu_covers("王小明"),
            "CJK needs the Noto fonts: DejaVu has no ideographs"
        );
    }

    #[test]
    fn a_name_no_font_covers_is_refused_naming_its_characters_and_the_way_out() {
        let key = crate::DeviceKey::from_seed([9; 32]);
        let mut faces: Vec<_> =
            crate::demo::demo_pack(&key, "2024-05-11T10:00:00Z".parse().unwrap())
                .into_iter()
                .map(|t| t.face)
                .collect();
        // A private-use character: no font on any machine is made to draw it.
        faces[3].holder_name = "Anna \u{E000}\u{E001} Berg".into();
        let e = render_order(&faces, Layout::Thermal, "t").unwrap_err();
        let said = e.to_string();
        assert!(
            matches!(&e, RenderError::HolderNotPrintable { missing, .. } if missing == "\u{E000}\u{E001}"),
            "{said}"
        );
        assert!(
            said.contains("P24-DEMO-0001-04") && said.contains("fonts-noto-core fonts-noto-cjk"),
            "names the ticket and the packages: {said}"
        );
    }

    #[test]
    fn fonts_are_embedded_cut_down_so_an_18_ticket_order_stays_small() {
        let key = crate::DeviceKey::from_seed([9; 32]);
        let order = crate::demo::demo_pack(&key, "2024-05-11T10:00:00Z".parse().unwrap());
        let faces: Vec<_> = order.into_iter().map(|t| t.face).collect();
        let pdf = render_order(&faces, Layout::A4, "t").unwrap();
        // Whole DejaVu Sans + Bold would be ~750 kB compressed before any page.
        assert!(
            pdf.len() < 400_000,
            "18 tickets in {} bytes: fonts not subset?",
            pdf.len()
        );
    }

    #[test]
    fn an_order_with_no_ticket_is_an_error_not_an_empty_pdf() {
        assert!(matches!(
            render_order(&[], Layout::A4, "t"),
            Err(RenderError::EmptyOrder)
        ));
    }
}
