//! The headless CLI end to end: init, add a seller, seed, look up, open a shift, sell a pack,
//! void it, close the shift with a PDF; and bad input refused with a code and nothing written.

use std::path::Path;
use std::process::{Command, Output};

const AT: &str = "2023-02-20T10:00[Europe/Paris]";

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guichet-desk"))
        .args(["--db", db.to_str().unwrap(), "--at", AT])
        .args(args)
        .output()
        .unwrap()
}

fn ok(db: &Path, args: &[&str]) -> serde_json::Value {
    let out = run(db, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn refused(db: &Path, args: &[&str]) -> (String, String) {
    let out = run(db, args);
    assert_eq!(out.status.code(), Some(1), "{args:?} must be refused");
    let v: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    (
        v["code"].as_str().unwrap().to_string(),
        v["message"].as_str().unwrap().to_string(),
    )
}

fn rows(db: &Path) -> i64 {
    let c = guichet_store::rusqlite::Connection::open(db).unwrap();
    c.query_row(
        "SELECT (SELECT count(*) FROM sale_order) + (SELECT count(*) FROM ticket)
              + (SELECT count(*) FROM payment) + (SELECT count(*) FROM outbox)",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn a_scripted_day_at_the_counter() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.sqlite");
    ok(
        &db,
        &[
            "init",
            "--id",
            "S-SUP",
            "--name",
            "Sup",
            "--new-pin",
            "9876",
        ],
    );
    let sup = ["--as", "S-SUP", "--pin", "9876"];
    let sell = ["--as", "S-SELL", "--pin", "1234"];
    ok(
        &db,
        &[
            &sup[..],
            &[
                "add-operator",
                "--id",
                "S-SELL",
                "--name",
                "Sel",
                "--role",
                "seller",
                "--new-pin",
                "1234",
            ],
        ]
        .concat(),
    );
    ok(&db, &[&sup[..], &["seed", "--accounts", "30"]].concat());
    let found = ok(&db, &[&sell[..], &["look-up", "élodie"]].concat());
    assert_eq!(found["accounts"].as_array().unwrap().len(), 2, "{found}");
    ok(
        &db,
        &[&sell[..], &["open-shift", "--float", "150"]].concat(),
    );
    let order_pdf = dir.path().join("order.pdf");
    let sale = ok(
        &db,
        &[
            &sell[..],
            &[
                "sell",
                "--account",
                "P24-0000012",
                "--line",
                "FBL01:D:2",
                "--line",
                "RU701:C:1",
                "--line",
                "HBL01:B:1:Guest Holder",
                "--cash",
                "300",
                "--pdf",
                order_pdf.to_str().unwrap(),
            ],
        ]
        .concat(),
    );
    assert_eq!(sale["tickets"].as_array().unwrap().len(), 4);
    let order_pdf = std::fs::read(dir.path().join("order.pdf")).unwrap();
    assert!(
        order_pdf.starts_with(b"%PDF"),
        "the sale wrote the order's PDF"
    );
    let order = sale["order_id"].as_str().unwrap().to_string();
    let (code, _) = refused(
        &db,
        &[
            &sell[..],
            &[
                "void",
                "--order",
                &order,
                "--supervisor",
                "S-SUP",
                "--supervisor-pin",
                "0000",
                "--reason",
                "x",
            ],
        ]
        .concat(),
    );
    assert_eq!(code, "WRONG_PIN");
    ok(
        &db,
        &[
            &sell[..],
            &[
                "void",
                "--order",
                &order,
                "--supervisor",
                "S-SUP",
                "--supervisor-pin",
                "9876",
                "--reason",
                "wrong day",
            ],
        ]
        .concat(),
    );
    let pdf = dir.path().join("z.pdf");
    let z = ok(
        &db,
        &[
            &sell[..],
            &[
                "close-shift",
                "--counted",
                "150",
                "--pdf",
                pdf.to_str().unwrap(),
            ],
        ]
        .concat(),
    );
    assert_eq!(
        z["report"]["difference"], 0,
        "sale and void cancel out: {z}"
    );
    // The PDF read back by poppler, as a person would read it.
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed by the test command");
    let text = String::from_utf8(out.stdout).unwrap();
    let row = |label: &str| {
        text.lines()
            .find(|l| l.contains(label))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|| panic!("no {label:?} row in the Z report:\n{text}"))
    };
    assert!(
        text.contains("Rapport Z") && text.contains("Z report"),
        "{text}"
    );
    assert!(row("Opened by").contains("S-SELL"), "{text}");
    assert!(row("Float").ends_with("150,00 €"), "{}", row("Float"));
    assert!(
        row("Expected cash").ends_with("150,00 €"),
        "{}",
        row("Expected cash")
    );
    assert!(
        row("Counted cash").ends_with("150,00 €"),
        "{}",
        row("Counted cash")
    );
    assert!(
        row("Difference").ends_with("0,00 €"),
        "{}",
        row("Difference")
    );
    assert!(
        row("Annulations / Voids").ends_with(" 1"),
        "{}",
        row("Annulations / Voids")
    );
}

#[test]
fn bad_input_is_refused_with_a_code_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.sqlite");
    ok(
        &db,
        &[
            "init",
            "--id",
            "S-SUP",
            "--name",
            "Sup",
            "--new-pin",
            "9876",
        ],
    );
    let sup = ["--as", "S-SUP", "--pin", "9876"];
    ok(&db, &[&sup[..], &["seed", "--accounts", "5"]].concat());
    ok(&db, &[&sup[..], &["open-shift", "--float", "0"]].concat());
    let before = rows(&db);
    let base = [
        &sup[..],
        &[
            "sell",
            "--account",
            "P24-0000001",
            "--line",
            "FBL01:D:1",
            "--line",
            "RU701:C:1",
        ],
    ]
    .concat();
    let cases: [(&[&str], &str, &str); 5] = [
        (
            &["--line", "NOPE9:A:1", "--cash", "500"],
            "RULES",
            "NOPE9 is not a session of the catalogue",
        ),
        (
            &["--line", "HBL01:B:1", "--cash=-5"],
            "BAD_INPUT",
            "between 0 and 1,000,000",
        ),
        (
            &["--line", "HBL01:B:1", "--cash", "99999999"],
            "BAD_INPUT",
            "between 0 and 1,000,000",
        ),
        (
            &["--line", "HBL01:B:1", "--cash", "100000"],
            "ABSURD_CHANGE",
            "at most 500.00 €",
        ),
        (
            &["--line", "HBL01:B:1", "--card", "1", "--cash", "1"],
            "CASH_SHORT",
            "missing",
        ),
    ];
    for (extra, code, words) in cases {
        let (c, m) = refused(&db, &[&base[..], extra].concat());
        assert_eq!(c, code, "{extra:?}: {m}");
        assert!(
            m.contains(words),
            "{extra:?}: the message names the problem: {m}"
        );
    }
    assert_eq!(rows(&db), before, "no refused sale wrote anything");
    let text = dir.path().join("notes.sqlite");
    std::fs::write(&text, "not a database, just notes ".repeat(20)).unwrap();
    let (c, m) = refused(&text, &[&sup[..], &["look-up", "x"]].concat());
    assert_eq!(c, "NOT_A_DESK_STORE", "{m}");
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
fn help_prints_the_usage_of_the_cli_and_of_each_command_and_opens_no_desk() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.sqlite");
    let help = |args: &[&str]| {
        let out = run(&db, args);
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
    for c in ["init", "sell", "void", "close-shift"] {
        assert!(cmds.iter().any(|x| x == c), "{c} missing from {cmds:?}");
    }
    for c in &cmds {
        for h in ["--help", "-h"] {
            assert!(help(&[c, h]).contains(c.as_str()), "{c} {h}");
        }
    }
    assert!(!db.exists(), "--help opened the desk file");
    let out = run(&db, &["sell", "--frobnicate"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("'--frobnicate'"), "{stderr}");
    assert!(!db.exists(), "a bad flag opened the desk file");
}
