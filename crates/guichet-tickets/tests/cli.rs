//! The `guichet-gate` binary end to end: keys, a demo order, verification by text and by image,
//! exit codes 0 (VALID), 1 (refused), 2 (usage).

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn gate_cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guichet-gate"))
        .args(args)
        .output()
        .unwrap()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn keygen_demo_pdf_and_verify_work_together_with_the_documented_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let keys = d.join("keys");
    let out = gate_cli(&["keygen", "--out", p(&keys), "--label", "desk-1"]);
    assert!(
        out.status.success(),
        "keygen: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = d.join("keys.json");
    let out = gate_cli(&[
        "keylist",
        "--out",
        p(&list),
        p(&keys.join("ticket-signing.pub.json")),
    ]);
    assert!(
        out.status.success(),
        "keylist: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let pdf = d.join("order.pdf");
    let out = gate_cli(&[
        "demo-pdf",
        "--out",
        p(&pdf),
        "--key-dir",
        p(&keys),
        "--layout",
        "thermal",
        "--sessions",
        "ATH07",
        "--per-session",
        "3",
        "--at",
        "2024-05-11T10:00:00Z",
    ]);
    assert!(
        out.status.success(),
        "demo-pdf: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<(&str, &str)> = stdout.lines().map(|l| l.split_once(' ').unwrap()).collect();
    assert_eq!(
        lines.len(),
        3,
        "demo-pdf prints one `id qr-text` line per ticket"
    );

    let revoked = d.join("revoked.json");
    let out = gate_cli(&[
        "revoke",
        "--list",
        p(&revoked),
        "--reason",
        "void",
        lines[1].0,
    ]);
    assert!(
        out.status.success(),
        "revoke: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let log = d.join("scans.log");
    let verify = |extra: &[&str]| {
        let mut args = vec![
            "verify",
            "--keys",
            p(&list),
            "--revoked",
            p(&revoked),
            "--scan-log",
            p(&log),
            "--at",
            "2024-08-04T18:00:00Z",
        ];
        args.extend_from_slice(extra);
        gate_cli(&args)
    };
    let pages = common::pdf_to_pngs(&pdf, 150);
    let out = verify(&["--image", p(&pages[0])]);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(0),
        "first scan from the printed image is VALID: {said}"
    );
    assert!(said.starts_with("VALID"), "{said}");

    let out = verify(&[lines[0].1]);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "second scan is refused: {said}");
    assert!(
        said.contains("ALREADY SCANNED") && said.contains("2024-08-04 20:00:00 CEST"),
        "{said}"
    );

    let out = verify(&[lines[1].1]);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        said.starts_with("REVOKED"),
        "the revoked ticket says so: {said}"
    );

    // A phone photo or a scanner gives JPEG: the third ticket, read from a JPEG of its page.
    let jpeg_stem = d.join("third-page");
    let st = Command::new("pdftoppm")
        .args(["-r", "150", "-jpeg", "-f", "3", "-l", "3", "-singlefile"])
        .arg(&pdf)
        .arg(&jpeg_stem)
        .status()
        .unwrap();
    assert!(st.success(), "pdftoppm -jpeg renders the third page");
    let jpeg = d.join("third-page.jpg");
    let out = verify(&["--image", p(&jpeg)]);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "the JPEG scans VALID: {said}");
    assert!(
        said.starts_with("VALID") && said.contains(lines[2].0),
        "the JPEG is the third ticket: {said}"
    );

    // A picture with no code in it: a usage error that says what to do.
    let blank = d.join("blank.png");
    image::GrayImage::from_pixel(300, 300, image::Luma([255]))
        .save(&blank)
        .unwrap();
    let out = verify(&["--image", p(&blank)]);
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("no QR code found") && said.contains("give the ticket's text"),
        "{said}"
    );

    let out = verify(&[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "no ticket given is a usage error"
    );
}

/// The sub-commands a clap help lists under "Commands:" (its own `help` left out).
fn commands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        // A command's line starts with two spaces; a wrapped description with more.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn help_prints_the_usage_of_the_gate_and_of_each_command_and_does_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let help = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_guichet-gate"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.to_lowercase().contains("usage"),
            "{args:?}: {stdout}"
        );
        stdout
    };
    let top = help(&["--help"]);
    help(&["-h"]);
    let cmds = commands(&top);
    for c in ["keygen", "keylist", "revoke", "verify", "demo-pdf", "print"] {
        assert!(cmds.iter().any(|x| x == c), "{c} missing from {cmds:?}");
    }
    for c in &cmds {
        for h in ["--help", "-h"] {
            assert!(help(&[c, h]).contains(c.as_str()), "{c} {h}");
        }
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "--help wrote {left:?}");
    let out = gate_cli(&["--frobnicate"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("'--frobnicate'"), "{stderr}");
}
