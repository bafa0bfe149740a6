//! The long way round: order → PDF → pdftoppm PNG → QR decoded → gate answer. Needs
//! poppler-utils and zbar-tools (the test fails, naming them, when they are missing).

mod common;

use common::{evening_of, gate, gate_trusting, issued_at, pdf_text, pdf_to_pngs, test_key, zbar};
use guichet_tickets::demo::{demo_order, demo_pack, DEMO_HOLDERS, DEMO_SESSIONS};
use guichet_tickets::{decode_qr_image, render_order, DeviceKey, Layout, RevocationList};

fn render_to_file(
    dir: &std::path::Path,
    name: &str,
    faces: &[guichet_tickets::TicketFace],
    layout: Layout,
) -> std::path::PathBuf {
    let pdf = render_order(faces, layout, "test order").unwrap();
    let path = dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    path
}

#[test]
fn an_18_ticket_pack_prints_one_page_per_ticket_and_every_page_scans_valid_once() {
    let dir = tempfile::tempdir().unwrap();
    let order = demo_pack(&test_key(), issued_at());
    assert_eq!(order.len(), 18, "a pack: 3 sessions × 6 tickets");
    let faces: Vec<_> = order.iter().map(|t| t.face.clone()).collect();
    let pdf = render_to_file(dir.path(), "pack.pdf", &faces, Layout::A4);
    let pages = pdf_to_pngs(&pdf, 100);
    assert_eq!(pages.len(), 18, "one page per ticket");
    let mut g = gate(dir.path(), RevocationList::default());
    for (page, t) in pages.iter().zip(&order) {
        let text = decode_qr_image(page).unwrap();
        assert_eq!(
            text, t.face.qr_text,
            "page {page:?} carries its own ticket's QR"
        );
        let day = t.signed.claims.session_day.to_string();
        let v = g.scan(&text, evening_of(&day)).unwrap();
        assert!(
            v.is_valid(),
            "a printed genuine ticket scans VALID on its day: {v}"
        );
        let again = g.scan(&text, evening_of(&day)).unwrap();
        assert_eq!(again.word(), "ALREADY SCANNED", "and only once");
    }
}

#[test]
fn the_thermal_layout_scans_with_two_decoders_and_shows_tahiti_time() {
    let dir = tempfile::tempdir().unwrap();
    let order = demo_order(&test_key(), issued_at(), &DEMO_SESSIONS[2..4], 1);
    let faces: Vec<_> = order.iter().map(|t| t.face.clone()).collect();
    let pdf = render_to_file(dir.path(), "thermal.pdf", &faces, Layout::Thermal);
    // 203 dpi: what a thermal head prints.
    let pages = pdf_to_pngs(&pdf, 203);
    assert_eq!(pages.len(), 2);
    for (page, t) in pages.iter().zip(&order) {
        assert_eq!(
            decode_qr_image(page).unwrap(),
            t.face.qr_text,
            "rqrr reads {page:?}"
        );
        assert_eq!(zbar(page), t.face.qr_text, "zbarimg reads {page:?} too");
    }
    let text = pdf_text(&pdf);
    assert!(
        text.contains("heure de Tahiti"),
        "surfing shows Tahiti time:\n{text}"
    );
    assert!(
        text.contains("samedi 27 juillet 2024 · 7 h 00"),
        "07:00 local in Tahiti:\n{text}"
    );
}

#[test]
fn the_pdf_says_what_a_ticket_must_say_in_french_and_english_with_every_holder_name() {
    let dir = tempfile::tempdir().unwrap();
    let order = demo_pack(&test_key(), issued_at());
    let faces: Vec<_> = order.iter().map(|t| t.face.clone()).collect();
    for layout in [Layout::A4, Layout::Thermal] {
        let pdf = render_to_file(dir.path(), &format!("{layout:?}.pdf"), &faces[..6], layout);
        let text = pdf_text(&pdf);
        for needle in [
            "Athlétisme / Athletics",
            "ATH07",
            "Stade de France",
            "Saint-Denis",
            "dimanche 4 août 2024 · 19 h 00",
            "heure de Paris",
            "Paris time",
            "CATÉGORIE / CATEGORY",
            "PRIX / PRICE",
            "980,00",
            "TITULAIRE / HOLDER",
            "BILLET N° / TICKET NO.",
            "COMMANDE / ORDER",
            "P24-DEMO-0001-01",
        ] {
            assert!(
                text.contains(needle),
                "{layout:?} ticket must show {needle:?}:\n{text}"
            );
        }
        for name in DEMO_HOLDERS {
            assert!(
                text.contains(name),
                "{layout:?}: holder {name} must print in full:\n{text}"
            );
        }
    }
}

#[test]
fn a_desk_key_whose_tickets_start_with_a_space_prints_and_scans_valid() {
    // Base45 text starts with a space when (version·256 + first key-id byte) mod 45 = 36:
    // 6 desk keys in 256, and then for every ticket that desk issues. A reader that
    // trims the text would refuse all of them.
    let key = (0u8..=255)
        .map(|b| DeviceKey::from_seed([b; 32]))
        .find(|k| {
            demo_order(k, issued_at(), &DEMO_SESSIONS[..1], 1)[0]
                .face
                .qr_text
                .starts_with(' ')
        })
        .expect("one of 256 seeds gives a key whose tickets start with a space");
    let dir = tempfile::tempdir().unwrap();
    let order = demo_order(&key, issued_at(), &DEMO_SESSIONS[..2], 2);
    let faces: Vec<_> = order.iter().map(|t| t.face.clone()).collect();
    let pdf = render_to_file(dir.path(), "space.pdf", &faces, Layout::A4);
    let pages = pdf_to_pngs(&pdf, 100);
    let mut g = gate_trusting(dir.path(), &key, RevocationList::default());
    for (page, t) in pages.iter().zip(&order) {
        assert!(t.face.qr_text.starts_with(' '), "every ticket of this desk");
        let read = zbar(page);
        assert_eq!(read, t.face.qr_text, "zbarimg keeps the leading space");
        assert_eq!(
            decode_qr_image(page).unwrap(),
            t.face.qr_text,
            "so does rqrr"
        );
        let day = t.signed.claims.session_day.to_string();
        let v = g.scan(&read, evening_of(&day)).unwrap();
        assert!(v.is_valid(), "the gate accepts it: {v}");
    }
}
