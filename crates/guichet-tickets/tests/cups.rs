//! Printing for real: the PDF goes through CUPS to the `cups-pdf` virtual printer, and the QR in
//! the file CUPS writes still scans VALID. The queue is `$GUICHET_TEST_PRINTER` (default `PDF`);
//! the test command starts cupsd and makes the queue:
//!     cupsd; lpadmin -p PDF -v cups-pdf:/ -E -m lsb/usr/cups-pdf/CUPS-PDF_opt.ppd

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{evening_of, gate, issued_at, pdf_to_pngs, require, test_key};
use guichet_tickets::demo::demo_pack;
use guichet_tickets::{
    decode_qr_image, print_pdf, render_order, Layout, PrintError, PrintOptions, RevocationList,
};

fn queue() -> String {
    std::env::var("GUICHET_TEST_PRINTER").unwrap_or_else(|_| "PDF".into())
}

/// Where cups-pdf writes: the `Out` line of /etc/cups/cups-pdf.conf (`${HOME}` is the job
/// owner's home; jobs from root land in /root), else its documented default.
fn cups_pdf_out_dirs() -> Vec<PathBuf> {
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let conf = std::fs::read_to_string("/etc/cups/cups-pdf.conf").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = conf
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Out "))
        .map(|o| PathBuf::from(o.trim().replace("${HOME}", &home)))
        .collect();
    dirs.push(PathBuf::from(&home).join("PDF"));
    dirs.push(PathBuf::from("/var/spool/cups-pdf/ANONYMOUS"));
    dirs
}

fn find_output(title: &str, deadline: Duration) -> Option<PathBuf> {
    let start = Instant::now();
    while start.elapsed() < deadline {
        for d in cups_pdf_out_dirs() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if name.starts_with(title) && name.ends_with(".pdf") {
                    // cups-pdf writes then renames; wait until the size is stable.
                    let s1 = e.metadata().map(|m| m.len()).unwrap_or(0);
                    std::thread::sleep(Duration::from_millis(300));
                    let s2 = std::fs::metadata(e.path()).map(|m| m.len()).unwrap_or(0);
                    if s1 > 0 && s1 == s2 {
                        return Some(e.path());
                    }
                }
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    None
}

#[test]
fn a_ticket_printed_through_cups_pdf_comes_out_with_a_qr_that_scans_valid() {
    require("lp", "cups-client");
    let dir = tempfile::tempdir().unwrap();
    let order = demo_pack(&test_key(), issued_at());
    for (layout, t) in [(Layout::Thermal, &order[0]), (Layout::A4, &order[1])] {
        let pdf = dir.path().join(format!("{layout:?}.pdf"));
        std::fs::write(
            &pdf,
            render_order(std::slice::from_ref(&t.face), layout, "cups test").unwrap(),
        )
        .unwrap();
        // A title unique to this run, so an old output file cannot pass the test.
        let title = format!("guichet-test-{layout:?}-{}", std::process::id());
        let opts = PrintOptions {
            title: title.clone(),
            media: Some(layout.cups_media().into()),
        };
        let job = match print_pdf(&queue(), &pdf, &opts) {
            Ok(job) => job,
            Err(e) => panic!(
                "printing to CUPS queue {:?} must work (start cupsd and add the cups-pdf queue, \
                 see this file's header): {e}",
                queue()
            ),
        };
        assert!(
            job.0.starts_with(&queue()),
            "CUPS job ids are QUEUE-N, got {job}"
        );
        let out = find_output(&title, Duration::from_secs(20)).unwrap_or_else(|| {
            panic!(
                "cups-pdf wrote no {title}*.pdf within 20 s in {:?}",
                cups_pdf_out_dirs()
            )
        });
        let copy = dir.path().join(format!("printed-{layout:?}.pdf"));
        std::fs::copy(&out, &copy).unwrap();
        let _ = std::fs::remove_file(&out);
        let pages = pdf_to_pngs(&copy, 150);
        assert_eq!(pages.len(), 1, "one ticket, one printed page");
        let text = decode_qr_image(&pages[0]).unwrap();
        assert_eq!(text, t.face.qr_text, "the printed QR is the ticket's");
        let day = t.signed.claims.session_day.to_string();
        let v = gate(dir.path(), RevocationList::default())
            .scan(&text, evening_of(&day))
            .unwrap();
        assert!(v.is_valid(), "the printed ticket scans VALID: {v}");
    }
}

#[test]
fn printing_to_a_queue_that_does_not_exist_says_so() {
    require("lp", "cups-client");
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("t.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n").unwrap();
    let opts = PrintOptions {
        title: "t".into(),
        media: None,
    };
    match print_pdf("NO-SUCH-QUEUE-FOR-GUICHET", &pdf, &opts) {
        Err(PrintError::NoSuchPrinter(q)) => assert_eq!(q, "NO-SUCH-QUEUE-FOR-GUICHET"),
        other => {
            panic!("an unknown queue must be NoSuchPrinter (with cupsd running), got {other:?}")
        }
    }
}
