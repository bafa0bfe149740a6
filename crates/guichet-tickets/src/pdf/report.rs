//! A4 statements for the counter (the till's Z report): the tickets' header band, the same
//! embedded fonts (any holder's or operator's name prints), labelled rows with the amounts
//! right-aligned, sections, and signature lines. Pages follow one another when rows run out.

use printpdf::PdfDocument;

use super::canvas::{Align, Canvas, Ink, Weight};
use crate::error::RenderError;

const LEFT: f32 = 15.0;
const RIGHT: f32 = 195.0;
const ROW: f32 = 6.5;
/// Lowest baseline for a row: below it the page ends (room for the footer line).
const BOTTOM: f32 = 24.0;

/// A statement: a bilingual title, lines under it, sections of rows, signature boxes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    /// Title in French (bold, on the band).
    pub title_fr: String,
    /// Title in English (under the French one).
    pub title_en: String,
    /// Lines under the band (who, where, when).
    pub lines: Vec<String>,
    /// The body.
    pub sections: Vec<ReportSection>,
    /// Labels of the signature boxes at the end, e.g. "Caissier / Cashier".
    pub signatures: Vec<String>,
    /// Small print at the foot of every page (ids).
    pub footer: String,
}

/// A heading and its rows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportSection {
    /// Heading.
    pub heading: String,
    /// Rows.
    pub rows: Vec<ReportRow>,
}

/// One labelled value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportRow {
    /// Label, left.
    pub label: String,
    /// Value, right-aligned.
    pub value: String,
    /// Set in bold (a total, the difference).
    pub strong: bool,
}

impl ReportRow {
    /// A plain row.
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Self {
        ReportRow {
            label: label.into(),
            value: value.into(),
            strong: false,
        }
    }

    /// A row in bold.
    pub fn strong(label: impl Into<String>, value: impl Into<String>) -> Self {
        ReportRow {
            strong: true,
            ..ReportRow::new(label, value)
        }
    }
}

struct Pages<'g> {
    done: Vec<Vec<printpdf::Op>>,
    page: Canvas<'g>,
    y: f32,
}

/// Renders a statement as an A4 PDF titled `title_en`.
pub fn render_report(r: &Report) -> Result<Vec<u8>, RenderError> {
    let doc = PdfDocument::new(&r.title_en);
    let mut fonts = super::embed::DocFonts::default();
    let mut p = Pages {
        done: Vec::new(),
        page: Canvas::new(&mut fonts),
        y: 0.0,
    };
    p.y = band(&mut p.page, r);
    for l in &r.lines {
        p.page.text(
            LEFT,
            p.y,
            10.0,
            Weight::Regular,
            Ink::Black,
            Align::Left,
            RIGHT - LEFT,
            l,
        );
        p.y -= 5.5;
    }
    for s in &r.sections {
        // A heading is kept with at least its first row.
        room(&mut p, r, 2.0 * ROW + 6.0);
        p.y -= 6.0;
        p.page.text(
            LEFT,
            p.y,
            11.5,
            Weight::Bold,
            Ink::Navy,
            Align::Left,
            RIGHT - LEFT,
            &s.heading,
        );
        p.y -= 2.0;
        p.page.line(LEFT, p.y, RIGHT, p.y, Ink::Gold, false);
        p.y -= ROW - 1.0;
        for row in &s.rows {
            room(&mut p, r, ROW);
            let weight = if row.strong {
                Weight::Bold
            } else {
                Weight::Regular
            };
            let value_w = p.page.text(
                RIGHT,
                p.y,
                10.0,
                weight,
                Ink::Black,
                Align::Right,
                70.0,
                &row.value,
            );
            let label_w = RIGHT - LEFT - value_w - 4.0;
            p.page.text(
                LEFT + 2.0,
                p.y,
                10.0,
                weight,
                Ink::Black,
                Align::Left,
                label_w,
                &row.label,
            );
            p.y -= ROW;
        }
    }
    if !r.signatures.is_empty() {
        room(&mut p, r, 30.0);
        p.y -= 20.0;
        let n = r.signatures.len() as f32;
        let w = (RIGHT - LEFT - 10.0 * (n - 1.0)) / n;
        for (i, label) in r.signatures.iter().enumerate() {
            let x = LEFT + i as f32 * (w + 10.0);
            p.page.line(x, p.y, x + w, p.y, Ink::Black, false);
            p.page.text(
                x,
                p.y - 4.5,
                8.0,
                Weight::Regular,
                Ink::Grey,
                Align::Left,
                w,
                label,
            );
        }
    }
    foot(&mut p.page, r, p.done.len() + 1);
    let Pages { mut done, page, .. } = p;
    done.push(page.ops);
    super::finish(doc, fonts, done, (210.0, 297.0))
}

/// The tickets' header band; returns the baseline of the first line under it.
fn band(c: &mut Canvas, r: &Report) -> f32 {
    super::a4::band(
        c,
        &r.title_fr,
        &r.title_en,
        "GUICHET · BILLETTERIE / BOX OFFICE",
    );
    252.0
}

fn foot(c: &mut Canvas, r: &Report, page: usize) {
    c.line(LEFT, 16.0, RIGHT, 16.0, Ink::Grey, false);
    c.text(
        LEFT,
        11.0,
        7.0,
        Weight::Regular,
        Ink::Grey,
        Align::Left,
        150.0,
        &r.footer,
    );
    c.text(
        RIGHT,
        11.0,
        7.0,
        Weight::Regular,
        Ink::Grey,
        Align::Right,
        25.0,
        &format!("page {page}"),
    );
}

/// Starts a new page when fewer than `need` mm are left above the footer.
fn room(p: &mut Pages<'_>, r: &Report, need: f32) {
    if p.y - need >= BOTTOM {
        return;
    }
    foot(&mut p.page, r, p.done.len() + 1);
    p.done.push(std::mem::take(&mut p.page.ops));
    p.y = band(&mut p.page, r);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(rows: usize) -> Report {
        Report {
            title_fr: "Rapport Z".into(),
            title_en: "Z report".into(),
            lines: vec!["Ελένη Παπαδοπούλου".into()],
            sections: vec![ReportSection {
                heading: "Ventes / Sales".into(),
                rows: (0..rows)
                    .map(|i| ReportRow::new(format!("row {i}"), "1,00 €"))
                    .collect(),
            }],
            signatures: vec!["Caissier / Cashier".into()],
            footer: "shift 1".into(),
        }
    }

    fn pages(pdf: &[u8]) -> usize {
        lopdf::Document::load_mem(pdf).unwrap().get_pages().len()
    }

    #[test]
    fn a_short_report_is_one_page_and_a_long_one_runs_on() {
        let one = render_report(&report(10)).unwrap();
        assert!(one.starts_with(b"%PDF"));
        assert_eq!(pages(&one), 1);
        assert_eq!(pages(&render_report(&report(80)).unwrap()), 3);
    }
}
