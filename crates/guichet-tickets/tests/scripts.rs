//! Names in every script, on paper: the pack held by `WORLD_HOLDERS` (Chinese, Arabic, Hebrew,
//! Korean, Thai, Devanagari, accented Latin) on both layouts and on a Z report. pdftotext must
//! give every name back, no glyph may be the missing one, and the file stays small. Needs the
//! Noto fonts (`fonts-noto-core`, `fonts-noto-cjk`, which the README's test command installs,
//! or `GUICHET_FONT_DIRS`) and poppler-utils: the tests fail, saying so, without them.

mod common;

use std::path::Path;
use std::process::Command;

use common::{issued_at, pdf_text, pdf_to_pngs, test_key};
use guichet_tickets::demo::{world_pack, WORLD_HOLDERS};
use guichet_tickets::{
    fonts_cover, render_order, render_report, search_dirs, Layout, Report, ReportRow,
    ReportSection, FONT_DIRS_VAR, FONT_PACKAGES,
};

fn require_noto() {
    assert!(
        fonts_cover(&WORLD_HOLDERS.concat()),
        "this test needs the Noto fonts: apt-get install -y {FONT_PACKAGES} (or set \
         {FONT_DIRS_VAR} to a directory holding them); searched {:?}",
        search_dirs()
    );
}

/// Every glyph code the pages show, two bytes each (Identity-H).
fn shown_codes(pdf: &[u8]) -> Vec<u16> {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let mut codes = Vec::new();
    for (_, page) in doc.get_pages() {
        let content = doc.get_page_content(page);
        let ops = lopdf::content::Content::decode(&content)
            .unwrap()
            .operations;
        for op in ops {
            let strings: Vec<&[u8]> = match op.operator.as_str() {
                "Tj" => op.operands.iter().filter_map(|o| o.as_str().ok()).collect(),
                "TJ" => op
                    .operands
                    .iter()
                    .filter_map(|o| o.as_array().ok())
                    .flatten()
                    .filter_map(|o| o.as_str().ok())
                    .collect(),
                _ => continue,
            };
            for s in strings {
                codes.extend(s.chunks(2).map(|b| u16::from_be_bytes([b[0], b[1]])));
            }
        }
    }
    codes
}

fn font_names(pdf: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    doc.objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor"))
        .filter_map(|d| d.get(b"FontName").and_then(|n| n.as_name()).ok())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect()
}

#[test]
fn every_name_prints_on_both_layouts_and_pdftotext_gives_it_back() {
    require_noto();
    let dir = tempfile::tempdir().unwrap();
    let order = world_pack(&test_key(), issued_at());
    let faces: Vec<_> = order.iter().map(|t| t.face.clone()).collect();
    for layout in [Layout::A4, Layout::Thermal] {
        let pdf = render_order(&faces, layout, "world").unwrap();
        let path = dir.path().join(format!("{layout:?}.pdf"));
        std::fs::write(&path, &pdf).unwrap();
        let text = pdf_text(&path);
        for name in WORLD_HOLDERS {
            assert!(
                text.contains(name),
                "{layout:?}: {name} must come back from pdftotext in reading order:\n{text}"
            );
        }
        let codes = shown_codes(&pdf);
        assert!(
            codes.len() > 1000,
            "the pages show text: {} glyphs",
            codes.len()
        );
        assert!(
            !codes.contains(&0),
            "{layout:?}: a glyph is the missing glyph (.notdef): some name prints as a box"
        );
        let fonts = font_names(&pdf);
        for family in [
            "NotoSansArabic-Bold",
            "NotoSansHebrew-Bold",
            "NotoSansDevanagari-Bold",
            "NotoSansThai-Bold",
            "NotoSansCJKsc-Bold",
        ] {
            assert!(
                fonts.iter().any(|f| f.ends_with(&format!("+{family}"))),
                "{layout:?}: {family} is embedded as a subset: {fonts:?}"
            );
        }
        assert!(
            pdf.len() < 400_000,
            "{layout:?}: 18 tickets in {} bytes: fonts not cut down to the glyphs used?",
            pdf.len()
        );
        assert_eq!(
            pdf_to_pngs(&path, 50).len(),
            18,
            "pdftoppm draws every page"
        );
    }
}

#[test]
fn a_z_report_prints_operator_and_holder_names_in_every_script() {
    require_noto();
    let report = Report {
        title_fr: "Rapport Z".into(),
        title_en: "Z report".into(),
        lines: WORLD_HOLDERS
            .iter()
            .map(|n| format!("Caissier / Cashier : {n}"))
            .collect(),
        sections: vec![ReportSection {
            heading: "Ventes / Sales".into(),
            rows: WORLD_HOLDERS
                .iter()
                .map(|n| ReportRow::new(format!("P24-0001 · {n}"), "24,00 €"))
                .collect(),
        }],
        signatures: vec!["李小龍".into(), "محمد بن سلمان".into()],
        footer: "shift 1".into(),
    };
    let pdf = render_report(&report).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("z.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let text = pdf_text(&path);
    for name in WORLD_HOLDERS {
        assert_eq!(
            text.matches(name).count(),
            2 + usize::from(name == "李小龍" || name == "محمد بن سلمان"),
            "{name} on its cashier line and its sale row (and signature box):\n{text}"
        );
    }
    assert!(
        !shown_codes(&pdf).contains(&0),
        "no missing glyph on the report"
    );
}

fn gate_cli(args: &[&str], envs: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_guichet-gate"));
    cmd.args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// A fresh machine before the Noto packages: only the embedded DejaVu. Latin, Greek and
/// Cyrillic names still print; the others are refused with the characters and the way out.
#[test]
fn with_only_the_embedded_fonts_latin_greek_cyrillic_print_and_other_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let only_dejavu = [("GUICHET_SYSTEM_FONTS", "off"), (FONT_DIRS_VAR, "")];
    let pdf = d.join("demo.pdf");
    let keys = d.join("keys");
    let p = |x: &Path| x.to_str().unwrap().to_string();
    let (pdf_s, keys_s) = (p(&pdf), p(&keys));
    let base = ["demo-pdf", "--out", &pdf_s, "--key-dir", &keys_s];
    let out = gate_cli(&base, &only_dejavu);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&pdf).unwrap();
    let fonts = font_names(&bytes);
    assert!(
        fonts.iter().all(|f| f.contains("DejaVuSans")),
        "only the embedded fonts: {fonts:?}"
    );
    let text = pdf_text(&pdf);
    for name in ["Ελένη Παπαδοπούλου", "Анна Каренина", "Łukasz Żółkiewski"]
    {
        assert!(
            text.contains(name),
            "{name} prints with DejaVu alone:\n{text}"
        );
    }
    assert!(
        !shown_codes(&bytes).contains(&0),
        "and with no missing glyph"
    );

    let mut world = base.to_vec();
    world.push("--world-names");
    let out = gate_cli(&world, &only_dejavu);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "no boxes on paper: refused");
    assert!(
        said.contains("李小龍") && said.contains("fonts-noto-core fonts-noto-cjk"),
        "names the characters and the packages: {said}"
    );
}
