//! Shared by the integration tests: the tools they need, and a gate for the demo key.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use guichet_tickets::{DeviceKey, Gate, KeyList, RevocationList, ScanLog};
use jiff::{tz::TimeZone, Timestamp};

/// Fails (never skips) when a tool the test needs is missing, naming the package.
pub fn require(tool: &str, package: &str) {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "this test needs `{tool}`: apt-get install -y {package}"
    );
}

/// PDF pages to PNG files with pdftoppm; returns them in page order.
pub fn pdf_to_pngs(pdf: &Path, dpi: u32) -> Vec<PathBuf> {
    require("pdftoppm", "poppler-utils");
    let dir = pdf.parent().unwrap();
    let stem = pdf.file_stem().unwrap().to_str().unwrap();
    let prefix = dir.join(format!("{stem}-page"));
    let st = Command::new("pdftoppm")
        .arg("-r")
        .arg(dpi.to_string())
        .arg("-png")
        .arg(pdf)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(st.success(), "pdftoppm must render {pdf:?}");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(&format!("{stem}-page"))
                && p.extension().is_some_and(|e| e == "png")
        })
        .collect();
    pages.sort();
    pages
}

/// Text of a PDF with pdftotext.
pub fn pdf_text(pdf: &Path) -> String {
    require("pdftotext", "poppler-utils");
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext must read {pdf:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// The QR text zbarimg reads from a PNG (a second, independent decoder).
pub fn zbar(png: &Path) -> String {
    require("zbarimg", "zbar-tools");
    let out = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(png)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "zbarimg must find a QR code in {png:?}"
    );
    guichet_tickets::scanned_text(&String::from_utf8(out.stdout).unwrap()).to_string()
}

/// The issuing device of the tests: a fixed seed, TEST ONLY.
pub fn test_key() -> DeviceKey {
    DeviceKey::from_seed([0x5a; 32])
}

/// When the tests' tickets are issued.
pub fn issued_at() -> Timestamp {
    "2024-05-11T10:00:00Z".parse().unwrap()
}

/// A gate that trusts `test_key`, with a scan log in `dir`.
pub fn gate(dir: &Path, revoked: RevocationList) -> Gate {
    gate_trusting(dir, &test_key(), revoked)
}

/// A gate that trusts `key`, with a scan log in `dir`.
pub fn gate_trusting(dir: &Path, key: &DeviceKey, revoked: RevocationList) -> Gate {
    Gate {
        keys: KeyList::from_entries(&[key.public_entry("test desk")]).unwrap(),
        revoked,
        scan_log: ScanLog::open(&dir.join("scans.log")).unwrap(),
        zone: TimeZone::get("Europe/Paris").unwrap(),
        label: "test gate".into(),
    }
}

/// 19:30 Paris time on a session day (`YYYY-MM-DD`).
pub fn evening_of(day: &str) -> Timestamp {
    format!("{day}T19:30[Europe/Paris]")
        .parse::<jiff::Zoned>()
        .unwrap()
        .timestamp()
}
